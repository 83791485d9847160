"""A dbt process started ahead of the build, which runs `dbt build` on the manifest parsed once.

Why not `DbtCliResource.cli`: at 5,000 applications the SQL of the build takes ~2 s, and the
dbt subprocess spent ~20 s around it: import dbt (twice: dagster-dbt first runs
`dbt --version`), re-parse the whole project (partial parsing is never valid there, since
`--vars` changes with the as-of date and the profile's path with the run), load dbt's macros
again in the Dagster process for an adapter handle, then write and parse every event as JSON.

Why a process and not dbt in the Dagster process: dbt, Dagster's handling of the events and
the Great Expectations import are all Python and would share one core (the GIL); in a process
of its own dbt runs on the second core. The CLI forks the worker once Dagster's definitions are
loaded (they import dbt, so the fork only loads the manifest, during ingestion); the build
request (arguments, build database) comes when the dbt step runs. Elsewhere (`dagster dev`, the
daemon) the step spawns one.

Protocol: the Dagster side writes one JSON request line to the worker's stdin; the worker
answers with JSON lines on stdout: {"line": text} for dbt's console output (info and above),
{"event": dbt event} for every node result (the structured event dagster-dbt converts),
{"done": true, "error": text or null} at the end, after writing run_results.json. Any other
line (a stray print of a library) is console text.

This module is also the worker's entry point (`python -m dagster_project.assets.dbt_worker
MANIFEST CATALOG`), so it imports neither Dagster nor dagster-dbt at module level.
"""
from __future__ import annotations

import gc
import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import IO, Any

from ..paths import DBT_PROJECT_DIR
from . import worker_process
from .worker_process import WorkerProcess, response_channel

# Where every run's build database puts its tables: DuckDB names a file's catalog after the first
# dot-separated part of its name, so `.build.<anything>.duckdb` (resources.py) is catalog "build".
# dbt writes the catalog into every relation of the manifest, so one parse serves every run.
BUILD_CATALOG = "build"
# The marts' catalog: the new file that becomes the published database, attached under this alias
# (profiles.yml), whatever its file is called.
MARTS_CATALOG = "published"

# The project's own dbt target folder for the nightly run (project.py parses into it): a
# `dbt parse` typed by hand in dbt/ (default target/, any ALLOCATIONS_BUILD_DB) cannot
# replace the manifest the nightly run executes.
NIGHTLY_TARGET = Path("target") / "nightly"
PARTIAL_PARSE_FILE = "partial_parse.msgpack"


def manifest_msgpack(project_dir: Path = DBT_PROJECT_DIR) -> Path:
    """dbt's serialized parse of the project (what dbt reloads for partial parsing)."""
    return project_dir / NIGHTLY_TARGET / PARTIAL_PARSE_FILE


# dbt events that carry a node's result; dagster-dbt converts exactly these.
RESULT_EVENTS = frozenset({"LogSeedResult", "LogModelResult", "LogSnapshotResult", "LogTestResult"})
_CONSOLE_LEVELS = frozenset({"info", "warn", "error"})


def skip_unread_debug_events() -> None:
    """Make dbt's event manager drop debug events nobody reads before building their messages.

    dbt builds a protobuf message (with its formatted text) for every event before it offers it
    to loggers and callbacks: about 20 debug events a node (each SQL statement, connection, cache
    step), a fifth of dbt's time per node. Here no logger is set (--log-level none for console
    and file) and the callback reads only node results and lines at info level and above, so a
    debug event that is not a node result is dropped before its message is built. Warnings and
    errors, and any event when a logger is set, go through dbt's own fire_event unchanged.
    """
    from dbt_common.events.base_types import EventLevel
    from dbt_common.events.event_manager import EventManager

    fire_event = EventManager.fire_event
    if getattr(fire_event, "skips_unread_debug_events", False):
        return
    unread = (EventLevel.DEBUG, EventLevel.TEST)

    def fire_read_event(self, e, level=None, node=None, force_warn_or_error_handling=False):
        if (not self.loggers and not force_warn_or_error_handling and (level or e.level_tag()) in unread
                and type(e).__name__ not in RESULT_EVENTS):
            return
        fire_event(self, e, level, node, force_warn_or_error_handling)

    fire_read_event.skips_unread_debug_events = True
    EventManager.fire_event = fire_read_event


