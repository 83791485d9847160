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


def published_file(database: Path, as_of: dt.date | None) -> Path:
    """The file holding the run for `as_of`: the database when it is as of that date (or no date
    is asked for), else the past-date file beside it where a run for an earlier date publishes."""
    from .published_files import past_date_target

    database = database.expanduser()
    if not database.is_file():
        raise NotFound(f"--database {database} does not exist")
    if as_of is None:
        return database
    past = past_date_target(database, as_of)
    return past if past.is_file() else database


def explain(database: Path, *, ref: str | None = None, advert: str | None = None,
            as_of: dt.date | None = None) -> str:
    """The text of one application (`ref`) or advert, headed by the date of the run it is from."""
    import duckdb

    from .published_files import past_date_target

    path = published_file(database, as_of)
    view, column, key = (("advert_explanations", "advert_id", advert) if advert is not None
                         else ("applicant_explanations", "application_ref", ref))
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            published_as_of = _published_as_of(con, path)
            if as_of is not None and published_as_of != as_of:
                raise NotFound(f"nothing was published for {as_of}: {path} is as of {published_as_of} "
                               f"and there is no past-date file {past_date_target(path, as_of)}")
            try:
                row = con.execute(f"SELECT explanation FROM marts.{view} WHERE {column} = ?", [key]).fetchone()
            except duckdb.CatalogException:
                raise NotFound(f"{path} has no marts.{view}: it was published by an earlier version; "
                               "run the job again to publish it") from None
    except duckdb.Error as exc:
        raise NotFound(f"{path} cannot be read: {' '.join(str(exc).split())}") from None
    if row is None:
        what = f"advert {advert} in the shortlists of" if advert is not None else f"application {ref} in"
        raise NotFound(f"no {what} {path} (as of {published_as_of})")
    return f"As published for {published_as_of}:\n{row[0]}"


def _published_as_of(con, path: Path) -> dt.date:
    import duckdb

    try:
        as_of = con.execute("SELECT max(as_of_date) FROM audit.runs WHERE status = 'published'").fetchone()[0]
    except duckdb.CatalogException:
        as_of = None
    if as_of is None:
        raise NotFound(f"--database {path} is not a database this pipeline published (it has no audit.runs)")
    return as_of


def run(args) -> int:
    """The `explain` subcommand: prints the text, or one line and exit 2."""
    try:
        print(explain(args.database, ref=args.ref, advert=args.advert, as_of=args.as_of))
    except NotFound as exc:
        print(f"allocations: error: {exc}", file=sys.stderr)
        return EXIT_NOT_FOUND
    return EXIT_OK
