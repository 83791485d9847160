"""Where the nightly job reads its extract and publishes, from the environment.

Configured by two environment variables, so a run launched from the UI, the daemon's schedule,
`dagster asset materialize` or `allocations run` needs nothing typed:
- `ALLOCATIONS_EXTRACTS_DIR`: the folder holding the register extract. It may name the as-of
  date, `{as_of}` (YYYY-MM-DD), for councils that keep one folder per night
  (`/data/cbl/{as_of}`); without it, every date reads the same folder (the latest extract).
- `ALLOCATIONS_DATABASE`: the DuckDB file published for BI tools.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
from dagster import ConfigurableResource

from .work_files import WorkFiles, make_private_dir, run_folder


class AllocationsSettings(ConfigurableResource):
    extracts_dir: str
    database: str

    def extracts_for(self, as_of: dt.date) -> Path:
        return Path(self.extracts_dir.replace("{as_of}", as_of.isoformat())).expanduser().resolve()

    def database_path(self) -> Path:
        return Path(self.database).expanduser().resolve()

    def run_folder(self, run_id: str) -> Path:
        return run_folder(self.database_path(), run_id)


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
        (self.folder / "plan.json").write_text(json.dumps(asdict(self), indent=1))

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
