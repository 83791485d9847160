"""The outputs for other audiences (issue 20): the optional equality columns of the extract, the
generator's proportions for them, and the four marts in a published run of the minimal example.

The rule logic of the marts (wait figures, LAHS counts as at 31 March, suppression at 4 and 5) is
in dbt unit tests beside each model (dbt/models/marts/*.yml, dbt/models/intermediate/audiences/),
run by tests/test_dbt_project.py; the invariants are dbt data tests (dbt/tests/audiences/) and
expectation suites (expectations/)."""
import csv
import datetime as dt
from pathlib import Path

import duckdb

from dagster_project.ingest.contract import ETHNIC_GROUPS, FILES_BY_NAME
from dagster_project.ingest.loader import load_extract


OPTIONAL = ("ethnic_group", "disability")


def _load(folder: Path, tmp_path: Path):
    con = duckdb.connect(str(tmp_path / "build.duckdb"))
    return con, load_extract(con, folder, "test-run")


def _with_optional_columns(folder: Path, values: dict[str, tuple[str, str]]) -> None:
    """Add the optional columns to household_members.csv, {member_id: (ethnic_group, disability)};
    members not named get empty cells. The fixture itself is left without them."""
    path = folder / "household_members.csv"
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=[*rows[0], *OPTIONAL], lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, **dict(zip(OPTIONAL, values.get(row["member_id"], ("", ""))))})


def test_optional_columns_are_declared_optional_and_nullable():
    members = FILES_BY_NAME["household_members"]
    for name in OPTIONAL:
        column = members.column(name)
        assert column.optional and column.nullable
    assert members.column("ethnic_group").codes == ETHNIC_GROUPS
    assert len(ETHNIC_GROUPS) == 20
    assert not any(c.optional for spec in FILES_BY_NAME.values() for c in spec.columns if c.name not in OPTIONAL)


def test_extract_without_the_optional_columns_loads_them_as_null(minimal_extract, tmp_path):
    con, report = _load(minimal_extract, tmp_path)
    assert report.rows_quarantined == 0
    assert con.execute("SELECT count(*), count(ethnic_group), count(disability) FROM raw.household_members"
                       ).fetchone() == (report.files["household_members"]["rows_loaded"], 0, 0)
    assert con.execute("SELECT extra_columns FROM audit.load_counts WHERE file_name = 'household_members'"
                       ).fetchone() == ([],)


def test_extract_with_the_optional_columns_loads_and_checks_them(minimal_extract, tmp_path):
    _with_optional_columns(minimal_extract, {
        "EX01-M0": ("white_british", "true"),
        "EX02-M0": ("asian_indian", "FALSE"),
        "EX02-M1": ("", ""),              # present but empty: NULL
        "EX03-M0": ("martian", "false"),  # an unknown code: the row, and its application, quarantined
    })
    con, report = _load(minimal_extract, tmp_path)
    loaded = dict(((r[0], (r[1], r[2])) for r in con.execute(
        "SELECT member_id, ethnic_group, disability FROM raw.household_members").fetchall()))
    assert loaded["EX01-M0"] == ("white_british", True)
    assert loaded["EX02-M0"] == ("asian_indian", False)
    assert loaded["EX02-M1"] == (None, None)
    assert "EX03-M0" not in loaded
    [(reason,)] = con.execute("SELECT reason FROM audit.quarantine WHERE file_name = 'household_members'").fetchall()
    assert "ethnic_group" in reason
    assert con.execute("SELECT extra_columns FROM audit.load_counts WHERE file_name = 'household_members'"
                       ).fetchone() == ([],)


def test_optional_columns_also_absent_from_a_parquet_extract(minimal_extract, tmp_path):
    path = minimal_extract / "household_members.csv"
    with duckdb.connect() as con:
        con.execute(f"COPY (SELECT * FROM read_csv('{path}', all_varchar = true)) "
                    f"TO '{minimal_extract / 'household_members.parquet'}' (FORMAT parquet)")
    path.unlink()
    con, report = _load(minimal_extract, tmp_path)
    assert report.rows_quarantined == 0
    assert con.execute("SELECT count(ethnic_group) + count(disability) FROM raw.household_members").fetchone() == (0,)


