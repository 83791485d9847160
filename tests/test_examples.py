"""The fixture extract tests/fixtures/minimal publishes exactly the results in its README."""
import datetime as dt

import duckdb


def _rows(database, sql):
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_applicant_bands(minimal_published):
    d = dt.date
    assert _rows(minimal_published, """
        SELECT application_ref, band, category, multiple_need, transfer_category, bedroom_need, band_date,
               on_register, can_bid
        FROM marts.applicant_bands ORDER BY application_ref""") == [
        ("EX01", "band_four", "no_housing_need", False, None, 1, d(2024, 1, 15), True, True),
        ("EX02", "band_two", "overcrowded_bedroom_standard", False, None, 2, d(2024, 1, 15), True, True),
        ("EX03", "band_two", "multiple_need", True, None, 1, d(2025, 8, 1), True, True),
        ("EX04", "transfer", "under_occupation", False, "under_occupation", 1, d(2024, 1, 15), True, True),
        ("EX05", "band_four", "no_housing_need", False, None, 1, d(2024, 1, 15), True, False),
        ("EX06", "band_one", "demolition_regeneration", False, None, 1, d(2025, 9, 1), True, True),
    ]


def test_applicant_timeline(minimal_published):
    d = dt.date
    assert _rows(minimal_published, """
        SELECT application_ref, valid_from, valid_to, band, category, multiple_need, band_date, can_bid, changed_because
        FROM marts.applicant_timeline ORDER BY application_ref, valid_from""") == [
        ("EX01", d(2024, 1, 15), None, "band_four", "no_housing_need", False, d(2024, 1, 15), True, "registered"),
        ("EX02", d(2024, 1, 15), None, "band_two", "overcrowded_bedroom_standard", False, d(2024, 1, 15), True,
         "registered"),
        ("EX03", d(2024, 1, 15), d(2025, 4, 1), "band_four", "no_housing_need", False, d(2024, 1, 15), True,
         "registered"),
        ("EX03", d(2025, 4, 1), d(2025, 8, 1), "band_two", "homelessness_relief_duty", False, d(2025, 4, 1), True,
         "need homelessness_relief_duty assessed"),
        ("EX03", d(2025, 8, 1), None, "band_two", "multiple_need", True, d(2025, 8, 1), True,
         "need medical_significant assessed"),
        ("EX04", d(2024, 1, 15), None, "transfer", "under_occupation", False, d(2024, 1, 15), True, "registered"),
        ("EX05", d(2024, 1, 15), None, "band_four", "no_housing_need", False, d(2024, 1, 15), False, "registered"),
        ("EX06", d(2024, 1, 15), d(2025, 9, 1), "band_four", "no_housing_need", False, d(2024, 1, 15), True,
         "registered"),
        ("EX06", d(2025, 9, 1), None, "band_one", "demolition_regeneration", False, d(2025, 9, 1), True,
         "need demolition_regeneration assessed"),
    ]


def test_bidding_restrictions(minimal_published):
    assert _rows(minimal_published, """
        SELECT application_ref, restriction, starts_on, ends_on, active
        FROM marts.bidding_restrictions ORDER BY application_ref, restriction""") == [
        ("EX05", "housing_debt", dt.date(2026, 11, 4), None, True),
    ]


def test_shortlist(minimal_published):
    assert _rows(minimal_published, """
        SELECT application_ref, eligible, position, priority_group, ineligible_reasons
        FROM marts.shortlists WHERE advert_id = 'EXA' ORDER BY position NULLS LAST, application_ref""") == [
        ("EX06", True, 1, 1, []),
        ("EX01", True, 2, 5, []),
        ("EX05", False, None, 5, ["cannot_bid", "housing_debt"]),
    ]


def test_discretionary_audit(minimal_published):
    assert _rows(minimal_published, """
        SELECT request_id, application_ref, approved_on, findings, compliant
        FROM marts.discretionary_audit ORDER BY request_id""") == [
        ("EXD1", "EX03", dt.date(2026, 6, 3), [], True),
    ]


