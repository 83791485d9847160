"""Record suite results in audit.expectation_results of the build database (published with it)."""
from __future__ import annotations

import datetime as dt

import duckdb

from .results import SuiteResult

DDL = """CREATE TABLE IF NOT EXISTS audit.expectation_results (
    run_id VARCHAR, suite VARCHAR, expectation VARCHAR, severity VARCHAR, success BOOLEAN,
    observed_value VARCHAR, failing_examples VARCHAR, validated_at TIMESTAMP,
    rule VARCHAR, description VARCHAR)"""


def store_results(con: duckdb.DuckDBPyConnection, results: list[SuiteResult], run_id: str) -> int:
    """Replace this run's rows for these suites (a re-run check overwrites its own); returns rows written."""
    con.execute("CREATE SCHEMA IF NOT EXISTS audit")
    con.execute(DDL)
    now = dt.datetime.now()
    rows = [(run_id, e.suite, e.expectation, e.severity, e.success, e.observed_value, e.failing_examples, now,
             e.rule, e.description) for r in results for e in r.expectations]
    suites = sorted({r.suite for r in results})
    con.execute("BEGIN TRANSACTION")
    try:
        if suites:
            con.execute("DELETE FROM audit.expectation_results WHERE run_id = ? AND list_contains(?, suite)",
                        [run_id, suites])
        if rows:
            con.executemany("INSERT INTO audit.expectation_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return len(rows)
