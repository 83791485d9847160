"""The expectation suites (expectations/*.json) that gate publishing.

One build database from a small generated extract is made once per session (load + dbt build
of everything the validation models need). Every suite must pass on it. Then each blocking
invariant is broken on a copy (the marts, or the extract behind the W5 recomputation), the
validation models are rebuilt from dbt's compiled SQL (as a dbt run would), and run_suites
must report that very expectation failed, with failing rows in its message.
"""
import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from dagster_project.ingest.loader import load_extract
from dagster_project.paths import DBT_PROJECT_DIR, EXPECTATIONS_DIR
from dagster_project.project import dbt_executable
from dagster_project.validation import load_suites, render_data_docs, run_suites, store_results

AS_OF = dt.date(2026, 11, 4)
RUN_ID = "expectations-test"
SUITES = {p.stem for p in EXPECTATIONS_DIR.glob("*.json")}


@pytest.fixture(scope="session")
def good_build(tmp_path_factory):
    """(database, compiled validation SQL in dependency order) for a correct run."""
    from dagster_project.generator import generate_extract

    tmp = tmp_path_factory.mktemp("expectations")
    extract = tmp / "extract"
    generate_extract(extract, applications=600, seed=11, as_of=AS_OF)
    database = tmp / "build.duckdb"
    with duckdb.connect(str(database)) as con:
        load_extract(con, extract, RUN_ID)
        # What the ingestion asset records; the load suite reads the as-of date from it.
        con.execute("CREATE TABLE audit.runs (run_id VARCHAR, as_of_date DATE)")
        con.execute("INSERT INTO audit.runs VALUES (?, ?)", [RUN_ID, AS_OF])
        con.execute("CREATE TABLE raw.run_parameters AS SELECT CAST(? AS DATE) AS as_of_date", [AS_OF])
    env = {**os.environ, "ALLOCATIONS_BUILD_DB": str(database), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    target = tmp / "target"
    result = subprocess.run(
        [dbt_executable(), "build", "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target),
         "--log-path", str(tmp / "logs"), "--select", "+path:models/validation", "+path:models/intermediate/policy",
         "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test",
         "--vars", json.dumps({"as_of_date": AS_OF.isoformat()})],
        cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
    return database, _validation_sql(target)


def _validation_sql(target: Path) -> list[tuple[str, str]]:
    """(model, compiled select) of every validation model, upstream ones first."""
    manifest = json.loads((target / "manifest.json").read_text())
    nodes = {uid: n for uid, n in manifest["nodes"].items()
             if n["resource_type"] == "model" and n["config"].get("schema") == "validation"}
    ordered: list[str] = []

    def visit(uid):
        if uid in ordered:
            return
        for dep in nodes[uid]["depends_on"]["nodes"]:
            if dep in nodes:
                visit(dep)
        ordered.append(uid)

    for uid in sorted(nodes):
        visit(uid)
    return [(nodes[uid]["name"], (target / "compiled" / "allocations" / nodes[uid]["original_file_path"]).read_text())
            for uid in ordered]


def corrupt(good_build, tmp_path, *statements) -> Path:
    """A copy of the good database with the statements applied and the validation models rebuilt.

    The marts are in their own file, attached as catalog `published` (dbt/profiles.yml): the
    statements name them `marts.<table>`, found through the search path."""
    database, models = good_build
    copy = tmp_path / database.name  # same name: compiled SQL qualifies tables with the catalog name
    shutil.copy(database, copy)
    marts = copy.with_name(copy.name + ".marts.duckdb")  # the profile's default beside the build
    shutil.copy(database.with_name(database.name + ".marts.duckdb"), marts)
    with duckdb.connect(str(copy)) as con:
        con.execute(f"ATTACH '{marts}' AS published")
        con.execute(f"SET search_path = '{copy.stem}.main,published.marts'")
        for sql in statements:
            con.execute(sql)
        for name, sql in models:
            con.execute(f"CREATE OR REPLACE TABLE validation.{name} AS {sql}")
    return copy


def results_by_label(database, suite):
    [result] = run_suites(database, RUN_ID, [suite])
    return result, {e.expectation: e for e in result.expectations}


# ---------------------------------------------------------------------------------------------
def test_suite_files_are_valid_and_every_expectation_is_a_gx_class():
    from great_expectations.expectations.registry import get_expectation_impl

    suites = load_suites()
    assert {s.name for s in suites} >= {"applicant_bands", "bidding_restrictions", "discretionary_audit", "load"}
    for suite in suites:
        assert suite.expectations, suite.name
        assert any(e.severity == "blocking" for e in suite.expectations), suite.name
        for e in suite.expectations:
            get_expectation_impl(e.type)(**e.kwargs)  # GX rejects unknown types and bad arguments
            for value in e.kwargs.values():
                if isinstance(value, dict) and "$PARAMETER" in value:
                    assert value["$PARAMETER"] in suite.parameters, (suite.name, e.label)


def test_load_suite_covers_every_contract_file():
    from dagster_project.ingest import contract

    [load] = load_suites(names=["load"])
    listed = duckdb.sql(load.parameters["contract_files"]["sql"]).fetchall()
    assert sorted(r[0] for r in listed) == sorted(f.name for f in contract.FILES)
    assert any(e.kwargs.get("value") == len(contract.FILES) for e in load.expectations)


def test_every_suite_passes_on_a_correct_build(good_build):
    database, _ = good_build
    results = run_suites(database, RUN_ID)
    assert {r.suite for r in results} == SUITES
    failed = [e.line() for r in results for e in r.expectations if not e.success]
    assert not failed, "\n".join(failed)
    assert all(r.passed for r in results)
    # The frames GX sees are profiles, not the marts: small whatever the size of the register.
    assert all(r.rows_validated < 1_000 for r in results)


# (suite, statements that break one invariant, the expectation that must fail, text in its examples)
BROKEN = {
    "duplicated applicant_bands row": (
        "applicant_bands",
        ["INSERT INTO marts.applicant_bands SELECT * FROM marts.applicant_bands "
         "WHERE application_ref = (SELECT min(application_ref) FROM marts.applicant_bands)"],
        "expect_column_values_to_be_in_set(copies)", "copies=2"),
    "active application missing from applicant_bands": (
        "applicant_bands",
        ["DELETE FROM marts.applicant_bands WHERE application_ref = (SELECT max(application_ref) FROM marts.applicant_bands)"],
        "expect_column_values_to_be_in_set(copies)", "copies=0"),
    "band outside its set": (
        "applicant_bands",
        ["UPDATE marts.applicant_bands SET band = 'band_five' "
         "WHERE application_ref = (SELECT min(application_ref) FROM marts.applicant_bands WHERE band = 'band_four')"],
        "expect_column_values_to_be_in_set(band)", "band=band_five"),
    "category outside the catalogue": (
        "applicant_bands",
        ["UPDATE marts.applicant_bands SET category = 'rough_sleeping' "
         "WHERE application_ref = (SELECT min(application_ref) FROM marts.applicant_bands WHERE band = 'band_two')"],
        "expect_column_values_to_be_in_set(category)", "rough_sleeping"),
    "transfer category outside the transfer band": (
        "applicant_bands",
        ["UPDATE marts.applicant_bands SET transfer_category = 'other' "
         "WHERE application_ref = (SELECT min(application_ref) FROM marts.applicant_bands WHERE band = 'band_four')"],
        "expect_column_values_to_be_null(transfer_category) where band != 'transfer'", "transfer_category=other"),
    "multiple need in band one": (
        "applicant_bands",
        ["UPDATE marts.applicant_bands SET multiple_need = true, category = 'multiple_need' "
         "WHERE application_ref = (SELECT min(application_ref) FROM marts.applicant_bands WHERE band = 'band_one')"],
        "expect_column_values_to_be_in_set(band) where multiple_need == True", "band=band_one"),
    "need category in the wrong band": (
        "applicant_bands",
        ["UPDATE marts.applicant_bands SET category = 'medical_low' "
         "WHERE application_ref = (SELECT min(application_ref) FROM marts.applicant_bands WHERE band = 'band_one')"],
        "expect_column_pair_values_to_be_equal(band, category_catalogue_band) where (band in "
        "['band_one', 'band_two', 'band_three'] and category != 'multiple_need')", "category_catalogue_band=band_three"),
    "band_date before registration": (
        "applicant_bands",
        ["UPDATE marts.applicant_bands SET band_date = DATE '1990-01-01' "
         "WHERE application_ref = (SELECT min(application_ref) FROM marts.applicant_bands)"],
        "expect_column_values_to_be_in_set(band_date_before_registration)", "band_date_before_registration=True"),
    "can bid while off the register": (
        "applicant_bands",
        ["UPDATE marts.applicant_bands SET on_register = false "
         "WHERE application_ref = (SELECT min(application_ref) FROM marts.applicant_bands WHERE can_bid)"],
        "expect_column_values_to_be_in_set(on_register) where can_bid == True", "on_register=False"),
    "financially ineligible applicant left in band two": (
        "applicant_bands",
        ["UPDATE raw.applications SET gross_annual_income = 250000 "
         "WHERE application_ref = (SELECT min(application_ref) FROM marts.applicant_bands WHERE band = 'band_two')"],
        "expect_column_pair_values_to_be_equal(in_band_four_financial, expected_band_four_financial) "
        "where in_mart == True",
        "expected_band_four_financial=True"),
    "restriction outside its set": (
        "bidding_restrictions",
        ["UPDATE marts.bidding_restrictions SET restriction = 'rent_arrears' "
         "WHERE application_ref = (SELECT min(application_ref) FROM marts.bidding_restrictions)"],
        "expect_column_values_to_be_in_set(restriction)", "restriction=rent_arrears"),
    "restriction ending before it starts": (
        "bidding_restrictions",
        ["UPDATE marts.bidding_restrictions SET ends_on = starts_on - 1, active = false "
         "WHERE application_ref = (SELECT min(application_ref) FROM marts.bidding_restrictions)"],
        "expect_column_values_to_be_in_set(ends_not_after_start)", "ends_not_after_start=True"),
    "active restriction outside its dates": (
        "bidding_restrictions",
        ["UPDATE marts.bidding_restrictions SET starts_on = DATE '2027-01-01', ends_on = NULL "
         "WHERE application_ref = (SELECT min(application_ref) FROM marts.bidding_restrictions WHERE active)"],
        "expect_column_values_to_be_in_set(active_outside_dates)", "active_outside_dates=True"),
    "excluded applicant still on the register": (
        "bidding_restrictions",
        ["UPDATE marts.bidding_restrictions SET restriction = 'unacceptable_behaviour', active = true, "
         "starts_on = DATE '2026-01-01', ends_on = DATE '2028-01-01' WHERE application_ref = "
         "(SELECT min(application_ref) FROM marts.bidding_restrictions WHERE application_ref IN "
         "(SELECT application_ref FROM marts.applicant_bands WHERE on_register))"],
        "expect_column_values_to_be_in_set(on_register) where (active == True and restriction in "
        "['unacceptable_behaviour', 'twelve_month_rule'])", "on_register=True"),
    "compliant with findings": (
        "discretionary_audit",
        ["UPDATE marts.discretionary_audit SET findings = ['self_approved'] "
         "WHERE request_id = (SELECT min(request_id) FROM marts.discretionary_audit WHERE compliant)"],
        "expect_column_pair_values_to_be_equal(compliant, no_findings) where in_mart == True", "compliant=True"),
    "findings NULL": (
        "discretionary_audit",
        ["UPDATE marts.discretionary_audit SET findings = NULL "
         "WHERE request_id = (SELECT min(request_id) FROM marts.discretionary_audit)"],
        "expect_column_values_to_be_in_set(findings_missing) where in_mart == True", "findings_missing=True"),
    "rows read not loaded or quarantined": (
        "load",
        ["UPDATE audit.load_counts SET rows_read = rows_read + 1 WHERE file_name = 'bids'"],
        "expect_column_pair_values_to_be_equal(rows_read, rows_accounted)", "file_name=bids"),
    "shortlist position repeated": (
        "shortlists",
        ["UPDATE marts.shortlists SET position = 1 WHERE bid_id = (SELECT min(bid_id) FROM marts.shortlists "
         "WHERE position = 2)"],
        "expect_column_values_to_be_in_set(position_out_of_sequence)", "position_out_of_sequence=True"),
    "shortlist position gap": (
        "shortlists",
        ["UPDATE marts.shortlists SET position = position + 1 WHERE advert_id = (SELECT min(advert_id) "
         "FROM marts.shortlists WHERE position = 2) AND position >= 2"],
        "expect_column_values_to_be_in_set(position_out_of_sequence)", "position_out_of_sequence=True"),
    "eligible bid with a reason": (
        "shortlists",
        ["UPDATE marts.shortlists SET ineligible_reasons = ['bedroom_size'] "
         "WHERE bid_id = (SELECT min(bid_id) FROM marts.shortlists WHERE eligible)"],
        "expect_column_values_to_be_in_set(has_reasons) where eligible == True", "has_reasons=True"),
    "ineligible bid with a position": (
        "shortlists",
        ["UPDATE marts.shortlists SET position = 999 "
         "WHERE bid_id = (SELECT min(bid_id) FROM marts.shortlists WHERE NOT eligible)"],
        "expect_column_pair_values_to_be_equal(eligible, has_position)", "has_position=True"),
    "bid listed twice": (
        "shortlists",
        ["INSERT INTO marts.shortlists SELECT * FROM marts.shortlists "
         "WHERE bid_id = (SELECT min(bid_id) FROM marts.shortlists WHERE NOT eligible)"],
        "expect_column_values_to_be_in_set(copies)", "copies=2"),
    "bid missing from the shortlist": (
        "shortlists",
        ["DELETE FROM marts.shortlists WHERE bid_id = (SELECT max(bid_id) FROM marts.shortlists WHERE NOT eligible)"],
        "expect_column_values_to_be_in_set(copies)", "copies=0"),
    "bid moved to another advert": (
        "shortlists",
        ["UPDATE marts.shortlists SET advert_id = (SELECT max(advert_id) FROM marts.shortlists) "
         "WHERE bid_id = (SELECT min(bid_id) FROM marts.shortlists WHERE NOT eligible AND advert_id <> "
         "(SELECT max(advert_id) FROM marts.shortlists))"],
        "expect_column_values_to_be_in_set(in_extract)", "in_extract=False"),
    "applicant who cannot bid holds a position": (
        "shortlists",
        ["UPDATE marts.applicant_bands SET can_bid = false WHERE application_ref = "
         # applicant_bands is as of D: the shortlists assessed on D (adverts open on D) are held to it
         "(SELECT min(application_ref) FROM marts.shortlists WHERE position = 1 "
         "AND assessed_on = (SELECT max(assessed_on) FROM marts.shortlists) AND (advert_id, application_ref) "
         "NOT IN (SELECT advert_id, application_ref FROM staging.stg_register__offers WHERE outcome = 'accepted' "
         "AND advert_id IS NOT NULL))"],
        "expect_column_values_to_be_in_set(applicant_can_bid) where (has_position == True and "
        "accepted_offer_on_advert == False)",
        "applicant_can_bid=False"),
    "priority group decreasing down the shortlist": (
        "shortlists",
        ["UPDATE marts.shortlists SET priority_group = 0 WHERE bid_id = (SELECT min(bid_id) FROM marts.shortlists "
         "WHERE position = 2)"],
        "expect_column_values_to_be_in_set(priority_decreases)", "priority_decreases=True"),
    "winner position not the shortlist position": (
        "lettings_audit",
        ["UPDATE marts.lettings_audit SET winner_position = coalesce(winner_position, 0) + 1000 "
         "WHERE advert_id = (SELECT min(advert_id) FROM marts.lettings_audit)"],
        "expect_column_values_to_be_in_set(position_matches_shortlist) where in_mart == True",
        "position_matches_shortlist=False"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_invariant_fails_its_expectation(good_build, tmp_path, case):
    suite, statements, label, example = BROKEN[case]
    if suite not in SUITES:
        pytest.skip(f"suite {suite} not written yet")
    database = corrupt(good_build, tmp_path, *statements)
    result, by_label = results_by_label(database, suite)
    assert label in by_label, f"{label} not in {sorted(by_label)}"
    failed = by_label[label]
    assert not failed.success, failed
    assert failed.severity == "blocking"
    assert example in failed.failing_examples, failed.failing_examples
    assert not result.passed
    assert label in result.describe() and suite in result.describe()


def test_a_high_quarantine_share_is_a_warning_not_a_failure(good_build, tmp_path):
    database = corrupt(
        good_build, tmp_path,
        "INSERT INTO audit.quarantine SELECT {run_id!r}, 'staff', 1000 + i, 'x', 'bad' FROM range(50) t(i)"
        .format(run_id=RUN_ID),
        "UPDATE audit.load_counts SET rows_read = rows_read + 50, rows_quarantined = rows_quarantined + 50 "
        "WHERE file_name = 'staff'")
    result, by_label = results_by_label(database, "load")
    warning = by_label["expect_column_values_to_be_between(quarantine_share)"]
    assert not warning.success and warning.severity == "warning"
    assert "file_name=staff" in warning.failing_examples
    assert result.passed and result.warnings == [warning]


def test_a_missing_validation_model_fails_the_suite_with_the_query_error(good_build, tmp_path):
    database = corrupt(good_build, tmp_path)
    with duckdb.connect(str(database)) as con:
        con.execute("DROP TABLE validation.val_bidding_restrictions")
    [result] = run_suites(database, RUN_ID, ["bidding_restrictions"])
    assert not result.passed
    assert "val_bidding_restrictions" in result.blocking_failures[0].observed_value


def test_results_are_stored_and_rendered(good_build, tmp_path):
    database = corrupt(good_build, tmp_path, "UPDATE marts.discretionary_audit SET findings = ['self_approved'] "
                                             "WHERE request_id = (SELECT min(request_id) FROM marts.discretionary_audit "
                                             "WHERE compliant)")
    results = run_suites(database, RUN_ID, ["discretionary_audit", "load"])
    with duckdb.connect(str(database)) as con:
        assert store_results(con, results, RUN_ID) == sum(len(r.expectations) for r in results)
        store_results(con, results, RUN_ID)  # a retried check replaces its rows
        rows = con.execute("SELECT suite, expectation, severity, success, observed_value, failing_examples, "
                           "validated_at FROM audit.expectation_results WHERE run_id = ? AND NOT success",
                           [RUN_ID]).fetchall()
        total = con.execute("SELECT count(*) FROM audit.expectation_results").fetchone()[0]
    assert total == sum(len(r.expectations) for r in results)
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("discretionary_audit", "expect_column_pair_values_to_be_equal(compliant, no_findings) where in_mart == True",
         "blocking", False)]
    assert "1 requests" in rows[0][4] and "compliant=True" in rows[0][5]
    index = render_data_docs(results, tmp_path / "docs")
    text = index.read_text()
    assert "discretionary_audit" in text and "1 blocking failure" in text
    assert (tmp_path / "docs" / "discretionary_audit.html").stat().st_size > 1000


def test_check_result_blocks_on_blocking_failures_only(good_build, tmp_path):
    from dagster import AssetCheckSeverity

    from dagster_project.validation.checks import build_expectation_checks, check_result

    checks = build_expectation_checks()
    keys = {key for c in checks for key in c.check_keys}
    assert {(k.asset_key.path[-1], k.name) for k in keys} >= {
        ("applicant_bands", "expectations_applicant_bands"), ("raw_extract", "expectations_load")}
    assert all(spec.blocking for c in checks for spec in c.check_specs)
    database = corrupt(good_build, tmp_path, "UPDATE marts.discretionary_audit SET findings = ['self_approved'] "
                                             "WHERE request_id = (SELECT min(request_id) FROM marts.discretionary_audit "
                                             "WHERE compliant)")
    [failing] = run_suites(database, RUN_ID, ["discretionary_audit"])
    outcome = check_result(failing)
    assert not outcome.passed and outcome.severity == AssetCheckSeverity.ERROR
    assert "compliant exactly when there are no findings" in outcome.description
    [passing] = run_suites(good_build[0], RUN_ID, ["discretionary_audit"])
    assert check_result(passing).passed
