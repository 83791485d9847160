"""Where a run keeps its work, beside the file it publishes, and who holds it.

For a published file `<dir>/<name>.duckdb` (the *target*):
- `<dir>/.<name>.duckdb.work/` holds the run's unpublished databases: `build.duckdb` (the raw
  extract, staging, intermediate and validation models) and `marts.duckdb` (the marts, written
  by dbt straight into the file that is renamed over the target), the lock of the run that
  holds the target, and dbt's target folder.
  The paths are the same every night for a target: dbt hashes the profile's paths into its
  partial-parse state, so names that changed per run would make dbt parse the whole project
  every run. Two runs never share them: a run takes the lock first (`RunLock`).
- `<dir>/<name>.runs/<run id>/` is the run's folder: its log, quarantined rows with their raw
  text, expectation results and Data Docs. It holds personal data, so it is private (0700).
Everything is on the target's filesystem, so publishing is an atomic rename.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
from dataclasses import dataclass
from multiprocessing import parent_process
from pathlib import Path

PRIVATE_DIR = 0o700


def make_private_dir(path: Path) -> Path:
    """Create a folder readable by its owner only, whatever the umask (its parent must exist)."""
    path.mkdir(exist_ok=True, mode=PRIVATE_DIR)
    os.chmod(path, PRIVATE_DIR)
    return path


def remove_database_file(path: Path) -> None:
    """A DuckDB file and its write-ahead log."""
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)


@dataclass(frozen=True)
class WorkFiles:
    target: Path

    @property
    def folder(self) -> Path:
        return self.target.with_name(f".{self.target.name}.work")

    @property
    def build(self) -> Path:
        return self.folder / "build.duckdb"

    @property
    def marts(self) -> Path:
        return self.folder / "marts.duckdb"

    @property
    def lock(self) -> Path:
        return self.folder / "lock"

    @property
    def dbt_target(self) -> Path:
        return self.folder / "dbt"

    def prepare(self) -> None:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        make_private_dir(self.folder)

    def remove_databases(self) -> list[Path]:
        """Remove the unpublished databases; returns those that were there."""
        found = [p for p in (self.build, self.marts) if p.exists() or p.with_name(p.name + ".wal").exists()]
        for path in (self.build, self.marts):
            remove_database_file(path)
        return found


def runs_folder(database: Path) -> Path:
    return database.with_name(f"{database.stem}.runs")


def run_folder(database: Path, run_id: str) -> Path:
    return runs_folder(database) / run_id


def _run_process_id() -> int:
    """The process that lives as long as the run: the run worker that started this step's process
    (Dagster's multiprocess executor spawns a process per step), or this process when the job
    runs in process (the command line)."""
    parent = parent_process()
    return parent.pid if parent is not None else os.getpid()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


class TargetBusy(Exception):
    """Another run holds the target."""


@dataclass(frozen=True)
class LockHolder:
    run_id: str
    pid: int
    host: str
    started_at: str

    def alive(self) -> bool:
        # A lock taken on another machine (a shared filesystem) cannot be probed: it holds.
        return self.host != socket.gethostname() or _alive(self.pid)

    def describe(self) -> str:
        return f"run {self.run_id[:8]} (process {self.pid} on {self.host}, started {self.started_at})"


class RunLock:
    """The lock file of a target: which run holds its work files and will publish it."""

    def __init__(self, work: WorkFiles) -> None:
        self.work = work

    def holder(self) -> LockHolder | None:
        try:
            return LockHolder(**json.loads(self.work.lock.read_text()))
        except (OSError, ValueError, TypeError):
            return None

    def acquire(self, run_id: str) -> list[str]:
        """Take the lock for this run, or raise TargetBusy naming the live holder. A lock left by a
        run that no longer exists (killed, out of memory) is taken over and that run's databases
        removed; returns what was cleaned up, for the log."""
        self.work.prepare()
        holder = self.holder()
        cleaned: list[str] = []
        if holder is not None and holder.run_id != run_id:
            if holder.alive():
                raise TargetBusy(f"{self.work.target} is being built by {holder.describe()}; "
                                 "this run did not start (the lock is " + str(self.work.lock) + ")")
            cleaned.append(f"a run that stopped without cleaning up ({holder.describe()})")
        elif holder is None and self.work.lock.exists():
            cleaned.append("an unreadable lock file")
        removed = self.work.remove_databases() if holder is None or holder.run_id != run_id else []
        cleaned += [f"left-over {p.name}" for p in removed]
        record = LockHolder(run_id, _run_process_id(), socket.gethostname(),
                            dt.datetime.now().isoformat(timespec="seconds"))
        fd = os.open(self.work.lock, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(record.__dict__, f)
        return cleaned

    def held_by(self, run_id: str) -> bool:
        holder = self.holder()
        return holder is not None and holder.run_id == run_id

    def release(self, run_id: str, *, remove_databases: bool) -> None:
        """Give up the lock if this run holds it (and then remove its databases if asked)."""
        if not self.held_by(run_id):
            return
        if remove_databases:
            self.work.remove_databases()
        self.work.lock.unlink(missing_ok=True)


    @contextlib.contextmanager
    def released_on_failure(self, run_id: str):
        """Around a step's work: if it fails or is interrupted (a contract error, a dbt test, a full
        disk, the run terminated), nothing of this run will be published, so its databases and the
        lock go now. It is done in the step itself, not in a job hook, so runs launched by
        `dagster asset materialize` or the UI's "Materialize all" (which run an implicit job) clean
        up too. A run killed outright cannot; the next run for the target does (`acquire`)."""
        try:
            yield
        except BaseException:
            self.release(run_id, remove_databases=True)
            raise
