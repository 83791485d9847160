"""Every dbt model, seed and data test as Dagster assets and asset checks."""

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, dbt_assets

from ..progress import progress
from ..project import dbt_project
from ..resources import AllocationsRun
from ..run_folder import run_folder
from ..validation.checks import early_suites, prefetch_suites_on
from ..validation.worker import submit_data
from .dbt_build import DbtBuild


class AllocationsTranslator(DagsterDbtTranslator):
    """dbt sources are the tables the ingestion asset writes, so they all map to it."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey("raw_extract")
        return super().get_asset_key(dbt_resource_props)


translator = AllocationsTranslator(
    settings=DagsterDbtTranslatorSettings(enable_duplicate_source_asset_keys=True))


# Unit tests check rule logic on hand-made rows: they run in the test suite, not every night.
@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project,
            dagster_dbt_translator=translator, exclude="resource_type:unit_test")
def allocations_dbt_models(context: AssetExecutionContext, run: AllocationsRun):
    started = time.monotonic()
    as_of = run.as_of_date().isoformat()
    progress(f"dbt build: seeds, models and data tests as of {as_of}")
    # dbt's artifacts go to the run's folder (not the repo): run_results.json stays for diagnosis.
    run_id, build_database = context.run.run_id, run.build_database(context.run.run_id)
    build = DbtBuild(context, translator, build_database=build_database, marts_database=run.marts_database(run_id),
                     vars={"as_of_date": as_of}, extra_args=["--exclude-resource-type", "unit_test"],
                     target_path=run_folder(run.database_path(), run_id) / "dbt")
    # The expectation suites of these assets are read as soon as their tables are built and
    # validated while dbt goes on (validation/worker.py); the rest once the build succeeded.
    build.read_during_build(early_suites(context.selected_asset_keys, build.manifest), run_id,
                            lambda read: submit_data(build_database, run_id, read["name"], Path(read["suites_dir"]),
                                                     read["data"]))
    yield from build.events()
    failures = build.failures()
    progress(f"dbt build: done ({time.monotonic() - started:.1f}s)")
    if failures:
        raise DbtBuildFailed("dbt build failed:\n  " + "\n  ".join(failures[:20]))
    prefetch_suites_on(context.selected_asset_keys, build_database, run_id)


class DbtBuildFailed(Exception):
    pass
