"""Parquet beside the published database (outputs-and-cli.md, "For tools that cannot read DuckDB";
dagster_project/parquet_export.py): the files equal their marts, and the folder is replaced with the
database, never left half-written or from another night."""
import datetime as dt
import errno
import hashlib
import json
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from dagster_project import parquet_export
from dagster_project.parquet_export import parquet_folder, publish_with_parquet

from .conftest import MINIMAL, MINIMAL_AS_OF


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tree(folder: Path) -> dict[str, str]:
    return {p.name: _sha(p) for p in sorted(folder.iterdir())}


def _published_run_id(database: Path) -> str:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute("SELECT run_id FROM audit.runs WHERE status = 'published' "
                           "ORDER BY finished_at DESC LIMIT 1").fetchone()[0]


def _mart_tables(con, catalog: str, kind: str) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = ? AND table_schema = 'marts' "
        "AND table_type = ? ORDER BY 1", [catalog, kind]).fetchall()]


def _hidden_leftovers(database: Path) -> list[str]:
    return sorted(p.name for p in database.parent.iterdir() if p.name.startswith(f".{database.stem}.parquet"))


def test_each_mart_table_is_a_parquet_file_with_the_same_rows_and_types(minimal_published):
    folder = parquet_folder(minimal_published)
    assert folder == minimal_published.parent / "allocations.parquet"
    with duckdb.connect(str(minimal_published), read_only=True) as con:
        tables = _mart_tables(con, "allocations", "BASE TABLE")
        views = _mart_tables(con, "allocations", "VIEW")
        assert "applicant_bands" in tables and "shortlists" in tables
        for table in tables:
            parquet = f"read_parquet('{folder / f'{table}.parquet'}')"
            assert (con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {parquet})").fetchall()
                    == con.execute(f"SELECT column_name, column_type FROM (DESCRIBE marts.{table})").fetchall()), table
            for a, b in ((f"marts.{table}", parquet), (parquet, f"marts.{table}")):
                assert con.execute(f"SELECT count(*) FROM (FROM {a} EXCEPT ALL FROM {b})").fetchone()[0] == 0, table
    # views are not tables: they are not written
    csv = [f"{t}.csv" for t in parquet_export.CSV_TABLES if t in tables]
    assert csv == ["lettings_results.csv"]
    with duckdb.connect(str(minimal_published), read_only=True) as con:  # the web team's CSV holds the mart
        assert con.execute(f"SELECT count(*) FROM (FROM read_csv('{folder / csv[0]}') EXCEPT ALL "
                           "FROM marts.lettings_results)").fetchone()[0] == 0
        assert (con.execute(f"SELECT count(*) FROM read_csv('{folder / csv[0]}')").fetchone()
                == con.execute("SELECT count(*) FROM marts.lettings_results").fetchone())
    assert sorted(p.name for p in folder.iterdir()) == sorted([f"{t}.parquet" for t in tables] + csv + ["manifest.json"])
    assert views == [] or not any((folder / f"{v}.parquet").exists() for v in views)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["run_id"] == _published_run_id(minimal_published)
    assert manifest["as_of_date"] == MINIMAL_AS_OF.isoformat() and manifest["database"] == "allocations.duckdb"
    assert manifest["files"]["applicant_bands.parquet"] == {"table": "marts.applicant_bands", "rows": 6}
    assert _hidden_leftovers(minimal_published) == []


def test_a_second_run_replaces_the_folder_as_a_whole_with_the_database(minimal_published, tmp_path):
    from dagster_project.cli import main

    database = tmp_path / "allocations.duckdb"
    shutil.copy(minimal_published, database)
    shutil.copytree(parquet_folder(minimal_published), parquet_folder(database))
    (parquet_folder(database) / "left_by_last_night.parquet").write_bytes(b"old")
    assert main(["run", "--extracts", str(MINIMAL), "--as-of", MINIMAL_AS_OF.isoformat(),
                 "--database", str(database)]) == 0
    folder = parquet_folder(database)
    assert not (folder / "left_by_last_night.parquet").exists()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["run_id"] == _published_run_id(database) != _published_run_id(minimal_published)
    assert _hidden_leftovers(database) == []


