"""The dbt project as dagster-dbt sees it.

The manifest (asset keys, dependencies, tests) is prepared by dagster-dbt: `dagster dev`
prepares it on start (`prepare_if_dev`), and a deployment prepares it once at install with
`dagster-dbt project prepare-and-package --file dagster_project/project.py`. So that the
command line works straight after `pip install` in a fresh clone, and after someone edits a
model without re-preparing, it is also prepared here when it is missing or older than the dbt
project's files (the same public preparer; a `dbt parse` of a few seconds).
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from .paths import DBT_PROJECT_DIR

_SOURCES = ("models", "seeds", "macros", "tests", "dbt_project.yml", "profiles.yml")


def newest_source_change(project_dir: Path) -> float:
    newest = 0.0
    for name in _SOURCES:
        path = project_dir / name
        for p in [path] if path.is_file() else path.rglob("*") if path.exists() else []:
            newest = max(newest, p.stat().st_mtime)
    return newest


# The dbt installed beside this Python (the virtualenv's), so `.venv/bin/allocations` works
# without the virtualenv activated.
DBT_EXECUTABLE = shutil.which("dbt") or str(Path(sys.executable).with_name("dbt"))

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()


def dbt_resource() -> DbtCliResource:
    # dbt's debug log file would grow in the work folder night after night and costs time per
    # node; what a run did is in Dagster's event log, run_results.json and the run's log.
    return DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE,
                          global_config_flags=["--log-level-file", "none"])


if (not dbt_project.manifest_path.exists()
        or dbt_project.manifest_path.stat().st_mtime < newest_source_change(DBT_PROJECT_DIR)):
    # What dagster-dbt's preparer runs (`dbt parse`), with the dbt found above.
    dbt_resource().cli(["parse", "--quiet"], target_path=dbt_project.target_path).wait()
