"""Data Docs for one run: a static HTML page per suite and an index, readable offline.

Written into the run's own folder (`<database stem>.runs/<run id>/data_docs/`), so a failed run
never overwrites the last good run's pages. Every expectation shows its rule id. Beside each
page, GX's own validation result (`<suite>.validation_result.json`, the JSON GX's Data Docs are
rendered from) for anyone who wants to read it with Great Expectations. GX's HTML renderer is
not used: its pages load their stylesheets and scripts from a CDN, which a council's network
may not reach.
"""
from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path

from .results import SuiteResult

SUMMARY_SUFFIX = ".summary.json"

STYLE = ("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
         "padding:4px 8px;vertical-align:top}.bad{background:#fdd}.warn{background:#ffe9b3}.ok{background:#efe}")


def _page(title: str, body: str) -> str:
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>{body}</body></html>")


def _state(result: SuiteResult) -> str:
    return "bad" if result.blocking_failures else "warn" if result.warnings else "ok"


def suite_page(result: SuiteResult, rendered_at: str) -> str:
    rows = "".join(
        f"<tr class={'ok' if e.success else 'bad' if e.severity == 'blocking' else 'warn'}>"
        f"<td>{html.escape(e.rule)}</td><td>{html.escape(e.severity)}</td>"
        f"<td>{'passed' if e.success else 'FAILED'}</td><td>{html.escape(e.description)}</td>"
        f"<td><code>{html.escape(e.expectation)}</code></td><td>{html.escape(e.observed_value)}</td>"
        f"<td>{html.escape(e.failing_examples)}</td></tr>" for e in result.expectations)
    gx_json = (f"<p>Great Expectations' validation result: <a href='{html.escape(result.suite)}.validation_result.json'>"
               f"{html.escape(result.suite)}.validation_result.json</a></p>" if result.gx_result is not None else "")
    return _page(f"Suite {result.suite} ({'/'.join(result.asset)})",
                 f"<p>{result.rows_validated:,} profile rows validated at {html.escape(rendered_at)}.</p>{gx_json}"
                 "<table><tr><th>rule</th><th>severity</th><th>result</th><th>invariant</th><th>expectation</th>"
                 f"<th>observed</th><th>failing rows</th></tr>{rows}</table>")


def render_data_docs(results: list[SuiteResult], out_dir: Path) -> Path:
    """Write `<suite>.html` (and GX's result JSON) for each result, and rewrite `index.html` over
    every suite page in the folder (the load suite and the mart suites are validated in different
    steps); returns the index."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rendered_at = dt.datetime.now().isoformat(timespec="seconds")
    for result in results:
        (out_dir / f"{result.suite}.html").write_text(suite_page(result, rendered_at))
        (out_dir / f"{result.suite}{SUMMARY_SUFFIX}").write_text(json.dumps(
            {"suite": result.suite, "asset": "/".join(result.asset), "state": _state(result),
             "verdict": result.describe(), "expectations": len(result.expectations)}))
        if result.gx_result is not None:
            (out_dir / f"{result.suite}.validation_result.json").write_text(
                json.dumps(result.gx_result.to_json_dict(), indent=1, default=str))
    summaries = [json.loads(p.read_text()) for p in sorted(out_dir.glob(f"*{SUMMARY_SUFFIX}"))]
    rows = "".join(
        f"<tr class={s['state']}><td><a href='{html.escape(s['suite'])}.html'>{html.escape(s['suite'])}</a></td>"
        f"<td>{html.escape(s['asset'])}</td><td>{html.escape(s['verdict'])}</td><td>{s['expectations']}</td></tr>"
        for s in summaries)
    index = out_dir / "index.html"
    index.write_text(_page("Allocations: expectation results",
                           "<table><tr><th>suite</th><th>asset</th><th>result</th><th>expectations</th></tr>"
                           f"{rows}</table>"))
    return index
