"""Dagster entry point: `dagster dev -m dagster_project.definitions`."""
from dagster import Definitions

from .assets.dbt_models import allocations_dbt_models
from .assets.ingestion import raw_extract
from .assets.publish import published_database
from .jobs import nightly_job, nightly_schedule
from .resources import AllocationsRun
from .validation.checks import build_expectation_checks

defs = Definitions(
    assets=[raw_extract, allocations_dbt_models, published_database],
    asset_checks=build_expectation_checks(),
    jobs=[nightly_job],
    schedules=[nightly_schedule],
    resources={
        # Configured per run: by the CLI's arguments or by the schedule's run request.
        "run": AllocationsRun.configure_at_launch(),
    },
)
