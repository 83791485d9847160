"""`allocations simulate` (outputs-and-cli.md; dagster_project/simulate.py): a proposed policy change
run through the same dbt models beside the policy in force, on the minimal extract
(tests/fixtures/minimal, as of 2026-11-04), whose results are worked out by hand below."""
import datetime as dt
import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from dagster_project.cli import main
from dagster_project.parquet_export import parquet_folder
from dagster_project.simulate import apply_proposal
from dagster_project.simulate_proposal import load_proposal

from .conftest import MINIMAL, MINIMAL_AS_OF, REPO

HEADER = "effective_from,parameter,value,rule,description\n"


def _sha_tree(path: Path) -> dict[str, str]:
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def _proposal(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text)
    return folder


def _simulate(policy: Path, out: Path) -> int:
    return main(["simulate", "--policy", str(policy), "--extracts", str(MINIMAL), "--as-of", MINIMAL_AS_OF.isoformat(),
                 "--out", str(out)])


def test_a_one_row_change_gives_the_hand_computed_transitions_and_leaves_the_published_file(
        minimal_published, tmp_path, capsys):
    """income_single_limit £15,000 instead of £30,000 (W5). The single applicants of the fixture (EX01,
    EX03, EX05, EX06: one household member each) have £18,000 a year, so all four go to band four,
    financial resources, with band date their registration date (2024-01-15); the couples (EX02,
    EX04) stay. On advert EXA (closed 2026-10-27, band one, in the 12 months before D) EX06 was
    first in priority group 1; under the proposal EX06 and EX01 are both band four (group 5) with
    the same band and registration dates, and EX01 bid first (09:00 on 21 October against EX06's
    22 October): EX01 is the top eligible bidder. EX05 still cannot bid (£750 housing debt)."""
    published = tmp_path / "published" / "allocations.duckdb"
    published.parent.mkdir()
    shutil.copy(minimal_published, published)
    shutil.copytree(parquet_folder(minimal_published), parquet_folder(published))
    before = {**_sha_tree(published), **_sha_tree(parquet_folder(published))}
    policy = _proposal(tmp_path / "proposal", "policy_parameters.csv",
                       HEADER + '2027-04-01,income_single_limit,15000,W5,"single income limit"\n')
    out = published.parent / "simulation.duckdb"  # beside the published file: its scratch folder too
    assert _simulate(policy, out) == 0
    assert out.stat().st_mode & 0o777 == 0o600  # it names applicants
    assert {**_sha_tree(published), **_sha_tree(parquet_folder(published))} == before
    assert sorted(p.name for p in published.parent.iterdir()) == ["allocations.duckdb", "allocations.parquet",
                                                                 "simulation.duckdb"]
    with duckdb.connect(str(out), read_only=True) as con:
        assert sorted(con.execute("SELECT from_band, from_category, to_band, to_category, applications, moved "
                                  "FROM band_transitions").fetchall()) == [
            ("band_four", "no_housing_need", "band_four", "financial_resources", 2, True),
            ("band_one", "demolition_regeneration", "band_four", "financial_resources", 1, True),
            ("band_two", "multiple_need", "band_four", "financial_resources", 1, True),
            ("band_two", "overcrowded_bedroom_standard", "band_two", "overcrowded_bedroom_standard", 1, False),
            ("transfer", "under_occupation", "transfer", "under_occupation", 1, False)]
        assert con.execute("SELECT application_ref, to_band_date FROM applications_moved ORDER BY 1").fetchall() == [
            (ref, dt.date(2024, 1, 15)) for ref in ("EX01", "EX03", "EX05", "EX06")]
        assert con.execute("SELECT count(*) FROM bidding_rights").fetchone()[0] == 0
        assert con.execute("SELECT advert_id, in_force_top, proposed_top, changed FROM top_bidders").fetchall() == [
            ("EXA", "EX06", "EX01", True)]
        assert con.execute("SELECT in_force_from, applications_moved, adverts_top_bidder_changed "
                           "FROM simulation").fetchone() == (dt.date(2025, 11, 4), 4, 1)
        assert con.execute("SELECT seed, in_force_row->>'value', proposed_row->>'value' "
                           "FROM proposed_rows").fetchall() == [("policy_parameters", "30000.0", "15000.0")]
    printed = capsys.readouterr().out
    assert "applications: 6, 4 move band or category" in printed and "EXA: EX06 -> EX01" in printed


def test_the_shipped_debt_limit_example_gives_ex05_the_right_to_bid_and_says_why(tmp_path, capsys):
    """examples/policies/housing-debt-limit-1000: EX05 owes £750 of rent arrears (W7), over £500 but
    not over £1,000, so the housing debt restriction ends and EX05 may bid; on EXA it becomes the
    third eligible bid (band four like EX01, who bid earlier), so the top bidder stays EX06."""
    out = tmp_path / "simulation.duckdb"
    assert _simulate(REPO / "examples" / "policies" / "housing-debt-limit-1000", out) == 0
    with duckdb.connect(str(out), read_only=True) as con:
        [(ref, change, why)] = con.execute("SELECT application_ref, change, why FROM bidding_rights").fetchall()
        assert (ref, change) == ("EX05", "gains") and why.startswith("housing_debt no longer applies")
        assert con.execute("SELECT count(*) FROM band_transitions WHERE moved").fetchone()[0] == 0
        assert con.execute("SELECT in_force_top, proposed_top, changed, eligible_bids_in_force, eligible_bids_proposed "
                           "FROM top_bidders").fetchall() == [("EX06", "EX06", False, 2, 3)]
    assert "right to bid: 1 gain, 0 lose" in capsys.readouterr().out


