"""A proposed policy change for `allocations simulate`: a folder of policy seed files, checked
before anything is built.

The folder holds any of the policy seeds of dbt/seeds/ under their own names (policy_parameters.csv,
need_catalogue.csv ...), with the seed's columns, and may hold a README (README.md, README.txt) and
hidden files, which are ignored. Each file holds the proposed rows: only the new rows, or a copy of
the seed with new or edited rows (rows identical to a row of the seed are not proposals and are
dropped). A proposed row replaces the row with the same key (KEYS) in the policy in force, or adds
one; effective_from must be a date but its value is not used: the proposal is put in force as
described in simulate.py.

Everything wrong with the folder is a ProposalError, one line naming the file, line and column.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from .paths import DBT_PROJECT_DIR

SEEDS_DIR = DBT_PROJECT_DIR / "seeds"

# The columns that name a row of each policy seed: a proposed row replaces the in-force row with
# the same key. The extract gate's thresholds are not an allocation rule and cannot be simulated.
KEYS = {
    "policy_parameters": ("parameter",),
    "need_catalogue": ("need_code",),
    "transfer_categories": ("transfer_category",),
    "shortlist_priority_matrix": ("applicant_band", "advertised_band"),
    "housing_debt_scope": ("scope", "code"),
    "discretionary_roles": ("step", "code"),
    "violence_band_one_agencies": ("supporting_agency",),
}

# Columns the models read by value: a proposed value must be one the seed already uses (a
# misspelt parameter would otherwise change nothing, silently).
KNOWN_VALUES = {
    "policy_parameters": ("parameter",),
    "need_catalogue": ("need_code",),
    "transfer_categories": ("transfer_category",),
    "shortlist_priority_matrix": ("applicant_band", "advertised_band"),
    "housing_debt_scope": ("scope",),
    "discretionary_roles": ("step",),
}

# Value rules of the seeds' own data tests and of policy-rules.md, checked on the proposal too.
VALUE_RULES = {
    "need_catalogue": [("band IS NULL OR band IN ('band_one', 'band_two', 'band_three')",
                        "band must be band_one, band_two, band_three or empty")],
    "shortlist_priority_matrix": [("priority_group BETWEEN 1 AND 5", "priority_group must be 1 to 5")],
    "policy_parameters": [("value IS NOT NULL", "value must not be empty")],
}

IGNORED = ("README.md", "README.txt", "README")


class ProposalError(Exception):
    """The policy folder is not a valid proposal; the message is one line."""


@dataclass(frozen=True)
class ProposedSeed:
    seed: str
    path: Path
    columns: dict[str, str]  # column -> DuckDB type, in the seed's order
    rows: int  # proposed rows (after dropping rows identical to the seed's)


def seed_column_types(seeds_dir: Path = SEEDS_DIR) -> dict[str, dict[str, str]]:
    """column_types of each seed, from the seeds' YAML (dbt loads the seeds with these types)."""
    types: dict[str, dict[str, str]] = {}
    for path in sorted(seeds_dir.glob("*.yml")):
        for seed in (yaml.safe_load(path.read_text()) or {}).get("seeds", []):
            types[seed["name"]] = dict(seed.get("config", {}).get("column_types", {}))
    return types


