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
    """(condition true when the cell is wrong, reason expression) for one column."""
    t, v = f"_t_{col.name}", col.name
    checks = []
    if not col.nullable:
        checks.append((f"{t} IS NULL", f"'empty required cell: {v}'"))
    if col.type in _EXPECTED:
        checks.append((f"{t} IS NOT NULL AND {v} IS NULL",
                       f"'bad {col.type} in {v}: \"' || {t} || '\" is not {_EXPECTED[col.type]}'"))
    if col.codes:
        codes = ", ".join(_quote(c) for c in col.codes)
        checks.append((f"{t} IS NOT NULL AND {t} NOT IN ({codes})", f"'unknown code in {v}: \"' || {t} || '\"'"))
    if col.check:
        cond, reason = col.check
        checks.append((f"{v} IS NOT NULL AND ({cond.replace('(v)', f'({v})')})", f"'{v} ' || {t} || ' {reason}'"))
    return checks
