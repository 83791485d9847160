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

The mart suites do not wait for their checks. While dbt builds, the dbt worker reads a suite's
data as soon as every table the suite reads is built (the database is dbt's until the build
ends) and the data comes here (`submit_data`); a suite not read that way is asked for from the
database once the build has succeeded (`prefetch`). Either way it is validated while Dagster
goes on, on both cores: after its GX import the worker forks a helper (a second validator
without a second import) and gives it work whenever it is idle. A check then collects its
result. A collect also waits for every validation still reading the database: the check stores
its results in it next, which DuckDB refuses while another process has it open.

Protocol: JSON lines. Requests on stdin: {"op": "run"} validates now and answers; {"op":
"submit"} starts a validation and does not answer; {"op": "collect"} answers with submitted
results. Each answer is one line on stdout: {"results": [...]} or {"error": text}.
"""
from __future__ import annotations

import base64
import dataclasses
import json
import os
import pickle
import sys
import threading
import time
from pathlib import Path

from ..assets import worker_process
from ..assets.worker_process import WorkerProcess, response_channel, spawn
from .results import ExpectationResult, SuiteResult


class GxWorker(WorkerProcess):
    """The calling side of one worker process."""

    def __init__(self) -> None:
        super().__init__(spawn(__name__, stderr=None))  # GX's warnings go where they went in process
        self._lock = threading.Lock()
        self._submitted: set[tuple] = set()  # (key, suite) submitted and not collected yet

    def submit_data(self, db_path: Path, run_id: str, suite: str, suites_dir: Path, data: str) -> None:
        """Validate a suite on data read already (base64 pickle of frame and parameters)."""
        self._submit(_request(db_path, run_id, [suite], suites_dir), data=data)

    def prefetch(self, db_path: Path, run_id: str, suites: list[str], suites_dir: Path) -> None:
        """Validate these suites from the database now, unless submitted already."""
        key = _key(db_path, run_id, suites_dir)
        for suite in suites:
            if (key, suite) not in self._submitted:
                self._submit(_request(db_path, run_id, [suite], suites_dir))

    def _submit(self, request: dict, **extra) -> None:
        with self._lock:
            self.send({"op": "submit", **request, **extra})
            self._submitted.add((_key(Path(request["db"]), request["run_id"], Path(request["suites_dir"])),
                                 request["suites"][0]))

    def run_suites(self, db_path: Path, run_id: str, suites: list[str] | None, suites_dir: Path) -> list[SuiteResult]:
        key = _key(db_path, run_id, suites_dir)
        with self._lock:
            if suites and all((key, name) in self._submitted for name in suites):
                self._submitted.difference_update((key, name) for name in suites)
                self.send({"op": "collect", **_request(db_path, run_id, suites, suites_dir)})
            else:
                self.send({"op": "run", **_request(db_path, run_id, suites, suites_dir)})
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
    if worker is not None:
        worker.prefetch(db_path, run_id, suites, suites_dir)


def submit_data(db_path: Path, run_id: str, suite: str, suites_dir: Path, data: str) -> None:
    worker = current()
    if worker is not None:
        worker.submit_data(db_path, run_id, suite, suites_dir, data)


def encode_data(data: tuple) -> str:
    """A suite's (frame, parameters) for `submit_data`."""
    return base64.b64encode(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)).decode("ascii")


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
    """One request's results: from data read already, or read from the database here."""
    from .gx_validator import GxValidator
    from .runner import run_suites, validate_data
    from .suites import load_suites

    try:
        suites_dir = Path(request["suites_dir"])
        if "data" in request:
            [spec] = load_suites(suites_dir, request["suites"])
            frame, parameters = pickle.loads(base64.b64decode(request["data"]))
            validator = GxValidator()
            validator.start()
            results = [validate_data(spec, frame, parameters, validator, time.monotonic())]
        else:
            results = run_suites(Path(request["db"]), request["run_id"], request["suites"], suites_dir=suites_dir)
        return {"results": [_result_to_json(r) for r in results]}
    except Exception as exc:  # the caller reports it as the check's failure
        return {"error": f"{type(exc).__name__}: {exc}"}


class _Validations:
    """Submitted validations, run here or by the helper, whichever is free; collected by key."""

    def __init__(self, helper: WorkerProcess | None) -> None:
        self.helper = helper
        self.helper_job: dict | None = None
        self.done: dict[tuple, dict] = {}        # (key, suite) -> result or {"error": ...}
        self.reading_database = 0                 # submitted validations that read the database
        self.changed = threading.Condition()
        if helper is not None:
            threading.Thread(target=self._helper_answers, daemon=True).start()

    def submit(self, request: dict) -> None:
        with self.changed:
            self.reading_database += "data" not in request
            idle = self.helper is not None and self.helper_job is None and self.helper.alive()
            if idle:
                self.helper_job = request
        if idle:
            self.helper.send(request)
        else:
            self._finish(request, _validate(request))

    def run(self, request: dict) -> dict:
        """Validate now; answer once no submitted validation reads the database any more."""
        answer = _validate(request)
        with self.changed:
            self.changed.wait_for(lambda: not self.reading_database)
        return answer

    def collect(self, request: dict) -> dict:
        key = _key(Path(request["db"]), request["run_id"], Path(request["suites_dir"]))
        wanted = [(key, name) for name in request["suites"]]
        with self.changed:
            self.changed.wait_for(lambda: all(w in self.done for w in wanted) and not self.reading_database)
            answers = [self.done.pop(w) for w in wanted]
        errors = [a for a in answers if "error" in a]
        return errors[0] if errors else {"results": answers}

    def _finish(self, request: dict, response: dict) -> None:
        key = _key(Path(request["db"]), request["run_id"], Path(request["suites_dir"]))
        with self.changed:
            for name in request["suites"]:
                results = [r for r in response.get("results", []) if r["suite"] == name]
                self.done[(key, name)] = results[0] if results else response
            self.reading_database -= "data" not in request
            self.changed.notify_all()

    def _helper_answers(self) -> None:
        for line in self.helper.process.stdout:
            with self.changed:
                request, self.helper_job = self.helper_job, None
            self._finish(request, json.loads(line))
        with self.changed:  # the helper died: its job is done here
            request, self.helper_job = self.helper_job, None
        if request is not None:
            self._finish(request, _validate(request))


def _serve_helper(requests, responses) -> int:
    for line in requests:
        responses.write(json.dumps(_validate(json.loads(line)), default=str) + "\n")
    return 0


def _serve() -> int:
    worker_process.ignore_interrupts()
    channel = response_channel()
    from .data_docs import warm_up as warm_up_data_docs
    from .gx_validator import GxValidator

    GxValidator().start()  # the import, before the first request
    warm_up_data_docs()
    # The helper: a fork once GX is imported. Its other threads (a progress-bar monitor, BLAS
    # pools) are ones a forked validator does without, as with multiprocessing's fork.
    forked = worker_process.fork(_serve_helper, output_to_responses=False, allow_threads=True)
    validations = _Validations(WorkerProcess(forked) if forked is not None else None)
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "submit":
            validations.submit(request)
            continue
        answer = validations.collect(request) if request["op"] == "collect" else validations.run(request)
        channel.write(json.dumps(answer, default=str) + "\n")
    if validations.helper is not None:
        validations.helper.stop()
    return 0


if __name__ == "__main__":
    # os._exit: GX's teardown takes a second, and the run waits for the worker to end.
    code = _serve()
    sys.stderr.flush()
    os._exit(code)