class DbtWorker(WorkerProcess):
    """The Dagster side of one worker process (one build)."""

    def __init__(self, msgpack: Path, catalog: str, *, fork: bool = False, close_in_child: tuple = ()) -> None:
        process = worker_process.fork(partial(_serve, msgpack, catalog), close_in_child) if fork else None
        # Spawned, stderr joins stdout: whatever dbt or a library prints lands in run.log.
        super().__init__(process or worker_process.spawn(
            __name__, str(msgpack), catalog, stderr=subprocess.STDOUT, cwd=DBT_PROJECT_DIR))
        self.requested = False

    def build(self, args: list[str], env: dict[str, str], run_results: str,
              reads: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Send the request; yield the worker's messages until it is done (always ends with a
        `done` message, made up here when the worker died without one). `reads`: suites whose
        data to read mid-build ({"suites": [{"name", "suites_dir", "after"}], "run_id"})."""
        self.requested = True
        try:
            self.send({"args": args, "env": env, "run_results": run_results, **reads})
            self.process.stdin.close()
        except OSError as exc:  # the worker is gone already: its output says why
            tail = self.process.stdout.read().decode(errors="replace")[-2000:]
            yield {"done": True, "error": f"the dbt worker stopped before the build: {exc}\n{tail}"}
            return
        # A thread drains the pipe as dbt writes, so dbt never waits on a full pipe while
        # Dagster is busy with the events it already has.
        lines: queue.SimpleQueue = queue.SimpleQueue()

        def drain() -> None:
            for raw in self.process.stdout:
                lines.put(raw)
            lines.put(None)

        threading.Thread(target=drain, name="dbt-worker-output", daemon=True).start()
        done = False
        while (raw := lines.get()) is not None:
            text = raw.decode(errors="replace").rstrip("\n")
            try:
                message = json.loads(text)
            except ValueError:
                message = None
            if not isinstance(message, dict):
                message = {"line": text}
            done = done or bool(message.get("done"))
            yield message
        code = self.process.wait()
        if not done:
            yield {"done": True, "error": f"the dbt worker exited with code {code} without finishing"}

    def stop(self) -> None:
        """One never asked to build exits when its stdin closes; one building (the step was
        interrupted or failed) is terminated, its build database discarded with the run."""
        super().stop(terminate=self.requested)


_prestarted: DbtWorker | None = None


def prestart(close_in_child: tuple = ()) -> None:
    """Start a worker now for the next build of this process. The CLI does once Dagster's
    definitions are loaded: dbt is imported then, and the process has no thread yet, so the
    worker is a fork that only loads the manifest (a spawned one if there is a thread). The
    child closes `close_in_child` (pipes to other workers, which must see their EOF)."""
    global _prestarted
    discard_prestarted()
    _prestarted = DbtWorker(manifest_msgpack(), BUILD_CATALOG, fork=True, close_in_child=close_in_child)


def take_worker() -> DbtWorker:
    """The prestarted worker if there is one, else a new one."""
    global _prestarted
    worker, _prestarted = _prestarted, None
    return worker or DbtWorker(manifest_msgpack(), BUILD_CATALOG)


def discard_prestarted() -> None:
    global _prestarted
    worker, _prestarted = _prestarted, None
    if worker is not None:
        worker.stop()


# ---------------------------------------------------------------------------------------------
# The worker process


def _load_manifest(path: Path, catalog: str):
    """dbt's parsed project as dbt itself reloads it for partial parsing (no parse)."""
    from dbt.contracts.graph.manifest import Manifest
    from dbt.parser.manifest import extended_mashumuro_decoder

    manifest = Manifest.from_msgpack(path.read_bytes(), decoder=extended_mashumuro_decoder)
    catalogs = {n.database for n in manifest.nodes.values() if n.resource_type == "model"} - {MARTS_CATALOG}
    if catalogs != {catalog}:
        raise RuntimeError(f"{path} was parsed for catalog(s) {sorted(catalogs)}, not {catalog!r}; "
                           "delete it to have it parsed again")
    return manifest


def _serve(manifest_path: Path, catalog: str, requests: IO[str], channel: IO[str]) -> int:
    worker_process.ignore_interrupts()
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"

    def send(message: dict[str, Any]) -> None:
        channel.write(json.dumps(message, default=str) + "\n")

    from dbt.cli.main import dbtRunner
    from dbt_common.events.functions import env_secrets, msg_to_dict, scrub_secrets

    skip_unread_debug_events()

    def load() -> tuple[int | None, Any, str | None]:
        try:
            return manifest_path.stat().st_mtime_ns, _load_manifest(manifest_path, catalog), None
        except Exception as exc:  # reported when the build is requested
            return None, None, f"{type(exc).__name__}: {exc}"

    loaded, manifest, error = load()
    if error is None:
        _warm_up(dbtRunner, manifest)
    request = requests.readline()
    if not request:  # the run ended before its dbt step
        return 0
    # The Dagster process parses the project (project.py) after starting this worker when a
    # file changed: load what it wrote.
    if error is not None or not manifest_path.exists() or manifest_path.stat().st_mtime_ns != loaded:
        loaded, manifest, error = load()
    if error is not None:
        send({"done": True, "error": error})
        return 1
    request = json.loads(request)
    os.environ.update(request["env"])
    secrets = env_secrets()
    reads = _SuiteReads(request.get("suites") or [], request.get("run_id"), send)

    # dbt's own console logger is off (--log-level none): it formats and scrubs every debug
    # event before dropping it, ~20 per node. The console lines are written here instead.
    def on_event(msg) -> None:
        name, level = msg.info.name, msg.info.level
        if name in RESULT_EVENTS:
            send({"event": msg_to_dict(msg)})
            reads.node_done(msg.data.node_info)
        if level in _CONSOLE_LEVELS:
            text = scrub_secrets(msg.info.msg, secrets) if secrets else msg.info.msg
            stamp = "" if name == "PrintEvent" else f"{msg.info.ts.ToDatetime():%H:%M:%S}  "
            send({"line": stamp + text})

    result = dbtRunner(manifest=manifest, callbacks=[on_event]).invoke(request["args"])
    run_results = request.get("run_results")
    if result.result is not None and hasattr(result.result, "write") and run_results:
        result.result.write(run_results)
    failure = None if result.result is not None else repr(result.exception or "dbt returned no result")
    _close_duckdb()
    _release_adapter()
    send({"done": True, "error": failure})
    return 0


