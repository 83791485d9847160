"""The extract contract: every row is loaded or quarantined with file, line and reason."""
import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest

from dagster_project.ingest.loader import ExtractContractError, load_extract

from .conftest import MINIMAL


@pytest.fixture
def extract(tmp_path) -> Path:
    folder = tmp_path / "extract"
    shutil.copytree(MINIMAL, folder)
    return folder


def _load(folder: Path, tmp_path: Path):
    con = duckdb.connect(str(tmp_path / "build.duckdb"))
    report = load_extract(con, folder, "test-run")
    return con, report


def _quarantine(con, file_name):
    return con.execute("SELECT line_number, reason FROM audit.quarantine WHERE file_name = ? ORDER BY line_number",
                       [file_name]).fetchall()


def _append(folder: Path, name: str, *lines: str) -> None:
    with open(folder / f"{name}.csv", "a", newline="") as f:
        for line in lines:
            f.write(line + "\n")


def test_minimal_extract_loads_every_row(extract, tmp_path):
    con, report = _load(extract, tmp_path)
    assert report.rows_quarantined == 0
    assert report.files["applications"]["rows_loaded"] == 6
    assert report.files["bids"]["rows_loaded"] == 3
    assert con.execute("SELECT source_line FROM raw.bids ORDER BY source_line").fetchall() == [(2,), (3,), (4,)]


def test_counts_reconcile_per_file(extract, tmp_path):
    _append(extract, "applications", "EX07,register,active,2024-13-01,private_rented,,yes,1,0,false,1.00,1.00,,")
    con, report = _load(extract, tmp_path)
    rows = con.execute("SELECT file_name, rows_read, rows_loaded, rows_quarantined FROM audit.load_counts").fetchall()
    assert len(rows) == 15
    for file_name, read, loaded, quarantined in rows:
        assert read == loaded + quarantined, file_name


def test_missing_required_file_is_a_contract_error(extract, tmp_path):
    (extract / "bids.csv").unlink()
    with pytest.raises(ExtractContractError, match=r"bids\.csv"):
        _load(extract, tmp_path)


def test_missing_optional_file_is_empty(extract, tmp_path):
    (extract / "debts.csv").unlink()
    con, report = _load(extract, tmp_path)
    assert con.execute("SELECT count(*) FROM raw.debts").fetchone()[0] == 0
    assert report.files["debts"]["present"] is False


def test_staff_required_with_discretionary_files(extract, tmp_path):
    (extract / "staff.csv").unlink()
    with pytest.raises(ExtractContractError, match=r"staff\.csv"):
        _load(extract, tmp_path)


def test_missing_column_names_file_and_column(extract, tmp_path):
    text = (extract / "adverts.csv").read_text().replace(",min_age", "").replace(",band_one,,", ",band_one,")
    (extract / "adverts.csv").write_text(text)
    with pytest.raises(ExtractContractError, match=r"adverts\.csv: required column missing: min_age"):
        _load(extract, tmp_path)


def test_extra_columns_are_ignored_and_reported(extract, tmp_path):
    lines = (extract / "staff.csv").read_text().splitlines()
    lines = [lines[0] + ",phone"] + [line + ",0123" for line in lines[1:]]
    (extract / "staff.csv").write_text("\n".join(lines) + "\n")
    con, report = _load(extract, tmp_path)
    assert report.files["staff"]["extra_columns"] == ["phone"]
    assert report.files["staff"]["rows_loaded"] == 2


def test_columns_in_any_order(extract, tmp_path):
    (extract / "staff.csv").write_text("team,staff_id,role\nhousing_options,S1,housing_options_officer\n"
                                       "housing_options,S2,homelessness_manager\n")
    con, _ = _load(extract, tmp_path)
    assert con.execute("SELECT staff_id, role FROM raw.staff ORDER BY 1").fetchall() == [
        ("S1", "housing_options_officer"), ("S2", "homelessness_manager")]


