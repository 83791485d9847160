"""The nightly job and its schedule."""

from dagster import AssetSelection, build_schedule_from_partitioned_job, define_asset_job


# Runs that publish to the same database must not overlap (they share its work files, and a
# backfill replays the nights in order). The lock refuses a second run at once; a deployment
# also queues them, by this tag, with a run-queue limit in dagster.yaml (docs/deploy.md).
DATABASE_TAG = "allocations/nightly"


nightly_job = define_asset_job(
    "nightly_allocations",
    selection=AssetSelection.all(),
    tags={DATABASE_TAG: "publish"},
    description=("Ingest the extract for the partition's date, build and test every dbt model, validate the "
                 "expectations, publish the marts."),
)

# 02:00 London time, after the council's system writes its nightly extract. With end_offset=1
# the last partition is today's, so the run at 02:00 on a day computes as of that day
# (partitions.py says why).
nightly_schedule = build_schedule_from_partitioned_job(
    nightly_job, hour_of_day=2, minute_of_hour=0, name="nightly_allocations_0200")
