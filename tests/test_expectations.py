"""The expectation suites (expectations/*.json) that gate publishing.

One build database from a small generated extract is made once per session (load + dbt build
of everything the validation models need). Every suite must pass on it. Then each blocking
invariant is broken on a copy (the marts, or the extract behind the W5 recomputation), the
validation models are rebuilt from dbt's compiled SQL (as a dbt run would), and run_suites
must report that very expectation failed, with failing rows in its message. The suite files
are Great Expectations' own suite JSON: each must read back into GX's ExpectationSuite unchanged,
and a malformed one is refused with a message naming the file.
"""
import dataclasses
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
from dagster_project.project import DBT_EXECUTABLE
from dagster_project.validation import load_suites, render_data_docs, run_suites, save_results, store_results
from dagster_project.validation.suites import SuiteError, load_suite

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
        [DBT_EXECUTABLE, "build", "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target),
         "--log-path", str(tmp / "logs"), "--select", "+path:models/validation", "+path:models/intermediate/policy",
         "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"],
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


# The D9 finding added to a compliant request with no appeal, in the audit and in the quarterly
# review alike: exactly one expectation (D9) fails.
OVERDUE_FINDING_IN_AUDIT = (
    "UPDATE marts.discretionary_quarterly_review SET findings = ['appeal_review_overdue'], compliant = false "
    "WHERE request_id = (SELECT min(request_id) FROM marts.discretionary_audit WHERE compliant); "
    "UPDATE marts.discretionary_audit SET findings = ['appeal_review_overdue'], compliant = false "
    "WHERE request_id = (SELECT min(request_id) FROM marts.discretionary_audit WHERE compliant)")


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


@pytest.mark.parametrize("name", sorted(SUITES))
def test_suite_file_round_trips_through_gx_expectation_suite(name):
    """The file is what GX writes for this suite: GX reads it into its own ExpectationSuite and
    writes it back unchanged (bar the GX version it stamps), with the expectations this project runs."""
    import great_expectations as gx

    path = EXPECTATIONS_DIR / f"{name}.json"
    raw = json.loads(path.read_text())
    gx_suite = gx.ExpectationSuite(**raw)
    written = gx_suite.to_json_dict()
    written["meta"].pop("great_expectations_version")
    raw["meta"].pop("great_expectations_version", None)
    assert written == raw
    ours = load_suite(path)
    assert gx_suite.name == ours.name
    assert [(e.expectation_type, e.configuration.kwargs) for e in gx_suite.expectations] == \
        [(e.type, e.kwargs) for e in ours.expectations]
    assert [(e.meta["rule"], e.meta["description"], e.severity.value) for e in gx_suite.expectations] == \
        [(e.rule, e.description, {"blocking": "critical", "warning": "warning"}[e.severity])
         for e in ours.expectations]


def _broken_suite(tmp_path, change) -> Path:
    """A copy of the shortlists suite with one thing wrong, as a file of the same name."""
    raw = json.loads((EXPECTATIONS_DIR / "shortlists.json").read_text())
    change(raw)
    path = tmp_path / "shortlists.json"
    path.write_text(json.dumps(raw))
    return path


def _expectation(raw) -> dict:
    return raw["expectations"][0]


