"""`allocations explain`: golden texts for an applicant with a band, one with a restriction, one
with bids, and an advert's shortlist; its exit codes; and that it reads one application or advert
by a filter that reaches every table's scan.

The golden texts are in tests/golden/explain/<name>.txt. After a deliberate change of wording
(dbt/models/marts/applicant_explanations.sql, advert_explanations.sql, shortlist_explanations.sql),
rewrite them and review the diff:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_explain.py
"""
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from dagster_project.cli import main

from .conftest import MINIMAL_AS_OF

GOLDEN = Path(__file__).parent / "golden" / "explain"


def _explain(capsys, *args):
    code = main(["explain", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name, args", [
    # EX03: band two by multiple need, each need with its date and rule, its band history
    ("band", ["EX03"]),
    # EX05: the housing_debt restriction and the bid it makes ineligible
    ("restriction", ["EX05"]),
    # EX06: band one and its bid at position 1
    ("bids", ["EX06"]),
    # EXA: eligible bids in position order, then the ineligible one with its reasons
    ("advert", ["--advert", "EXA"]),
])
def test_explanation_matches_golden_text(minimal_published, capsys, name, args):
    code, out, err = _explain(capsys, *args, "--database", str(minimal_published))
    assert (code, err) == (0, "")
    golden = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(out)
    assert out == golden.read_text()


def test_published_views_columns_and_types(minimal_published):
    # Views without an enforced contract (dbt/models/marts/shortlist_explanations.sql says why).
    with duckdb.connect(str(minimal_published), read_only=True) as con:
        columns = con.execute("""
            SELECT table_name, column_name, data_type FROM information_schema.columns
            WHERE table_schema = 'marts' AND table_name IN ('applicant_explanations', 'advert_explanations')
            ORDER BY table_name, ordinal_position""").fetchall()
    assert columns == [("advert_explanations", "advert_id", "VARCHAR"), ("advert_explanations", "explanation", "VARCHAR"),
                       ("applicant_explanations", "application_ref", "VARCHAR"),
                       ("applicant_explanations", "explanation", "VARCHAR")]


def test_cli_prints_the_views_text(minimal_published, capsys):
    # One source of wording: the CLI adds only the heading naming the run's date.
    _, out, _ = _explain(capsys, "EX05", "--database", str(minimal_published))
    with duckdb.connect(str(minimal_published), read_only=True) as con:
        text = con.execute("SELECT explanation FROM marts.applicant_explanations "
                           "WHERE application_ref = 'EX05'").fetchone()[0]
    assert out == f"As published for {MINIMAL_AS_OF}:\n{text}\n"


@pytest.mark.parametrize("args, names", [
    (["EX99"], "EX99"),
    (["--advert", "NOPE"], "NOPE"),
    (["EX01", "--as-of", "2026-11-03"], "2026-11-03"),
])
def test_unknown_reference_advert_or_date_is_exit_2_with_one_line(minimal_published, capsys, args, names):
    code, out, err = _explain(capsys, *args, "--database", str(minimal_published))
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1 and names in err


def test_missing_database_is_exit_2_with_one_line(tmp_path, capsys):
    code, out, err = _explain(capsys, "EX01", "--database", str(tmp_path / "absent.duckdb"))
    assert (code, out) == (2, "")
    assert err.splitlines() == [f"allocations: error: --database {tmp_path / 'absent.duckdb'} does not exist"]
    assert not (tmp_path / "absent.duckdb").exists()


def test_a_file_the_pipeline_did_not_publish_is_exit_2_with_one_line(tmp_path, capsys):
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    code, out, err = _explain(capsys, "EX01", "--database", str(other))
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1 and "not a database this pipeline published" in err


def test_as_of_reads_the_past_date_file_or_the_main_file(minimal_published, tmp_path, capsys):
    database = tmp_path / "allocations.duckdb"
    shutil.copy(minimal_published, database)
    past = tmp_path / "allocations.as-of" / "2026-10-01.duckdb"
    past.parent.mkdir()
    shutil.copy(minimal_published, past)
    with duckdb.connect(str(past)) as con:  # as a run for that date would have published it
        con.execute("UPDATE audit.runs SET as_of_date = DATE '2026-10-01'")
    code, out, _ = _explain(capsys, "EX06", "--database", str(database), "--as-of", "2026-10-01")
    assert code == 0 and out.startswith("As published for 2026-10-01:\nEX06 ")
    code, out, _ = _explain(capsys, "EX06", "--database", str(database), "--as-of", MINIMAL_AS_OF.isoformat())
    assert code == 0 and out.startswith(f"As published for {MINIMAL_AS_OF}:\nEX06 ")


def test_explain_opens_the_file_read_only(minimal_published, capsys):
    # A writer holding the file (a BI tool or a run) does not stop a read-only reader, and the
    # reader leaves the file byte for byte as it was.
    before = minimal_published.read_bytes()
    with duckdb.connect(str(minimal_published), read_only=True):
        code, _, _ = _explain(capsys, "EX01", "--database", str(minimal_published))
    assert code == 0
    assert minimal_published.read_bytes() == before


def _scans(plan):
    for node in plan:
        if "SEQ_SCAN" in node.get("name", ""):
            yield node["extra_info"]
        yield from _scans(node.get("children", []))


@pytest.mark.parametrize("view, column, key", [
    ("applicant_explanations", "application_ref", "EX05"),
    ("advert_explanations", "advert_id", "EXA"),
])
def test_the_filter_reaches_every_table_scan(minimal_published, tmp_path, view, column, key):
    """Read for one key, every table holding that key is scanned with the filter, not whole
    (shortlist_applicants, which has no advert_id, is read by a hash join for an advert). A row
    with another key is added to each table first, or DuckDB's statistics would drop the filter
    as always true on the minimal file."""
    database = tmp_path / "two_keys.duckdb"
    shutil.copy(minimal_published, database)
    with duckdb.connect(str(database)) as con:
        keyed = set()
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' "
            "AND table_type = 'BASE TABLE' ORDER BY 1").fetchall()]
        for table in tables:
            columns = {r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'marts' "
                "AND table_name = ?", [table]).fetchall()}
            if column in columns:
                keyed.add(table)
                con.execute(f"INSERT INTO marts.{table} SELECT * REPLACE ('OTHER' AS {column}) "
                            f"FROM marts.{table} LIMIT 1")
        plan = json.loads(con.execute(
            f"EXPLAIN (FORMAT JSON) SELECT explanation FROM marts.{view} WHERE {column} = '{key}'").fetchall()[0][1])
    scans = [scan for scan in _scans(plan) if scan["Table"].rsplit(".", 1)[-1] in keyed]
    assert scans
    for scan in scans:
        assert f"{column} = '{key}'" in str(scan.get("Filters")), scan["Table"]


def test_help_has_examples_and_the_exit_codes(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["explain", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out and "allocations explain --advert" in out
    assert "exit codes:" in out


def test_explain_does_not_load_dagster(minimal_published):
    # A caseworker waits for the answer: finding the file and reading one row must not import
    # Dagster (seconds on its own), only DuckDB.
    script = textwrap.dedent(f"""
        import sys
        from dagster_project.cli import main
        assert main(["explain", "EX01", "--database", {str(minimal_published)!r}]) == 0
        print("dagster" in sys.modules)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "False"
