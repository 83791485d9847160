"""Dagster entry point: `dagster dev -m dagster_project.definitions`."""
from dagster import Definitions, EnvVar

from .assets.dbt_models import allocations_dbt_models
from .assets.history import published_bands
from .assets.ingestion import raw_extract
from .assets.publish import published_database
from .jobs import nightly_job, nightly_schedule
from .project import dbt_resource
from .resources import AllocationsSettings
from .validation.checks import build_mart_checks

defs = Definitions(
    assets=[raw_extract, allocations_dbt_models, published_bands, published_database],
    asset_checks=[build_mart_checks()],
    jobs=[nightly_job],
    schedules=[nightly_schedule],
    resources={
        "dbt": dbt_resource(),
        "allocations": AllocationsSettings(extracts_dir=EnvVar("ALLOCATIONS_EXTRACTS_DIR"),
                                           database=EnvVar("ALLOCATIONS_DATABASE")),
    },
)