def test_generator_fills_the_equality_columns_in_census_proportions(tmp_path):
    from dagster_project.generator import generate_extract

    generate_extract(tmp_path, applications=3_000, seed=5, as_of=dt.date(2026, 11, 4))
    with duckdb.connect() as con:
        shares = con.execute(f"""
            SELECT count(*) FILTER (WHERE ethnic_group IS NULL) / count(*),
                   count(*) FILTER (WHERE ethnic_group = 'white_british') / count(ethnic_group),
                   count(*) FILTER (WHERE ethnic_group = 'asian_indian') / count(ethnic_group),
                   count(*) FILTER (WHERE disability) / count(disability),
                   count(*) FILTER (WHERE disability IS NULL) / count(*)
            FROM read_csv('{tmp_path / "household_members.csv"}', all_varchar = false,
                          types = {{'ethnic_group': 'VARCHAR', 'disability': 'BOOLEAN'}})""").fetchone()
        codes = {r[0] for r in con.execute(
            f"SELECT DISTINCT ethnic_group FROM read_csv('{tmp_path / 'household_members.csv'}') "
            "WHERE ethnic_group IS NOT NULL").fetchall()}
    not_recorded, white_british, indian, disabled, disability_not_recorded = shares
    assert 0.03 < not_recorded < 0.07
    assert 0.67 < white_british < 0.75       # 73.5% of England, less the prefer_not_to_say answers
    assert 0.02 < indian < 0.045             # 3.3%
    assert 0.15 < disabled < 0.21            # 17.7%
    assert 0.03 < disability_not_recorded < 0.07
    assert codes <= set(ETHNIC_GROUPS) and "prefer_not_to_say" in codes


def test_minimal_run_publishes_the_four_marts(minimal_published):
    with duckdb.connect(str(minimal_published), read_only=True) as con:
        tables = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'").fetchall()}
        assert {"lettings_results", "lettings_wait_summary", "lahs_waiting_list", "equality_outcomes"} <= tables
        # No let in the minimal example (tests/fixtures/minimal/README.md: one pending direct offer).
        assert con.execute("SELECT count(*) FROM marts.lettings_results").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM marts.lettings_wait_summary").fetchone() == (0,)
        # 2026-11-04: the last 31 March is 2026-03-31; every cell of 2 types x 4 bedroom groups x 6 measures.
        assert con.execute("SELECT DISTINCT as_at FROM marts.lahs_waiting_list").fetchall() == [(dt.date(2026, 3, 31),)]
        assert con.execute("SELECT count(*) FROM marts.lahs_waiting_list").fetchone() == (48,)
        # Without the optional columns, only age band and sex. The six main applicants are all women
        # aged 35 to 44: those two register counts (6) are published, every smaller one suppressed.
        assert {r[0] for r in con.execute("SELECT DISTINCT characteristic FROM marts.equality_outcomes").fetchall()} \
            == {"age_band", "sex"}
        assert sorted(con.execute("SELECT characteristic, characteristic_group, measure, households "
                                  "FROM marts.equality_outcomes WHERE NOT suppressed").fetchall()) == [
            ("age_band", "35_to_44", "on_register", 6), ("sex", "female", "on_register", 6)]
        assert con.execute("SELECT count(*) FROM marts.equality_outcomes WHERE suppressed AND households IS NULL "
                           "AND median_months_to_letting IS NULL").fetchone() == (
            con.execute("SELECT count(*) - 2 FROM marts.equality_outcomes").fetchone())


def test_each_new_mart_is_an_asset_with_its_checks():
    """Issue 20 item 6: the dbt data tests become Dagster asset checks through dagster-dbt (a
    singular test reading several models names its mart in its config), and the GX suites attach
    to the marts they reconcile."""
    from dagster_project.definitions import defs

    checks: dict[str, set[str]] = {}
    for key in defs.resolve_asset_graph().asset_check_keys:
        checks.setdefault(key.asset_key.to_user_string(), set()).add(key.name)
    assert {"assert_lettings_results__no_identifying_column", "assert_lettings_results__no_identifying_value",
            "expectations_lettings_results"} <= checks["marts/lettings_results"]
    assert "unique_key_lettings_wait_summary_bedrooms__band" in checks["marts/lettings_wait_summary"]
    assert {"assert_lahs_waiting_list__categories_within_totals",
            "expectations_lahs_waiting_list"} <= checks["marts/lahs_waiting_list"]
    assert {"assert_equality_outcomes__no_suppressed_count_leaks",
            "expectations_equality_outcomes"} <= checks["marts/equality_outcomes"]
