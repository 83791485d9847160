"""The extract contract: every row is loaded or quarantined with file, line and reason."""
import datetime as dt
import shutil
from decimal import Decimal
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


# --- issue 17: a file that loses rows, typed Parquet, odd headers, physical lines, private reasons ---

def _with_extra_column(folder: Path, name: str, header: str, cell: str) -> list[str]:
    lines = (folder / f"{name}.csv").read_text().splitlines()
    return [lines[0] + "," + header] + [line + "," + cell for line in lines[1:]]


@pytest.mark.parametrize("stray_line, closed_later", [(3, False), (3, True), (6, False)])
def test_a_stray_quote_that_swallows_rows_is_refused_naming_file_and_line(extract, tmp_path, stray_line, closed_later):
    # An exported free-text column with `"Bobby` in it: the reader takes the following lines as
    # one field, up to the next quote or the end of the file, and would lose those rows.
    lines = _with_extra_column(extract, "applications", "name", "Ann")
    lines[stray_line - 1] = lines[stray_line - 1][: -len("Ann")] + '"Bobby'
    if closed_later:
        lines[-1] = lines[-1][: -len("Ann")] + '"Smith" Jr'
    (extract / "applications.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(ExtractContractError, match=rf"^applications\.csv: from line {stray_line} the CSV reader") as err:
        _load(extract, tmp_path)
    assert "\n" not in str(err.value)


def test_a_malformed_row_with_a_quoted_line_break_is_quarantined_not_refused(extract, tmp_path):
    header = (extract / "policy_exceptions.csv").read_text().strip()
    (extract / "policy_exceptions.csv").write_text(
        header + '\nXM,EX01,refusals,S1,"note\nsecond line"\nX1,EX01,refusals,S1,2026-01-01,,one\n'
                 "X2,EX01,nope,S1,2026-01-01,,two\n")
    con, report = _load(extract, tmp_path)
    assert _quarantine(con, "policy_exceptions") == [(2, "malformed row: fewer fields than the header"),
                                                     (5, "unknown code in rule")]
    assert con.execute("SELECT source_line FROM raw.policy_exceptions").fetchall() == [(4,)]


def test_a_header_only_file_loads_as_no_rows(extract, tmp_path):
    # Not a contract error: the extract gate (test_extract_gate.py) refuses it with the figures.
    header = (extract / "applications.csv").read_text().splitlines()[0]
    (extract / "applications.csv").write_text(header + "\n")
    _, report = _load(extract, tmp_path)
    assert report.files["applications"]["rows_read"] == 0


def _applications_as_pandas_writes_them(folder: Path):
    """applications.csv as pandas reads and writes it: integer columns with an empty cell as
    float64, dates as midnight timestamps, booleans as 0/1 integers or floats."""
    import pandas as pd

    df = pd.read_csv(folder / "applications.csv", dtype={"application_ref": str})
    df["current_bedrooms"] = df["current_bedrooms"].astype("float64")
    df.loc[df.index[-1], "current_bedrooms"] = float("nan")
    df["registration_date"] = pd.to_datetime(df["registration_date"])
    df["current_home_high_demand"] = df["current_home_high_demand"].astype("int64")
    df["landlord_in_district"] = [0.0, 1.0] + [float("nan")] * (len(df) - 2)
    (folder / "applications.csv").unlink()
    return df


def test_parquet_written_by_pandas_loads_whole_floats_midnight_timestamps_and_0_1_as_values(extract, tmp_path):
    df = _applications_as_pandas_writes_them(extract)
    df.to_parquet(extract / "applications.parquet")
    types = {r[0]: r[1] for r in duckdb.sql(
        f"DESCRIBE SELECT * FROM read_parquet('{extract / 'applications.parquet'}')").fetchall()}
    assert types["current_bedrooms"] == "DOUBLE" and types["registration_date"].startswith("TIMESTAMP")
    assert types["current_home_high_demand"] == "BIGINT" and types["landlord_in_district"] == "DOUBLE"
    con, report = _load(extract, tmp_path)
    assert report.files["applications"]["rows_quarantined"] == 0
    rows = con.execute("SELECT application_ref, current_bedrooms, registration_date, current_home_high_demand, "
                       "landlord_in_district, gross_annual_income FROM raw.applications ORDER BY 1").fetchall()
    assert rows[0] == ("EX01", 1, dt.date(2024, 1, 15), False, False, Decimal("18000.00"))
    assert rows[1][4] is True and rows[-1][1] is None


@pytest.mark.parametrize("column, value, reason", [
    ("current_bedrooms", 1.5, "bad integer in current_bedrooms: not a whole number"),
    ("registration_date", dt.datetime(2024, 1, 15, 10, 30), "bad date in registration_date: not a date YYYY-MM-DD"),
    ("current_home_high_demand", 2, "bad boolean in current_home_high_demand: not true or false"),
    ("gross_annual_income", 18000.005, "bad money in gross_annual_income: not an amount in pounds with up to two decimals"),
])
def test_parquet_values_that_are_not_whole_midnight_or_0_1_are_quarantined_naming_the_column(
        extract, tmp_path, column, value, reason):
    df = _applications_as_pandas_writes_them(extract)
    df.loc[df.index[1], column] = value
    df.to_parquet(extract / "applications.parquet")
    con, report = _load(extract, tmp_path)
    [(line, why)] = _quarantine(con, "applications")
    assert line == 2 and why == reason


ODD_NAMES = ['officer "note"', "it's", "with space", "naïve ünïcode", "Status", "x); DROP TABLE raw.staff; --"]


def test_any_column_name_is_safe_in_csv(extract, tmp_path):
    lines = (extract / "staff.csv").read_text().splitlines()
    header = ",".join('"' + n.replace('"', '""') + '"' for n in ODD_NAMES)
    lines = [lines[0] + "," + header] + [line + ",a,b,c,d,e,f" for line in lines[1:]]
    lines.append('S3,nobody,other,"a ""b""",b,"c\nd",d,e,f')  # a bad row: its raw row is written too
    lines.append("S4,other")  # a malformed row
    (extract / "staff.csv").write_text("\n".join(lines) + "\n")
    con, report = _load(extract, tmp_path)
    assert report.files["staff"]["extra_columns"] == ODD_NAMES
    assert report.files["staff"]["rows_loaded"] == 2
    assert _quarantine(con, "staff") == [(4, "unknown code in role"), (6, "malformed row: fewer fields than the header")]
    raw = con.execute("SELECT raw_row FROM audit.quarantine WHERE line_number = 4").fetchone()[0]
    assert '"officer \\"note\\"":"a \\"b\\""' in raw and '"naïve ünïcode":"d"' in raw


def test_any_column_name_is_safe_in_parquet(extract, tmp_path):
    import pandas as pd

    df = pd.read_csv(extract / "staff.csv")
    for i, name in enumerate(ODD_NAMES):
        df[name] = [f"v{i}"] * len(df)
    df.loc[1, "role"] = "nobody"
    df.to_parquet(extract / "staff.parquet")
    (extract / "staff.csv").unlink()
    con, report = _load(extract, tmp_path)
    assert report.files["staff"]["extra_columns"] == ODD_NAMES
    assert _quarantine(con, "staff") == [(2, "unknown code in role")]


def test_a_trailing_comma_on_every_line_is_an_unnamed_extra_column(extract, tmp_path):
    text = (extract / "staff.csv").read_text()
    (extract / "staff.csv").write_text("".join(line + ",\n" for line in text.splitlines()))
    con, report = _load(extract, tmp_path)
    assert report.files["staff"]["extra_columns"] == ["(unnamed column 4)"]
    assert report.files["staff"]["rows_loaded"] == 2 and report.rows_quarantined == 0


def test_a_file_that_cannot_be_read_is_named_and_no_sql_is_shown(extract, tmp_path):
    (extract / "staff.csv").unlink()
    (extract / "staff.parquet").write_bytes(b"not a parquet file at all")
    with pytest.raises(ExtractContractError) as err:
        _load(extract, tmp_path)
    message = str(err.value)
    assert message.startswith("staff.parquet: ") and "\n" not in message
    assert not any(word in message.upper() for word in ("SELECT", "READ_PARQUET(", "CREATE "))


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_lines_after_blank_lines_are_physical(extract, tmp_path, line_end):
    rows = (extract / "bids.csv").read_text().splitlines()
    rows += ["", "B00011,EXA,EX02,2026-10-21T10:00:00,bogus", "", "", "B00012,EXA,EX03,2026-10-21T10:00:00,active",
             "B00013,EXA,EX04,2026-10-21T10:00:00,bogus", ""]
    (extract / "bids.csv").write_bytes(line_end.join(rows).encode() + line_end.encode())
    con, report = _load(extract, tmp_path)
    assert [line for line, _ in _quarantine(con, "bids")] == [6, 10]
    assert con.execute("SELECT source_line FROM raw.bids WHERE bid_id = 'B00012'").fetchone() == (9,)
    assert report.files["bids"]["rows_read"] == 6


def test_lines_after_blank_lines_quoted_line_breaks_and_a_blank_line_inside_a_cell(extract, tmp_path):
    header = (extract / "policy_exceptions.csv").read_text().strip()
    rows = [header,
            "",                                                    # 2
            'X1,EX01,refusals,S1,2026-01-01,,"first\n\nthird"',    # 3-5: an empty line inside a cell
            "",                                                    # 6
            "X2,EX01,nope,S1,2026-01-01,,x",                       # 7
            "XM,EX01",                                             # 8
            "",                                                    # 9
            'X3,EX01,refusals,S1,2026-01-01,,"a\r\nb"',            # 10-11
            "X4,EX01,nope,S1,2026-01-01,,y"]                       # 12
    (extract / "policy_exceptions.csv").write_bytes("\r\n".join(rows).encode() + b"\r\n")
    con, _ = _load(extract, tmp_path)
    assert [line for line, _ in _quarantine(con, "policy_exceptions")] == [7, 8, 12]
    assert con.execute("SELECT exception_id, source_line FROM raw.policy_exceptions ORDER BY 1").fetchall() == [
        ("X1", 3), ("X3", 10)]


def test_lines_after_more_blank_lines_than_line_steps_looked_up(extract, tmp_path):
    rows = (extract / "bids.csv").read_text().splitlines()
    for i in range(1100):  # each blank line is a step: past the lookup, the lines are numbered in a copy
        rows += ["", f"B1{i:04},EXA,EX02,2026-10-21T10:00:00,{'bogus' if i == 1099 else 'withdrawn'}"]
    (extract / "bids.csv").write_text("\n".join(rows) + "\n")
    con, _ = _load(extract, tmp_path)
    [(line, _)] = [q for q in _quarantine(con, "bids") if "unknown code" in q[1]]
    assert line == 4 + 2 * 1100
    assert con.execute("SELECT source_line FROM raw.bids WHERE bid_id = 'B10000'").fetchone() == (6,)


def test_reasons_never_hold_the_value(extract, tmp_path):
    values = ["24/06/1997", "£24,577.00", "squatting", "seven", "maybe", "NOPE-REF", "2026-10-06", "EX01"]
    _append(extract, "household_members", "EX01,EX01-M7,child,24/06/1997,female,seven")
    _append(extract, "applications", "EX07,register,active,2024-02-03,squatting,maybe,yes,1,0,false,£24,577.00,1.00,,")
    _append(extract, "applications", "EX01,register,active,2024-02-03,private_rented,,yes,1,0,false,1.00,1.00,,")
    _append(extract, "bids", "B00099,NOPE-REF,EX02,2026-10-21T09:00:00,active",
            "B00098,EXA,EX01,2026-10-21T09:10:00,active", "B00097,EXA,EX06")
    _append(extract, "arrangement_payments", "AR9,EX04,2026-10-06,10.00,10.00")
    con, _ = _load(extract, tmp_path)
    quarantined = con.execute("SELECT file_name, reason, raw_row FROM audit.quarantine").fetchall()
    assert len(quarantined) >= 8
    for file_name, reason, raw_row in quarantined:
        assert not [v for v in values if v in reason], (file_name, reason)
    assert any("24/06/1997" in raw_row for _, _, raw_row in quarantined)  # the raw row keeps it


def test_a_cascade_records_the_file_whose_row_caused_it(extract, tmp_path):
    # EX03's application is quarantined (a second applicant): its members, needs, discretionary
    # request and offer go with it, and the request's event with the request, each counted against
    # applications; a bid for an application not in the extract is the bids file's own.
    _append(extract, "household_members", "EX03,EX03-M9,applicant,1990-01-01,male,")
    _append(extract, "bids", "B00099,EXA,EX99,2026-10-21T09:00:00,active")
    con, _ = _load(extract, tmp_path)
    caused = con.execute("SELECT file_name, line_number, caused_by, reason FROM audit.quarantine "
                         "JOIN audit.quarantine_causes USING (run_id, file_name, line_number) "
                         "ORDER BY file_name, line_number").fetchall()
    assert len(caused) == con.execute("SELECT count(*) FROM audit.quarantine").fetchone()[0]
    assert [(f, line, c) for f, line, c, _ in caused] == [
        ("applications", 4, "applications"), ("assessed_needs", 2, "applications"),
        ("assessed_needs", 3, "applications"), ("bids", 5, "bids"), ("discretionary_events", 2, "applications"),
        ("discretionary_requests", 2, "applications"), ("household_members", 7, "applications"),
        ("household_members", 12, "applications"), ("offers", 2, "applications")]
    reasons = {f: r for f, _, _, r in caused}
    assert reasons["discretionary_events"] == "request_id refers to a quarantined row of discretionary_requests (line 2)"
    assert reasons["discretionary_requests"] == "application_ref refers to a quarantined row of applications (line 4)"
    assert reasons["bids"] == "application_ref matches no row of applications"


def test_a_stray_quote_closed_so_that_the_row_loads_is_refused_too(extract, tmp_path):
    # `"Bobby` opens a quoted field in the last column on line 3 and `Smith"` on line 6 closes it
    # at a line end: the reader finds one well-formed row holding lines 3 to 6.
    lines = _with_extra_column(extract, "applications", "name", "Ann")
    lines[2] = lines[2][: -len("Ann")] + '"Bobby'
    lines[5] = lines[5][: -len("Ann")] + 'Smith"'
    (extract / "applications.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(ExtractContractError, match=r"^applications\.csv: from line 3 the CSV reader read 4 lines "
                                                   r"as one row, 3 of them looking like rows of their own"):
        _load(extract, tmp_path)


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 5, 8, 1 << 24])
def test_blank_lines_are_found_across_read_chunks(tmp_path, chunk_size):
    from dagster_project.ingest.csv_lines import blank_lines

    path = tmp_path / "f.csv"
    path.write_bytes(b"\na,b\r\n\r\nc\n\n\nd,\"\n\ne\"\n\n")
    assert blank_lines(path, chunk_size) == [1, 3, 5, 6, 8, 10]
