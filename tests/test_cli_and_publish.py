"""The command line and publishing: exit codes, messages, atomic publish, BI readers."""
import hashlib
import subprocess
import sys
import textwrap

import duckdb
import pytest

from dagster_project.cli import main

from .conftest import MINIMAL, MINIMAL_AS_OF


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(extract, database):
    return main(["run", "--extracts", str(extract), "--as-of", MINIMAL_AS_OF.isoformat(), "--database", str(database)])


def _mart_contents(database):
    with duckdb.connect(str(database), read_only=True) as con:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1").fetchall()]
        return {t: sorted(con.execute(f"SELECT * FROM marts.{t}").fetchall(), key=repr) for t in tables}


def test_bad_date_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", "--extracts", str(MINIMAL), "--as-of", "04/11/2026", "--database", "x.duckdb"])
    assert exc.value.code == 2
    assert "is not a date in the form YYYY-MM-DD" in capsys.readouterr().err


def test_missing_extract_folder_is_a_usage_error(tmp_path, capsys):
    assert _run(tmp_path / "nope", tmp_path / "db.duckdb") == 2
    assert "does not exist" in capsys.readouterr().err


def test_missing_required_file_fails_and_leaves_the_database(minimal_extract, minimal_published, tmp_path, capsys):
    database = tmp_path / "allocations.duckdb"
    database.write_bytes(minimal_published.read_bytes())
    before = _sha(database)
    (minimal_extract / "adverts.csv").unlink()
    assert _run(minimal_extract, database) == 1
    err = capsys.readouterr().err
    assert "required file missing" in err and "adverts.csv" in err
    assert "Traceback" not in err
    assert _sha(database) == before
    assert not list(tmp_path.glob(".allocations.duckdb.work/*.duckdb"))
    assert not (tmp_path / ".allocations.duckdb.work" / "lock").exists()


def test_missing_column_fails_naming_file_and_column(minimal_extract, tmp_path, capsys):
    text = (minimal_extract / "bids.csv").read_text().replace(",status", "").replace(",active", "")
    (minimal_extract / "bids.csv").write_text(text)
    assert _run(minimal_extract, tmp_path / "db.duckdb") == 1
    err = capsys.readouterr().err
    assert "bids.csv: required column missing: status" in err
    assert not (tmp_path / "db.duckdb").exists()


def test_row_errors_are_quarantined_and_counted_not_fatal(minimal_extract, tmp_path, capsys):
    # debts.csv is optional, so the extract gate does not weigh its quarantined share.
    with open(minimal_extract / "debts.csv", "a") as f:
        f.write("D00099,EX01,council,rent_arrears,100.00,yesterday,,false,,\n")
    database = tmp_path / "db.duckdb"
    assert _run(minimal_extract, database) == 0
    out = capsys.readouterr().out
    assert "1 quarantined" in out and "quarantined from debts: 1" in out
    with duckdb.connect(str(database), read_only=True) as con:
        [(file_name, line, reason)] = con.execute("SELECT file_name, line_number, reason FROM audit.quarantine").fetchall()
    assert (file_name, line) == ("debts", 3) and "balance" in reason and "yesterday" not in reason
    [run_folder] = list((tmp_path / "db.runs").iterdir())
    assert "yesterday" in (run_folder / "quarantine.csv").read_text()


def test_two_runs_publish_identical_marts(minimal_published, tmp_path):
    database = tmp_path / "again.duckdb"
    assert _run(MINIMAL, database) == 0
    assert _mart_contents(database) == _mart_contents(minimal_published)


def test_history_is_carried_forward_across_runs(minimal_published, tmp_path):
    database = tmp_path / "twice.duckdb"
    assert _run(MINIMAL, database) == 0
    assert _run(MINIMAL, database) == 0
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("SELECT count(DISTINCT run_id), count(*) FILTER (WHERE status = 'published') "
                           "FROM audit.runs").fetchone() == (2, 2)
        assert con.execute("SELECT count(DISTINCT run_id) FROM audit.load_counts").fetchone() == (2,)