@pytest.mark.parametrize("row, reason", [
    ("EX07,register,active,2024-02-30,private_rented,,yes,1,0,false,1.00,1.00,,", "bad date in registration_date"),
    ("EX07,register,active,2024-2-3,private_rented,,yes,1,0,false,1.00,1.00,,", "bad date in registration_date"),
    ("EX07,register,active,2024-02-03,private_rented,,yes,1,0,false,12k,1.00,,", "bad money in gross_annual_income"),
    ("EX07,register,active,2024-02-03,private_rented,,yes,1.5,0,false,1.00,1.00,,", "bad integer in current_bedrooms"),
    ("EX07,register,active,2024-02-03,private_rented,maybe,yes,1,0,false,1.00,1.00,,", "bad boolean in landlord_in_district"),
    ("EX07,register,active,2024-02-03,squatting,,yes,1,0,false,1.00,1.00,,", 'unknown code in current_tenure'),
    ("EX07,register,,2024-02-03,private_rented,,yes,1,0,false,1.00,1.00,,", "empty required cell: status"),
])
def test_bad_cells_are_quarantined_with_line_and_reason(extract, tmp_path, row, reason):
    _append(extract, "applications", row)
    con, report = _load(extract, tmp_path)
    [(line, why)] = _quarantine(con, "applications")
    assert line == 8
    assert reason in why
    assert report.files["applications"]["rows_loaded"] == 6


def test_booleans_are_case_insensitive(extract, tmp_path):
    _append(extract, "applications", "EX07,register,active,2024-02-03,private_rented,,yes,1,0,TRUE,1.00,1.00,,")
    _append(extract, "household_members", "EX07,EX07-M0,applicant,1985-05-05,female,")
    con, _ = _load(extract, tmp_path)
    assert con.execute("SELECT current_home_high_demand FROM raw.applications WHERE application_ref = 'EX07'"
                       ).fetchone() == (True,)


def test_every_copy_of_a_duplicate_key_is_quarantined(extract, tmp_path):
    _append(extract, "assessed_needs", "N00001,EX01,medical_low,2025-04-01,,,")
    con, _ = _load(extract, tmp_path)
    rows = _quarantine(con, "assessed_needs")
    assert [line for line, _ in rows] == [2, 5]
    assert all("duplicate key need_id" in why for _, why in rows)


def test_dangling_reference_is_quarantined(extract, tmp_path):
    _append(extract, "bids", "B00099,NOPE,EX01,2026-10-21T09:00:00,active")
    con, _ = _load(extract, tmp_path)
    [(line, why)] = _quarantine(con, "bids")
    assert line == 5 and "advert_id matches no row of adverts" in why


def test_quarantine_cascades_from_an_application(extract, tmp_path):
    # EX05 gets a second applicant: the application, its members, debt and bid are quarantined.
    _append(extract, "household_members", "EX05,EX05-M9,applicant,1990-01-01,male,")
    con, report = _load(extract, tmp_path)
    assert "2 applicant members" in _quarantine(con, "applications")[0][1]
    assert len(_quarantine(con, "household_members")) == 2
    assert len(_quarantine(con, "debts")) == 1
    assert len(_quarantine(con, "bids")) == 1
    assert con.execute("SELECT count(*) FROM raw.bids WHERE application_ref = 'EX05'").fetchone()[0] == 0
    for counts in report.files.values():
        assert counts["rows_read"] == counts["rows_loaded"] + counts["rows_quarantined"]


def test_application_without_applicant_is_quarantined(extract, tmp_path):
    _append(extract, "applications", "EX07,register,active,2024-02-03,private_rented,,yes,1,0,false,1.00,1.00,,")
    con, _ = _load(extract, tmp_path)
    assert "0 applicant members" in _quarantine(con, "applications")[0][1]


def test_later_bid_on_same_advert_is_quarantined_earliest_stands(extract, tmp_path):
    _append(extract, "bids", "B00001,EXA,EX01,2026-10-20T09:00:00,active")
    con, _ = _load(extract, tmp_path)
    [(line, why)] = _quarantine(con, "bids")
    assert line == 2 and "the earliest, on line 5, stands" in why
    assert con.execute("SELECT bid_id FROM raw.bids WHERE application_ref = 'EX01'").fetchall() == [("B00001",)]


