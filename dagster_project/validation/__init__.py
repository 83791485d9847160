"""Policy invariants as Great Expectations suites that gate publishing (issue 7).

Suite files live in `expectations/*.json`; `run_suites` validates them against a build
database, `store_results` records the outcome in `audit.expectation_results`,
`render_data_docs` writes static HTML, and `checks.build_expectation_checks` turns each suite
into a blocking Dagster asset check. Great Expectations is imported only when a suite runs.
"""
from .results import ExpectationResult, SuiteResult
from .runner import run_suites
from .store import store_results
from .suites import Suite, load_suites
from .data_docs import render_data_docs

__all__ = ["ExpectationResult", "Suite", "SuiteResult", "load_suites", "render_data_docs", "run_suites",
           "store_results"]
