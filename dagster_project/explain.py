"""`allocations explain`: an application's or an advert's sentences, for a caseworker on the phone.

The wording is the published views' (dbt/models/marts/applicant_explanations.sql and
advert_explanations.sql), so a BI user reading the view and a caseworker running this command get
the same text; this module only finds the file, opens it read-only and selects one row.
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

EXIT_OK, EXIT_NOT_FOUND = 0, 2


class NotFound(Exception):
    """The file, the reference or the advert asked for is not there: one line for the person."""


def published_file(database: Path, as_of: dt.date | None) -> tuple[Path, dt.date | None]:
    """The file holding the run for `as_of` (the main file when it is its as-of date, else the
    past-date file beside it, where a run for an earlier date publishes) and its as-of date."""
    from .published_files import latest_published_as_of, past_date_target

    database = database.expanduser()
    if not database.is_file():
        raise NotFound(f"--database {database} does not exist")
    latest = latest_published_as_of(database)
    if latest is None:
        raise NotFound(f"--database {database} is not a database this pipeline published (it has no audit.runs)")
    if as_of is None or as_of == latest:
        return database, latest
    past = past_date_target(database, as_of)
    if past.is_file():
        return past, as_of
    raise NotFound(f"nothing was published for {as_of}: {database} is as of {latest} "
                   f"and there is no past-date file {past}")


def explanation(database: Path, view: str, key_column: str, key: str) -> str | None:
    """The view's text for one key, or None; the filter reaches the tables' scans (the views say how)."""
    import duckdb

    try:
        with duckdb.connect(str(database), read_only=True) as con:
            row = con.execute(f"SELECT explanation FROM marts.{view} WHERE {key_column} = ?", [key]).fetchone()
    except duckdb.CatalogException:
        raise NotFound(f"{database} has no marts.{view}: it was published by an earlier version; "
                       "run the job again to publish it") from None
    except duckdb.Error as exc:
        raise NotFound(f"{database} cannot be read: {' '.join(str(exc).split())}") from None
    return row[0] if row else None


def explain(database: Path, *, ref: str | None = None, advert: str | None = None,
            as_of: dt.date | None = None) -> str:
    path, file_as_of = published_file(database, as_of)
    if advert is not None:
        text = explanation(path, "advert_explanations", "advert_id", advert)
        missing = f"no advert {advert} in the shortlists of {path}"
    else:
        text = explanation(path, "applicant_explanations", "application_ref", ref)
        missing = f"no application {ref} in {path}"
    if text is None:
        raise NotFound(f"{missing} (as of {file_as_of})")
    return f"As published for {file_as_of}:\n{text}"


def run(args) -> int:
    """The `explain` subcommand: prints the text, or one line and exit 2."""
    try:
        print(explain(args.database, ref=args.ref, advert=args.advert, as_of=args.as_of))
    except NotFound as exc:
        print(f"allocations: error: {exc}", file=sys.stderr)
        return EXIT_NOT_FOUND
    return EXIT_OK
