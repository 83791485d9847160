"""The extract gate before dbt: thresholds read from policy data, checked at their edges."""
import csv
import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest

from dagster_project.ingest.gate import (
    REQUIRED_FILES, SEEDS_DIR, THRESHOLDS_SEED, ExtractGateError, check_extract_gate, read_previous_load_counts,
    thresholds_in_force)
from dagster_project.ingest.loader import ExtractContractError, load_extract
from dagster_project.policy_dates import first_policy_date

from .conftest import MINIMAL, MINIMAL_AS_OF

LENIENT = {name: ("1", "1") for name in REQUIRED_FILES}


@pytest.fixture
def extract(tmp_path) -> Path:
    folder = tmp_path / "extract"
    shutil.copytree(MINIMAL, folder)
    return folder


def _seeds(folder: Path, versions: dict[str, dict[str, tuple[str, str]]]) -> Path:
    """A seeds folder holding only extract_gate_thresholds, one version per effective_from:
    file -> (max_quarantined_share, max_loaded_rows_fall)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{THRESHOLDS_SEED}.csv", "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["effective_from", "file_name", "max_quarantined_share", "max_loaded_rows_fall"])
        for effective_from, files in versions.items():
            for name, (share, fall) in files.items():
                out.writerow([effective_from, name, share, fall])
    return folder


def _gate(folder: Path, seeds: Path, previous=None, accept=False, as_of=MINIMAL_AS_OF):
    con = duckdb.connect()
    load_extract(con, folder, "run")
    return check_extract_gate(con, run_id="run", as_of=as_of, previous_load_counts=previous,
                              accept_volume_change=accept, seeds_dir=seeds)


def _append(folder: Path, name: str, *lines: str) -> None:
    with open(folder / f"{name}.csv", "a", newline="") as f:
        for line in lines:
            f.write(line + "\n")


def test_the_shipped_thresholds_cover_every_required_file_in_every_version():
    with open(SEEDS_DIR / f"{THRESHOLDS_SEED}.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    for version in {r["effective_from"] for r in rows}:
        assert sorted(r["file_name"] for r in rows if r["effective_from"] == version) == sorted(REQUIRED_FILES)
    assert thresholds_in_force(MINIMAL_AS_OF).max_quarantined_share.keys() == set(REQUIRED_FILES)


def test_the_minimal_extract_passes_the_shipped_gate(extract):
    verdict = _gate(extract, SEEDS_DIR, previous={"applications": 6, "bids": 3})
    assert verdict.accepted_volume_changes == []
    assert verdict.files["bids"].rows_loaded == 3


@pytest.mark.parametrize("share, passes", [("0.25", True), ("0.2499", False)])
def test_quarantined_share_at_the_threshold_passes_and_just_past_fails(extract, tmp_path, share, passes):
    # One bad bid of four: exactly 25% of the rows at stake (no file refers to bids).
    _append(extract, "bids", "B00099,EXA,EX02,2026-10-21T09:00:00,bogus")
    seeds = _seeds(tmp_path / "seeds", {"2016-01-01": {**LENIENT, "bids": (share, "1")}})
    if passes:
        assert _gate(extract, seeds).files["bids"].quarantined_own == 1
        return
    with pytest.raises(ExtractGateError) as err:
        _gate(extract, seeds)
    assert str(err.value) == (
        "extract gate: bids.csv: 1 row quarantined on account of its rows (1 of its 4, 0 of other files referring "
        "to them), 25% of the 4 rows at stake, above the 24.99% allowed (extract_gate_thresholds from 2016-01-01)")


def test_cascaded_rows_count_against_the_file_whose_row_caused_them(extract, tmp_path):
    # EX05 with a second applicant: the application, its 2 members, its debt and its bid are
    # quarantined. All 5 count against applications (of the 26 + 1 rows at stake), none against bids.
    _append(extract, "household_members", "EX05,EX05-M9,applicant,1990-01-01,male,")
    applications = _gate(extract, _seeds(tmp_path / "lenient", {"2016-01-01": LENIENT})).files["applications"]
    assert (applications.quarantined_own, applications.quarantined_cascade, applications.rows_at_stake) == (1, 4, 27)
    seeds = _seeds(tmp_path / "seeds", {"2016-01-01": {**LENIENT, "applications": ("0.1851", "1"),
                                                       "bids": ("0", "1"), "household_members": ("0", "1")}})
    with pytest.raises(ExtractGateError, match=r"^extract gate: applications\.csv: 5 rows quarantined .* "
                                               r"18.52% of the 27 rows at stake[^;]*$"):
        _gate(extract, seeds)
    at_the_edge = _seeds(tmp_path / "edge", {"2016-01-01": {**LENIENT, "applications": ("0.1852", "1"),
                                                            "bids": ("0", "1"), "household_members": ("0", "1")}})
    _gate(extract, at_the_edge)  # 5 / 27 = 18.518...%: under 18.52%


@pytest.mark.parametrize("fall, passes", [("0.25", True), ("0.2499", False)])
def test_loaded_rows_fall_at_the_threshold_passes_and_just_past_fails(extract, tmp_path, fall, passes):
    seeds = _seeds(tmp_path / "seeds", {"2016-01-01": {**LENIENT, "applications": ("1", fall)}})
    previous = {"applications": 8, "bids": 3}  # 6 loaded now: a fall of exactly 25%
    if passes:
        assert _gate(extract, seeds, previous).files["applications"].previous_rows_loaded == 8
        return
    with pytest.raises(ExtractGateError) as err:
        _gate(extract, seeds, previous)
    assert str(err.value) == (
        "extract gate: applications.csv: 6 rows loaded against 8 in the last published run, a fall of 25%, above "
        "the 24.99% allowed (extract_gate_thresholds from 2016-01-01); if the change is genuine, run again with "
        "--accept-volume-change")


def test_the_shipped_thresholds_refuse_a_fall_of_applications_past_ten_percent(extract):
    with pytest.raises(ExtractGateError, match=r"applications\.csv: 6 rows loaded against 7 .* the 10% allowed"):
        _gate(extract, SEEDS_DIR, previous={"applications": 7})
    _gate(extract, SEEDS_DIR, previous={"applications": 6, "bids": 6})  # bids: a fall of exactly 50%
    with pytest.raises(ExtractGateError, match=r"bids\.csv: 3 rows loaded against 7 .* the 50% allowed"):
        _gate(extract, SEEDS_DIR, previous={"bids": 7})


def test_a_person_may_accept_a_volume_change_and_it_is_reported(extract):
    verdict = _gate(extract, SEEDS_DIR, previous={"applications": 7}, accept=True)
    [accepted] = verdict.accepted_volume_changes
    assert accepted.startswith("applications.csv: 6 rows loaded against 7")


def test_a_header_only_required_file_is_refused(extract):
    header = (extract / "applications.csv").read_text().splitlines()[0]
    (extract / "applications.csv").write_text(header + "\n")
    with pytest.raises(ExtractGateError, match=r"^extract gate: applications\.csv has no data rows; ") as err:
        _gate(extract, SEEDS_DIR, previous={"applications": 6})
    assert "\n" not in str(err.value)
    # Accepting the volume change does not publish it: every member, need and bid now refers to
    # no application, which the quarantine threshold refuses.
    with pytest.raises(ExtractGateError, match=r"household_members\.csv: 10 rows quarantined"):
        _gate(extract, SEEDS_DIR, previous={"applications": 6}, accept=True)


def test_a_header_only_file_nothing_refers_to_passes_only_when_accepted(extract):
    header = (extract / "bids.csv").read_text().splitlines()[0]
    (extract / "bids.csv").write_text(header + "\n")
    with pytest.raises(ExtractGateError, match=r"bids\.csv has no data rows; if the change is genuine"):
        _gate(extract, SEEDS_DIR)
    assert _gate(extract, SEEDS_DIR, accept=True).accepted_volume_changes == ["bids.csv has no data rows"]


def test_a_stray_quote_never_reaches_the_gate(extract):
    lines = (extract / "applications.csv").read_text().splitlines()
    lines = [lines[0] + ",name"] + [line + ",Ann" for line in lines[1:]]
    lines[3] = lines[3][: -len("Ann")] + '"Bobby'  # line 4: lines 5 to 7 are applications of their own
    (extract / "applications.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(ExtractContractError, match=r"^applications\.csv: from line 4 .* 3 of them looking like rows"):
        _gate(extract, SEEDS_DIR)


def test_the_version_in_force_on_the_as_of_date_is_used(extract, tmp_path):
    _append(extract, "bids", "B00099,EXA,EX02,2026-10-21T09:00:00,bogus")
    seeds = _seeds(tmp_path / "seeds", {"2016-01-01": {**LENIENT, "bids": ("0.2", "1")},
                                        "2026-11-04": {**LENIENT, "bids": ("0.25", "1")}})
    with pytest.raises(ExtractGateError, match=r"20% allowed \(extract_gate_thresholds from 2016-01-01\)"):
        _gate(extract, seeds, as_of=dt.date(2026, 11, 3))
    assert _gate(extract, seeds, as_of=dt.date(2026, 11, 4)).thresholds_effective_from == dt.date(2026, 11, 4)
    with pytest.raises(ExtractGateError, match=r"no version is in force on 2015-12-31 \(the first takes effect "
                                               r"on 2016-01-01\)"):
        _gate(extract, seeds, as_of=dt.date(2015, 12, 31))


def test_a_version_missing_a_required_file_is_refused(extract, tmp_path):
    seeds = _seeds(tmp_path / "seeds", {"2016-01-01": {n: v for n, v in LENIENT.items() if n != "adverts"}})
    with pytest.raises(ExtractGateError, match=r"version from 2016-01-01 has no row for adverts"):
        _gate(extract, seeds)


def _published(path: Path, runs: list[tuple[str, str, dt.datetime | None]], counts: dict[str, dict[str, int]]):
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA audit")
        con.execute("CREATE TABLE audit.runs (run_id VARCHAR, status VARCHAR, finished_at TIMESTAMP)")
        con.execute("CREATE TABLE audit.load_counts (run_id VARCHAR, file_name VARCHAR, rows_loaded BIGINT)")
        con.executemany("INSERT INTO audit.runs VALUES (?, ?, ?)", runs)
        for run_id, files in counts.items():
            con.executemany("INSERT INTO audit.load_counts VALUES (?, ?, ?)", [[run_id, f, n] for f, n in files.items()])


def test_previous_load_counts_are_the_latest_published_runs(tmp_path):
    path = tmp_path / "allocations.duckdb"
    assert read_previous_load_counts(path) is None
    _published(path, [("old", "published", dt.datetime(2026, 11, 3, 2)), ("new", "published", dt.datetime(2026, 11, 4, 2)),
                      ("failed", "running", None)],
               {"old": {"applications": 2000}, "new": {"applications": 1990, "bids": 27000}, "failed": {"bids": 1}})
    before = path.read_bytes()
    assert read_previous_load_counts(path) == {"applications": 1990, "bids": 27000}
    assert path.read_bytes() == before  # opened read-only


def test_previous_load_counts_of_a_file_with_no_published_run(tmp_path):
    path = tmp_path / "other.duckdb"
    duckdb.connect(str(path)).close()
    assert read_previous_load_counts(path) is None
    _published(path, [("failed", "running", None)], {})
    assert read_previous_load_counts(path) is None


def test_first_policy_date_is_when_every_policy_seed_is_in_force(tmp_path):
    assert first_policy_date() == dt.date(2016, 1, 1)
    (tmp_path / "a.csv").write_text("effective_from,parameter,value\n2016-01-01,x,1\n2018-08-08,x,2\n")
    (tmp_path / "b.csv").write_text("effective_from,code\n2017-04-01,y\n")
    (tmp_path / "not_policy.csv").write_text("code,label\nz,zed\n")
    assert first_policy_date(tmp_path) == dt.date(2017, 4, 1)
