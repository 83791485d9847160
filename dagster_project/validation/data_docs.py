"""Static HTML for the expectation results: GX's own validation page per suite, and an index.

GX's file context (stores, sites, checkpoints) is slow to set up and writes a project tree;
the same page renderer GX's Data Docs use works on the in-memory validation result, so each
suite's page is GX Data Docs and the index is ours. Pages accumulate: a check renders its own
suite, and the index lists every suite page in the folder.
"""
from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path

from .results import SuiteResult

SUMMARY_SUFFIX = ".summary.json"


def gx_page(result: SuiteResult) -> str | None:
    """GX's validation page for the suite, rendered from GX's own result object."""
    if result.gx_result is None:
        return result.gx_page
    from great_expectations.render.renderer import ValidationResultsPageRenderer
    from great_expectations.render.view import DefaultJinjaPageView

    return DefaultJinjaPageView().render(ValidationResultsPageRenderer().render(result.gx_result))


def warm_up() -> None:
    """Import the page renderer ahead of the first page (the GX worker does, while it waits)."""
    import great_expectations.render.renderer  # noqa: F401
    import great_expectations.render.view  # noqa: F401


def _summary(result: SuiteResult) -> dict:
    return {
        "suite": result.suite, "asset": "/".join(result.asset), "passed": result.passed,
        "rendered_at": dt.datetime.now().isoformat(timespec="seconds"),
        "expectations": [e.__dict__ for e in result.expectations],
    }


def _fallback_page(summary: dict) -> str:
    rows = "".join(
        f"<tr class={'ok' if e['success'] else 'bad'}><td>{html.escape(e['severity'])}</td>"
        f"<td>{'passed' if e['success'] else 'FAILED'}</td><td>{html.escape(e['description'])}</td>"
        f"<td><code>{html.escape(e['expectation'])}</code></td><td>{html.escape(e['observed_value'])}</td>"
        f"<td>{html.escape(e['failing_examples'])}</td></tr>" for e in summary["expectations"])
    return _html(f"Suite {summary['suite']}", f"<table><tr><th>severity</th><th>result</th><th>invariant</th>"
                                               f"<th>expectation</th><th>observed</th><th>failing rows</th></tr>{rows}</table>")


def _html(title: str, body: str) -> str:
    style = ("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
             "padding:4px 8px;vertical-align:top}.bad{background:#fdd}.warn{background:#ffe9b3}.ok{background:#efe}")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{style}</style></head><body><h1>{html.escape(title)}</h1>{body}</body></html>")


def _index(out_dir: Path) -> str:
    rows = []
    for path in sorted(out_dir.glob(f"*{SUMMARY_SUFFIX}")):
        s = json.loads(path.read_text())
        failed = [e for e in s["expectations"] if not e["success"]]
        blocking = [e for e in failed if e["severity"] == "blocking"]
        state = "bad" if blocking else "warn" if failed else "ok"
        verdict = (f"{len(blocking)} blocking failure(s)" if blocking else
                   f"passed with {len(failed)} warning(s)" if failed else "passed")
        details = "".join(f"<li>[{html.escape(e['severity'])}] {html.escape(e['description'])}: "
                          f"{html.escape(e['observed_value'])}</li>" for e in failed)
        rows.append(f"<tr class={state}><td><a href='{html.escape(s['suite'])}.html'>{html.escape(s['suite'])}</a></td>"
                    f"<td>{html.escape(s['asset'])}</td><td>{verdict}<ul>{details}</ul></td>"
                    f"<td>{len(s['expectations'])}</td><td>{html.escape(s['rendered_at'])}</td></tr>")
    table = ("<table><tr><th>suite</th><th>asset</th><th>result</th><th>expectations</th><th>validated</th></tr>"
             + "".join(rows) + "</table>")
    return _html("Allocations: expectation results", table)


def render_data_docs(results: list[SuiteResult], out_dir: Path) -> Path:
    """Write <suite>.html for each result and rewrite index.html over all suites in out_dir."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for result in results:
        summary = _summary(result)
        (out_dir / f"{result.suite}{SUMMARY_SUFFIX}").write_text(json.dumps(summary, indent=1, default=str))
        page = gx_page(result) or _fallback_page(summary)
        (out_dir / f"{result.suite}.html").write_text(page)
    index = out_dir / "index.html"
    index.write_text(_index(out_dir))
    return index
