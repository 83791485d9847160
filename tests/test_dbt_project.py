"""`dbt build` with every unit test, data test and model, on a generated extract.

dbt unit tests check each rule on hand-made rows; they are excluded from the nightly run and
run here. The data tests run on a realistic generated extract, which exercises every rule.
"""
import datetime as dt
import json
import os
import shutil
import subprocess

import duckdb
import pytest

from dagster_project.history import copy_previous_night
from dagster_project.ingest.loader import load_extract
from dagster_project.paths import DBT_PROJECT_DIR
from dagster_project.project import DBT_EXECUTABLE

AS_OF = dt.date(2026, 11, 4)


@pytest.fixture(scope="module")
def dbt_build(tmp_path_factory):
    from dagster_project.generator import generate_extract

    tmp = tmp_path_factory.mktemp("dbt")
    extract = tmp / "extract"
    generate_extract(extract, applications=2_000, seed=7, as_of=AS_OF)
    database = tmp / "build.duckdb"
    with duckdb.connect(str(database)) as con:
        report = load_extract(con, extract, "dbt-test")
        # What the ingestion asset writes: the as-of date the models read.
        con.execute("CREATE TABLE raw.run_parameters AS SELECT CAST(? AS DATE) AS as_of_date", [AS_OF])
        copy_previous_night(con, None, AS_OF)  # a first night (tests/test_history.py has the others)
    assert report.rows_quarantined == 0
    env = {**os.environ, "ALLOCATIONS_BUILD_DB": str(database), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    result = subprocess.run(
        [DBT_EXECUTABLE, "build", "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(tmp / "target"),
         "--log-path", str(tmp / "logs")],
        cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True)
    results = json.loads((tmp / "target" / "run_results.json").read_text())["results"]
    return result, results, database


def test_every_unit_test_data_test_and_model_passes(dbt_build):
    result, results, _ = dbt_build
    # Exposures (dbt/models/exposures.yml) are listed with nothing to run.
    failed = [f"{r['unique_id']}: {r['status']} {r.get('message') or ''}" for r in results
              if r["status"] not in ("success", "pass")
              and not (r["unique_id"].startswith("exposure.") and r["status"] == "no-op")]
    assert not failed, "\n".join(failed) + "\n" + result.stdout[-3000:]
    assert result.returncode == 0


def test_unit_tests_ran(dbt_build):
    _, results, _ = dbt_build
    unit_tests = [r for r in results if r["unique_id"].startswith("unit_test.")]
    assert len(unit_tests) >= 50


def test_published_marts_have_enforced_contracts(dbt_build):
    """Every published table has an enforced contract with a type for each column, so dbt refuses
    to build a mart whose columns differ from its YAML (outputs-and-cli.md). The view
    shortlist_explanations is the one exception (why: its SQL); tests/test_examples.py checks
    its published types."""
    _, _, database = dbt_build
    manifest = json.loads((database.parent / "target" / "manifest.json").read_text())
    marts = {n["name"]: n for n in manifest["nodes"].values()
             if n["resource_type"] == "model" and n["fqn"][1] == "marts"}
    assert {"applicant_bands", "bidding_restrictions", "shortlists", "discretionary_audit",
            "lettings_audit", "lettings_results", "lettings_wait_summary", "lahs_waiting_list",
            "equality_outcomes"} <= set(marts)
    unenforced = sorted(name for name, n in marts.items() if not n["config"]["contract"]["enforced"])
    assert unenforced == ["advert_explanations", "applicant_explanations", "shortlist_explanations"]
    untyped = sorted(f"{name}.{c}" for name, n in marts.items() for c, col in n["columns"].items()
                     if not col.get("data_type"))
    assert not untyped
    assert marts["shortlists"]["columns"]["ineligible_reasons"]["data_type"] == "varchar[]"


# The row-level rules whose home is a dbt data test (expectations/README.md): each broken once on a
# copy of the build, and the test's compiled SQL must then return the offending rows.
# (test: a singular test's name, or (generic test, model, column); statements that break it)
MARTS = "published.marts"
DBT_BROKEN = {
    "applicant_bands row repeated": (
        ("unique", "applicant_bands", "application_ref"),
        [f"INSERT INTO {MARTS}.applicant_bands SELECT * FROM {MARTS}.applicant_bands "
         f"WHERE application_ref = (SELECT min(application_ref) FROM {MARTS}.applicant_bands)"]),
    "active application missing from applicant_bands": (
        "assert_applicant_bands__one_row_per_active_application",
        [f"DELETE FROM {MARTS}.applicant_bands WHERE application_ref = (SELECT max(application_ref) FROM {MARTS}.applicant_bands)"]),
    "band outside its set": (
        ("accepted_values", "applicant_bands", "band"),
        [f"UPDATE {MARTS}.applicant_bands SET band = 'band_five' WHERE application_ref = "
         f"(SELECT min(application_ref) FROM {MARTS}.applicant_bands WHERE band = 'band_four')"]),
    "category outside the catalogue": (
        "assert_applicant_bands__category_matches_band",
        [f"UPDATE {MARTS}.applicant_bands SET category = 'rough_sleeping' WHERE application_ref = "
         f"(SELECT min(application_ref) FROM {MARTS}.applicant_bands WHERE band = 'band_two')"]),
    "need category in the wrong band": (
        "assert_applicant_bands__category_matches_band",
        [f"UPDATE {MARTS}.applicant_bands SET category = 'medical_low' WHERE application_ref = "
         f"(SELECT min(application_ref) FROM {MARTS}.applicant_bands WHERE band = 'band_one')"]),
    "transfer category outside the transfer band": (
        "assert_applicant_bands__transfer_category_only_in_transfer_band",
        [f"UPDATE {MARTS}.applicant_bands SET transfer_category = 'other' WHERE application_ref = "
         f"(SELECT min(application_ref) FROM {MARTS}.applicant_bands WHERE band = 'band_four')"]),
    "multiple need in band one": (
        "assert_applicant_bands__multiple_need_only_in_bands_two_three",
        [f"UPDATE {MARTS}.applicant_bands SET multiple_need = true, category = 'multiple_need' WHERE application_ref = "
         f"(SELECT min(application_ref) FROM {MARTS}.applicant_bands WHERE band = 'band_one')"]),
    "band_date before registration": (
        "assert_applicant_bands__band_date_not_before_registration",
        [f"UPDATE {MARTS}.applicant_bands SET band_date = DATE '1990-01-01' "
         f"WHERE application_ref = (SELECT min(application_ref) FROM {MARTS}.applicant_bands)"]),
    "can bid while off the register": (
        "assert_applicant_bands__can_bid_only_on_register",
        [f"UPDATE {MARTS}.applicant_bands SET on_register = false "
         f"WHERE application_ref = (SELECT min(application_ref) FROM {MARTS}.applicant_bands WHERE can_bid)"]),
    "restriction outside its set": (
        ("accepted_values", "bidding_restrictions", "restriction"),
        [f"UPDATE {MARTS}.bidding_restrictions SET restriction = 'rent_arrears' "
         f"WHERE application_ref = (SELECT min(application_ref) FROM {MARTS}.bidding_restrictions)"]),
    "restriction ending before it starts": (
        "assert_int_restriction_periods__ends_after_start",
        ["UPDATE intermediate.int_restriction_periods SET ends_on = starts_on - 1, active = false "
         "WHERE application_ref = (SELECT min(application_ref) FROM intermediate.int_restriction_periods)"]),
    "active restriction outside its dates": (
        "assert_int_restriction_periods__active_within_period",
        ["UPDATE intermediate.int_restriction_periods SET starts_on = DATE '2027-01-01', ends_on = NULL "
         "WHERE application_ref = (SELECT min(application_ref) FROM intermediate.int_restriction_periods WHERE active)"]),
    "compliant with findings": (
        "assert_discretionary_audit__compliant_iff_no_findings",
        [f"UPDATE {MARTS}.discretionary_audit SET findings = ['self_approved'] "
         f"WHERE request_id = (SELECT min(request_id) FROM {MARTS}.discretionary_audit WHERE compliant)"]),
    "findings NULL": (
        "assert_discretionary_audit__compliant_iff_no_findings",
        [f"UPDATE {MARTS}.discretionary_audit SET findings = NULL "
         f"WHERE request_id = (SELECT min(request_id) FROM {MARTS}.discretionary_audit)"]),
    "findings out of the spec's order": (
        "assert_discretionary_audit__finding_codes_in_spec_order",
        [f"UPDATE {MARTS}.discretionary_audit SET findings = ['self_approved', 'initiator_not_housing_staff'], "
         f"finding_details = ['a', 'b'] WHERE request_id = (SELECT min(request_id) FROM {MARTS}.discretionary_audit)"]),
    "approval after the as-of date": (
        "assert_discretionary_audit__approved_on_not_after_as_of",
        [f"UPDATE {MARTS}.discretionary_audit SET approved_on = DATE '2027-01-01' "
         f"WHERE request_id = (SELECT min(request_id) FROM {MARTS}.discretionary_audit)"]),
    "shortlist position repeated": (
        "assert_shortlists__positions_run_one_to_n",
        [f"UPDATE {MARTS}.shortlists SET position = 1 "
         f"WHERE bid_id = (SELECT min(bid_id) FROM {MARTS}.shortlists WHERE position = 2)"]),
    "shortlist position gap": (
        "assert_shortlists__positions_run_one_to_n",
        [f"UPDATE {MARTS}.shortlists SET position = position + 1 WHERE advert_id = "
         f"(SELECT min(advert_id) FROM {MARTS}.shortlists WHERE position = 2) AND position >= 2"]),
    "eligible bid with a reason": (
        "assert_shortlists__reasons_empty_exactly_when_eligible",
        [f"UPDATE {MARTS}.shortlists SET ineligible_reasons = ['bedroom_size'] "
         f"WHERE bid_id = (SELECT min(bid_id) FROM {MARTS}.shortlists WHERE eligible)"]),
    "reasons out of the spec's order": (
        "assert_shortlists__reasons_in_spec_order",
        [f"UPDATE {MARTS}.shortlists SET ineligible_reasons = ['floor_level', 'withdrawn'] "
         f"WHERE bid_id = (SELECT min(bid_id) FROM {MARTS}.shortlists WHERE NOT eligible)"]),
    "ineligible bid with a position": (
        "assert_shortlists__position_set_exactly_when_eligible",
        [f"UPDATE {MARTS}.shortlists SET position = 999 "
         f"WHERE bid_id = (SELECT min(bid_id) FROM {MARTS}.shortlists WHERE NOT eligible)"]),
    "bid listed twice": (
        "assert_shortlists__every_bid_listed_once",
        [f"INSERT INTO {MARTS}.shortlists SELECT * FROM {MARTS}.shortlists "
         f"WHERE bid_id = (SELECT min(bid_id) FROM {MARTS}.shortlists WHERE NOT eligible)"]),
    "bid missing from the shortlist": (
        "assert_shortlists__every_bid_listed_once",
        [f"DELETE FROM {MARTS}.shortlists WHERE bid_id = (SELECT max(bid_id) FROM {MARTS}.shortlists WHERE NOT eligible)"]),
    "bid moved to another advert": (
        "assert_shortlists__every_bid_listed_once",
        [f"UPDATE {MARTS}.shortlists SET advert_id = (SELECT max(advert_id) FROM {MARTS}.shortlists) "
         f"WHERE bid_id = (SELECT min(bid_id) FROM {MARTS}.shortlists WHERE NOT eligible AND advert_id <> "
         f"(SELECT max(advert_id) FROM {MARTS}.shortlists))"]),
    "priority group decreasing down the shortlist": (
        "assert_shortlists__priority_group_never_decreases",
        [f"UPDATE {MARTS}.shortlists SET priority_group = 0 "
         f"WHERE bid_id = (SELECT min(bid_id) FROM {MARTS}.shortlists WHERE position = 2)"]),
    "negative pass-over count": (
        "assert_lettings_audit__finding_matches_position_and_passovers",
        [f"UPDATE {MARTS}.lettings_audit SET unexplained_passovers = -1, finding = true "
         f"WHERE offer_id = (SELECT min(offer_id) FROM {MARTS}.lettings_audit WHERE NOT finding)"]),
    "audit row that is not an accepted offer": (
        "assert_lettings_audit__one_row_per_accepted_advert_offer",
        [f"UPDATE {MARTS}.lettings_audit SET application_ref = 'NOT-THE-WINNER' "
         f"WHERE offer_id = (SELECT min(offer_id) FROM {MARTS}.lettings_audit)"]),
    "timeline's open spell differs from applicant_bands": (
        "assert_applicant_timeline__spell_holding_d_equals_applicant_bands",
        [f"UPDATE {MARTS}.applicant_timeline SET bedroom_need = bedroom_need + 1 WHERE valid_to IS NULL AND "
         f"application_ref = (SELECT min(application_ref) FROM {MARTS}.applicant_bands)"]),
    "active application without an open spell": (
        "assert_applicant_timeline__spell_holding_d_equals_applicant_bands",
        [f"UPDATE {MARTS}.applicant_timeline SET valid_to = DATE '2026-11-05' WHERE valid_to IS NULL AND "
         f"application_ref = (SELECT max(application_ref) FROM {MARTS}.applicant_bands)"]),
    "gap between two spells": (
        "assert_applicant_timeline__spells_contiguous",
        [f"UPDATE {MARTS}.applicant_timeline SET valid_to = valid_to - 1 WHERE (application_ref, valid_from) = "
         f"(SELECT (application_ref, valid_from) FROM {MARTS}.applicant_timeline WHERE valid_to > valid_from + 1 "
         f"ORDER BY application_ref, valid_from LIMIT 1)"]),
    "first spell after the first day": (
        "assert_applicant_timeline__spells_contiguous",
        [f"DELETE FROM {MARTS}.applicant_timeline WHERE (application_ref, valid_from) = "
         f"(SELECT (application_ref, min(valid_from)) FROM {MARTS}.applicant_timeline WHERE valid_to IS NOT NULL "
         f"GROUP BY application_ref ORDER BY application_ref LIMIT 1)"]),
    "two equal spells not merged": (
        "assert_applicant_timeline__adjacent_spells_differ",
        [f"INSERT INTO {MARTS}.applicant_timeline SELECT application_ref, valid_from + 1, valid_to, band, category, "
         f"multiple_need, transfer_category, bedroom_need, band_date, on_register, can_bid, 'copy' "
         f"FROM {MARTS}.applicant_timeline WHERE valid_to > valid_from + 1 ORDER BY application_ref LIMIT 1"]),
    "a change overnight not listed": (
        "assert_changes_since_last_run__reconciles_with_applicant_bands",
        # the generated build is a first night: give it a previous night that differs
        ["UPDATE raw.previous_published_run SET previous_as_of = DATE '2026-11-03'",
         "INSERT INTO raw.previous_published_bands SELECT application_ref, CASE WHEN band = 'transfer' THEN "
         "'band_one' ELSE 'transfer' END, category, multiple_need, transfer_category, bedroom_need, band_date, "
         f"on_register, can_bid FROM {MARTS}.applicant_bands"]),
    "application reference column in the lettings results": (
        "assert_lettings_results__no_identifying_column",
        [f"CREATE OR REPLACE TABLE {MARTS}.lettings_results AS SELECT *, 'x' AS winner_application_ref "
         f"FROM {MARTS}.lettings_results"]),
    "date of birth column in the wait summary": (
        "assert_lettings_results__no_identifying_column",
        [f"CREATE OR REPLACE TABLE {MARTS}.lettings_wait_summary AS SELECT *, DATE '1990-01-01' AS date_of_birth "
         f"FROM {MARTS}.lettings_wait_summary"]),
    "application reference published as a value": (
        "assert_lettings_results__no_identifying_value",
        [f"UPDATE {MARTS}.lettings_results SET property_type = "
         "(SELECT min(application_ref) FROM staging.stg_register__applications) "
         f"WHERE advert_id = (SELECT min(advert_id) FROM {MARTS}.lettings_results)"]),
    "equality count below the threshold published": (
        "assert_equality_outcomes__no_suppressed_count_leaks",
        [f"UPDATE {MARTS}.equality_outcomes SET households = 4, suppressed = false "
         f"WHERE rowid = (SELECT min(rowid) FROM {MARTS}.equality_outcomes WHERE suppressed)"]),
    "suppressed equality cell with its median": (
        "assert_equality_outcomes__no_suppressed_count_leaks",
        [f"UPDATE {MARTS}.equality_outcomes SET median_months_to_letting = 12 "
         f"WHERE measure = 'housed' AND suppressed"]),
    "LAHS category larger than any reasonable preference": (
        "assert_lahs_waiting_list__categories_within_totals",
        [f"UPDATE {MARTS}.lahs_waiting_list SET households = households + 1000 "
         f"WHERE measure = 'homeless' AND application_type = 'register' AND bedroom_need = 1"]),
}


def _compiled_test(results: list[dict], manifest: dict, test) -> str:
    if isinstance(test, str):
        [uid] = [u for u, n in manifest["nodes"].items() if n["resource_type"] == "test" and n["name"] == test]
    else:
        kind, model, column = test
        [uid] = [u for u, n in manifest["nodes"].items() if n["resource_type"] == "test"
                 and (n.get("test_metadata") or {}).get("name") == kind
                 and n.get("attached_node") == f"model.allocations.{model}" and n.get("column_name") == column]
    [result] = [r for r in results if r["unique_id"] == uid]
    return result["compiled_code"]


@pytest.mark.parametrize("case", sorted(DBT_BROKEN))
def test_a_broken_invariant_fails_its_dbt_test(dbt_build, tmp_path, case):
    test, statements = DBT_BROKEN[case]
    _, results, database = dbt_build
    manifest = json.loads((database.parent / "target" / "manifest.json").read_text())
    sql = _compiled_test(results, manifest, test)
    # Same file names: compiled SQL names its catalogs after them (dbt/profiles.yml).
    copy = tmp_path / database.name
    shutil.copy(database, copy)
    marts = copy.with_name(copy.name + ".marts.duckdb")
    shutil.copy(database.with_name(database.name + ".marts.duckdb"), marts)
    with duckdb.connect(str(copy)) as con:
        con.execute(f"ATTACH '{marts}' AS published")
        assert con.execute(sql).fetchall() == [], f"{test} fails before the invariant is broken"
        for statement in statements:
            assert con.execute(statement).fetchall()[0][0] > 0, statement  # it changed some row
        assert con.execute(sql).fetchall(), f"{test} passes with the invariant broken ({case})"


def test_the_published_file_exposure_depends_on_every_mart(dbt_build):
    _, _, database = dbt_build
    manifest = json.loads((database.parent / "target" / "manifest.json").read_text())
    marts = {uid for uid, n in manifest["nodes"].items() if n["resource_type"] == "model" and n["fqn"][1] == "marts"}
    exposure = manifest["exposures"]["exposure.allocations.published_database"]
    assert set(exposure["depends_on"]["nodes"]) == marts
    assert all(e["owner"]["name"] and e["owner"]["email"].endswith(".example") for e in manifest["exposures"].values())


# marts.applicant_timeline on the generated extract: spells start on each kind of dated fact the
# issue names (the unit tests in applicant_timeline.yml check the merging on hand-made days).
TIMELINE_CHANGES = ["registered", "need % assessed", "need % ended", "a child turned 10", "a child turned 16",
                    "offer refused", "refusals suspension ended", "policy of 2018-08-08 in force",
                    "% exception granted", "% exception expired", "offer accepted",
                    "a repayment arrangement week ended"]


@pytest.mark.parametrize("change", TIMELINE_CHANGES)
def test_the_timeline_starts_spells_on_each_kind_of_change(dbt_build, change):
    _, _, database = dbt_build
    with duckdb.connect(str(database.with_name(database.name + ".marts.duckdb")), read_only=True) as con:
        spells = con.execute(
            "SELECT count(*) FROM marts.applicant_timeline "
            "WHERE list_bool_or([w LIKE ? for w in string_split(changed_because, '; ')])", [change]).fetchone()[0]
    assert spells > 0, f"no spell of marts.applicant_timeline starts on '{change}'"
