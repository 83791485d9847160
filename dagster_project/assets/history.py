"""history.published_bands: what each night published, written into the run's marts file after
dbt and before publishing (dagster_project/history.py says how it is carried), with its checks
evaluated in the same step on the file opened read-only."""

import time
from pathlib import Path

from dagster import (AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetExecutionContext, AssetKey,
                     MaterializeResult, asset)

from ..history import CHECKS, check_history, write_history
from ..partitions import ONE_DATE_PER_RUN, as_of_partitions
from ..progress import progress
from ..resources import AllocationsSettings, RunPlan
from ..work_files import RunLock

HISTORY_KEY = AssetKey(["history", "published_bands"])


@asset(key=HISTORY_KEY, group_name="history", partitions_def=as_of_partitions, backfill_policy=ONE_DATE_PER_RUN,
       deps=[AssetKey(["marts", "applicant_bands"]), AssetKey(["intermediate", "int_history__extract_fields"])],
       check_specs=[AssetCheckSpec(c.name, asset=HISTORY_KEY, blocking=True, description=c.description)
                    for c in CHECKS],
       description=("history.published_bands (and history.published_extract_fields): one row per application per "
                    "stretch of published runs over which its applicant_bands row stayed the same, carried from the "
                    "published file into this run's marts file (outputs-and-cli.md Night to night). A run for a "
                    "date before the latest published one carries the history up to the date before it."))
def published_bands(context: AssetExecutionContext, allocations: AllocationsSettings):
    started = time.monotonic()
    plan = RunPlan.load(allocations, context.run.run_id)
    lock = RunLock(plan.work)
    with lock.released_on_failure(plan.run_id):
        # The configured database's history, also for a date before its latest (history.py)
        rows = write_history(plan.work.marts, plan.work.build, Path(plan.database), plan.as_of_date)
        failures = check_history(plan.work.marts, plan.as_of_date)
    progress(f"history: {rows['published_bands']:,} stretches of published bands ({time.monotonic() - started:.1f}s)")
    yield MaterializeResult(metadata={f"rows.{k}": v for k, v in rows.items()})
    if any(failures.values()):  # a blocking check fails the step after its result: nothing is published
        lock.release(plan.run_id, remove_databases=True)
    for check in CHECKS:
        found = failures[check.name]
        yield AssetCheckResult(
            check_name=check.name, passed=not found, severity=AssetCheckSeverity.ERROR,
            description=check.description if not found else f"{check.description} Failing rows: {found}")
