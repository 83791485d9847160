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
  text, expectation results and Data Docs. It holds personal data, so it is private: the folder
  0700, its files 0600 (`make_private_tree`), and a run removes run folders older than the
  retention period (`remove_expired_run_folders`; the period is ALLOCATIONS_RUN_RETENTION_DAYS,
  resources.py). Only folders named like a run id are ever removed.
Everything is on the target's filesystem, so publishing is an atomic rename.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import socket
import time
from dataclasses import dataclass
from multiprocessing import parent_process
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600

# Dagster's run ids, the names of run folders: nothing else in `<name>.runs/` is touched.
# An unreadable lock younger than this may be one another run is writing this instant.
LOCK_BEING_WRITTEN = 10

RUN_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def make_private_dir(path: Path) -> Path:
    """Create a folder readable by its owner only, whatever the umask (its parent must exist)."""
    path.mkdir(exist_ok=True, mode=PRIVATE_DIR)
    os.chmod(path, PRIVATE_DIR)
    return path


def make_private_tree(folder: Path) -> None:
    """Make a folder and everything under it readable by its owner only: the files the run's
    libraries write (Great Expectations' results, Data Docs, dbt's target folder) are created
    with the umask's mode. Symbolic links are neither changed nor followed."""
    if folder.is_symlink() or not folder.is_dir():
        return
    os.chmod(folder, PRIVATE_DIR)
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = os.path.join(root, name)
            if not os.path.islink(path):
                with contextlib.suppress(FileNotFoundError):  # a file another step just removed
                    os.chmod(path, PRIVATE_DIR if name in dirs else PRIVATE_FILE)


def remove_expired_run_folders(runs: Path, retention_days: int, *, keep: str) -> list[str]:
    """Remove the run folders in `runs` last written more than `retention_days` ago (all but the
    folder `keep`, the current run's); returns the names of those removed."""
    if not runs.is_dir():
        return []
    cutoff = time.time() - retention_days * 86_400
    removed = []
    for entry in sorted(runs.iterdir()):
        if (RUN_ID.fullmatch(entry.name) and entry.name != keep and not entry.is_symlink() and entry.is_dir()
                and entry.stat().st_mtime < cutoff):
            shutil.rmtree(entry)
            removed.append(entry.name)
    return removed


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
        removed; returns what was cleaned up, for the log. The lock file is created exclusively, so
        of two runs starting at once one takes it and the other finds it held."""
        self.work.prepare()
        holder = self.holder()
        if holder is not None and holder.run_id == run_id:  # this run's step again (a retry)
            self._write(run_id, os.O_TRUNC)
            return []
        if holder is not None and holder.alive():
            raise self._busy(holder)
        cleaned: list[str] = []
        if holder is not None:
            cleaned.append(f"the lock of a run that stopped without cleaning up ({holder.describe()})")
        elif self.work.lock.is_symlink() or self.work.lock.exists():
            if not self.work.lock.is_symlink() and time.time() - self.work.lock.stat().st_mtime < LOCK_BEING_WRITTEN:
                raise self._busy(None)
            cleaned.append("an unreadable lock file")
        self.work.lock.unlink(missing_ok=True)
        try:
            self._write(run_id, os.O_EXCL)
        except FileExistsError:  # another run took it between our look and our write
            raise self._busy(self.holder()) from None
        cleaned += [f"left-over {p.name}" for p in self.work.remove_databases()]
        return cleaned

    def _write(self, run_id: str, flag: int) -> None:
        record = LockHolder(run_id, _run_process_id(), socket.gethostname(),
                            dt.datetime.now().isoformat(timespec="seconds"))
        fd = os.open(self.work.lock, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | flag, PRIVATE_FILE)
        with os.fdopen(fd, "w") as f:
            json.dump(record.__dict__, f)

    def _busy(self, holder: LockHolder | None) -> TargetBusy:
        who = holder.describe() if holder is not None else "another run"
        return TargetBusy(f"{self.work.target} is being built by {who}; this run did not start "
                          f"(the lock is {self.work.lock})")

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
