"""SQL expressions that type one contract cell and say what is wrong with it.

`_t_<name>` is the trimmed text of the cell (NULL when empty); the typed value is NULL when
the text is empty or malformed, and each error expression yields a reason or NULL.
"""
from __future__ import annotations

from .contract import Column

_TYPED = {
    "text": "{t}",
    "code": "{t}",
    # Strict ISO forms: DuckDB's casts alone would accept '2024-1-5' or round '1.5' to 2.
    "date": "CASE WHEN regexp_full_match({t}, '\\d{{4}}-\\d{{2}}-\\d{{2}}') THEN try_cast({t} AS DATE) END",
    "timestamp": ("CASE WHEN regexp_full_match({t}, '\\d{{4}}-\\d{{2}}-\\d{{2}}[T ]\\d{{2}}:\\d{{2}}:\\d{{2}}') "
                  "THEN try_cast(replace({t}, 'T', ' ') AS TIMESTAMP) END"),
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


def typed_value(col: Column) -> str:
    return _TYPED[col.type].format(t=f"_t_{col.name}")


def cell_errors(col: Column) -> list[str]:
    t, v = f"_t_{col.name}", col.name
    errors = []
    if not col.nullable:
        errors.append(f"CASE WHEN {t} IS NULL THEN 'empty required cell: {v}' END")
    if col.type in _EXPECTED:
        errors.append(
            f"CASE WHEN {t} IS NOT NULL AND {v} IS NULL THEN "
            f"'bad {col.type} in {v}: \"' || {t} || '\" is not {_EXPECTED[col.type]}' END")
    if col.codes:
        codes = ", ".join(_quote(c) for c in col.codes)
        errors.append(f"CASE WHEN {t} IS NOT NULL AND {t} NOT IN ({codes}) THEN "
                      f"'unknown code in {v}: \"' || {t} || '\"' END")
    if col.check:
        cond, reason = col.check
        errors.append(f"CASE WHEN {v} IS NOT NULL AND ({cond.replace('(v)', f'({v})')}) "
                      f"THEN '{v} ' || {t} || ' {reason}' END")
    return errors
