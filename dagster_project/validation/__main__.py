"""Run the expectation suites on a build database by hand (read-only), e.g. a development
build (docs/maintaining.md, "Run dbt by hand"):

    python -m dagster_project.validation BUILD.duckdb RUN_ID [SUITE ...] [--docs DIR]

Prints each suite's outcome and timing; exits 1 when a blocking expectation fails.
"""
import argparse
import sys
import time
from pathlib import Path

from . import render_data_docs, run_suites


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dagster_project.validation", description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path)
    parser.add_argument("run_id", help="the run whose as-of date (audit.runs) and load counts to use")
    parser.add_argument("suites", nargs="*", help="suite names (default: all)")
    parser.add_argument("--docs", type=Path, help="also write Data Docs HTML to this folder")
    args = parser.parse_args(argv)
    started = time.monotonic()
    results = run_suites(args.database, args.run_id, args.suites or None)
    for r in results:
        print(f"{r.suite:22} {'passed' if r.passed else 'FAILED':6} {len(r.expectations):3} expectations "
              f"{r.rows_validated:6,} profile rows {r.seconds:6.2f}s")
        for e in r.blocking_failures + r.warnings:
            print(f"  {e.line()}")
    print(f"run_suites: {time.monotonic() - started:.2f}s in all (Great Expectations import included)")
    if args.docs:
        print(f"data docs: {render_data_docs(results, args.docs)}")
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