@pytest.fixture
def last_night(minimal_published, tmp_path) -> Path:
    """A published file and its folder, and a completed marts file of the next run to publish."""
    database = tmp_path / "allocations.duckdb"
    shutil.copy(minimal_published, database)
    shutil.copytree(parquet_folder(minimal_published), parquet_folder(database))
    shutil.copy(minimal_published, tmp_path / "next.duckdb")
    with duckdb.connect(str(tmp_path / "next.duckdb")) as con:
        con.execute("DELETE FROM marts.applicant_bands WHERE application_ref = 'EX01'")
    return database


def _publish_next(database: Path) -> None:
    publish_with_parquet(database.parent / "next.duckdb", database, run_id="next-run", as_of=dt.date(2026, 11, 5))


def test_the_swap_publishes_both_and_names_the_run(last_night):
    _publish_next(last_night)
    manifest = json.loads((parquet_folder(last_night) / "manifest.json").read_text())
    assert (manifest["run_id"], manifest["as_of_date"]) == ("next-run", "2026-11-05")
    assert manifest["files"]["applicant_bands.parquet"]["rows"] == 5
    with duckdb.connect(str(last_night), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.applicant_bands").fetchone()[0] == 5
    assert not (last_night.parent / "next.duckdb").exists() and _hidden_leftovers(last_night) == []


@pytest.mark.parametrize("fails_at", ["writing the folder", "renaming the database"])
def test_a_failed_publish_leaves_the_folder_and_the_database_and_no_partial_folder(last_night, monkeypatch, fails_at):
    before_database, before_folder = _sha(last_night), _tree(parquet_folder(last_night))

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    if fails_at == "writing the folder":  # a full disk after some files were written
        real_write = parquet_export.write_folder

        def write_some(marts_file, folder, **kwargs):
            real_write(marts_file, folder, **kwargs)
            disk_full()

        monkeypatch.setattr(parquet_export, "write_folder", write_some)
    else:  # the new folder is in place when the database cannot be renamed: it is taken out again
        monkeypatch.setattr(parquet_export.os, "replace", disk_full)
    with pytest.raises(OSError, match="No space left"):
        _publish_next(last_night)
    assert _sha(last_night) == before_database
    assert _tree(parquet_folder(last_night)) == before_folder
    assert _hidden_leftovers(last_night) == []


def test_leftovers_of_a_killed_run_are_removed_by_the_next(last_night):
    stray = last_night.parent / ".allocations.parquet.killed-run.new"
    stray.mkdir()
    (stray / "applicant_bands.parquet").write_bytes(b"half")
    _publish_next(last_night)
    assert _hidden_leftovers(last_night) == []


def test_a_past_date_file_gets_its_own_folder_and_the_csv_tables_are_written(last_night):
    past = last_night.parent / "allocations.as-of" / "2026-11-03.duckdb"
    past.parent.mkdir()
    publish_with_parquet(last_night.parent / "next.duckdb", past, run_id="past-run", as_of=dt.date(2026, 11, 3),
                         csv_tables=("applicant_bands", "not_built_here"))
    folder = past.parent / "2026-11-03.parquet"
    assert parquet_folder(past) == folder and (folder / "applicant_bands.parquet").exists()
    assert json.loads((folder / "manifest.json").read_text())["database"] == "2026-11-03.duckdb"
    with duckdb.connect(str(past), read_only=True) as con:
        csv = f"read_csv('{folder / 'applicant_bands.csv'}', header = true)"
        for a, b in ((f"marts.applicant_bands", csv), (csv, "marts.applicant_bands")):
            assert con.execute(f"SELECT count(*) FROM (FROM {a} EXCEPT ALL FROM {b})").fetchone()[0] == 0
    assert not (folder / "not_built_here.csv").exists()
    # the published file's own folder is untouched by a past-date run
    assert json.loads((parquet_folder(last_night) / "manifest.json").read_text())["run_id"] != "past-run"
