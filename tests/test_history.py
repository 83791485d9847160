"""Night to night (outputs-and-cli.md): history.published_bands carried from one published file
to the next, and marts.changes_since_last_run, over two nights of the minimal extract.

The second night's extract is the minimal one with four edits: EX03's homelessness_relief_duty
need is now medical_urgent (band two to band one), EX02 has 2 bedrooms instead of 1 (no longer
overcrowded: band two to band four), EX04 is cancelled (leaves) and EX07 registers (joins).
The full runs are few (each costs tens of seconds); the cutting back of the history for a
re-run or an earlier date is tested on hand-made files, without dbt.
"""
import datetime as dt
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from dagster_project.history import (PUBLISHED_EXTRACT_FIELDS, check_history, copy_previous_night, table_ddl,
                                     write_history)

from .conftest import MINIMAL, MINIMAL_AS_OF, REPO
from .test_dagster_runs import BIN, _home, _published_dates

NIGHT_2 = MINIMAL_AS_OF + dt.timedelta(days=1)
BAND_COLUMNS = ("application_ref, band, category, multiple_need, transfer_category, bedroom_need, band_date, "
                "on_register, can_bid")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path.name, old)
    path.write_text(text.replace(old, new, 1))


def second_night_extract(folder: Path) -> Path:
    shutil.copytree(MINIMAL, folder)
    _edit(folder / "assessed_needs.csv", "N00001,EX03,homelessness_relief_duty,", "N00001,EX03,medical_urgent,")
    _edit(folder / "applications.csv", "EX02,register,active,2024-01-15,private_rented,,yes,1,",
          "EX02,register,active,2024-01-15,private_rented,,yes,2,")
    _edit(folder / "applications.csv", "EX04,transfer,active,", "EX04,transfer,cancelled,")
    with open(folder / "applications.csv", "a") as f:
        f.write(f"EX07,register,active,{NIGHT_2},private_rented,,yes,1,0,false,18000.00,500.00,,\n")
    with open(folder / "household_members.csv", "a") as f:
        f.write("EX07,EX07-M0,applicant,1990-06-06,male,\n")
    return folder


def _run(extracts: Path, as_of: dt.date, database: Path) -> int:
    from dagster_project.cli import main

    return main(["run", "--extracts", str(extracts), "--as-of", as_of.isoformat(), "--database", str(database)])


def _history(database: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(database), read_only=True) as con:
        return {t: con.execute(f"SELECT * FROM history.{t} ORDER BY ALL").fetchall()
                for t in ("published_bands", "published_extract_fields")}


def _changes(database: Path) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute("SELECT application_ref, change, previous_as_of, old_band, new_band, old_category, "
                           "new_category, old_band_date, new_band_date, why FROM marts.changes_since_last_run "
                           "ORDER BY application_ref").fetchall()


EXPECTED_CHANGES = [
    ("EX02", "down", MINIMAL_AS_OF, "band_two", "band_four", "overcrowded_bedroom_standard", "no_housing_need",
     dt.date(2024, 1, 15), dt.date(2024, 1, 15), "current_bedrooms changed from 1 to 2 in the extract"),
    ("EX03", "up", MINIMAL_AS_OF, "band_two", "band_one", "multiple_need", "medical_urgent",
     dt.date(2025, 8, 1), dt.date(2025, 4, 1),
     "assessed_needs changed from homelessness_relief_duty from 2025-04-01 to medical_urgent from 2025-04-01 "
     "in the extract"),
    ("EX04", "left", MINIMAL_AS_OF, "transfer", None, "under_occupation", None, dt.date(2024, 1, 15), None,
     "left: status changed from active to cancelled in the extract"),
    ("EX07", "joined", MINIMAL_AS_OF, None, "band_four", None, "no_housing_need", None, NIGHT_2,
     f"joined: active in the extract, registered on {NIGHT_2}"),
]


