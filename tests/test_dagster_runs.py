"""The nightly job run by Dagster itself: `dagster asset materialize` on the default
multiprocess executor, and CLI runs seen by the UI's instance. A backfill under the daemon, two
dates replayed in order, is tests/test_history.py's (it checks the history it leaves as well)."""
import datetime as dt
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from .conftest import MINIMAL, MINIMAL_AS_OF, REPO

BIN = Path(sys.executable).parent


def _env(home: Path, database: Path) -> dict:
    return {**os.environ, "DAGSTER_HOME": str(home), "ALLOCATIONS_EXTRACTS_DIR": str(MINIMAL),
            "ALLOCATIONS_DATABASE": str(database)}


def _home(tmp_path: Path) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "deploy" / "dagster.yaml", home / "dagster.yaml")
    # Create the instance's storage now: the daemon and `dagster job backfill` creating it at the
    # same moment race on its schema.
    from dagster import DagsterInstance

    DagsterInstance.from_config(str(home)).dispose()
    return home


def _materialize(home: Path, database: Path, partition: dt.date) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "dagster"), "asset", "materialize", "-m", "dagster_project.definitions", "--select", "*",
         "--partition", partition.isoformat()],
        env=_env(home, database), cwd=REPO, capture_output=True, text=True, timeout=600)


def _marts(database: Path) -> dict:
    with duckdb.connect(str(database), read_only=True) as con:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1").fetchall()]
        return {t: sorted(con.execute(f"SELECT * FROM marts.{t}").fetchall(), key=repr) for t in tables}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _published_dates(database: Path) -> list[dt.date]:
    with duckdb.connect(str(database), read_only=True) as con:
        return [r[0] for r in con.execute(
            "SELECT as_of_date FROM audit.runs WHERE status = 'published' ORDER BY finished_at").fetchall()]


def test_materialize_on_the_multiprocess_executor(minimal_published, tmp_path):
    """Three runs in a row through Dagster's default executor: the same marts as the command
    line, no lock error, no work files left; a run for an earlier date publishes beside the
    file and leaves it byte for byte as it was."""
    home, database = _home(tmp_path), tmp_path / "allocations.duckdb"

    first = _materialize(home, database, MINIMAL_AS_OF)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert "RUN_SUCCESS" in first.stderr + first.stdout
    assert _marts(database) == _marts(minimal_published)

    before = _sha(database)
    earlier = MINIMAL_AS_OF - dt.timedelta(days=1)
    past = _materialize(home, database, earlier)
    assert past.returncode == 0, past.stdout[-3000:] + past.stderr[-3000:]
    assert _sha(database) == before
    beside = tmp_path / "allocations.as-of" / f"{earlier}.duckdb"
    assert _published_dates(beside) == [earlier]

    again = _materialize(home, database, MINIMAL_AS_OF)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert "lock" not in (again.stderr + again.stdout).lower().replace("unlock", "")
    assert _marts(database) == _marts(minimal_published)
    assert _published_dates(database) == [MINIMAL_AS_OF, MINIMAL_AS_OF]
    work = tmp_path / ".allocations.duckdb.work"
    assert [p.name for p in work.iterdir()] == ["dbt"]


def test_a_command_line_run_shows_in_the_instance_of_dagster_home(tmp_path, monkeypatch):
    from dagster import DagsterInstance

    from dagster_project.cli import main

    home = _home(tmp_path)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    assert main(["run", "--extracts", str(MINIMAL), "--as-of", MINIMAL_AS_OF.isoformat(),
                 "--database", str(tmp_path / "allocations.duckdb")]) == 0
    with DagsterInstance.from_config(str(home)) as instance:
        [run] = instance.get_runs()
    assert run.job_name == "nightly_allocations" and run.tags["dagster/partition"] == MINIMAL_AS_OF.isoformat()
