"""Run suites against a build database: DuckDB computes each suite's small frame, GX validates it.

The marts can hold millions of rows, so no suite reads a mart row by row into pandas: its SQL
(usually over a `validation.val_*` model) returns one row per distinct profile of the checked
columns, with how many mart rows it stands for and a few of their keys. GX then validates that
frame; a profile that breaks an expectation is a set of mart rows that break it.
"""
from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from ..paths import EXPECTATIONS_DIR
from .gx_validator import GxValidator
from .outcomes import outcome
from .results import ExpectationResult, SuiteResult, short
from .suites import Suite, load_suites, render_sql

# A suite frame larger than this means the suite reads a mart instead of a profile of it.
MAX_FRAME_ROWS = 100_000


def run_suites(db_path: Path, run_id: str, suites: list[str] | None = None, *,
               suites_dir: Path = EXPECTATIONS_DIR) -> list[SuiteResult]:
    """Validate the named suites (default: all) against the DuckDB file at db_path, read-only."""
    specs = load_suites(suites_dir, suites)
    validator = GxValidator()
    validator.start()  # import GX before timing the suites (it takes seconds)
    results = []
    with duckdb.connect(str(db_path), read_only=True) as con:
        as_of = _as_of(con, run_id)
        for spec in specs:
            results.append(_run_suite(con, spec, run_id, as_of, validator))
    return results


def _as_of(con: duckdb.DuckDBPyConnection, run_id: str):
    """The run's as-of date from audit.runs (written by ingestion), or None when not recorded."""
    try:
        row = con.execute("SELECT as_of_date FROM audit.runs WHERE run_id = ? LIMIT 1", [run_id]).fetchone()
    except duckdb.CatalogException:
        return None
    return row[0] if row else None


def _failed_suite(spec: Suite, what: str, error: Exception | str, started: float) -> SuiteResult:
    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return SuiteResult(spec.name, spec.asset, [ExpectationResult(
        spec.name, what, "blocking", False, short(message, 300), "", "",
        f"the suite '{spec.name}' could not be evaluated ({what})")], 0, time.monotonic() - started)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value.isoformat() if hasattr(value, "isoformat") else value


def _parameters(con, spec: Suite, run_id: str, as_of) -> dict[str, Any]:
    values = {}
    for name, p in spec.parameters.items():
        rows = con.execute(render_sql(p["sql"], run_id, as_of)).fetchall()
        if p["kind"] == "value":
            if len(rows) != 1 or len(rows[0]) != 1:
                raise ValueError(f"parameter {name} must return one value, got {len(rows)} rows")
            values[name] = _plain(rows[0][0])
        else:
            values[name] = [_plain(r[0]) for r in rows]
    return values


def _run_suite(con, spec: Suite, run_id: str, as_of, validator: GxValidator) -> SuiteResult:
    started = time.monotonic()
    data = suite_data(con, spec, run_id, as_of, started)
    return data if isinstance(data, SuiteResult) else validate_data(spec, *data, validator, started)


def suite_data(con, spec: Suite, run_id: str, as_of, started: float):
    """What a suite validates, read from the build database: (frame, parameters), or the failed
    result when the data cannot be read."""
    if as_of is None and ("{as_of}" in spec.sql or any("{as_of}" in p["sql"] for p in spec.parameters.values())):
        return _failed_suite(spec, "data query", f"no as-of date recorded in audit.runs for run {run_id}", started)
    try:
        sql = render_sql(spec.sql, run_id, as_of)
        frame = con.execute(f"SELECT * FROM ({sql}) AS suite_data LIMIT {MAX_FRAME_ROWS + 1}").df()
        parameters = _parameters(con, spec, run_id, as_of)
    except (duckdb.Error, ValueError) as exc:
        return _failed_suite(spec, "data query", exc, started)
    if len(frame) > MAX_FRAME_ROWS:
        return _failed_suite(spec, "data query", f"the suite's query returned more than {MAX_FRAME_ROWS:,} rows; "
                             "aggregate it in a validation model", started)
    return frame.reset_index(drop=True), parameters


def validate_data(spec: Suite, frame, parameters: dict[str, Any], validator: GxValidator,
                  started: float) -> SuiteResult:
    """GX's verdict on a suite's data, as a SuiteResult."""
    try:
        gx_result = validator.validate(spec, frame, parameters)
    except Exception as exc:  # a suite definition GX rejects: fail the gate, with GX's message
        return _failed_suite(spec, "suite definition", exc, started)
    by_label = {r.expectation_config.meta.get("label"): r for r in gx_result.results}
    outcomes = [outcome(spec, e, by_label.get(e.label), frame) for e in spec.expectations]
    return SuiteResult(spec.name, spec.asset, outcomes, len(frame), time.monotonic() - started, gx_result)