def _stretches(history: dict) -> list[tuple]:
    """(application_ref, band, first_as_of, last_as_of) of history.published_bands."""
    return [(r[0], r[1], r[-2], r[-1]) for r in history["published_bands"]]


D1, D2 = MINIMAL_AS_OF, NIGHT_2
EXPECTED_STRETCHES = [
    ("EX01", "band_four", D1, D2), ("EX02", "band_four", D2, D2), ("EX02", "band_two", D1, D1),
    ("EX03", "band_one", D2, D2), ("EX03", "band_two", D1, D1), ("EX04", "transfer", D1, D1),
    ("EX05", "band_four", D1, D2), ("EX06", "band_one", D1, D2), ("EX07", "band_four", D2, D2),
]


@pytest.fixture(scope="module")
def nights_one_by_one(tmp_path_factory):
    """Night one, a failed night two, night two, night two again; what each left behind."""
    tmp = tmp_path_factory.mktemp("history")
    database, night_2 = tmp / "allocations.duckdb", second_night_extract(tmp / "night2")
    broken = tmp / "night2-broken"
    shutil.copytree(night_2, broken)
    (broken / "household_members.csv").unlink()  # a required file missing: the run fails at load

    seen = {}
    assert _run(MINIMAL, D1, database) == 0
    seen["first"] = _history(database), _changes(database)
    before = database.read_bytes()
    seen["failed_exit"] = _run(broken, D2, database)
    seen["failed"] = _history(database), database.read_bytes() == before
    assert _run(night_2, D2, database) == 0
    seen["second"] = _history(database), _changes(database)
    assert _run(night_2, D2, database) == 0
    seen["again"] = _history(database), _changes(database)
    return seen


def test_the_first_night_starts_the_history_and_lists_no_change(nights_one_by_one):
    history, changes = nights_one_by_one["first"]
    assert changes == []
    assert {(r[0], r[-2], r[-1]) for r in history["published_bands"]} == {
        (ref, D1, D1) for ref in ("EX01", "EX02", "EX03", "EX04", "EX05", "EX06")}


def test_the_second_night_lists_what_changed_and_why(nights_one_by_one):
    history, changes = nights_one_by_one["second"]
    assert changes == EXPECTED_CHANGES
    assert _stretches(history) == EXPECTED_STRETCHES
    # the extract fields kept for the next night: the published applications only
    fields = {(r[0], r[-2], r[-1]) for r in history["published_extract_fields"]}
    assert ("EX04", D1, D1) in fields and ("EX07", D2, D2) in fields and ("EX01", D1, D2) in fields


def test_a_failed_night_leaves_the_history_as_it_was(nights_one_by_one):
    assert nights_one_by_one["failed_exit"] == 1
    history, unchanged = nights_one_by_one["failed"]
    assert unchanged and history == nights_one_by_one["first"][0]


def test_re_running_the_second_night_gives_identical_history(nights_one_by_one):
    assert nights_one_by_one["again"] == nights_one_by_one["second"]


def test_the_summary_counts_thechanges_overnight(tmp_path):
    """Read from a published file as the run summary is (the counts come from the mart)."""
    from dagster_project.summary import changes_overnight

    database = tmp_path / "p.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("CREATE SCHEMA marts; CREATE SCHEMA history")
        con.execute("CREATE TABLE marts.changes_since_last_run AS SELECT * FROM (VALUES ('A', 'up'), ('B', 'up'), "
                    "('C', 'down'), ('D', 'joined'), ('E', 'same_band')) t(application_ref, change)")
        con.execute("CREATE TABLE history.published_bands AS SELECT DATE '2026-11-04' AS last_as_of")
        assert changes_overnight(con, D2) == ("band changes overnight: 2 up, 1 down, 1 joined, 0 left, "
                                               "1 other (category, band date, register or bidding status)")
        con.execute("DELETE FROM marts.changes_since_last_run")
        assert changes_overnight(con, D2) == "band changes overnight: 0 up, 0 down, 0 joined, 0 left"
        assert "no run published before" in changes_overnight(con, D1)


