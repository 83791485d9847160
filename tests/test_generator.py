"""The synthetic extract generator: deterministic, contract-valid, and exercising every rule.

One 2,000-application extract is generated per test session and read back with DuckDB, typed by
the contract (ingest/contract.py), so these checks see the files exactly as the loader would.
"""
from __future__ import annotations

import datetime as dt
import filecmp
from pathlib import Path

import duckdb
import pytest

from dagster_project.generator import generate_extract
from dagster_project.ingest.contract import FILES, SQL_TYPES

AS_OF = dt.date(2026, 11, 4)
SIZE = 2_000
SEED = 20261104


@pytest.fixture(scope="session")
def extract(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("extract")
    return out, generate_extract(out, applications=SIZE, seed=SEED, as_of=AS_OF)


@pytest.fixture(scope="session")
def db(extract) -> duckdb.DuckDBPyConnection:
    """Every file as a typed table named after it (a malformed cell fails the read)."""
    out, _ = extract
    con = duckdb.connect()
    for spec in FILES:
        columns = "{" + ", ".join(f"'{c.name}': '{SQL_TYPES[c.type]}'" for c in spec.columns) + "}"
        con.execute(
            f"""CREATE TABLE {spec.name} AS SELECT * FROM read_csv('{out / (spec.name + ".csv")}', header = true,
                columns = {columns}, dateformat = '%Y-%m-%d', timestampformat = '%Y-%m-%dT%H:%M:%S')""")
    return con


def _count(db, sql: str) -> int:
    return db.execute(sql).fetchone()[0]


def _files_of(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir())


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path):
    first, again, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate_extract(first, applications=400, seed=5, as_of=AS_OF)
    generate_extract(again, applications=400, seed=5, as_of=AS_OF)
    generate_extract(other, applications=400, seed=6, as_of=AS_OF)
    names = _files_of(first)
    _, mismatch, errors = filecmp.cmpfiles(first, again, names, shallow=False)
    assert mismatch == [] and errors == []
    _, mismatch, _ = filecmp.cmpfiles(first, other, names, shallow=False)
    assert "applications.csv" in mismatch and "bids.csv" in mismatch


def test_every_contract_file_is_written_with_its_header(extract):
    out, summary = extract
    assert _files_of(out) == sorted(f"{spec.name}.csv" for spec in FILES)
    for spec in FILES:
        path = out / f"{spec.name}.csv"
        header = path.read_text(encoding="utf-8").split("\n", 1)[0]
        assert header == ",".join(c.name for c in spec.columns), spec.name
        rows = sum(1 for _ in path.open(encoding="utf-8")) - 1
        assert summary[path.name] == rows, spec.name
        assert rows > 0, f"{spec.name} is empty"


def test_keys_are_unique(db):
    for spec in FILES:
        if spec.key:
            key = ", ".join(spec.key)
            duplicates = _count(db, f"SELECT count(*) FROM (SELECT {key} FROM {spec.name} GROUP BY {key} HAVING count(*) > 1)")
            assert duplicates == 0, spec.name


def test_references_resolve(db):
    for spec in FILES:
        for ref in spec.references:
            on = " AND ".join(f"t.{tc} = s.{c}" for c, tc in zip(ref.columns, ref.target_columns))
            present = " AND ".join(f"s.{c} IS NOT NULL" for c in ref.columns)
            dangling = _count(db, f"SELECT count(*) FROM {spec.name} s WHERE {present} "
                                  f"AND NOT EXISTS (SELECT 1 FROM {ref.target} t WHERE {on})")
            assert dangling == 0, f"{spec.name} -> {ref.target}"


def test_codes_required_cells_and_row_checks_hold(db):
    for spec in FILES:
        for c in spec.columns:
            if not c.nullable:
                assert _count(db, f"SELECT count(*) FROM {spec.name} WHERE {c.name} IS NULL") == 0, (spec.name, c.name)
            if c.codes:
                codes = ", ".join(f"'{code}'" for code in c.codes)
                assert _count(db, f"SELECT count(*) FROM {spec.name} WHERE {c.name} NOT IN ({codes})") == 0, (spec.name, c.name)
            if c.check:
                wrong = c.check[0].replace("(v)", f"({c.name})")
                assert _count(db, f"SELECT count(*) FROM {spec.name} WHERE {wrong}") == 0, (spec.name, c.name)
        for condition, reason in spec.row_checks:
            assert _count(db, f"SELECT count(*) FROM {spec.name} WHERE {condition}") == 0, reason