def test_published_file_is_readable_from_another_process_in_v1_4_format(minimal_published):
    script = textwrap.dedent(f"""
        import duckdb
        con = duckdb.connect({str(minimal_published)!r}, read_only=True)
        print(con.execute("SELECT count(*) FROM marts.applicant_bands").fetchone()[0])
        print(con.execute("SELECT tags['storage_version'] FROM duckdb_databases() WHERE NOT internal "
                          "AND database_name <> 'memory'").fetchone()[0])
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "6"
    assert out[1].startswith("v1.4.0")


def test_a_reader_holding_the_file_does_not_block_a_run(minimal_published, tmp_path):
    database = tmp_path / "held.duckdb"
    database.write_bytes(minimal_published.read_bytes())
    reader = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, duckdb
            con = duckdb.connect({str(database)!r}, read_only=True)
            print(con.execute("SELECT count(*) FROM marts.shortlists").fetchone()[0], flush=True)
            sys.stdin.readline()
            print(con.execute("SELECT count(*) FROM marts.shortlists").fetchone()[0], flush=True)
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "3"
        extract = tmp_path / "extract"
        import shutil
        shutil.copytree(MINIMAL, extract)
        with open(extract / "bids.csv", "a") as f:
            f.write("B00100,EXA,EX02,2026-10-23T10:00:00,active\r\n")
        assert _run(extract, database) == 0
        # The reader still sees the file it opened; a new connection sees the new one.
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "3"
    finally:
        reader.kill()
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.shortlists").fetchone()[0] == 4


def test_a_failing_blocking_expectation_publishes_nothing(minimal_published, tmp_path, monkeypatch, capsys):
    """A suite with an expectation the run cannot meet: exit 1, the suite and expectation named,
    and the published file byte for byte as the previous run left it."""
    import json
    import shutil

    from dagster_project.paths import EXPECTATIONS_DIR
    from dagster_project.validation import checks

    suites = tmp_path / "suites"
    shutil.copytree(EXPECTATIONS_DIR, suites, ignore=shutil.ignore_patterns("data_docs"))
    suite_file = suites / "applicant_bands.json"
    suite = json.loads(suite_file.read_text())  # a GX ExpectationSuite (expectations/README.md)
    suite["expectations"].append({
        "type": "expect_column_values_to_be_null",
        "kwargs": {"column": "band"},
        "meta": {"severity": "blocking", "rule": "W1", "description": "no applicant has a band"},
        "severity": "critical"})
    suite_file.write_text(json.dumps(suite, indent=2))
    real_run_suites = checks.run_suites
    monkeypatch.setattr(checks, "run_suites",
                        lambda db, run_id, names, suites_dir: real_run_suites(db, run_id, names, suites_dir=suites))
    database = tmp_path / "allocations.duckdb"
    database.write_bytes(minimal_published.read_bytes())
    before = _sha(database)
    assert _run(MINIMAL, database) == 1
    err = capsys.readouterr().err
    assert "expectations_applicant_bands" in err and "no applicant has a band" in err
    assert _sha(database) == before
    # the marts dbt wrote for publishing are removed with the build database and the lock; dbt's
    # target folder (its partial parse) stays for the next run
    assert sorted(p.name for p in tmp_path.iterdir()) == [".allocations.duckdb.work", "allocations.duckdb",
                                                          "allocations.runs", "suites"]
    assert [p.name for p in (tmp_path / ".allocations.duckdb.work").iterdir()] == ["dbt"]
    # this run's Data Docs are in its own folder, with the failure and the rule id
    [page] = (tmp_path / "allocations.runs").glob("*/data_docs/applicant_bands.html")
    assert "no applicant has a band" in page.read_text() and "<td>W1</td>" in page.read_text()


def test_publish_refuses_a_marts_file_holding_other_schemas(minimal_published, tmp_path):
    """Only marts (and the audit schema publishing adds) may reach BI users: a model configured
    into the published catalog outside marts stops the publish, the target untouched."""
    from dagster_project.publishing import publish

    target = tmp_path / "allocations.duckdb"
    target.write_bytes(minimal_published.read_bytes())
    before = _sha(target)
    from dagster_project.resources import RunPlan

    plan = RunPlan(run_id="test-run", as_of="2026-11-04", extracts_dir=str(MINIMAL), database=str(target),
                   target=str(target))
    plan.work.prepare()
    build, marts = plan.work.build, plan.work.marts
    duckdb.connect(str(build)).close()
    with duckdb.connect() as con:  # as dbt creates it (profiles.yml)
        con.execute(f"ATTACH '{marts}' AS published (STORAGE_VERSION 'v1.4.0')")
        con.execute("CREATE SCHEMA published.marts")
        con.execute("CREATE TABLE published.marts.shortlists AS SELECT 1 AS x")
        con.execute("CREATE SCHEMA published.intermediate")
        con.execute("CREATE TABLE published.intermediate.int_household_members AS SELECT 'personal' AS name")
    with pytest.raises(RuntimeError, match="intermediate"):
        publish(plan)
    assert _sha(target) == before
    assert not marts.exists()
