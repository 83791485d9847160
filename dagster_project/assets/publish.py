"""Publishing: the last asset of the job, reached only when dbt tests and blocking checks pass."""

import json
import time

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from ..progress import progress
from ..project import dbt_project
from ..publishing import publish
from ..resources import AllocationsRun
from ..run_folder import remove_database_file


def mart_asset_keys() -> list[AssetKey]:
    manifest = json.loads(dbt_project.manifest_path.read_text())
    return sorted(
        (AssetKey(["marts", node["name"]]) for node in manifest["nodes"].values()
         if node["resource_type"] == "model" and node["config"].get("schema") == "marts"),
        key=lambda k: k.path)


@asset(key="published_database", group_name="publish", deps=mart_asset_keys(), description=(
    "The new DuckDB file dbt wrote the marts into, completed with the audit schema and renamed "
    "over --database "
    "(outputs-and-cli.md). Blocking checks on the marts must pass first."))
def published_database(context: AssetExecutionContext, run: AllocationsRun) -> MaterializeResult:
    started = time.monotonic()
    run_id = context.run.run_id
    build, target = run.build_database(run_id), run.database_path()
    progress(f"publish: writing {target}")
    rows = publish(build, run.marts_database(run_id), target, run_id)
    remove_database_file(build)
    progress(f"publish: done ({time.monotonic() - started:.1f}s)")
    return MaterializeResult(metadata={"database": str(target), **{f"rows.{k}": v for k, v in rows.items()},
                                       "seconds": round(time.monotonic() - started, 2)})
