"""Ingestion: the extract folder into the raw schema of a new build database."""

import datetime as dt
import importlib
import threading
import time

import duckdb
from dagster import AssetExecutionContext, MaterializeResult, asset

from ..ingest.loader import load_extract
from ..progress import progress
from ..resources import AllocationsRun
from ..run_folder import run_folder

RUNS_DDL = """CREATE TABLE IF NOT EXISTS audit.runs (
    run_id VARCHAR, as_of_date DATE, extracts_dir VARCHAR, database VARCHAR,
    started_at TIMESTAMP, finished_at TIMESTAMP, policy_effective_from DATE,
    rows_loaded BIGINT, rows_quarantined BIGINT, status VARCHAR)"""


def warm_up_great_expectations() -> None:
    """Import GX (3-4 s) while ingestion and dbt run, unless this process's GX worker has it
    (validation/worker.py: the CLI starts one)."""
    from ..validation import worker

    if worker.current() is None:
        threading.Thread(target=importlib.import_module, args=("great_expectations",), daemon=True).start()


@asset(key="raw_extract", group_name="ingestion", description=(
    "The register extract loaded into a new build database: every row in raw.<file> or in "
    "audit.quarantine with file, line and reason; audit.load_counts per file (register-extract.md)."))
def raw_extract(context: AssetExecutionContext, run: AllocationsRun) -> MaterializeResult:
    started = time.monotonic()
    warm_up_great_expectations()
    build = run.build_database(context.run.run_id)
    run.remove_work_files(context.run.run_id)
    build.parent.mkdir(parents=True, exist_ok=True)
    progress(f"ingest: reading {run.extracts_dir}")
    with duckdb.connect(str(build)) as con:
        report = load_extract(con, run.extracts_dir, context.run.run_id)
        # The as-of date as data, not a dbt var: dbt discards its partial parse whenever --vars
        # change, and the models read D from this one-row relation (source run.run_parameters).
        con.execute("CREATE OR REPLACE TABLE raw.run_parameters AS SELECT CAST(? AS DATE) AS as_of_date",
                    [run.as_of_date()])
        con.execute(RUNS_DDL)
        con.execute(
            "INSERT INTO audit.runs VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, ?, 'running')",
            [context.run.run_id, run.as_of_date(), str(run.extracts_dir), str(run.database_path()),
             dt.datetime.now(), report.rows_loaded, report.rows_quarantined])
        # Quarantined rows with their raw text go beside (not into) the published file, for the
        # data team to correct the extract; written now so a failed run keeps them too.
        folder = run_folder(run.database_path(), context.run.run_id)
        folder.mkdir(parents=True, exist_ok=True)
        con.execute(f"COPY (SELECT * FROM audit.quarantine ORDER BY file_name, line_number) "
                    f"TO '{str(folder / 'quarantine.csv').replace(chr(39), chr(39) * 2)}' (HEADER)")
    progress(f"ingest: {report.rows_loaded:,} rows loaded, {report.rows_quarantined:,} quarantined "
             f"({time.monotonic() - started:.1f}s)")
    return MaterializeResult(metadata={
        "rows_loaded": report.rows_loaded,
        "rows_quarantined": report.rows_quarantined,
        "seconds": round(time.monotonic() - started, 2),
        "files": {name: f"{c['rows_loaded']} loaded, {c['rows_quarantined']} quarantined"
                  for name, c in report.files.items()},
    })