def test_every_application_has_exactly_one_applicant(db):
    assert _count(db, """SELECT count(*) FROM applications a
                         WHERE (SELECT count(*) FROM household_members m
                                WHERE m.application_ref = a.application_ref AND m.relationship = 'applicant') <> 1""") == 0


def test_arrangement_weeks_start_on_mondays(db):
    assert _count(db, "SELECT count(*) FROM arrangement_payments") > 0
    assert _count(db, "SELECT count(*) FROM arrangement_payments WHERE isodow(week_starting) <> 1") == 0


def test_an_application_bids_at_most_once_per_advert(db):
    assert _count(db, "SELECT count(*) FROM (SELECT 1 FROM bids GROUP BY advert_id, application_ref HAVING count(*) > 1)") == 0


def test_about_ten_bids_per_application_mostly_on_one_bed_homes(db):
    per_application = _count(db, "SELECT count(*) FROM bids") / SIZE
    assert 8.5 <= per_application <= 11.5
    one_bed, larger = db.execute(
        """SELECT avg(n) FILTER (WHERE bedrooms = 1 AND min_age IS NULL), avg(n) FILTER (WHERE bedrooms >= 3)
           FROM (SELECT a.advert_id, any_value(a.bedrooms) AS bedrooms, any_value(a.min_age) AS min_age, count(b.bid_id) AS n
                 FROM adverts a LEFT JOIN bids b USING (advert_id) GROUP BY a.advert_id)""").fetchone()
    assert one_bed > 3 * larger


def test_rows_after_the_as_of_date_are_rare_but_present(db):
    future_bids = _count(db, f"SELECT count(*) FROM bids WHERE placed_at >= DATE '{AS_OF}' + 1")
    assert 0 < future_bids < 0.05 * _count(db, "SELECT count(*) FROM bids")
    assert _count(db, f"SELECT count(*) FROM assessed_needs WHERE assessed_on > DATE '{AS_OF}'") > 0


