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
from .results import ExpectationResult, SuiteResult, short
from .suites import ExpectationSpec, Suite, load_suites, render_sql

# A suite frame larger than this means the suite reads a mart instead of a profile of it.
MAX_FRAME_ROWS = 100_000
EXAMPLES_PER_FAILURE = 3
RESULT_FORMAT = "COMPLETE"


def run_suites(db_path: Path, run_id: str, suites: list[str] | None = None, *,
               suites_dir: Path = EXPECTATIONS_DIR) -> list[SuiteResult]:
    """Validate the named suites (default: all) against the DuckDB file at db_path, read-only."""
    specs = load_suites(suites_dir, suites)
    validator = _GxValidator()
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


def _run_suite(con, spec: Suite, run_id: str, as_of, validator: "_GxValidator") -> SuiteResult:
    started = time.monotonic()
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
    frame = frame.reset_index(drop=True)
    try:
        gx_result = validator.validate(spec, frame, parameters)
    except Exception as exc:  # a suite definition GX rejects: fail the gate, with GX's message
        return _failed_suite(spec, "suite definition", exc, started)
    by_label = {r.expectation_config.meta.get("label"): r for r in gx_result.results}
    outcomes = [_outcome(spec, e, by_label.get(e.label), frame) for e in spec.expectations]
    return SuiteResult(spec.name, spec.asset, outcomes, len(frame), time.monotonic() - started, gx_result)


def _outcome(spec: Suite, e: ExpectationSpec, res, frame) -> ExpectationResult:
    def make(success: bool, observed: str, examples: str = "") -> ExpectationResult:
        return ExpectationResult(spec.name, e.label, e.severity, success, observed, examples, e.rule, e.description)

    if res is None:
        return make(False, "no result from GX")
    info = res.exception_info or {}
    if info.get("raised_exception"):
        return make(False, "error: " + short(str(info.get("exception_message")), 250))
    result = res.result or {}
    index = list(result.get("unexpected_index_list") or [])
    if "observed_value" in result:
        observed = short(result["observed_value"])
    elif "unexpected_count" in result:
        observed = _unexpected_text(spec, result, index, frame)
    else:
        observed = "passed" if res.success else "failed"
    examples = "" if res.success else _examples(spec, e, index, frame)
    return make(bool(res.success), observed, examples)


def _unexpected_text(spec: Suite, result: dict, index: list, frame) -> str:
    profiles = f"{result['unexpected_count']:,} of {result.get('element_count', 0):,} {spec.row_label}"
    if spec.count_column in frame.columns:
        rows = int(frame.loc[index, spec.count_column].sum()) if index else 0
        text = f"{rows:,} {spec.count_column} ({profiles})"
    else:
        text = profiles
    values = [_value_text(c["value"]) for c in result.get("partial_unexpected_counts") or []]
    return text + (f"; values {', '.join(values[:5])}" if values else "")


def _value_text(value: Any) -> str:
    """numpy scalars and pairs as plain text: (False, True), not (np.False_, np.True_)."""
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(_value_text(v) for v in value) + ")"
    if hasattr(value, "item"):
        value = value.item()
    return _plain_text(value)


def _columns_for(spec: Suite, e: ExpectationSpec, frame) -> list[str]:
    named = list(spec.key_columns) + e.columns + e.condition_columns
    return [c for c in dict.fromkeys(named) if c in frame.columns and c not in (spec.count_column, spec.examples_column)]


def _examples(spec: Suite, e: ExpectationSpec, index: list, frame) -> str:
    if not index:
        return ""
    cols = _columns_for(spec, e, frame)
    parts = []
    for i in index[:EXAMPLES_PER_FAILURE]:
        row = frame.loc[i]
        text = ", ".join(f"{c}={_plain_text(row[c])}" for c in cols)
        extra = []
        if spec.count_column in frame.columns:
            extra.append(f"{spec.count_column} {int(row[spec.count_column]):,}")
        if spec.examples_column in frame.columns and row[spec.examples_column]:
            extra.append(f"e.g. {row[spec.examples_column]}")
        parts.append(text + (f" ({', '.join(extra)})" if extra else ""))
    more = len(index) - EXAMPLES_PER_FAILURE
    return " | ".join(parts) + (f" | and {more} more" if more > 0 else "")


def _plain_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "NULL"
    if hasattr(value, "date") and hasattr(value, "hour"):
        value = value.date()
    return short(str(value), 80)


class _GxValidator:
    """One ephemeral GX context per call of run_suites; imported on first use (GX takes seconds)."""

    def __init__(self) -> None:
        self._gx = None

    def start(self):
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self._gx = gx
        self._source = context.data_sources.add_pandas(name="allocations_build")
        return gx

    def validate(self, spec: Suite, frame, parameters: dict):
        gx = self._gx or self.start()
        from great_expectations.expectations.registry import get_expectation_impl

        expectations = [get_expectation_impl(e.type)(**e.kwargs, meta={**e.meta, "label": e.label})
                        for e in spec.expectations]
        suite = gx.ExpectationSuite(name=spec.name, expectations=expectations)
        asset = self._source.add_dataframe_asset(name=spec.name)
        batch = asset.add_batch_definition_whole_dataframe("whole_frame").get_batch(
            batch_parameters={"dataframe": frame})
        return batch.validate(suite, expectation_parameters=parameters, result_format={"result_format": RESULT_FORMAT})
