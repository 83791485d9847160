"""Publish the marts and the audit trail by atomic rename.

The published file holds only the `marts`, `history` and `audit` schemas (no raw extract, no
intermediate models), written in a storage format DuckDB 1.x clients inside BI tools can
open. dbt writes the marts into a new file beside the target (catalog `published`,
profiles.yml), the history asset adds the history carried from the published file
(history.py); publishing adds the audit schema from the build database and renames that file
over the target, so a failed or killed run leaves the previous file byte for byte as it was,
and a BI tool holding the old file open keeps reading the old inode undisturbed. The marts as
Parquet are renamed in with it (parquet_export.py).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from .history import SCHEMA as HISTORY_SCHEMA
from .history import TABLES as HISTORY_TABLES_CARRIED
from .parquet_export import publish_with_parquet
from .resources import RunPlan
from .validation.store import store_results
from .work_files import remove_database_file

# DuckDB 2.0 writes a format that 1.x clients cannot read; v1.4.0 is readable by 1.4 and later.
STORAGE_COMPATIBILITY_VERSION = "v1.4.0"

# The schemas dbt and the history asset write into the marts file; publishing adds audit.
PUBLISHED_SCHEMAS = ("marts", HISTORY_SCHEMA)

# Tables the data team queries over time: carried forward from the previous published file.
HISTORY_TABLES = ("runs", "load_counts", "expectation_results")

# Quarantined rows keep their file, line and reason in the published file; the raw row (personal
# data) stays out of it and is written to the run folder beside the database instead.
QUARANTINE_PUBLISHED_COLUMNS = "run_id, file_name, line_number, reason"


def _quote_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _tables(con: duckdb.DuckDBPyConnection, catalog: str, schema: str) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = ? AND table_schema = ? "
        "AND table_type = 'BASE TABLE' ORDER BY table_name", [catalog, schema]).fetchall()]


def check_published_schemas(con: duckdb.DuckDBPyConnection, marts: Path) -> None:
    """Only what BI users are given may leave the pipeline: the marts, and the history the history
    asset wrote (history.py), which must be there, or the next file would lose it."""
    found = {r[0] for r in con.execute(
        "SELECT DISTINCT schema_name FROM duckdb_tables() WHERE database_name = 'pub' "
        "UNION SELECT DISTINCT schema_name FROM duckdb_views() WHERE database_name = 'pub' AND NOT internal").fetchall()}
    unexpected = found - set(PUBLISHED_SCHEMAS)
    if unexpected:
        raise RuntimeError(f"{marts} holds schemas other than {' and '.join(PUBLISHED_SCHEMAS)}: {sorted(unexpected)}")
    missing = {f"{HISTORY_SCHEMA}.{t.name}" for t in HISTORY_TABLES_CARRIED} - {
        f"{s}.{t}" for s, t in con.execute("SELECT schema_name, table_name FROM duckdb_tables() "
                                          "WHERE database_name = 'pub'").fetchall()}
    if missing:
        raise RuntimeError(f"{marts} lacks {sorted(missing)}: the history asset did not run, and publishing "
                           "would drop the history of the published file")


def publish(plan: RunPlan, finished_status: str = "published") -> dict[str, int]:
    """Complete the run's marts file (the new file dbt wrote the marts into, profiles.yml) with the
    audit schema from the build database and the expectation results in the run's folder, and
    rename it over the run's target.

    Returns rows per mart. Raises before the rename on any error; the target is untouched then
    and the marts file is removed.
    """
    build, marts, target, run_id = plan.work.build, plan.work.marts, plan.target_path, plan.run_id
    target.parent.mkdir(parents=True, exist_ok=True)
    rows: dict[str, int] = {}
    try:
        con = duckdb.connect()
        con.execute(f"ATTACH '{_quote_path(build)}' AS build (READ_ONLY)")
        # The file keeps the storage version dbt created it with; stating it again checks that.
        con.execute(f"ATTACH '{_quote_path(marts)}' AS pub (STORAGE_VERSION '{STORAGE_COMPATIBILITY_VERSION}')")
        check_published_schemas(con, marts)
        for table in _tables(con, "pub", "marts"):
            rows[table] = con.execute(f"SELECT count(*) FROM pub.marts.{table}").fetchone()[0]
        con.execute("CREATE SCHEMA pub.audit")
        previous = target.exists()
        if previous:
            con.execute(f"ATTACH '{_quote_path(target)}' AS prev (READ_ONLY)")
        store_results(con, "pub.audit.expectation_results", plan.folder, run_id)
        for table in _tables(con, "build", "audit"):
            if table == "quarantine":
                con.execute(f"CREATE TABLE pub.audit.quarantine AS SELECT {QUARANTINE_PUBLISHED_COLUMNS} "
                            f"FROM build.audit.quarantine ORDER BY file_name, line_number")
                continue
            con.execute(f"CREATE TABLE pub.audit.{table} AS SELECT * FROM build.audit.{table}")
        if previous:
            for table in HISTORY_TABLES:
                if table in _tables(con, "prev", "audit"):
                    con.execute(f"INSERT INTO pub.audit.{table} BY NAME SELECT * FROM prev.audit.{table} "
                                f"WHERE run_id <> ?", [run_id])
        policy = con.execute("SELECT policy_effective_from FROM build.intermediate.int_policy__parameters").fetchone()
        con.execute("UPDATE pub.audit.runs SET finished_at = ?, status = ?, policy_effective_from = ? WHERE run_id = ?",
                    [dt.datetime.now(), finished_status, policy[0] if policy else None, run_id])
        con.execute("CHECKPOINT pub")
        con.close()
        publish_with_parquet(marts, target, run_id=run_id, as_of=plan.as_of_date)
    finally:
        remove_database_file(marts)
    return rows
