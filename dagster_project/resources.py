"""Run configuration shared by every asset of the nightly job."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from dagster import ConfigurableResource

from .assets.dbt_worker import BUILD_CATALOG
from .run_folder import remove_database_file


class AllocationsRun(ConfigurableResource):
    """Where one run reads its extract, what date it computes for, and where it publishes.

    The build database is a new file per run beside the published one; it holds the raw extract
    and every model but the marts, and is removed once the marts are published. The marts go
    into a second new file beside it (same filesystem, so publishing is an atomic rename).
    """

    extracts_dir: str
    database: str
    as_of: str = ""  # YYYY-MM-DD; empty means today's date in Europe/London (the schedule)

    def as_of_date(self) -> dt.date:
        if self.as_of:
            return dt.date.fromisoformat(self.as_of)
        from zoneinfo import ZoneInfo

        return dt.datetime.now(ZoneInfo("Europe/London")).date()

    def database_path(self) -> Path:
        return Path(self.database).expanduser().resolve()

    def build_database(self, run_id: str) -> Path:
        """`.build.<published name>.<run id>.duckdb`: catalog BUILD_CATALOG whatever the published
        file is called."""
        published = self.database_path()
        return published.with_name(f".{BUILD_CATALOG}.{published.name}.{run_id[:8]}.duckdb")

    def marts_database(self, run_id: str) -> Path:
        """The new file dbt writes the marts into (catalog `published`, profiles.yml) and the publish
        step completes and renames over the published database; removed if the run fails."""
        published = self.database_path()
        return published.with_name(f".{published.name}.publish-{run_id[:8]}.tmp")

    def remove_work_files(self, run_id: str) -> None:
        """The run's build database and marts file: at its start (a re-executed run begins anew)
        and after a failure (nothing of it is published)."""
        remove_database_file(self.build_database(run_id))
        remove_database_file(self.marts_database(run_id))