def _header(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return [c.strip() for c in next(csv.reader(f), [])]


def _sql(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def load_proposal(con: duckdb.DuckDBPyConnection, folder: Path, seeds_dir: Path = SEEDS_DIR) -> list[ProposedSeed]:
    """Check the folder and load each file's proposed rows, typed, into the temp table
    `proposed_<seed>`; raises ProposalError on the first problem."""
    if not folder.is_dir():
        raise ProposalError(f"--policy {folder} is not a folder")
    types = seed_column_types(seeds_dir)
    files = sorted(p for p in folder.iterdir() if not p.name.startswith(".") and p.name not in IGNORED)
    unknown = [p.name for p in files if p.suffix != ".csv" or p.stem not in KEYS]
    if unknown:
        raise ProposalError(f"--policy {folder}: {unknown[0]} is not a policy seed file (expected any of: "
                            f"{', '.join(f'{s}.csv' for s in KEYS)})")
    if not files:
        raise ProposalError(f"--policy {folder} holds no policy seed file (expected any of: "
                            f"{', '.join(f'{s}.csv' for s in KEYS)})")
    return [_load_file(con, path, types[path.stem], seeds_dir) for path in files]


def _load_file(con: duckdb.DuckDBPyConnection, path: Path, columns: dict[str, str], seeds_dir: Path) -> ProposedSeed:
    seed = path.stem
    header = _header(path)
    missing = [c for c in columns if c not in header]
    extra = [c for c in header if c not in columns]
    if missing or extra or len(set(header)) != len(header):
        what = (f"missing column {missing[0]}" if missing else f"unknown column {extra[0]}" if extra
                else "a column named twice")
        raise ProposalError(f"{path.name}: {what} (the columns of {seed}.csv are {', '.join(columns)})")
    text = ", ".join(f"'{c}': 'VARCHAR'" for c in header)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE proposal_text AS SELECT row_number() OVER () + 1 AS line, * "
                    f"FROM read_csv({_sql(str(path))}, header = true, auto_detect = false, columns = {{{text}}}, "
                    f"strict_mode = true)")
    except duckdb.Error as exc:
        raise ProposalError(f"{path.name}: not a readable CSV file ({str(exc).splitlines()[0]})") from None
    for column, kind in columns.items():
        bad = con.execute(f"SELECT min(line) FROM proposal_text WHERE nullif(trim({column}), '') IS NOT NULL "
                          f"AND try_cast(trim({column}) AS {kind}) IS NULL").fetchone()[0]
        if bad is not None:
            raise ProposalError(f"{path.name} line {bad}: {column} is not a {_kind(kind)}")
    typed = ", ".join(f"try_cast(nullif(trim({c}), '') AS {k}) AS {c}" for c, k in columns.items())
    con.execute(f"CREATE OR REPLACE TEMP TABLE proposal_typed AS SELECT line, {typed} FROM proposal_text")
    null_date = con.execute("SELECT min(line) FROM proposal_typed WHERE effective_from IS NULL").fetchone()[0]
    if null_date is not None:
        raise ProposalError(f"{path.name} line {null_date}: effective_from is empty (write a date; the simulation "
                            "puts the proposal in force itself)")
    actual = seeds_dir / f"{seed}.csv"
    seed_columns = ", ".join(f"'{c}': '{columns[c]}'" for c in _header(actual))
    con.execute(f"CREATE OR REPLACE TEMP TABLE actual_seed AS SELECT * FROM read_csv({_sql(str(actual))}, "
                f"header = true, auto_detect = false, columns = {{{seed_columns}}})")
    names = ", ".join(columns)
    con.execute(f"CREATE OR REPLACE TEMP TABLE proposed_{seed} AS SELECT line, {names} FROM proposal_typed AS p "
                f"WHERE NOT EXISTS (SELECT 1 FROM actual_seed AS s WHERE "
                + " AND ".join(f"s.{c} IS NOT DISTINCT FROM p.{c}" for c in columns) + ")")
    _check_rows(con, path, seed)
    rows = con.execute(f"SELECT count(*) FROM proposed_{seed}").fetchone()[0]
    if rows == 0:
        raise ProposalError(f"{path.name}: every row is already in the policy in force (no change proposed)")
    return ProposedSeed(seed, path, columns, rows)


def _check_rows(con: duckdb.DuckDBPyConnection, path: Path, seed: str) -> None:
    table, keys = f"proposed_{seed}", KEYS[seed]
    for key in keys:
        line = con.execute(f"SELECT min(line) FROM {table} WHERE {key} IS NULL").fetchone()[0]
        if line is not None:
            raise ProposalError(f"{path.name} line {line}: {key} is empty")
    for column in KNOWN_VALUES.get(seed, ()):
        row = con.execute(f"SELECT line, {column} FROM {table} WHERE {column} NOT IN "
                          f"(SELECT {column} FROM actual_seed WHERE {column} IS NOT NULL) ORDER BY line LIMIT 1").fetchone()
        if row is not None:
            raise ProposalError(f"{path.name} line {row[0]}: {column} '{row[1]}' is not one the policy knows")
    for condition, message in VALUE_RULES.get(seed, ()):
        line = con.execute(f"SELECT min(line) FROM {table} WHERE NOT coalesce({condition}, false)").fetchone()[0]
        if line is not None:
            raise ProposalError(f"{path.name} line {line}: {message}")
    key_list = ", ".join(keys)
    line = con.execute(f"SELECT max(line) FROM (SELECT line, count(*) OVER (PARTITION BY {key_list}) AS n "
                       f"FROM {table}) WHERE n > 1").fetchone()[0]
    if line is not None:
        raise ProposalError(f"{path.name} line {line}: a second proposed row for the same {key_list}")


def _kind(duckdb_type: str) -> str:
    kind = duckdb_type.lower()
    if kind == "date":
        return "date (YYYY-MM-DD)"
    if kind == "boolean":
        return "boolean (true or false)"
    if kind.startswith("decimal") or kind in ("integer", "bigint", "double"):
        return "number" if kind.startswith("decimal") else "whole number"
    return kind