def test_week_starting_must_be_a_monday(extract, tmp_path):
    _append(extract, "arrangement_payments", "AR1,EX05,2026-10-05,10.00,10.00", "AR1,EX05,2026-10-06,10.00,10.00")
    con, _ = _load(extract, tmp_path)
    [(line, why)] = _quarantine(con, "arrangement_payments")
    assert line == 3 and "is not a Monday" in why


def test_eviction_needs_an_eviction_date(extract, tmp_path):
    _append(extract, "debts", "D9,EX01,council,rent_arrears,100.00,100.00,,true,,")
    con, _ = _load(extract, tmp_path)
    assert "eviction_date is empty" in _quarantine(con, "debts")[0][1]


def test_bom_crlf_quoted_commas_and_newlines(extract, tmp_path):
    text = (extract / "policy_exceptions.csv").read_text().strip()
    rows = [text,
            'X1,EX01,housing_debt,S1,2026-01-01,,"Agreed with the landlord, see ""file"" note"',
            'X2,EX01,refusals,S1,2026-01-01,,"two\r\nlines"',
            "X3,EX01,not_a_rule,S1,2026-01-01,,bad"]
    (extract / "policy_exceptions.csv").write_bytes(b"\xef\xbb\xbf" + "\r\n".join(rows).encode() + b"\r\n")
    con, _ = _load(extract, tmp_path)
    loaded = con.execute("SELECT exception_id, reason, source_line FROM raw.policy_exceptions ORDER BY 1").fetchall()
    assert loaded == [("X1", 'Agreed with the landlord, see "file" note', 2), ("X2", "two\r\nlines", 3)]
    # The bad row starts on physical line 5: the quoted line break in X2 moved it down one.
    [(line, why)] = _quarantine(con, "policy_exceptions")
    assert line == 5 and "unknown code in rule" in why


def test_row_with_too_many_fields_is_quarantined(extract, tmp_path):
    _append(extract, "staff", "S3,other,other,extra", "S4,other,other")
    con, report = _load(extract, tmp_path)
    [(line, why)] = _quarantine(con, "staff")
    assert line == 4 and "malformed row" in why
    assert con.execute("SELECT source_line FROM raw.staff WHERE staff_id = 'S4'").fetchone() == (5,)
    assert report.files["staff"]["rows_read"] == 4


def test_parquet_file_is_accepted(extract, tmp_path):
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM read_csv('{extract / 'adverts.csv'}', all_varchar = true)) "
                f"TO '{extract / 'adverts.parquet'}' (FORMAT parquet)")
    (extract / "adverts.csv").unlink()
    con, report = _load(extract, tmp_path)
    assert report.files["adverts"]["file_format"] == "parquet"
    assert report.rows_quarantined == 0


def test_both_csv_and_parquet_is_a_contract_error(extract, tmp_path):
    (extract / "staff.parquet").write_bytes(b"")
    with pytest.raises(ExtractContractError, match="both"):
        _load(extract, tmp_path)


def test_cells_are_trimmed_and_a_blank_cell_is_empty(extract, tmp_path):
    _append(extract, "applications",
            " EX07 ,register, active ,2024-02-03,private_rented,,yes,1,0,false,1.00,1.00,,",
            "   ,register,active,2024-02-03,private_rented,,yes,1,0,false,1.00,1.00,,")
    _append(extract, "household_members", "EX07, EX07-M0 ,applicant,1985-05-05,female,")
    con, _ = _load(extract, tmp_path)
    assert con.execute("SELECT status FROM raw.applications WHERE application_ref = 'EX07'").fetchone() == ("active",)
    assert con.execute("SELECT member_id FROM raw.household_members WHERE application_ref = 'EX07'"
                       ).fetchone() == ("EX07-M0",)
    [(line, why)] = _quarantine(con, "applications")
    assert line == 9 and why == "empty required cell: application_ref"


