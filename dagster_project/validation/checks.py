"""One blocking Dagster asset check per suite file, attached to the asset the suite validates.

A check passes when no *blocking* expectation of its suite fails; warnings ride along in its
metadata and in audit.expectation_results. A failing check (severity ERROR, blocking) stops
the assets downstream of its asset, so nothing is published.
"""

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
from dagster import (AssetCheckExecutionContext, AssetCheckResult, AssetCheckSeverity, AssetChecksDefinition,
                     AssetKey, MetadataValue, asset_check)

from ..paths import EXPECTATIONS_DIR
from ..resources import AllocationsRun
from . import worker
from .data_docs import render_data_docs
from .results import SuiteResult
from .runner import run_suites
from .store import store_results
from .suites import Suite, load_suites


def data_docs_dir() -> Path:
    """expectations/data_docs (git-ignored) unless ALLOCATIONS_DATA_DOCS names another folder."""
    return Path(os.environ.get("ALLOCATIONS_DATA_DOCS") or EXPECTATIONS_DIR / "data_docs")


def check_result(result: SuiteResult) -> AssetCheckResult:
    failed = result.blocking_failures + result.warnings
    return AssetCheckResult(
        passed=result.passed,
        severity=AssetCheckSeverity.ERROR,
        description=result.describe(),
        metadata={
            "suite": result.suite,
            "expectations": len(result.expectations),
            "blocking_failures": len(result.blocking_failures),
            "warnings": len(result.warnings),
            "rows_validated": result.rows_validated,
            "seconds": round(result.seconds, 2),
            "observed": MetadataValue.md("\n".join(
                f"- **{e.severity}** {e.description}: `{e.expectation}` observed {e.observed_value}"
                for e in failed) or "every expectation passed"),
            "failing_examples": MetadataValue.text("\n".join(
                f"{e.expectation}: {e.failing_examples}" for e in failed if e.failing_examples)),
        },
    )


def _build_check(suite: Suite) -> AssetChecksDefinition:
    @asset_check(asset=AssetKey(list(suite.asset)), name=f"expectations_{suite.name}", blocking=True,
                 description=f"Great Expectations suite expectations/{suite.name}.json: {suite.description}")
    def _check(context: AssetCheckExecutionContext, run: AllocationsRun) -> AssetCheckResult:
        run_id = context.run.run_id
        build = run.build_database(run_id)
        [result] = run_suites(build, run_id, [suite.name], suites_dir=suite.path.parent)
        with duckdb.connect(str(build)) as con:
            store_results(con, [result], run_id)
        try:
            render_data_docs([result], data_docs_dir())
        except Exception as exc:  # documentation must never decide whether a run publishes
            context.log.warning(f"data docs for suite {suite.name} not written: {exc}")
        return check_result(result)

    return _check


# A table in a suite's SQL: schema.name. Ingestion writes raw and audit before dbt runs.
_TABLE = re.compile(r"\b(\w+)\.(\w+)\b")
_INGESTED_SCHEMAS = frozenset({"raw", "audit"})


def early_suites(asset_keys, manifest: Mapping[str, Any], suites_dir: Path = EXPECTATIONS_DIR) -> list[dict]:
    """The suites of these assets the dbt worker can read mid-build, each with the dbt relations
    it reads: once those are built its data is final (a build database is new, and dbt creates
    each table whole). A suite reading a table dbt does not build waits for `prefetch_suites_on`."""
    if worker.current() is None:
        return []
    built = {f"{n['schema']}.{n['alias']}" for n in manifest["nodes"].values()
             if n["resource_type"] in ("model", "seed", "snapshot")}
    dbt_schemas = {relation.split(".")[0] for relation in built}
    early = []
    for suite in load_suites(suites_dir):
        if AssetKey(list(suite.asset)) not in asset_keys:
            continue
        sql = " ".join([suite.sql, *(p["sql"] for p in suite.parameters.values())])
        tables = {f"{schema}.{name}" for schema, name in _TABLE.findall(sql) if schema in dbt_schemas}
        if tables and tables <= built:
            early.append({"name": suite.name, "suites_dir": str(suites_dir), "after": sorted(tables)})
    return early


def prefetch_suites_on(asset_keys, build: Path, run_id: str, suites_dir: Path = EXPECTATIONS_DIR) -> None:
    """Have the GX worker, when this process has one, validate now the suites of these assets
    (the dbt step calls this once its build succeeded); their checks then take the results."""
    names = [s.name for s in load_suites(suites_dir) if AssetKey(list(s.asset)) in asset_keys]
    worker.prefetch(build, run_id, names, suites_dir)


def build_expectation_checks(suites_dir: Path = EXPECTATIONS_DIR) -> list[AssetChecksDefinition]:
    return [_build_check(s) for s in load_suites(suites_dir)]