class _SuiteReads:
    """Expectation suites' data, read mid-build as soon as every dbt table a suite reads is built
    (the Dagster process hands it to the GX worker, which validates while dbt goes on: the build
    database is this process's until the build ends). A read that fails is left to the check,
    which reads the database itself after the build."""

    def __init__(self, suites: list[dict], run_id: str | None, send) -> None:
        self.pending, self.run_id, self.send = list(suites), run_id, send
        self.built: set[str] = set()

    def node_done(self, node_info) -> None:
        if not self.pending or node_info.node_status != "success":
            return
        self.built.add(f"{node_info.node_relation.schema}.{node_info.node_relation.alias}")
        ready = [s for s in self.pending if set(s["after"]) <= self.built]
        for suite in ready:
            self.pending.remove(suite)
            data = self._read(suite)
            if data is not None:
                self.send({"suite_data": {"name": suite["name"], "suites_dir": suite["suites_dir"], "data": data}})

    def _read(self, suite: dict) -> str | None:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager

        from ..validation.runner import read_suite_data
        from ..validation.suites import load_suites
        from ..validation.worker import encode_data

        environment = DuckDBConnectionManager._ENV
        if environment is None or getattr(environment, "conn", None) is None:
            return None
        try:
            [spec] = load_suites(Path(suite["suites_dir"]), [suite["name"]])
            cursor = environment.conn.cursor()  # its own transaction: sees what dbt committed
            try:
                data = read_suite_data(cursor, spec, self.run_id)
            finally:
                cursor.close()
        except Exception:
            return None
        return encode_data(data) if isinstance(data, tuple) else None


def _warm_up(dbt_runner, manifest) -> None:
    """While the worker waits for its request: a `dbt ls` of one node, so the build does not
    spend its first second on what dbt does once per process (JSON schemas for validating the
    project and profile, the adapter's plugin, the macro resolver). It opens no database."""
    import tempfile

    import pandas  # noqa: F401 - the suites' data are read as pandas frames mid-build

    from ..validation import runner  # noqa: F401

    with tempfile.TemporaryDirectory() as tmp:
        saved = os.environ.get("ALLOCATIONS_BUILD_DB")
        os.environ["ALLOCATIONS_BUILD_DB"] = str(Path(tmp) / f"{BUILD_CATALOG}.duckdb")
        os.environ.pop("ALLOCATIONS_MARTS_DB", None)  # the build request sets it
        try:
            dbt_runner(manifest=manifest).invoke(
                ["list", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
                 "--target-path", tmp, "--log-path", tmp, "--log-level", "none", "--log-level-file", "none",
                 "--quiet", "--no-write-json", "--no-send-anonymous-usage-stats", "--no-version-check",
                 "--resource-type", "seed", "--select", "policy_parameters"])
        finally:
            if saved is None:
                os.environ.pop("ALLOCATIONS_BUILD_DB", None)
            else:
                os.environ["ALLOCATIONS_BUILD_DB"] = saved
            _release_adapter()  # the build registers its own; a worker never asked exits without cleanup


def _release_adapter() -> None:
    """dbt's adapter holds multiprocessing locks registered with the resource tracker; a worker
    ends without interpreter cleanup, so they are released here (else a leak warning)."""
    from dbt.adapters.factory import reset_adapters

    reset_adapters()
    gc.collect()


def _close_duckdb() -> None:
    """Close the build database dbt-duckdb keeps open, so it is checkpointed (one file, no
    write-ahead log) before the Dagster process opens it."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        environment, DuckDBConnectionManager._ENV = DuckDBConnectionManager._ENV, None
    if environment is not None:
        environment.close()


if __name__ == "__main__":
    # os._exit: the interpreter's teardown (a second) would only delay the run's end.
    code = _serve(Path(sys.argv[1]), sys.argv[2], sys.stdin, response_channel())
    sys.stderr.flush()
    os._exit(code)