def test_a_backfill_yields_the_same_history_as_the_nights_one_by_one(nights_one_by_one, tmp_path):
    """Both nights backfilled under the daemon, as from the UI, each date reading its own extract
    folder: the queue runs them one at a time in date order, both publish into the one database."""
    extracts = tmp_path / "extracts"
    shutil.copytree(MINIMAL, extracts / D1.isoformat())
    second_night_extract(extracts / D2.isoformat())
    home, database = _home(tmp_path), tmp_path / "allocations.duckdb"
    env = {**os.environ, "DAGSTER_HOME": str(home), "ALLOCATIONS_EXTRACTS_DIR": str(extracts / "{as_of}"),
           "ALLOCATIONS_DATABASE": str(database)}
    daemon = subprocess.Popen([str(BIN / "dagster-daemon"), "run", "-m", "dagster_project.definitions"],
                              env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        backfill = subprocess.run(
            [str(BIN / "dagster"), "job", "backfill", "-m", "dagster_project.definitions", "-j", "nightly_allocations",
             "--partitions", f"{D1},{D2}", "--noprompt"],
            env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
        assert backfill.returncode == 0, backfill.stdout[-2000:] + backfill.stderr[-2000:]
        from dagster import DagsterInstance, DagsterRunStatus

        deadline = time.monotonic() + 540
        with DagsterInstance.from_config(str(home)) as instance:
            while time.monotonic() < deadline:
                runs = instance.get_runs()
                if len(runs) == 2 and all(r.is_finished for r in runs):
                    break
                time.sleep(3)
            statuses = sorted((r.tags.get("dagster/partition"), r.status) for r in instance.get_runs())
    finally:
        os.killpg(daemon.pid, signal.SIGKILL)
        daemon.wait()
    assert statuses == [(D1.isoformat(), DagsterRunStatus.SUCCESS), (D2.isoformat(), DagsterRunStatus.SUCCESS)]
    # the daemon's queue (deploy/dagster.yaml) ran them one at a time, in date order
    assert _published_dates(database) == [D1, D2]
    assert (_history(database), _changes(database)) == nights_one_by_one["second"]


# The carrying itself, on hand-made files: a published file with history, a build database and a
# marts file as dbt leaves them.

def _published_file(path: Path, runs: list[dt.date], stretches: list[tuple]) -> Path:
    """A published file: audit.runs for `runs`, history.published_bands of (ref, band, first, last)."""
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA audit; CREATE SCHEMA history")
        con.execute("CREATE TABLE audit.runs (as_of_date DATE, status VARCHAR)")
        for d in runs:
            con.execute("INSERT INTO audit.runs VALUES (?, 'published')", [d])
        con.execute(f"CREATE TABLE history.published_bands AS SELECT {_band_row('x', 'band_four')}, "
                    "DATE '2000-01-01' AS first_as_of, DATE '2000-01-01' AS last_as_of WHERE false")
        con.execute(table_ddl(PUBLISHED_EXTRACT_FIELDS, "CREATE TABLE history.published_extract_fields",
                              stretches=True))
        for ref, band, first, last in stretches:
            con.execute(f"INSERT INTO history.published_bands SELECT {_band_row(ref, band)}, ?, ?", [first, last])
    return path


def _band_row(ref: str, band: str) -> str:
    return (f"'{ref}' AS application_ref, '{band}' AS band, 'no_housing_need' AS category, false AS multiple_need, "
            "NULL::VARCHAR AS transfer_category, 1 AS bedroom_need, DATE '2024-01-15' AS band_date, "
            "true AS on_register, true AS can_bid")


def _tonight(tmp: Path, bands: dict[str, str]) -> tuple[Path, Path]:
    """A marts file holding applicant_bands and a build database holding int_history__extract_fields."""
    build, marts = tmp / "build.duckdb", tmp / "marts.duckdb"
    for path in (build, marts):
        path.unlink(missing_ok=True)
    rows = " UNION ALL ".join(f"SELECT {_band_row(ref, band)}" for ref, band in bands.items())
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{marts}' AS pub (STORAGE_VERSION 'v1.4.0')")
        con.execute("CREATE SCHEMA pub.marts")
        con.execute(f"CREATE TABLE pub.marts.applicant_bands AS {rows}")
        con.execute(f"ATTACH '{build}' AS build")
        con.execute("CREATE SCHEMA build.intermediate")
        con.execute("CREATE TABLE build.intermediate.int_history__extract_fields AS SELECT application_ref, "
                    "'register' AS application_type, 'active' AS status, DATE '2024-01-15' AS registration_date, "
                    "'private_rented' AS current_tenure, NULL::BOOLEAN AS landlord_in_district, "
                    "'yes' AS local_connection, 1 AS current_bedrooms, 0 AS current_floor_level, "
                    "false AS current_home_high_demand, NULL::VARCHAR AS homelessness_decision, "
                    "1::BIGINT AS household_size, NULL::VARCHAR[] AS assessed_needs, "
                    "0::DECIMAL(18,2) AS housing_debt_balance FROM pub.marts.applicant_bands")
    return build, marts


def _written(tmp: Path, published: Path | None, as_of: dt.date, bands: dict[str, str]) -> list[tuple]:
    build, marts = _tonight(tmp, bands)
    write_history(marts, build, published or tmp / "none.duckdb", as_of)
    assert not any(check_history(marts, as_of).values())
    with duckdb.connect(str(marts), read_only=True) as con:
        return con.execute("SELECT application_ref, band, first_as_of, last_as_of FROM history.published_bands "
                           "ORDER BY ALL").fetchall()


NOV = {d: dt.date(2026, 11, d) for d in range(1, 31)}


def test_a_night_extends_the_stretches_that_did_not_change_and_starts_the_others(tmp_path):
    published = _published_file(tmp_path / "p.duckdb", [NOV[3], NOV[4]],
                                [("A", "band_two", NOV[3], NOV[4]), ("B", "band_four", NOV[3], NOV[4]),
                                 ("C", "band_four", NOV[3], NOV[3])])
    assert _written(tmp_path, published, NOV[5], {"A": "band_two", "B": "band_one", "C": "band_four"}) == [
        ("A", "band_two", NOV[3], NOV[5]), ("B", "band_four", NOV[3], NOV[4]), ("B", "band_one", NOV[5], NOV[5]),
        # absent on the 4th: a new stretch, though the row is as it was on the 3rd
        ("C", "band_four", NOV[3], NOV[3]), ("C", "band_four", NOV[5], NOV[5])]


def test_re_running_the_latest_date_replaces_its_contribution(tmp_path):
    published = _published_file(tmp_path / "p.duckdb", [NOV[3], NOV[4], NOV[5]],
                                [("A", "band_two", NOV[3], NOV[5]), ("B", "band_one", NOV[5], NOV[5]),
                                 ("B", "band_four", NOV[3], NOV[4])])
    assert _written(tmp_path, published, NOV[5], {"A": "band_three", "B": "band_one"}) == [
        ("A", "band_three", NOV[5], NOV[5]), ("A", "band_two", NOV[3], NOV[4]),
        ("B", "band_four", NOV[3], NOV[4]), ("B", "band_one", NOV[5], NOV[5])]


def test_an_earlier_date_gets_the_history_up_to_the_night_before_it(tmp_path):
    """A run for the 4th after the 3rd and 6th were published: its file holds the history as of
    the 3rd plus the 4th; the published file is not written."""
    published = _published_file(tmp_path / "p.duckdb", [NOV[3], NOV[6]],
                                [("A", "band_two", NOV[3], NOV[6]), ("B", "band_one", NOV[6], NOV[6])])
    before = published.read_bytes()
    assert _written(tmp_path, published, NOV[4], {"A": "band_two", "B": "band_four"}) == [
        ("A", "band_two", NOV[3], NOV[4]), ("B", "band_four", NOV[4], NOV[4])]
    assert published.read_bytes() == before


def test_the_first_night_and_a_file_published_before_history_was_kept(tmp_path):
    assert _written(tmp_path, None, NOV[4], {"A": "band_two"}) == [("A", "band_two", NOV[4], NOV[4])]
    older = tmp_path / "older.duckdb"
    with duckdb.connect(str(older)) as con:
        con.execute("CREATE SCHEMA audit; CREATE TABLE audit.runs AS SELECT DATE '2026-11-03' AS as_of_date, "
                    "'published' AS status")
    assert _written(tmp_path, older, NOV[4], {"A": "band_two"}) == [("A", "band_two", NOV[4], NOV[4])]


def test_the_previous_night_is_copied_for_dbt(tmp_path):
    published = _published_file(tmp_path / "p.duckdb", [NOV[3], NOV[4], NOV[6]],
                                [("A", "band_two", NOV[3], NOV[6]), ("B", "band_one", NOV[3], NOV[3]),
                                 ("B", "band_four", NOV[4], NOV[4]), ("C", "band_four", NOV[6], NOV[6])])
    with duckdb.connect() as con:
        con.execute("CREATE SCHEMA raw")
        # re-running the 6th compares with the 4th
        assert copy_previous_night(con, published, NOV[6]) == NOV[4]
        assert con.execute("SELECT previous_as_of FROM raw.previous_published_run").fetchall() == [(NOV[4],)]
        assert con.execute("SELECT application_ref, band FROM raw.previous_published_bands ORDER BY 1").fetchall() == [
            ("A", "band_two"), ("B", "band_four")]
        assert copy_previous_night(con, published, NOV[3]) is None
        assert con.execute("SELECT previous_as_of FROM raw.previous_published_run").fetchall() == [(None,)]
        assert con.execute("SELECT count(*) FROM raw.previous_published_bands").fetchone()[0] == 0


@pytest.mark.parametrize("broken, check", [
    ("UPDATE pub.history.published_bands SET first_as_of = DATE '2026-11-04' WHERE application_ref = 'A' "
     "AND last_as_of = DATE '2026-11-05'", "no_overlapping_stretches"),
    ("UPDATE pub.history.published_bands SET band = 'band_one' WHERE last_as_of = DATE '2026-11-05'",
     "newest_stretch_is_tonight"),
    ("DELETE FROM pub.history.published_bands WHERE last_as_of = DATE '2026-11-05'", "newest_stretch_is_tonight"),
])
def test_the_history_checks_fail_on_a_broken_history(tmp_path, broken, check):
    published = _published_file(tmp_path / "p.duckdb", [NOV[4]], [("A", "band_two", NOV[4], NOV[4])])
    build, marts = _tonight(tmp_path, {"A": "band_three"})
    write_history(marts, build, published, NOV[5])
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{marts}' AS pub")
        con.execute(broken)
    failures = check_history(marts, NOV[5])
    assert failures[check] and not any(v for k, v in failures.items() if k != check)


def test_the_history_asset_runs_after_dbt_and_before_publishing_with_blocking_checks():
    from dagster import AssetKey

    from dagster_project.definitions import defs

    graph = defs.resolve_asset_graph()
    history = AssetKey(["history", "published_bands"])
    assert {AssetKey(["marts", "applicant_bands"]), AssetKey(["intermediate", "int_history__extract_fields"])} <= \
        graph.get(history).parent_keys
    assert history in graph.get(AssetKey("published_database")).parent_keys
    checks = {k.name: graph.get_check_spec(k) for k in graph.asset_check_keys if k.asset_key == history}
    assert set(checks) == {"no_overlapping_stretches", "newest_stretch_is_tonight"}
    assert all(spec.blocking for spec in checks.values())
    assert AssetKey(["marts", "changes_since_last_run"]) in graph.get_all_asset_keys()
