"""Where the nightly job reads its extract and publishes, from the environment.

Configured by two environment variables, so a run launched from the UI, the daemon's schedule,
`dagster asset materialize` or `allocations run` needs nothing typed:
- `ALLOCATIONS_EXTRACTS_DIR`: the folder holding the register extract. It may name the as-of
  date, `{as_of}` (YYYY-MM-DD), for councils that keep one folder per night
  (`/data/cbl/{as_of}`); without it, every date reads the same folder (the latest extract).
- `ALLOCATIONS_DATABASE`: the DuckDB file published for BI tools.
- `ALLOCATIONS_RUN_RETENTION_DAYS` (optional, default 30): how many days a run's folder
  (`<stem>.runs/<run id>/`: its log, quarantined rows with their raw text, expectation results)
  is kept. The ingestion step of every run removes the folders older than that and says so.

Every step that uses these settings leaves the run's folder and the work folder private (folders
0700, files 0600) when it ends, whatever the libraries it called created (work_files.py).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from dagster import ConfigurableResource, InitResourceContext

from .published_files import latest_published_as_of, past_date_target
from .work_files import PRIVATE_FILE, WorkFiles, make_private_dir, make_private_tree, run_folder

RUN_RETENTION_DAYS_ENV = "ALLOCATIONS_RUN_RETENTION_DAYS"
DEFAULT_RUN_RETENTION_DAYS = 30


def run_retention_days() -> int:
    """Days a run folder is kept (ALLOCATIONS_RUN_RETENTION_DAYS); raises ValueError on a value
    that is not a whole number of at least 1 (a run's own folder must outlive the run)."""
    text = os.environ.get(RUN_RETENTION_DAYS_ENV, "").strip()
    if not text:
        return DEFAULT_RUN_RETENTION_DAYS
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{RUN_RETENTION_DAYS_ENV}={text!r} is not a whole number of days of at least 1")
    return int(text)


class AllocationsSettings(ConfigurableResource):
    extracts_dir: str
    database: str

    def extracts_for(self, as_of: dt.date) -> Path:
        return Path(self.extracts_dir.replace("{as_of}", as_of.isoformat())).expanduser().resolve()

    def database_path(self) -> Path:
        return Path(self.database).expanduser().resolve()

    def run_folder(self, run_id: str) -> Path:
        return run_folder(self.database_path(), run_id)

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        # After each step (or, in process, the run), failed or not: Great Expectations, the Data
        # Docs and dbt write their files with the umask's mode.
        if context.run is None:
            return
        with contextlib.suppress(OSError):
            plan = RunPlan.load(self, context.run.run_id)
            make_private_tree(plan.folder)
            make_private_tree(plan.work.folder)


@dataclass(frozen=True)
class RunPlan:
    """What one run computes and where it publishes; decided by the first step and read by the
    others (each step may be its own process)."""
    run_id: str
    as_of: str
    extracts_dir: str
    database: str          # the configured published file
    target: str            # the file this run publishes: `database`, or a past-date file beside it
    accept_volume_change: bool = False

    @property
    def as_of_date(self) -> dt.date:
        return dt.date.fromisoformat(self.as_of)

    @property
    def target_path(self) -> Path:
        return Path(self.target)

    @property
    def work(self) -> WorkFiles:
        return WorkFiles(Path(self.target))

    @property
    def folder(self) -> Path:
        return run_folder(Path(self.database), self.run_id)

    @property
    def is_past_date(self) -> bool:
        return self.target != self.database

    def save(self) -> None:
        make_private_dir(self.folder.parent)
        make_private_dir(self.folder)
        fd = os.open(self.folder / "plan.json", os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, PRIVATE_FILE)
        with os.fdopen(fd, "w") as f:
            json.dump(asdict(self), f, indent=1)

    @classmethod
    def load(cls, settings: AllocationsSettings, run_id: str) -> "RunPlan":
        return cls(**json.loads((settings.run_folder(run_id) / "plan.json").read_text()))


def plan_run(settings: AllocationsSettings, run_id: str, as_of: dt.date, *,
             accept_volume_change: bool = False) -> RunPlan:
    database = settings.database_path()
    latest = latest_published_as_of(database)
    target = past_date_target(database, as_of) if latest is not None and as_of < latest else database
    return RunPlan(run_id=run_id, as_of=as_of.isoformat(), extracts_dir=str(settings.extracts_for(as_of)),
                   database=str(database), target=str(target), accept_volume_change=accept_volume_change)
