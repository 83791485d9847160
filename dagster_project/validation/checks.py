"""The expectation suites as blocking Dagster asset checks.

- `load` validates the extract as loaded; it is a check of `raw_extract` evaluated in that
  asset's own step (assets/ingestion.py), so dbt does not start on an extract that fails it.
- Every other suite checks a mart. They are evaluated together in one step after the dbt build
  (one Great Expectations import, one read-only connection), and each declares the validation
  and intermediate models its SQL reads as `additional_deps`, so the asset graph shows what a
  check reads. A failing blocking expectation fails its check; the publish step, downstream of
  every mart, then does not run.
A check passes when no *blocking* expectation of its suite fails; warnings ride along in its
metadata and in audit.expectation_results.
"""

import re
from pathlib import Path

from dagster import (AssetCheckExecutionContext, AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetKey,
                     MetadataValue, multi_asset_check)

from ..paths import EXPECTATIONS_DIR
from ..progress import progress
from ..resources import AllocationsSettings, RunPlan
from .data_docs import render_data_docs
from .results import SuiteResult
from .runner import run_suites
from .store import save_results
from .suites import Suite, load_suites
from ..work_files import RunLock

LOAD_SUITE = "load"

# A relation in a suite's SQL: schema.name. Models of these schemas are dbt assets keyed
# [schema, name] (the dbt translator's default).
_RELATION = re.compile(r"\b(validation|intermediate|staging|policy)\.(\w+)\b")


def check_name(suite: Suite) -> str:
    return f"expectations_{suite.name}"


def suite_reads(suite: Suite) -> list[AssetKey]:
    sql = " ".join([suite.sql, *(p["sql"] for p in suite.parameters.values())])
    return sorted({AssetKey([schema, name]) for schema, name in _RELATION.findall(sql)}, key=lambda k: k.path)


def check_result(result: SuiteResult, asset_key: AssetKey | None = None) -> AssetCheckResult:
    failed = result.blocking_failures + result.warnings
    return AssetCheckResult(
        asset_key=asset_key,
        check_name=f"expectations_{result.suite}",
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
                f"- **{e.severity}** [{e.rule}] {e.description}: `{e.expectation}` observed {e.observed_value}"
                for e in failed) or "every expectation passed"),
            "failing_examples": MetadataValue.text("\n".join(
                f"{e.expectation}: {e.failing_examples}" for e in failed if e.failing_examples)),
        },
    )


def validate_and_record(build: Path, plan: RunPlan, names: list[str], suites_dir: Path) -> list[SuiteResult]:
    """Run the named suites on the build database (read-only), keep their results in the run's
    folder and render their Data Docs there."""
    results = run_suites(build, plan.run_id, names, suites_dir=suites_dir)
    save_results(plan.folder, results)
    render_data_docs(results, plan.folder / "data_docs")
    return results


def load_check_spec(suites_dir: Path = EXPECTATIONS_DIR) -> AssetCheckSpec:
    [suite] = load_suites(suites_dir, [LOAD_SUITE])
    return AssetCheckSpec(check_name(suite), asset="raw_extract", blocking=True,
                          description=f"Great Expectations suite expectations/{suite.name}.json: {suite.description}")


def build_mart_checks(suites_dir: Path = EXPECTATIONS_DIR):
    suites = {check_name(s): s for s in load_suites(suites_dir) if s.name != LOAD_SUITE}
    specs = [AssetCheckSpec(name, asset=AssetKey(list(s.asset)), additional_deps=suite_reads(s), blocking=True,
                            description=f"Great Expectations suite expectations/{s.name}.json: {s.description}")
             for name, s in suites.items()]

    @multi_asset_check(name="great_expectations", specs=specs, can_subset=True,
                       description="The Great Expectations suites of the marts, validated on the build database "
                                   "read-only (expectations/README.md).")
    def great_expectations(context: AssetCheckExecutionContext, allocations: AllocationsSettings):
        plan = RunPlan.load(allocations, context.run.run_id)
        selected = sorted(suites[key.name].name for key in context.selected_asset_check_keys)
        progress(f"expectations: validating {len(selected)} suites")
        lock = RunLock(plan.work)
        with lock.released_on_failure(plan.run_id):
            results = validate_and_record(plan.work.build, plan, selected, suites_dir)
        if not all(r.passed for r in results):  # a blocking check fails: nothing will be published
            lock.release(plan.run_id, remove_databases=True)
        for result in results:
            yield check_result(result, AssetKey(list(result.asset)))
        progress("expectations: done")

    return great_expectations
