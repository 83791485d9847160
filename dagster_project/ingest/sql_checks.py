"""SQL expressions that type one contract cell and say what is wrong with it.

`_t_<name>` is the trimmed text of the cell (NULL when empty); the typed value is NULL when
the text is empty or malformed. Each check is a condition (cheap, evaluated on every row) and
a reason (a string built only for the rows that fail).
"""
from __future__ import annotations

from .contract import Column

_TYPED = {
    "text": "{t}",
    "code": "{t}",
    # Strict ISO forms: DuckDB's casts alone would accept '2024-1-5' or round '1.5' to 2.
    "date": "CASE WHEN regexp_full_match({t}, '\\d{{4}}-\\d{{2}}-\\d{{2}}') THEN try_cast({t} AS DATE) END",
    "timestamp": ("CASE WHEN regexp_full_match({t}, '\\d{{4}}-\\d{{2}}-\\d{{2}}[T ]\\d{{2}}:\\d{{2}}:\\d{{2}}') "
                  "THEN try_cast({t} AS TIMESTAMP) END"),  # DuckDB reads either separator
    "integer": "CASE WHEN regexp_full_match({t}, '[+-]?\\d{{1,9}}') THEN try_cast({t} AS INTEGER) END",
    "money": "CASE WHEN regexp_full_match({t}, '-?\\d{{1,12}}(\\.\\d{{1,2}})?') THEN try_cast({t} AS DECIMAL(14,2)) END",
    "boolean": "CASE lower({t}) WHEN 'true' THEN true WHEN 'false' THEN false END",
}

_EXPECTED = {
    "date": "a date YYYY-MM-DD",
    "timestamp": "a timestamp YYYY-MM-DDTHH:MM:SS",
    "integer": "a whole number",
    "money": "an amount in pounds with up to two decimals",
    "boolean": "true or false",
}


def _quote(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def trimmed(cell: str) -> str:
    """`cell` without leading and trailing spaces, NULL when nothing is left.

    trim() builds a new string for every cell, which was 40% of the typing pass over the bids
    file; a cell with no space at either end (nearly all) is kept as it is.
    """
    return (f"CASE WHEN prefix({cell}, ' ') OR suffix({cell}, ' ') THEN nullif(trim({cell}), '') "
            f"ELSE nullif({cell}, '') END")


def typed_value(col: Column) -> str:
    return _TYPED[col.type].format(t=f"_t_{col.name}")


def cell_checks(col: Column) -> list[tuple[str, str]]:
    """(condition true when the cell is wrong, reason expression) for one column.

    A reason names the column and the problem, never the value: reasons are published, and a
    value may be a date of birth or an income (the raw row stays in the run folder)."""
    t, v = f"_t_{col.name}", col.name
    checks = []
    if not col.nullable:
        checks.append((f"{t} IS NULL", _quote(f"empty required cell: {v}")))
    if col.type in _EXPECTED:
        checks.append((f"{t} IS NOT NULL AND {v} IS NULL", _quote(f"bad {col.type} in {v}: not {_EXPECTED[col.type]}")))
    if col.codes:
        codes = ", ".join(_quote(c) for c in col.codes)
        checks.append((f"{t} IS NOT NULL AND {t} NOT IN ({codes})", _quote(f"unknown code in {v}")))
    if col.check:
        cond, reason = col.check
        checks.append((f"{v} IS NOT NULL AND ({cond.replace('(v)', f'({v})')})", _quote(f"{v} {reason}")))
    return checks


_FLOATS = ("FLOAT", "DOUBLE", "REAL")
_INTEGERS = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
             "UBIGINT", "UHUGEINT")
_TIMESTAMPS = ("TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S")


def parquet_text(cell: str, source_type: str, contract_type: str | None) -> str:
    """The text of a typed Parquet cell that the contract's text rules read.

    pandas and Arrow write a nullable integer column as floating point and a date as a timestamp
    at midnight, and a boolean sometimes as 0/1; money may come as floating point or a decimal
    with more places: those values are given as the contract's text.
    Any other value keeps its own text (1.5, a time of day, 2), so the cell check quarantines
    the row naming the column. NaN is how pandas writes a missing number: it is an empty cell.
    """
    floating = source_type in _FLOATS or source_type.startswith("DECIMAL")
    text = f"CAST({cell} AS VARCHAR)"
    empty_if_nan = f"WHEN isnan({cell}) THEN NULL " if source_type in _FLOATS else ""
    if contract_type == "integer" and floating:
        return (f"CASE {empty_if_nan}WHEN {cell} = trunc({cell}) AND try_cast({cell} AS BIGINT) IS NOT NULL "
                f"THEN CAST(CAST({cell} AS BIGINT) AS VARCHAR) ELSE {text} END")
    if contract_type == "date" and source_type in _TIMESTAMPS:
        return (f"CASE WHEN {cell} = date_trunc('day', {cell}) THEN strftime({cell}, '%Y-%m-%d') "
                f"ELSE {text} END")
    if contract_type == "boolean" and (floating or source_type in _INTEGERS):
        return f"CASE {empty_if_nan}WHEN {cell} = 1 THEN 'true' WHEN {cell} = 0 THEN 'false' ELSE {text} END"
    if contract_type == "money" and floating:
        cents = f"try_cast({cell} AS DECIMAL(38,2))"
        return (f"CASE {empty_if_nan}WHEN {cell} = round({cell}, 2) AND {cents} IS NOT NULL "
                f"THEN CAST({cents} AS VARCHAR) ELSE {text} END")
    return text