@pytest.mark.parametrize("name, text, message", [
    ("policy_parameters.txt", "x", "policy_parameters.txt is not a policy seed file"),
    ("extract_gate_thresholds.csv", "effective_from,file_name,max_quarantined_share,max_loaded_rows_fall\n",
     "extract_gate_thresholds.csv is not a policy seed file"),
    ("policy_parameters.csv", "effective_from,parameter,value,rule\n2027-04-01,savings_limit,1,W5\n",
     "missing column description"),
    ("policy_parameters.csv", HEADER.replace("\n", ",note\n") + "2027-04-01,savings_limit,1,W5,d,n\n",
     "unknown column note"),
    ("policy_parameters.csv", HEADER + "2027-13-01,savings_limit,1,W5,d\n",
     "policy_parameters.csv line 2: effective_from is not a date"),
    ("policy_parameters.csv", HEADER + "2027-04-01,savings_limit,1,W5,d\n2027-04-01,savings_limit,£20k,W5,d\n",
     "policy_parameters.csv line 3: value is not a number"),
    ("policy_parameters.csv", HEADER + "2027-04-01,saving_limit,20000,W5,d\n",
     "line 2: parameter 'saving_limit' is not one the policy knows"),
    ("need_catalogue.csv", "effective_from,need_code,band,lifts_twelve_month_rule,transfer_category,derived,label\n"
                           "2027-04-01,medical_low,band_five,true,,false,low\n", "band must be"),
    ("policy_parameters.csv", HEADER + "2027-04-01,savings_limit,1,W5,d\n2027-04-01,savings_limit,2,W5,d\n",
     "line 3: a second proposed row for the same parameter"),
    ("policy_parameters.csv", HEADER + "2027-04-01,savings_limit,1,W5,d,stray\n", "not a readable CSV file"),
    ("policy_parameters.csv", HEADER + "01/04/2027,savings_limit,1,W5,d\n",
     "line 2: effective_from is not a date (YYYY-MM-DD)"),
    ("policy_parameters.csv", HEADER + "2018-08-08,savings_limit,16000,W5,"
                              "\"band four when savings and assets exceed this (pounds)\"\n", "no change proposed"),
])
def test_a_malformed_policy_folder_exits_2_with_one_line_before_any_build(tmp_path, capsys, name, text, message):
    policy = _proposal(tmp_path / "proposal", name, text)
    out = tmp_path / "simulation.duckdb"
    assert _simulate(policy, out) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("allocations: error: ") and message in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["proposal"]  # nothing loaded, nothing built


def test_an_empty_policy_folder_and_a_published_database_as_out_are_refused(minimal_published, tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "README.md").write_text("nothing proposed yet")
    assert _simulate(tmp_path / "empty", tmp_path / "simulation.duckdb") == 2
    assert "holds no policy seed file" in capsys.readouterr().err
    policy = REPO / "examples" / "policies" / "income-threshold-35000"
    before = _sha_tree(minimal_published)
    assert _simulate(policy, minimal_published) == 2
    assert "is not the output of a simulation" in capsys.readouterr().err
    assert _sha_tree(minimal_published) == before


def test_the_proposal_replaces_its_rows_in_every_version_from_its_in_force_date(tmp_path):
    """A seed with versions 2016-01-01 and 2018-08-08, D = 2019-01-01, in force from 2018-01-01:
    the 2016 version stays for dates before 2018-01-01; from 2018-01-01 the 2016 rows with the
    proposed row, from 2018-08-08 the 2018 rows with it (W13: each date under its own version)."""
    policy = _proposal(tmp_path / "proposal", "policy_parameters.csv",
                       HEADER + "2030-01-01,savings_limit,20000,W5,more savings\n")
    con = duckdb.connect()
    [seed] = load_proposal(con, policy)
    con.execute("ATTACH ':memory:' AS build")
    con.execute("CREATE SCHEMA build.policy")
    con.execute("CREATE TABLE build.policy.policy_parameters (effective_from DATE, parameter VARCHAR, "
                "value DECIMAL(14,2), rule VARCHAR, description VARCHAR)")
    con.execute("INSERT INTO build.policy.policy_parameters VALUES "
                "('2016-01-01', 'savings_limit', 16000, 'W5', 'old'), ('2016-01-01', 'income_single_limit', 30000, 'W5', 'old'), "
                "('2018-08-08', 'savings_limit', 16000, 'W5', 'new'), ('2018-08-08', 'income_single_limit', 31000, 'W5', 'new')")
    apply_proposal(con, [seed], dt.date(2018, 1, 1), dt.date(2019, 1, 1))
    assert con.execute("SELECT effective_from::VARCHAR, parameter, value::INTEGER FROM build.policy.policy_parameters "
                       "ORDER BY 1, 2").fetchall() == [
        ("2016-01-01", "income_single_limit", 30000), ("2016-01-01", "savings_limit", 16000),
        ("2018-01-01", "income_single_limit", 30000), ("2018-01-01", "savings_limit", 20000),
        ("2018-08-08", "income_single_limit", 31000), ("2018-08-08", "savings_limit", 20000)]


def test_simulate_has_help_with_an_example_and_the_exit_codes(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["simulate", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "example:" in out and "allocations simulate --policy" in out and "exit codes:" in out


def test_the_shipped_examples_are_valid_proposals():
    for folder in sorted((REPO / "examples" / "policies").iterdir()):
        [seed] = load_proposal(duckdb.connect(), folder)
        assert (seed.seed, seed.rows) == ("policy_parameters", 1) and (folder / "README.md").is_file()
