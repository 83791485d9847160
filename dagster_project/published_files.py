"""Which published file holds which as-of date. Kept apart from resources.py, which imports
Dagster, so `allocations explain` finds its file without loading Dagster (a caseworker waits)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb


def latest_published_as_of(database: Path) -> dt.date | None:
    """The latest as-of date published into `database` (its audit.runs), or None."""
    if not database.is_file():
        return None
    try:
        with duckdb.connect(str(database), read_only=True) as con:
            row = con.execute("SELECT max(as_of_date) FROM audit.runs WHERE status = 'published'").fetchone()
    except duckdb.Error:
        return None
    return row[0] if row else None


def past_date_target(database: Path, as_of: dt.date) -> Path:
    """Where a run for a date before the latest published one publishes instead (beside the
    published file, one file per date): it never replaces newer results."""
    return database.with_name(f"{database.stem}.as-of") / f"{as_of.isoformat()}.duckdb"