def test_every_copy_of_a_duplicate_composite_key_is_quarantined(extract, tmp_path):
    # The same member twice (once with spaces around the id), and a member id used by another
    # application, which is not a duplicate.
    _append(extract, "household_members", "EX02, EX02-M3 ,child,2013-03-01,female,", "EX03,EX02-M3,child,2013-03-01,male,")
    con, _ = _load(extract, tmp_path)
    rows = _quarantine(con, "household_members")
    assert [line for line, _ in rows] == [6, 12]
    assert all("duplicate key application_ref, member_id" in why for _, why in rows)
    assert con.execute("SELECT count(*) FROM raw.household_members WHERE member_id = 'EX02-M3'").fetchone() == (1,)


def test_later_bids_are_ranked_by_time_then_line_among_good_bids(extract, tmp_path):
    _append(extract, "bids",
            "B00011,EXA,EX02,2026-10-21 10:00:00,active",   # a space for the T is a timestamp too
            "B00012,EXA,EX02,2026-10-21T10:00:00,withdrawn",  # same time, later line
            "B00013,EXA,EX02,2026-10-20T08:00:00,bogus",      # earliest, but not a good row
            "B00014,EXA,EX02,2026-10-22T10:00:00,active")
    con, _ = _load(extract, tmp_path)
    rows = _quarantine(con, "bids")
    assert [line for line, _ in rows] == [6, 7, 8]
    assert "the earliest, on line 5," in rows[0][1] and "the earliest, on line 5," in rows[2][1]
    assert "unknown code in status" in rows[1][1]
    assert con.execute("SELECT bid_id, placed_at FROM raw.bids WHERE application_ref = 'EX02'").fetchall() == [
        ("B00011", dt.datetime(2026, 10, 21, 10, 0))]


@pytest.mark.parametrize("notes", [3, 70, 1100])
def test_lines_after_many_multi_line_cells_and_malformed_rows(extract, tmp_path, notes):
    # Few and many line steps are numbered differently (a lookup per row, or a copy of the file).
    header = (extract / "policy_exceptions.csv").read_text().strip()
    rows = [f'X{i},EX01,refusals,S1,2026-01-01,,"note {i}\nsecond line"' for i in range(notes)]
    rows.insert(1, "XM,EX01,refusals,S1")  # too few fields, on line 4
    rows += ["XB,EX01,not_a_rule,S1,2026-01-01,,bad", "XL,EX01,refusals,S1,2026-01-01,,last"]
    (extract / "policy_exceptions.csv").write_text("\n".join([header] + rows) + "\n")
    con, report = _load(extract, tmp_path)
    quarantined = _quarantine(con, "policy_exceptions")
    assert [line for line, _ in quarantined] == [4, 2 * notes + 3]
    assert "malformed row" in quarantined[0][1] and "unknown code in rule" in quarantined[1][1]
    lines = dict(con.execute("SELECT exception_id, source_line FROM raw.policy_exceptions").fetchall())
    assert lines["X0"] == 2 and lines["X1"] == 5 and lines[f"X{notes - 1}"] == 2 * notes + 1
    assert lines["XL"] == 2 * notes + 4
    assert report.files["policy_exceptions"]["rows_read"] == notes + 3


def test_last_row_with_a_line_break_and_no_final_line_end(extract, tmp_path):
    header = (extract / "policy_exceptions.csv").read_text().strip()
    (extract / "policy_exceptions.csv").write_text(
        header + '\nX1,EX01,refusals,S1,2026-01-01,,one\nX2,EX01,nope,S1,2026-01-01,,"two\nlines"')
    con, _ = _load(extract, tmp_path)
    assert _quarantine(con, "policy_exceptions")[0][0] == 3
    assert con.execute("SELECT source_line FROM raw.policy_exceptions").fetchall() == [(2,)]


def test_mixed_line_ends(extract, tmp_path):
    with open(extract / "bids.csv", "ab") as f:
        f.write(b"B00011,EXA,EX02,2026-10-21T10:00:00,active\r\nB00012,EXA,EX03,2026-10-21T10:00:00,bogus\r\n")
    con, report = _load(extract, tmp_path)
    [(line, why)] = _quarantine(con, "bids")
    assert line == 6 and "unknown code in status" in why
    assert con.execute("SELECT source_line FROM raw.bids WHERE bid_id = 'B00011'").fetchone() == (5,)
    assert report.files["bids"]["rows_loaded"] == 4
