"""A GX expectation result as short text: what was observed and a few failing profile rows."""
from __future__ import annotations

from typing import Any

from .results import ExpectationResult, short
from .suites import ExpectationSpec, Suite

EXAMPLES_PER_FAILURE = 3


def outcome(spec: Suite, e: ExpectationSpec, res, frame) -> ExpectationResult:
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
