"""What each night published, carried from one published file to the next (outputs-and-cli.md,
Night to night).

`history.published_bands` holds one row per application per stretch of published runs over which
its applicant_bands row (the contract columns) stayed the same, with `first_as_of` and
`last_as_of`; `history.published_extract_fields` keeps, the same way, the undated extract fields
of the published applications (dbt model int_history__extract_fields), so the next night can say
which field changed. Both live in the published file only, so a failed run (never renamed into
place) leaves them as they were.

For a run as of D, P is the latest as-of date published into the configured database before D
(its audit.runs). Every stretch is first cut back to P (stretches starting after P are dropped,
ending after P end at P), then tonight's rows extend the stretches that end at P with the same
values or start new ones. So re-running the latest date replaces its contribution instead of
doubling it, and a run for a date before the latest published one (published to
`<stem>.as-of/<D>.duckdb`) writes there the history as it stood up to P plus D, while the
configured database and its history are left alone.

Three steps touch it: ingestion copies P's rows into the build database (`copy_previous_night`,
for dbt's changes_since_last_run); the history asset writes the tables into the run's marts file
(`write_history`) and checks them (`check_history`); publishing keeps the `history` schema.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

SCHEMA = "history"

# The applicant_bands contract (outputs-and-cli.md marts.applicant_bands), without its extras.
BAND_COLUMNS = {
    "application_ref": "VARCHAR", "band": "VARCHAR", "category": "VARCHAR", "multiple_need": "BOOLEAN",
    "transfer_category": "VARCHAR", "bedroom_need": "INTEGER", "band_date": "DATE", "on_register": "BOOLEAN",
    "can_bid": "BOOLEAN",
}

# The columns of dbt's int_history__extract_fields (its YAML says why these and no others).
EXTRACT_FIELD_COLUMNS = {
    "application_ref": "VARCHAR", "application_type": "VARCHAR", "status": "VARCHAR", "registration_date": "DATE",
    "current_tenure": "VARCHAR", "landlord_in_district": "BOOLEAN", "local_connection": "VARCHAR",
    "current_bedrooms": "INTEGER", "current_floor_level": "INTEGER", "current_home_high_demand": "BOOLEAN",
    "homelessness_decision": "VARCHAR", "household_size": "BIGINT", "assessed_needs": "VARCHAR[]",
    "housing_debt_balance": "DECIMAL(18,2)",
}


@dataclass(frozen=True)
class HistoryTable:
    name: str
    columns: dict[str, str]
    previous_copy: str  # the raw table of the build database holding P's rows for dbt
    tonight: str        # tonight's rows, over catalogs `pub` (the marts file) and `build`

    @property
    def column_list(self) -> str:
        return ", ".join(self.columns)


PUBLISHED_BANDS = HistoryTable(
    "published_bands", BAND_COLUMNS, "raw.previous_published_bands",
    f"SELECT {', '.join(BAND_COLUMNS)} FROM pub.marts.applicant_bands")
PUBLISHED_EXTRACT_FIELDS = HistoryTable(
    "published_extract_fields", EXTRACT_FIELD_COLUMNS, "raw.previous_extract_fields",
    f"SELECT {', '.join(EXTRACT_FIELD_COLUMNS)} FROM build.intermediate.int_history__extract_fields "
    "WHERE application_ref IN (SELECT application_ref FROM pub.marts.applicant_bands)")
TABLES = (PUBLISHED_BANDS, PUBLISHED_EXTRACT_FIELDS)


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def table_ddl(table: HistoryTable, create: str, *, stretches: bool) -> str:
    columns = [f"{c} {t}" for c, t in table.columns.items()]
    if stretches:
        columns += ["first_as_of DATE NOT NULL", "last_as_of DATE NOT NULL"]
    return f"{create} ({', '.join(columns)})"


def _has_history(con: duckdb.DuckDBPyConnection, catalog: str) -> bool:
    found = {r[0] for r in con.execute(
        "SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_catalog = ?",
        [catalog]).fetchall()}
    return {"audit.runs"} | {f"{SCHEMA}.{t.name}" for t in TABLES} <= found


def previous_published_as_of(con: duckdb.DuckDBPyConnection, catalog: str, as_of: dt.date) -> dt.date | None:
    """P: the latest as-of date published into the attached file `catalog` before `as_of`, or None
    when there is none or the file keeps no history (published before history was kept)."""
    if not _has_history(con, catalog):
        return None
    return con.execute(f"SELECT max(as_of_date) FROM {catalog}.audit.runs "
                       "WHERE status = 'published' AND as_of_date < ?", [as_of]).fetchone()[0]


def copy_previous_night(con: duckdb.DuckDBPyConnection, database: Path | None, as_of: dt.date) -> dt.date | None:
    """Write into the build database (`con`) what the run published on P, read-only from the
    published file `database`: raw.previous_published_run (one row, previous_as_of, NULL on the
    first night), raw.previous_published_bands and raw.previous_extract_fields (dbt sources
    published.*); `database` None is a first night. Returns P."""
    previous = None
    attached = database is not None and database.is_file()
    if attached:
        con.execute(f"ATTACH {_quote(database)} AS published_file (READ_ONLY)")
    try:
        if attached:
            previous = previous_published_as_of(con, "published_file", as_of)
        con.execute("CREATE OR REPLACE TABLE raw.previous_published_run AS SELECT CAST(? AS DATE) AS previous_as_of",
                    [previous])
        for table in TABLES:
            con.execute(table_ddl(table, f"CREATE OR REPLACE TABLE {table.previous_copy}", stretches=False))
            if previous is not None:
                con.execute(f"INSERT INTO {table.previous_copy} SELECT {table.column_list} "
                            f"FROM published_file.{SCHEMA}.{table.name} WHERE first_as_of <= ? AND last_as_of >= ?",
                            [previous, previous])
    finally:
        if attached:
            con.execute("DETACH published_file")
    return previous


def write_history(marts: Path, build: Path, database: Path, as_of: dt.date) -> dict[str, int]:
    """Write the history tables into the run's marts file: the configured database's history cut
    back to P, then tonight's rows merged in. Reads the build database and the published file
    read-only. Returns rows per table."""
    from .publishing import STORAGE_COMPATIBILITY_VERSION

    rows: dict[str, int] = {}
    with duckdb.connect() as con:
        con.execute(f"ATTACH {_quote(build)} AS build (READ_ONLY)")
        con.execute(f"ATTACH {_quote(marts)} AS pub (STORAGE_VERSION '{STORAGE_COMPATIBILITY_VERSION}')")
        previous = None
        if database.is_file():
            con.execute(f"ATTACH {_quote(database)} AS prev (READ_ONLY)")
            previous = previous_published_as_of(con, "prev", as_of)
        con.execute(f"CREATE SCHEMA pub.{SCHEMA}")
        for table in TABLES:
            name = f"pub.{SCHEMA}.{table.name}"
            con.execute(table_ddl(table, f"CREATE TABLE {name}", stretches=True))
            if previous is not None:
                con.execute(f"INSERT INTO {name} SELECT {table.column_list}, first_as_of, least(last_as_of, ?) "
                            f"FROM prev.{SCHEMA}.{table.name} WHERE first_as_of <= ?", [previous, previous])
            same = " AND ".join(f"h.{c} IS NOT DISTINCT FROM n.{c}" for c in table.columns)
            con.execute(f"CREATE TEMP TABLE tonight AS {table.tonight}")
            con.execute(f"UPDATE {name} AS h SET last_as_of = ? FROM tonight AS n "
                        f"WHERE h.last_as_of = ? AND {same}", [as_of, previous])
            con.execute(f"INSERT INTO {name} SELECT n.*, ?, ? FROM tonight AS n WHERE NOT EXISTS "
                        f"(SELECT 1 FROM {name} AS h WHERE h.application_ref = n.application_ref "
                        f"AND h.last_as_of = ?)", [as_of, as_of, as_of])
            con.execute("DROP TABLE tonight")
            rows[table.name] = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        con.execute("CHECKPOINT pub")
    return rows


@dataclass(frozen=True)
class HistoryCheck:
    name: str
    description: str
    sql: str  # returns the offending rows; over catalog `pub`, D written as :as_of


CHECKS = (
    HistoryCheck(
        "no_overlapping_stretches",
        "history.published_bands: each application's stretches (first_as_of..last_as_of) do not overlap "
        "and none ends before it starts (outputs-and-cli.md Night to night).",
        """SELECT application_ref, first_as_of, last_as_of FROM (
               SELECT *, lead(first_as_of) OVER (PARTITION BY application_ref ORDER BY first_as_of) AS next_first
               FROM pub.history.published_bands)
           WHERE first_as_of > last_as_of OR next_first <= last_as_of"""),
    HistoryCheck(
        "newest_stretch_is_tonight",
        "history.published_bands: the stretches ending on D hold exactly tonight's marts.applicant_bands "
        "(contract columns) and none ends after D (outputs-and-cli.md Night to night).",
        f"""(SELECT 'only in history' AS side, {', '.join(BAND_COLUMNS)} FROM pub.history.published_bands
                WHERE last_as_of = DATE ':as_of'
             EXCEPT ALL SELECT 'only in history', {', '.join(BAND_COLUMNS)} FROM pub.marts.applicant_bands)
            UNION ALL
            (SELECT 'only in applicant_bands', {', '.join(BAND_COLUMNS)} FROM pub.marts.applicant_bands
             EXCEPT ALL SELECT 'only in applicant_bands', {', '.join(BAND_COLUMNS)} FROM pub.history.published_bands
                WHERE last_as_of = DATE ':as_of')
            UNION ALL
            (SELECT 'after D', {', '.join(BAND_COLUMNS)} FROM pub.history.published_bands WHERE last_as_of > DATE ':as_of')"""),
)


def check_history(marts: Path, as_of: dt.date) -> dict[str, list[tuple]]:
    """The offending rows of each check (at most 5 each), read from the marts file read-only."""
    failures: dict[str, list[tuple]] = {}
    with duckdb.connect() as con:
        con.execute(f"ATTACH {_quote(marts)} AS pub (READ_ONLY)")
        for check in CHECKS:
            sql = check.sql.replace(":as_of", as_of.isoformat())
            failures[check.name] = con.execute(f"SELECT * FROM ({sql}) LIMIT 5").fetchall()
    return failures
