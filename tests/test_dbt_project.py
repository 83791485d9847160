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
            "lettings_audit"} <= set(marts)
    unenforced = sorted(name for name, n in marts.items() if not n["config"]["contract"]["enforced"])
    assert unenforced == ["shortlist_explanations"]
    untyped = sorted(f"{name}.{c}" for name, n in marts.items() for c, col in n["columns"].items()
                     if not col.get("data_type"))
    assert not untyped
    assert marts["shortlists"]["columns"]["ineligible_reasons"]["data_type"] == "varchar[]"
