"""Expectation results of a run: saved in the run's folder by the step that validated them,
published into audit.expectation_results by the publish step.

The checks read the build database read-only (several may run at once), so they cannot write
their results into it; each step writes a JSON file per suite instead.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import duckdb

from .results import ExpectationResult, SuiteResult

DDL = """CREATE TABLE IF NOT EXISTS {table} (
    run_id VARCHAR, suite VARCHAR, expectation VARCHAR, severity VARCHAR, success BOOLEAN,
    observed_value VARCHAR, failing_examples VARCHAR, validated_at TIMESTAMP,
    rule VARCHAR, description VARCHAR)"""


def results_folder(run_folder: Path) -> Path:
    return run_folder / "expectations"


def save_results(run_folder: Path, results: list[SuiteResult]) -> None:
    folder = results_folder(run_folder)
    folder.mkdir(parents=True, exist_ok=True)
    validated_at = dt.datetime.now().isoformat(timespec="seconds")
    for result in results:
        (folder / f"{result.suite}.json").write_text(json.dumps(
            {"validated_at": validated_at, "expectations": [dataclasses.asdict(e) for e in result.expectations]}))


def store_results(con: duckdb.DuckDBPyConnection, table: str, run_folder: Path, run_id: str) -> int:
    """Insert every saved result of the run into `table` (created if missing); returns rows written."""
    con.execute(DDL.format(table=table))
    rows = []
    for path in sorted(results_folder(run_folder).glob("*.json")):
        saved = json.loads(path.read_text())
        for e in (ExpectationResult(**x) for x in saved["expectations"]):
            rows.append((run_id, e.suite, e.expectation, e.severity, e.success, e.observed_value,
                         e.failing_examples, dt.datetime.fromisoformat(saved["validated_at"]), e.rule, e.description))
    if rows:
        con.executemany(f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return len(rows)
