"""`dbt build` with every unit test, data test and model, on a generated extract.

dbt unit tests check each rule on hand-made rows; they are excluded from the nightly run and
run here. The data tests run on a realistic generated extract, which exercises every rule.
"""
import datetime as dt
import json
import os
import subprocess

import duckdb
import pytest

from dagster_project.ingest.loader import load_extract
from dagster_project.paths import DBT_PROJECT_DIR
from dagster_project.project import dbt_executable

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
        # What the ingestion asset writes beside the extract: the models read D from it.
        con.execute("CREATE TABLE raw.run_parameters AS SELECT CAST(? AS DATE) AS as_of_date", [AS_OF])
    assert report.rows_quarantined == 0
    env = {**os.environ, "ALLOCATIONS_BUILD_DB": str(database), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    result = subprocess.run(
        [dbt_executable(), "build", "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(tmp / "target"),
         "--log-path", str(tmp / "logs"), "--vars", json.dumps({"as_of_date": AS_OF.isoformat()})],
        cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True)
    results = json.loads((tmp / "target" / "run_results.json").read_text())["results"]
    return result, results, database


def test_every_unit_test_data_test_and_model_passes(dbt_build):
    result, results, _ = dbt_build
    failed = [f"{r['unique_id']}: {r['status']} {r.get('message') or ''}" for r in results
              if r["status"] not in ("success", "pass")]
    assert not failed, "\n".join(failed) + "\n" + result.stdout[-3000:]
    assert result.returncode == 0


def test_unit_tests_ran(dbt_build):
    _, results, _ = dbt_build
    unit_tests = [r for r in results if r["unique_id"].startswith("unit_test.")]
    assert len(unit_tests) >= 50


def test_unique_finds_every_repeated_value_and_ignores_nulls(dbt_build):
    """dbt/macros/test_unique.sql replaces dbt's `unique` (by sorting, not grouping): the build
    ran the replacement, and its SQL, run on a table with repeats, reports each repeated value
    once with its count, as dbt's does, and nothing for NULLs or a table without repeats."""
    _, results, _ = dbt_build
    [test] = [r for r in results if r["unique_id"].startswith("test.allocations.unique_shortlists_bid_id.")]
    sql = test["compiled_code"]
    assert "lag(bid_id) over (order by bid_id)" in sql, sql
    with duckdb.connect() as con:
        con.execute("ATTACH ':memory:' AS published")
        con.execute("CREATE SCHEMA published.marts")
        con.execute("CREATE TABLE published.marts.shortlists (bid_id VARCHAR)")
        con.execute("INSERT INTO published.marts.shortlists VALUES ('B1'), ('B2'), (NULL), ('B3'), (NULL), ('B4')")
        assert con.execute(sql).fetchall() == []
        con.execute("INSERT INTO published.marts.shortlists VALUES ('B3'), ('B1'), ('B3'), ('B0')")
        assert sorted(con.execute(sql).fetchall()) == [("B1", 2), ("B3", 3)]


def test_build_tables_are_stored_uncompressed(dbt_build):
    """The build-database tables that grow with the register (`uncompressed_columns: all`,
    dbt_project.yml) store every column uncompressed: DuckDB's only choice left is a constant
    segment. The marts keep DuckDB's compression (tests/test_examples.py checks the published
    file)."""
    _, _, database = dbt_build
    manifest = json.loads((database.parent / "target" / "manifest.json").read_text())
    tables = sorted(f"{n['schema']}.{n['alias']}" for n in manifest["nodes"].values()
                    if n["resource_type"] == "model" and n["config"]["materialized"] == "table"
                    and n["config"]["meta"].get("uncompressed_columns") == "all")
    assert len(tables) >= 15 and "intermediate.int_applicant_bands" in tables, tables
    with duckdb.connect(str(database), read_only=True) as con:
        compressions = {(table, compression) for table in tables for (compression,) in con.execute(
            f"SELECT DISTINCT compression FROM pragma_storage_info('{table}') WHERE segment_type <> 'VALIDITY'")
            .fetchall()}
    assert {c for _, c in compressions} <= {"Uncompressed", "Constant"}, sorted(
        (t, c) for t, c in compressions if c not in ("Uncompressed", "Constant"))
    assert ("intermediate.int_applicant_bands", "Uncompressed") in compressions
