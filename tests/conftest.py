"""Shared fixtures: the minimal example extract (tests/fixtures/minimal), and one published run of it reused by several tests."""
import datetime as dt
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# The project's own copy of the minimal extract (tests/fixtures/minimal/README.md says what each row shows).
MINIMAL = REPO / "tests" / "fixtures" / "minimal"
MINIMAL_AS_OF = dt.date(2026, 11, 4)


@pytest.fixture
def minimal_extract(tmp_path) -> Path:
    folder = tmp_path / "extract"
    shutil.copytree(MINIMAL, folder)
    return folder


@pytest.fixture(scope="session")
def minimal_published(tmp_path_factory) -> Path:
    """The minimal example run once through the whole job (CLI, in process)."""
    from dagster_project.cli import main

    database = tmp_path_factory.mktemp("minimal") / "allocations.duckdb"
    assert main(["run", "--extracts", str(MINIMAL), "--as-of", MINIMAL_AS_OF.isoformat(),
                 "--database", str(database)]) == 0
    return database
