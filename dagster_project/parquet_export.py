"""Parquet (and CSV) beside the published database, for tools that cannot read DuckDB.

For a published file `<dir>/<stem>.duckdb` the folder `<dir>/<stem>.parquet/` holds one
`<table>.parquet` per table of the `marts` schema (tables, not views), `<table>.csv` for the tables
in CSV_TABLES that the marts hold, and `manifest.json` naming the run (run_id, as_of_date) and
each file with its rows. A run for a past date (`<stem>.as-of/<date>.duckdb`) gets
`<stem>.as-of/<date>.parquet/` the same way: the folder is named after whichever file is published.

The folder and the database are replaced together, and a reader never sees a folder mixing two
nights:
1. the run writes its folder complete under a hidden name, `.<stem>.parquet.<run id>.new`, from the
   marts file it is about to publish (closed and checkpointed);
2. the published folder is renamed aside (`.<stem>.parquet.<run id>.old`) and the new one renamed
   in: between these two renames the folder is briefly absent, never partly written;
3. the marts file is renamed over the database;
4. the old folder is removed.
Renames on one filesystem are atomic. If step 2 or 3 fails, the old folder is put back and the new
one removed, so the folder and the database are both as they were. A reader that opens both can
tell which night each holds: the manifest's run_id is the run's row in the database's audit.runs.
A run killed between steps leaves hidden `.<stem>.parquet.*` folders; the next run for the same
file (which holds its lock) removes them, and if the published folder is missing then, it writes
it again.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import duckdb

# Marts also written as CSV, for a web team to post as they are (issue 20: lettings results for
# applicants). A table not built by this version of the project is skipped.
CSV_TABLES = ("lettings_results",)

MANIFEST = "manifest.json"


def parquet_folder(database: Path) -> Path:
    """The Parquet folder published beside a database file."""
    return database.with_name(f"{database.stem}.parquet")


def _staging(database: Path, run_id: str, suffix: str) -> Path:
    return database.with_name(f".{parquet_folder(database).name}.{run_id}.{suffix}")


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def mart_tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'marts' "
        "ORDER BY table_name", [catalog]).fetchall()]


def write_folder(marts_file: Path, folder: Path, *, database: Path, run_id: str, as_of: dt.date,
                 csv_tables: tuple[str, ...] = CSV_TABLES) -> dict:
    """Write every marts table of `marts_file` as Parquet into the new folder `folder`, the tables
    of `csv_tables` present also as CSV, and the manifest naming `database` (the file published
    with it); returns the manifest."""
    folder.mkdir()
    files: dict[str, dict] = {}
    with duckdb.connect() as con:
        con.execute(f"ATTACH {_quoted(marts_file)} AS marts_file (READ_ONLY)")
        for table in mart_tables(con, "marts_file"):
            relation = f"marts_file.marts.{table}"
            rows = con.execute(f"SELECT count(*) FROM {relation}").fetchone()[0]
            con.execute(f"COPY {relation} TO {_quoted(folder / f'{table}.parquet')} (FORMAT parquet)")
            files[f"{table}.parquet"] = {"table": f"marts.{table}", "rows": rows}
            if table in csv_tables:
                con.execute(f"COPY {relation} TO {_quoted(folder / f'{table}.csv')} (FORMAT csv, HEADER)")
                files[f"{table}.csv"] = {"table": f"marts.{table}", "rows": rows}
    manifest = {"run_id": run_id, "as_of_date": as_of.isoformat(), "database": database.name,
                "written_at": dt.datetime.now().isoformat(timespec="seconds"), "files": files}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def remove_leftovers(database: Path) -> list[Path]:
    """Hidden folders of runs for this file that were killed between the steps above."""
    prefix = f".{parquet_folder(database).name}."
    found = [p for p in database.parent.glob(f"{prefix}*")
             if p.is_dir() and not p.is_symlink() and p.name.endswith((".new", ".old"))]
    for path in found:
        shutil.rmtree(path)
    return found


def publish_with_parquet(marts_file: Path, target: Path, *, run_id: str, as_of: dt.date,
                         csv_tables: tuple[str, ...] = CSV_TABLES) -> None:
    """Rename the completed marts file over `target` together with its Parquet folder (the
    module's docstring gives the order). Raises with both left as they were on any error."""
    remove_leftovers(target)
    published, new, old = parquet_folder(target), _staging(target, run_id, "new"), _staging(target, run_id, "old")
    try:
        write_folder(marts_file, new, database=target, run_id=run_id, as_of=as_of, csv_tables=csv_tables)
        moved_old = moved_new = False
        try:
            if os.path.lexists(published):
                os.rename(published, old)
                moved_old = True
            os.rename(new, published)
            moved_new = True
            os.replace(marts_file, target)
        except BaseException:
            if moved_new:
                os.rename(published, new)
            if moved_old:
                os.rename(old, published)
            raise
    finally:
        shutil.rmtree(new, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
