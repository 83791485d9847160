"""Policy invariants as Great Expectations suites that gate publishing.

Suite files live in `expectations/*.json`; `run_suites` validates them against a build
database (read-only), `save_results` keeps the outcome in the run's folder and `store_results`
publishes it into `audit.expectation_results`, `render_data_docs` writes static HTML, and
`checks.py` makes each suite a blocking Dagster asset check. Great Expectations is imported only
when a suite runs.
"""
from .data_docs import render_data_docs
from .results import ExpectationResult, SuiteResult
from .runner import run_suites
from .store import save_results, store_results
from .suites import Suite, load_suites

__all__ = ["ExpectationResult", "Suite", "SuiteResult", "load_suites", "render_data_docs", "run_suites",
           "save_results", "store_results"]
