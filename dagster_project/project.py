"""The dbt project, built once per process, with a manifest that is current.

`@dbt_assets` needs the manifest at import, and the nightly run's dbt worker executes dbt on
the manifest parsed beforehand (assets/dbt_worker.py), so a run never parses. The project is
parsed here once and again only when a file of the dbt project is newer than the manifest.

The parsed manifest holds each relation's catalog (`"build"."marts"."shortlists"`), which
dbt-duckdb names after the database file: the parse points at a file named like every run's
build database (BUILD_CATALOG), so one parse serves every run, whatever the published file is
called. The as-of date is not in the manifest: `--vars` is read when a model is compiled.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from .assets.dbt_worker import BUILD_CATALOG, NIGHTLY_TARGET, PARTIAL_PARSE_FILE
from .paths import DBT_PROJECT_DIR

_DBT_SOURCES = ("models", "seeds", "macros", "tests", "dbt_project.yml", "profiles.yml")


def _newest_source_mtime(project_dir: Path) -> float:
    newest = 0.0
    for name in _DBT_SOURCES:
        path = project_dir / name
        paths = [path] if path.is_file() else path.rglob("*") if path.exists() else []
        for p in paths:
            newest = max(newest, p.stat().st_mtime)
    return newest


def dbt_executable() -> str:
    """The dbt beside this interpreter (the venv's), so no PATH setup is needed."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def ensure_manifest(project_dir: Path = DBT_PROJECT_DIR) -> Path:
    target = project_dir / NIGHTLY_TARGET
    manifest = target / "manifest.json"
    current = (manifest.exists() and (target / PARTIAL_PARSE_FILE).exists()
               and manifest.stat().st_mtime >= _newest_source_mtime(project_dir))
    if not current:
        # dbt parse does not open the database: the file name only sets the catalog name. A
        # constant path keeps dbt's own partial parsing valid between two edits of the project.
        env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
               "ALLOCATIONS_BUILD_DB": str(target / f"{BUILD_CATALOG}.duckdb")}
        result = subprocess.run(
            [dbt_executable(), "parse", "--profiles-dir", str(project_dir), "--target-path", str(target),
             "--log-path", str(target), "--quiet"],
            cwd=project_dir, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"dbt parse failed:\n{result.stdout}\n{result.stderr}")
    return manifest


ensure_manifest()
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=NIGHTLY_TARGET)