# Each query counts the rows that exercise one rule; every one must find at least one.
RULE_EXAMPLES = {
    "housing debt of exactly 500.00 (W7, not above the threshold)": "SELECT count(*) FROM debts WHERE balance = 500.00",
    "debt that resulted in eviction (W7)": "SELECT count(*) FROM debts WHERE resulted_in_eviction",
    "arrangement with 13+ kept weeks in a row (W7)": """
        SELECT count(*) FROM (
            SELECT arrangement_id, week_starting, amount_paid >= amount_due AS kept,
                   sum(CASE WHEN amount_paid >= amount_due THEN 0 ELSE 1 END) OVER (
                       PARTITION BY arrangement_id ORDER BY week_starting) AS breaks
            FROM arrangement_payments WHERE week_starting + 6 <= DATE '{as_of}')
        WHERE kept GROUP BY arrangement_id, breaks HAVING count(*) >= 13""",
    "behaviour finding (W12)": "SELECT count(*) FROM behaviour_findings",
    "3+ suitable refusals within 6 months by one applicant (W11)": """
        SELECT count(*) FROM offers a JOIN offers b ON a.application_ref = b.application_ref
        WHERE a.outcome = 'refused' AND a.deemed_suitable AND b.outcome = 'refused' AND b.deemed_suitable
          AND b.outcome_on <= a.outcome_on AND b.outcome_on > a.outcome_on - INTERVAL 6 MONTH
        GROUP BY a.offer_id HAVING count(*) >= 3""",
    "tenancy through the scheme within the last 12 months (W4)": """
        SELECT count(*) FROM applications
        WHERE last_homechoice_tenancy_start > DATE '{as_of}' - INTERVAL 12 MONTH
          AND last_homechoice_tenancy_start <= DATE '{as_of}'""",
    "age-designated advert (W3)": "SELECT count(*) FROM adverts WHERE advertised_band IS NULL AND min_age IS NOT NULL",
    # More bedrooms than people is more than the bedroom need, whatever the household.
    "under-occupying transfer tenant in a high-demand home (W1, W2)": """
        SELECT count(*) FROM applications a
        WHERE application_type = 'transfer' AND current_home_high_demand AND current_bedrooms >= 3
          AND current_bedrooms > (SELECT count(*) FROM household_members m WHERE m.application_ref = a.application_ref)""",
    "child living above the first floor (W6)": """
        SELECT count(*) FROM applications a
        WHERE current_floor_level >= 2 AND EXISTS (
            SELECT 1 FROM household_members m WHERE m.application_ref = a.application_ref
              AND m.relationship <> 'applicant' AND m.date_of_birth > DATE '{as_of}' - INTERVAL 16 YEAR)""",
    "former forces partner of 5 months, just short of counting (W18)": """
        SELECT count(*) FROM household_members
        WHERE relationship = 'former_forces_partner' AND months_lived_with_while_serving = 5""",
    "former forces partner of exactly 6 months, who counts (W18)": """
        SELECT count(*) FROM household_members
        WHERE relationship = 'former_forces_partner' AND months_lived_with_while_serving = 6""",
    "policy exception (every rule)": "SELECT count(DISTINCT rule) = 4 FROM policy_exceptions",
    "related-party discretionary request (D4)": "SELECT count(*) FROM discretionary_requests WHERE related_party <> 'none'",
    "discretionary appeal (D9)": "SELECT count(*) FROM discretionary_events WHERE event_type = 'appeal_received'",
    "direct discretionary offer": "SELECT count(*) FROM offers WHERE advert_id IS NULL AND discretionary_request_id IS NOT NULL",
    "accepted offer on an advert (lettings audit)": "SELECT count(*) FROM offers WHERE advert_id IS NOT NULL AND outcome = 'accepted'",
    "recorded shortlist bypass": "SELECT count(*) FROM shortlist_bypasses",
    "bid outside the advert window": """
        SELECT count(*) FROM bids JOIN adverts USING (advert_id)
        WHERE placed_at < opens_on OR placed_at >= closes_on + 1""",
    "bid at 23:30 on the closing day (inside the window)": """
        SELECT count(*) FROM bids JOIN adverts USING (advert_id) WHERE placed_at = closes_on + INTERVAL 1410 MINUTE""",
    "bid by a cancelled or housed application": """
        SELECT count(*) FROM bids JOIN applications USING (application_ref) WHERE applications.status <> 'active'""",
    "fostering or adoption approval (W17)": "SELECT count(*) FROM fostering_adoption_approvals WHERE evidence_verified",
    "discretionary request withdrawn after its approval (D6, D7)": """
        SELECT count(*) FROM discretionary_events w JOIN discretionary_events a USING (request_id)
        WHERE w.event_type = 'withdrawn' AND a.event_type = 'approved' AND w.event_on > a.event_on""",
    "group viewing: a refusal recorded after the winner's offer, made the same day (lettings audit)": """
        SELECT count(*) FROM offers r JOIN offers w USING (advert_id)
        WHERE w.outcome = 'accepted' AND r.outcome = 'refused' AND r.offered_on = w.offered_on
          AND r.outcome_on > w.offered_on""",
    "need ended on the day its applicant's tenancy started (shortlists as at close)": """
        SELECT count(*) FROM assessed_needs n JOIN applications a USING (application_ref)
        WHERE a.status = 'housed' AND n.ends_on = a.last_homechoice_tenancy_start""",
    "letting audited months after its advert closed": """
        SELECT count(*) FROM offers o JOIN adverts USING (advert_id)
        WHERE o.outcome = 'accepted' AND closes_on < DATE '{as_of}' - INTERVAL 3 MONTH""",
    "bid on an advert closing on the as-of date (nightly slice = shortlist)": """
        SELECT count(*) FROM bids JOIN adverts USING (advert_id) WHERE closes_on = DATE '{as_of}'""",
}


@pytest.mark.parametrize("rule", list(RULE_EXAMPLES))
def test_extract_exercises_every_rule(db, rule):
    assert _count(db, RULE_EXAMPLES[rule].format(as_of=AS_OF)) >= 1, rule


def test_band_one_and_transfer_proportions_are_realistic(db):
    transfer = _count(db, "SELECT avg((application_type = 'transfer')::int) * 100 FROM applications")
    cancelled = _count(db, "SELECT avg((status = 'cancelled')::int) * 100 FROM applications")
    single = _count(db, """SELECT avg((n = 1)::int) * 100 FROM (
                               SELECT count(*) AS n FROM household_members GROUP BY application_ref)""")
    assert 16 <= transfer <= 24 and 3 <= cancelled <= 8 and 40 <= single <= 50


def test_loader_quarantines_no_generated_row(extract):
    loader = pytest.importorskip("dagster_project.ingest.loader")
    out, _ = extract
    con = duckdb.connect()
    report = loader.load_extract(con, out, run_id="generator-test")
    reasons = con.execute("SELECT file_name, reason FROM audit.quarantine LIMIT 5").fetchall()
    assert report.rows_quarantined == 0, reasons
