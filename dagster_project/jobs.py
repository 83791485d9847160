"""The nightly job and its schedule."""
from __future__ import annotations

import os
from zoneinfo import ZoneInfo

from dagster import AssetSelection, RunRequest, ScheduleEvaluationContext, SkipReason, define_asset_job, schedule

nightly_job = define_asset_job(
    "nightly_allocations",
    selection=AssetSelection.all(),
    description="Ingest the extract, build and test every dbt model, validate the expectations, publish the marts.",
)

LONDON = ZoneInfo("Europe/London")


# 02:00 London time, after the council's CBL system writes its nightly extract. The as-of date
# is the day the schedule fires for; the extract folder and database come from the environment
# of the Dagster daemon (ALLOCATIONS_EXTRACTS_DIR, ALLOCATIONS_DATABASE).
@schedule(job=nightly_job, cron_schedule="0 2 * * *", execution_timezone="Europe/London",
          name="nightly_allocations_0200")
def nightly_schedule(context: ScheduleEvaluationContext):
    extracts, database = os.environ.get("ALLOCATIONS_EXTRACTS_DIR"), os.environ.get("ALLOCATIONS_DATABASE")
    if not extracts or not database:
        return SkipReason("set ALLOCATIONS_EXTRACTS_DIR and ALLOCATIONS_DATABASE for the Dagster daemon")
    as_of = context.scheduled_execution_time.astimezone(LONDON).date()
    return RunRequest(
        run_key=as_of.isoformat(),
        run_config={"resources": {"run": {"config": {
            "extracts_dir": extracts, "database": database, "as_of": as_of.isoformat()}}}},
    )
