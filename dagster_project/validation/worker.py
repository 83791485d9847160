"""A Great Expectations process started with the run, which validates suites when asked.

Why: importing GX takes 3-4 s of Python, and the first suite (`load`, on `raw_extract`) is a
blocking check that runs right after ingestion, before dbt may start. Imported in the Dagster
process, GX shares one core (the GIL) with Dagster's start-up and ingestion; in a process of
its own, started by the CLI first thing (`prestart`), it imports on the second core and is
ready when the first check runs.

`runner.run_suites` sends each request here when this process started a worker; the worker
runs the same `run_suites` (read-only on the build database, closed after each request) and
renders each suite's GX Data Docs page, which only GX's own result object can produce; results
come back as JSON (`SuiteResult` without the GX object, with the page). Without a worker (the
Dagster daemon, `dagster dev`, the validation CLI) suites run in the calling process as before.

Protocol: one JSON request line on stdin, one JSON response line on stdout, per request.
"""
from __future__ import annotations

import dataclasses
import json
import os
import sys
import threading
from pathlib import Path

from ..assets.worker_process import WorkerProcess, response_channel, spawn
from .results import ExpectationResult, SuiteResult


class GxWorker(WorkerProcess):
    """The calling side of one worker process."""

    def __init__(self) -> None:
        super().__init__(spawn(__name__, stderr=None))  # GX's warnings go where they went in process
        self._lock = threading.Lock()

    def run_suites(self, db_path: Path, run_id: str, suites: list[str] | None, suites_dir: Path) -> list[SuiteResult]:
        with self._lock:
            self.send({"db": str(db_path), "run_id": run_id, "suites": suites, "suites_dir": str(suites_dir)})
            line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the Great Expectations worker exited (code {self.process.poll()})")
        response = json.loads(line)
        if "error" in response:
            raise RuntimeError(response["error"])
        return [_result_from_json(r) for r in response["results"]]


_worker: GxWorker | None = None


def prestart() -> None:
    """Start this process's worker (the CLI does, first thing in a run)."""
    global _worker
    stop()
    _worker = GxWorker()


def current() -> GxWorker | None:
    """The worker this process started, if it is still running."""
    return _worker if _worker is not None and _worker.alive() else None


def pipes() -> tuple:
    """The pipes to this process's worker (a forked child must close them)."""
    return (_worker.process.stdin, _worker.process.stdout) if _worker is not None else ()


def stop() -> None:
    global _worker
    worker, _worker = _worker, None
    if worker is not None:
        worker.stop()


def _result_to_json(result: SuiteResult) -> dict:
    from .data_docs import gx_page

    try:
        page = gx_page(result)
    except Exception:  # documentation must never decide whether a run publishes: a plain page then
        page = None
    return {"suite": result.suite, "asset": list(result.asset),
            "expectations": [dataclasses.asdict(e) for e in result.expectations],
            "rows_validated": result.rows_validated, "seconds": result.seconds, "gx_page": page}


def _result_from_json(data: dict) -> SuiteResult:
    return SuiteResult(data["suite"], tuple(data["asset"]), [ExpectationResult(**e) for e in data["expectations"]],
                       data["rows_validated"], data["seconds"], gx_page=data["gx_page"])


def _serve() -> int:
    channel = response_channel()
    from .data_docs import warm_up as warm_up_data_docs
    from .gx_validator import GxValidator
    from .runner import run_suites

    GxValidator().start()  # the import, before the first request
    warm_up_data_docs()
    for line in sys.stdin:
        request = json.loads(line)
        try:
            results = run_suites(Path(request["db"]), request["run_id"], request["suites"],
                                 suites_dir=Path(request["suites_dir"]))
            response = {"results": [_result_to_json(r) for r in results]}
        except Exception as exc:  # the caller reports it as the check's failure
            response = {"error": f"{type(exc).__name__}: {exc}"}
        channel.write(json.dumps(response, default=str) + "\n")
    return 0


if __name__ == "__main__":
    # os._exit: GX's teardown takes a second, and the run waits for the worker to end.
    code = _serve()
    sys.stderr.flush()
    os._exit(code)
