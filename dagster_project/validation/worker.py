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

The mart suites are asked for together as soon as the dbt build has succeeded (`prefetch`),
and the worker validates them on both cores: after its GX import it forks a helper (a second
validator without a second import) and gives it half of such a batch. Each mart check then
takes its result from the batch. (Nothing writes the build database meanwhile: the first
check stores its results once the batch is in.)

Protocol: one JSON request line on stdin, one JSON response line on stdout, per request.
"""
from __future__ import annotations

import dataclasses
import json
import os
import sys
import threading
from pathlib import Path

from ..assets import worker_process
from ..assets.worker_process import WorkerProcess, response_channel, spawn
from .results import ExpectationResult, SuiteResult


class GxWorker(WorkerProcess):
    """The calling side of one worker process."""

    def __init__(self) -> None:
        super().__init__(spawn(__name__, stderr=None))  # GX's warnings go where they went in process
        self._lock = threading.Lock()
        self._pending: tuple[tuple, list[str]] | None = None  # a batch asked for, not read yet
        self._done: dict[tuple, SuiteResult] = {}             # (batch key, suite) -> result

    def prefetch(self, db_path: Path, run_id: str, suites: list[str], suites_dir: Path) -> None:
        """Ask for these suites now (validated on both cores); `run_suites` takes them later."""
        with self._lock:
            self._collect()
            self.send({**_request(db_path, run_id, suites, suites_dir), "split": True})
            self._pending = (_key(db_path, run_id, suites_dir), list(suites))

    def run_suites(self, db_path: Path, run_id: str, suites: list[str] | None, suites_dir: Path) -> list[SuiteResult]:
        key = _key(db_path, run_id, suites_dir)
        with self._lock:
            self._collect()  # responses come in request order
            if suites and all((key, name) in self._done for name in suites):
                return [self._done.pop((key, name)) for name in suites]
            self.send(_request(db_path, run_id, suites, suites_dir))
            return self._read()

    def _collect(self) -> None:
        if self._pending is not None:
            (key, _), self._pending = self._pending, None
            try:
                self._done.update({(key, r.suite): r for r in self._read()})
            except RuntimeError:  # the checks ask again, one by one, and report it
                pass

    def _read(self) -> list[SuiteResult]:
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the Great Expectations worker exited (code {self.process.poll()})")
        response = json.loads(line)
        if "error" in response:
            raise RuntimeError(response["error"])
        return [_result_from_json(r) for r in response["results"]]


def _request(db_path: Path, run_id: str, suites: list[str] | None, suites_dir: Path) -> dict:
    return {"db": str(db_path), "run_id": run_id, "suites": suites, "suites_dir": str(suites_dir)}


def _key(db_path: Path, run_id: str, suites_dir: Path) -> tuple:
    return str(db_path), run_id, str(suites_dir)


_worker: GxWorker | None = None


def prestart() -> None:
    """Start this process's worker (the CLI does, first thing in a run)."""
    global _worker
    stop()
    _worker = GxWorker()


def current() -> GxWorker | None:
    """The worker this process started, if it is still running."""
    return _worker if _worker is not None and _worker.alive() else None


def prefetch(db_path: Path, run_id: str, suites: list[str], suites_dir: Path) -> None:
    """Have this process's worker, if any, validate these suites now (see the module's doc)."""
    worker = current()
    if worker is not None and suites:
        worker.prefetch(db_path, run_id, suites, suites_dir)


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


# ---------------------------------------------------------------------------------------------
# The worker process


def _validate(request: dict) -> dict:
    from .runner import run_suites

    try:
        results = run_suites(Path(request["db"]), request["run_id"], request["suites"],
                             suites_dir=Path(request["suites_dir"]))
        return {"results": [_result_to_json(r) for r in results]}
    except Exception as exc:  # the caller reports it as the check's failure
        return {"error": f"{type(exc).__name__}: {exc}"}


def _halves(names: list[str], suites_dir: Path) -> tuple[list[str], list[str]]:
    """Two groups of about equal work: expectations count, and row conditions count again."""
    from .suites import load_suites

    cost = {s.name: sum(2 if "row_condition" in e.kwargs else 1 for e in s.expectations)
            for s in load_suites(suites_dir, names)}
    groups: tuple[list[str], list[str]] = ([], [])
    for name in sorted(names, key=lambda n: -cost.get(n, 1)):
        min(groups, key=lambda g: sum(cost.get(n, 1) for n in g)).append(name)
    return groups


def _handle(request: dict, helper: WorkerProcess | None) -> dict:
    names = request["suites"] or []
    if not request.get("split") or helper is None or not helper.alive() or len(names) < 2:
        return _validate(request)
    mine, theirs = _halves(names, Path(request["suites_dir"]))
    helper.send({**request, "suites": theirs})
    own = _validate({**request, "suites": mine})
    line = helper.process.stdout.readline()
    other = json.loads(line) if line else _validate({**request, "suites": theirs})
    for response in (own, other):
        if "error" in response:
            return response
    by_name = {r["suite"]: r for r in own["results"] + other["results"]}
    return {"results": [by_name[name] for name in names]}


def _serve_helper(requests, responses) -> int:
    for line in requests:
        responses.write(json.dumps(_validate(json.loads(line)), default=str) + "\n")
    return 0


def _serve() -> int:
    channel = response_channel()
    from .data_docs import warm_up as warm_up_data_docs
    from .gx_validator import GxValidator

    GxValidator().start()  # the import, before the first request
    warm_up_data_docs()
    # The helper: a fork once GX is imported. Its other threads (a progress-bar monitor, BLAS
    # pools) are ones a forked validator does without, as with multiprocessing's fork.
    forked = worker_process.fork(_serve_helper, output_to_responses=False, allow_threads=True)
    helper = WorkerProcess(forked) if forked is not None else None
    for line in sys.stdin:
        channel.write(json.dumps(_handle(json.loads(line), helper), default=str) + "\n")
    if helper is not None:
        helper.stop()
    return 0


if __name__ == "__main__":
    # os._exit: GX's teardown takes a second, and the run waits for the worker to end.
    code = _serve()
    sys.stderr.flush()
    os._exit(code)
