"""Ingestion: the extract folder into the raw schema of a new build database.

The first step of a run: it decides where the run publishes (a date earlier than the latest
published one goes to its own file beside it), takes the target's lock, loads every row of the
extract into `raw.<file>` or `audit.quarantine`, and validates the load suite before dbt starts.
"""

import datetime as dt
import time
from pathlib import Path

import duckdb
from dagster import AssetExecutionContext, MaterializeResult, asset

from ..history import copy_previous_night
from ..ingest.gate import check_extract_gate, read_previous_load_counts
from ..ingest.loader import load_extract
from ..partitions import ONE_DATE_PER_RUN, as_of_partitions
from ..paths import EXPECTATIONS_DIR
from ..progress import progress
from ..resources import AllocationsSettings, plan_run, run_retention_days
from ..validation.checks import LOAD_SUITE, check_result, load_check_spec, validate_and_record
from ..work_files import RunLock, remove_expired_run_folders

# A person who has checked a large change in the extract lets the run publish it by launching
# the run with this tag (`allocations run --accept-volume-change` does); its value names them.
ACCEPT_VOLUME_CHANGE_TAG = "allocations/accept_volume_change"

RUNS_DDL = """CREATE TABLE IF NOT EXISTS audit.runs (
    run_id VARCHAR, as_of_date DATE, extracts_dir VARCHAR, database VARCHAR,
    started_at TIMESTAMP, finished_at TIMESTAMP, policy_effective_from DATE,
    rows_loaded BIGINT, rows_quarantined BIGINT, status VARCHAR,
    accepted_volume_change_by VARCHAR, accepted_volume_changes VARCHAR)"""


def _quote(path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


@asset(key="raw_extract", group_name="ingestion", partitions_def=as_of_partitions, backfill_policy=ONE_DATE_PER_RUN,
       check_specs=[load_check_spec()], description=(
           "The register extract loaded into a new build database: every row in raw.<file> or in "
           "audit.quarantine with file, line and reason; audit.load_counts per file; raw.run_parameters "
           "holds the as-of date (the partition) the models compute for; raw.previous_* what the previous "
           "published run published (history.py)."))
def raw_extract(context: AssetExecutionContext, allocations: AllocationsSettings):
    started = time.monotonic()
    as_of = dt.date.fromisoformat(context.partition_key)
    accepted_by = context.run.tags.get(ACCEPT_VOLUME_CHANGE_TAG) or None
    plan = plan_run(allocations, context.run.run_id, as_of, accept_volume_change=accepted_by is not None)
    plan.save()
    if plan.is_past_date:
        progress(f"ingest: {as_of} is before the latest published date: publishing to {plan.target} instead")
    lock = RunLock(plan.work)
    for cleaned in lock.acquire(plan.run_id):
        progress(f"ingest: removed {cleaned}")
        context.log.warning(f"removed {cleaned}")
    with lock.released_on_failure(plan.run_id):
        retention_days = run_retention_days()
        expired = remove_expired_run_folders(plan.folder.parent, retention_days, keep=plan.run_id)
        if expired:
            progress(f"ingest: removed {len(expired)} run folder{'s' if len(expired) > 1 else ''} older than "
                     f"{retention_days} days from {plan.folder.parent}: {', '.join(e[:8] for e in expired)}")
        progress(f"ingest: reading {plan.extracts_dir} as of {as_of}")
        with duckdb.connect(str(plan.work.build)) as con:
            report = load_extract(con, plan.extracts_dir, plan.run_id)
            # The gate (ingest/gate.py, thresholds in dbt/seeds/extract_gate_thresholds.csv): an
            # extract that lost rows or is mostly quarantined fails the run here, before dbt.
            verdict = check_extract_gate(
                con, run_id=plan.run_id, as_of=as_of, accept_volume_change=plan.accept_volume_change,
                previous_load_counts=read_previous_load_counts(Path(plan.database)))
            for accepted in verdict.accepted_volume_changes:
                progress(f"ingest: accepted by {accepted_by}: {accepted}")
            # The as-of date as data, not a dbt var: dbt discards its partial parse whenever --vars
            # change, and the models read D from this one-row relation (source run.run_parameters).
            con.execute("CREATE OR REPLACE TABLE raw.run_parameters AS SELECT CAST(? AS DATE) AS as_of_date", [as_of])
            # What the previous published run published, for changes_since_last_run (history.py).
            previous = copy_previous_night(con, Path(plan.database), as_of)
            con.execute(RUNS_DDL)
            con.execute("INSERT INTO audit.runs VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, ?, 'running', ?, ?)",
                        [plan.run_id, as_of, plan.extracts_dir, plan.target, dt.datetime.now(), report.rows_loaded,
                         report.rows_quarantined, accepted_by,
                         "; ".join(verdict.accepted_volume_changes) or None])
            # Quarantined rows with their raw text go beside (not into) the published file, for the
            # data team to correct the extract; written now so a failed run keeps them too.
            con.execute(f"COPY (SELECT * FROM audit.quarantine ORDER BY file_name, line_number) "
                        f"TO {_quote(plan.folder / 'quarantine.csv')} (HEADER)")
        (plan.folder / "quarantine.csv").chmod(0o600)
        progress(f"ingest: {report.rows_loaded:,} rows loaded, {report.rows_quarantined:,} quarantined; "
                 f"comparing with the run published as of {previous or '(none)'} ({time.monotonic() - started:.1f}s)")
        yield MaterializeResult(metadata={
            "rows_loaded": report.rows_loaded,
            "rows_quarantined": report.rows_quarantined,
            "target": plan.target,
            "files": {name: f"{c['rows_loaded']} loaded, {c['rows_quarantined']} quarantined"
                      for name, c in report.files.items()},
        })
        [result] = validate_and_record(plan.work.build, plan, [LOAD_SUITE], EXPECTATIONS_DIR)
        if not result.passed:  # the check fails the step after this yield: nothing will be published
            lock.release(plan.run_id, remove_databases=True)
        yield check_result(result)