MALFORMED = {
    "old layout": (lambda raw: raw.update(asset=raw["meta"].pop("allocations")["asset"]),
                   "asset belong under meta.allocations"),
    "no allocations": (lambda raw: raw["meta"].pop("allocations"), "meta.allocations is required"),
    "unknown key": (lambda raw: raw.update(checks=[]), "checks not a key of a GX ExpectationSuite"),
    "name": (lambda raw: raw.update(name="other"), "name 'other' must match the file name"),
    "asset": (lambda raw: raw["meta"]["allocations"].update(asset="marts.shortlists"), "allocations.asset"),
    "no sql": (lambda raw: raw["meta"]["allocations"]["data"].pop("sql"), "meta.allocations.data.sql"),
    "type": (lambda raw: _expectation(raw).update(type="column_values_in_set"), "expectation 1: needs a 'type'"),
    "severity": (lambda raw: _expectation(raw)["meta"].update(severity="fatal"), "meta.severity must be one of"),
    "gx severity": (lambda raw: _expectation(raw).update(severity="warning"),
                    "severity 'warning' (GX's) contradicts meta.severity 'blocking'"),
    "no rule": (lambda raw: _expectation(raw)["meta"].pop("rule"), "meta.rule must name the rule"),
    "bad rule": (lambda raw: _expectation(raw)["meta"].update(rule="W4, 7"), "(got 'W4, 7')"),
    "no description": (lambda raw: _expectation(raw)["meta"].pop("description"), "meta.description is required"),
    "string condition": (lambda raw: _expectation(raw)["kwargs"].update(row_condition='band == "transfer"'),
                         "row_condition must be a GX Condition"),
    "parameter": (lambda raw: _expectation(raw)["kwargs"].update(value_set={"$PARAMETER": "allowed"}),
                  "no query in meta.allocations.parameters for allowed"),
    "duplicate": (lambda raw: raw["expectations"].append(_expectation(raw)), "must differ by type, columns"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_suite_file_is_refused_with_its_name(tmp_path, case):
    change, message = MALFORMED[case]
    path = _broken_suite(tmp_path, change)
    with pytest.raises(SuiteError) as refused:
        load_suite(path)
    assert str(refused.value).startswith("shortlists.json: ") and message in str(refused.value)


def test_an_unchanged_copy_of_a_suite_loads(tmp_path):
    """The control for the malformed cases: the copy they start from is accepted as it is."""
    copy = _broken_suite(tmp_path, lambda raw: None)
    assert load_suite(copy) == dataclasses.replace(load_suite(EXPECTATIONS_DIR / "shortlists.json"), path=copy)


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


# (suite, statements that break one invariant, the expectation that must fail, text in its examples).
# Only the cross-mart reconciliations and policy-level checks are suites; the row-level rules are
# dbt data tests, broken one by one in tests/test_dbt_project.py (expectations/README.md).
BROKEN = {
    "financially ineligible applicant left in band two": (
        "applicant_bands",
        ["UPDATE raw.applications SET gross_annual_income = 250000 "
         "WHERE application_ref = (SELECT min(application_ref) FROM marts.applicant_bands WHERE band = 'band_two')"],
        "expect_column_pair_values_to_be_equal(in_band_four_financial, expected_band_four_financial)",
        "expected_band_four_financial=True"),
    "excluded applicant still on the register": (
        "bidding_restrictions",
        ["UPDATE marts.bidding_restrictions SET restriction = 'unacceptable_behaviour', active = true, "
         "starts_on = DATE '2026-01-01', ends_on = DATE '2028-01-01' WHERE application_ref = "
         "(SELECT min(application_ref) FROM marts.bidding_restrictions WHERE application_ref IN "
         "(SELECT application_ref FROM marts.applicant_bands WHERE on_register))"],
        "expect_column_pair_values_to_be_equal(on_register, expected_on_register)", "on_register=True"),
    "off the register with no restriction": (
        "bidding_restrictions",
        ["UPDATE marts.applicant_bands SET on_register = false, can_bid = false WHERE application_ref = "
         "(SELECT min(application_ref) FROM marts.applicant_bands WHERE can_bid)"],
        "expect_column_pair_values_to_be_equal(on_register, expected_on_register)", "expected_on_register=True"),
    "applicant with an active bidding restriction able to bid": (
        "bidding_restrictions",
        ["UPDATE marts.applicant_bands SET on_register = true, can_bid = true WHERE application_ref = "
         "(SELECT min(application_ref) FROM marts.bidding_restrictions WHERE active "
         "AND restriction IN ('housing_debt', 'refusals'))"],
        "expect_column_pair_values_to_be_equal(can_bid, expected_can_bid)", "can_bid=True"),
    "rows read not loaded or quarantined": (
        "load",
        ["UPDATE audit.load_counts SET rows_read = rows_read + 1 WHERE file_name = 'bids'"],
        "expect_column_pair_values_to_be_equal(rows_read, rows_accounted)", "file_name=bids"),
    "applicant who cannot bid holds a position": (
        "shortlists",
        ["UPDATE marts.applicant_bands SET can_bid = false WHERE application_ref = "
         # applicant_bands is as of D: the shortlists assessed on D (adverts open on D) are held to it
         "(SELECT min(application_ref) FROM marts.shortlists WHERE position = 1 "
         "AND assessed_on = (SELECT max(assessed_on) FROM marts.shortlists) AND (advert_id, application_ref) "
         "NOT IN (SELECT advert_id, application_ref FROM staging.stg_register__offers WHERE outcome = 'accepted' "
         "AND advert_id IS NOT NULL))"],
        "expect_column_values_to_be_in_set(applicant_can_bid) where accepted_offer_on_advert == False",
        "applicant_can_bid=False"),
    "winner position not the shortlist position": (
        "lettings_audit",
        ["UPDATE marts.lettings_audit SET winner_position = coalesce(winner_position, 0) + 1000 "
         "WHERE advert_id = (SELECT min(advert_id) FROM marts.lettings_audit)"],
        "expect_column_values_to_be_in_set(position_matches_shortlist)",
        "position_matches_shortlist=False"),
    "overdue appeal finding without an overdue appeal": (
        "discretionary_audit",
        [OVERDUE_FINDING_IN_AUDIT],
        "expect_column_pair_values_to_be_equal(finding_appeal_review_overdue, appeal_overdue)",
        "finding_appeal_review_overdue=True"),
    "quarterly review with findings other than the audit's": (
        "discretionary_audit",
        ["UPDATE marts.discretionary_quarterly_review SET findings = ['self_approved'] "
         "WHERE request_id = (SELECT min(request_id) FROM marts.discretionary_quarterly_review)"],
        "expect_column_values_to_be_in_set(review_findings_match)", "review_findings_match=False"),
    "allocation missing from the quarterly review": (
        "discretionary_audit",
        ["DELETE FROM marts.discretionary_quarterly_review "
         "WHERE request_id = (SELECT min(request_id) FROM marts.discretionary_quarterly_review)"],
        "expect_column_pair_values_to_be_equal(in_quarterly_review, has_offer)", "has_offer=True"),
    "let missing from the published lettings results": (
        "lettings_results",
        ["DELETE FROM marts.lettings_results WHERE advert_id = (SELECT min(advert_id) FROM marts.lettings_results)"],
        "expect_column_values_to_be_in_set(rows_match_lettings_audit)", "rows_match_lettings_audit=False"),
    "equality count of the register off applicant_bands": (
        "equality_outcomes",
        ["UPDATE intermediate.int_equality_households SET on_register = false WHERE application_ref = "
         "(SELECT min(application_ref) FROM intermediate.int_equality_households WHERE on_register)"],
        "expect_column_values_to_be_in_set(register_matches_applicant_bands)", "register_matches_applicant_bands=False"),
    "published equality cell larger than the register": (
        "equality_outcomes",
        ["UPDATE marts.equality_outcomes SET households = households + 100 WHERE characteristic = 'sex' "
         "AND measure = 'on_register' AND NOT suppressed"],
        "expect_column_values_to_be_in_set(published_cells_reconcile)", "published_cells_reconcile=False"),
    "LAHS cell dropped from the register total": (
        "lahs_waiting_list",
        ["DELETE FROM marts.lahs_waiting_list WHERE measure = 'households_on_register' AND households > 0 "
         "AND application_type = 'register' AND bedroom_need = 1"],
        "expect_column_pair_values_to_be_equal(published_on_register, households_on_register)",
        "households_on_register="),
    "LAHS household in two categories counted twice": (
        "lahs_waiting_list",
        ["UPDATE marts.lahs_waiting_list SET households = households + 1 WHERE measure = 'any_reasonable_preference' "
         "AND application_type = 'register' AND bedroom_need = 1"],
        "expect_column_pair_values_to_be_equal(published_any_preference, households_any_preference)",
        "households_any_preference="),
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
    database = corrupt(good_build, tmp_path, OVERDUE_FINDING_IN_AUDIT)
    results = run_suites(database, RUN_ID, ["discretionary_audit", "load"])
    run_folder = tmp_path / "run"
    save_results(run_folder, results)
    save_results(run_folder, results[:1])  # a retried check replaces its suite's file
    with duckdb.connect(str(database)) as con:
        assert store_results(con, "audit.expectation_results", run_folder, RUN_ID) == \
            sum(len(r.expectations) for r in results)
        rows = con.execute("SELECT suite, expectation, severity, success, observed_value, failing_examples, "
                           "validated_at FROM audit.expectation_results WHERE run_id = ? AND NOT success",
                           [RUN_ID]).fetchall()
        total = con.execute("SELECT count(*) FROM audit.expectation_results").fetchone()[0]
    assert total == sum(len(r.expectations) for r in results)
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("discretionary_audit", "expect_column_pair_values_to_be_equal(finding_appeal_review_overdue, appeal_overdue)",
         "blocking", False)]
    assert "1 requests" in rows[0][4] and "finding_appeal_review_overdue=True" in rows[0][5]
    index = render_data_docs(results, tmp_path / "docs")
    text = index.read_text()
    assert "discretionary_audit" in text and "1 blocking expectation(s) failed" in text
    assert (tmp_path / "docs" / "discretionary_audit.html").stat().st_size > 1000


def test_check_result_blocks_on_blocking_failures_only(good_build, tmp_path):
    from dagster import AssetCheckSeverity

    from dagster_project.validation.checks import build_mart_checks, check_result, load_check_spec

    specs = [load_check_spec(), *build_mart_checks().check_specs]
    assert {(s.asset_key.path[-1], s.name) for s in specs} == {
        (s.asset[-1], f"expectations_{s.name}") for s in load_suites()}
    assert all(spec.blocking for spec in specs)
    database = corrupt(good_build, tmp_path, OVERDUE_FINDING_IN_AUDIT)
    [failing] = run_suites(database, RUN_ID, ["discretionary_audit"])
    outcome = check_result(failing)
    assert not outcome.passed and outcome.severity == AssetCheckSeverity.ERROR
    assert "appeal_review_overdue exactly when one of the request's appeals is overdue" in outcome.description
    [passing] = run_suites(good_build[0], RUN_ID, ["discretionary_audit"])
    assert check_result(passing).passed