def test_lettings_audit_is_empty(minimal_published):
    assert _rows(minimal_published, "SELECT count(*) FROM marts.lettings_audit") == [(0,)]


def test_published_file_holds_only_marts_and_audit(minimal_published):
    schemas = {r[0] for r in _rows(minimal_published, "SELECT DISTINCT table_schema FROM information_schema.tables")}
    assert schemas == {"marts", "audit"}


def test_contract_columns_and_types(minimal_published):
    expected = {
        "applicant_bands": [("application_ref", "VARCHAR"), ("band", "VARCHAR"), ("category", "VARCHAR"),
                            ("multiple_need", "BOOLEAN"), ("transfer_category", "VARCHAR"),
                            ("bedroom_need", "INTEGER"), ("band_date", "DATE"), ("on_register", "BOOLEAN"),
                            ("can_bid", "BOOLEAN")],
        "bidding_restrictions": [("application_ref", "VARCHAR"), ("restriction", "VARCHAR"), ("starts_on", "DATE"),
                                 ("ends_on", "DATE"), ("active", "BOOLEAN"), ("reason", "VARCHAR")],
        "shortlists": [("advert_id", "VARCHAR"), ("application_ref", "VARCHAR"), ("bid_id", "VARCHAR"),
                       ("eligible", "BOOLEAN"), ("position", "INTEGER"), ("priority_group", "INTEGER"),
                       ("ineligible_reasons", "VARCHAR[]")],
        "discretionary_audit": [("request_id", "VARCHAR"), ("application_ref", "VARCHAR"), ("approved_on", "DATE"),
                                ("findings", "VARCHAR[]"), ("compliant", "BOOLEAN")],
        "lettings_audit": [("advert_id", "VARCHAR"), ("application_ref", "VARCHAR"), ("winner_position", "INTEGER"),
                           ("unexplained_passovers", "INTEGER")],
        "applicant_timeline": [("application_ref", "VARCHAR"), ("valid_from", "DATE"), ("valid_to", "DATE"),
                               ("band", "VARCHAR"), ("category", "VARCHAR"), ("multiple_need", "BOOLEAN"),
                               ("transfer_category", "VARCHAR"), ("bedroom_need", "INTEGER"), ("band_date", "DATE"),
                               ("on_register", "BOOLEAN"), ("can_bid", "BOOLEAN"), ("changed_because", "VARCHAR")],
        # A view without an enforced contract (dbt/models/marts/shortlist_explanations.sql).
        "shortlist_explanations": [("advert_id", "VARCHAR"), ("application_ref", "VARCHAR"), ("bid_id", "VARCHAR"),
                                   ("eligible", "BOOLEAN"), ("position", "INTEGER"), ("explanation", "VARCHAR")],
    }
    for table, columns in expected.items():
        actual = _rows(minimal_published, f"""
            SELECT column_name, data_type FROM information_schema.columns
            WHERE table_schema = 'marts' AND table_name = '{table}' ORDER BY ordinal_position""")
        assert actual[:len(columns)] == columns, table


def test_shortlist_explanations_read_the_published_tables(minimal_published):
    # The view is created in the published file and reads marts.shortlists and
    # marts.shortlist_applicants there: worded from both, for every bid.
    assert _rows(minimal_published, """
        SELECT bid_id, explanation FROM marts.shortlist_explanations ORDER BY bid_id""") == [
        ("B00005", "position 2 of 2: band four, no housing need, band date 2024-01-15, registered 2024-01-15, "
                   "bid placed 2026-10-21 09:00; priority group 5 on an advert for band one; "
                   "1 applicant in higher priority groups, 0 ahead in the same group"),
        ("B00006", "not eligible: cannot bid (housing debt)"),
        ("B00007", "position 1 of 2: band one, demolition regeneration, band date 2025-09-01, registered 2024-01-15, "
                   "bid placed 2026-10-22 18:00; priority group 1 on an advert for band one; "
                   "0 applicants in higher priority groups, 0 ahead in the same group"),
    ]
