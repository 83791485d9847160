"""Publishing: the last asset of the job, reached only when dbt's tests and the blocking
expectation checks of every mart have passed."""

import json
import time

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from .history import HISTORY_KEY
from ..partitions import ONE_DATE_PER_RUN, as_of_partitions
from ..progress import progress
from ..project import dbt_project
from ..publishing import publish
from ..resources import AllocationsSettings, RunPlan
from ..work_files import RunLock


def mart_asset_keys() -> list[AssetKey]:
    manifest = json.loads(dbt_project.manifest_path.read_text())
    return sorted(
        (AssetKey(["marts", node["name"]]) for node in manifest["nodes"].values()
         if node["resource_type"] == "model" and node["config"].get("schema") == "marts"),
        key=lambda k: k.path)


@asset(key="published_database", group_name="publish", deps=[*mart_asset_keys(), HISTORY_KEY], partitions_def=as_of_partitions, backfill_policy=ONE_DATE_PER_RUN,
       description=("The marts file dbt wrote, with the history carried into it, completed with the audit schema and renamed over "
                    "ALLOCATIONS_DATABASE (or, for a date before the latest published one, over its own "
                    "file in <stem>.as-of/): outputs-and-cli.md. Blocking checks on the marts pass first."))
def published_database(context: AssetExecutionContext, allocations: AllocationsSettings) -> MaterializeResult:
    started = time.monotonic()
    plan = RunPlan.load(allocations, context.run.run_id)
    progress(f"publish: writing {plan.target}")
    lock = RunLock(plan.work)
    with lock.released_on_failure(plan.run_id):
        rows = publish(plan)
    lock.release(plan.run_id, remove_databases=True)
    progress(f"publish: done ({time.monotonic() - started:.1f}s)")
    return MaterializeResult(metadata={"database": plan.target, **{f"rows.{k}": v for k, v in rows.items()}})
