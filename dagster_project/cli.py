"""`allocations`: run the nightly job, the demo, or the synthetic extract generator.

The job runs through Dagster in this process (no webserver, no daemon, no process per step).
Exit codes: 0 published; 1 the run failed (extract contract, dbt test or blocking expectation)
and the previous database is untouched; 2 bad arguments.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import sys
import time
import traceback
import uuid
from pathlib import Path

EXIT_OK, EXIT_RUN_FAILED, EXIT_USAGE = 0, 1, 2

DEMO_APPLICATIONS = 5_000
DEMO_SEED = 2026


class UsageError(Exception):
    pass


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date in the form YYYY-MM-DD") from None


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of at least 1")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="allocations", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the nightly job on an extract folder and publish the marts")
    run.add_argument("--extracts", required=True, type=Path, help="folder holding the register extract")
    run.add_argument("--as-of", required=True, type=_date, help="the date the run computes for (YYYY-MM-DD)")
    run.add_argument("--database", required=True, type=Path, help="the DuckDB file to publish to")
    run.add_argument("--keep-build", action="store_true",
                     help="keep the build database and unpublished marts file of a failed run for diagnosis")
    demo = sub.add_parser("demo", help="generate a synthetic extract and run the job on it")
    demo.add_argument("--out", type=Path, default=Path("demo"), help="folder for the extract and database")
    demo.add_argument("--applications", type=_positive, default=DEMO_APPLICATIONS)
    demo.add_argument("--seed", type=int, default=DEMO_SEED)
    gen = sub.add_parser("generate", help="write a synthetic register extract")
    gen.add_argument("--out", required=True, type=Path)
    gen.add_argument("--applications", required=True, type=_positive)
    gen.add_argument("--seed", required=True, type=int)
    gen.add_argument("--as-of", type=_date, default=None, help="date the extract is taken (default today)")
    return parser


def _failure_message(result) -> str:
    """The messages of failed steps and failed blocking checks, deepest cause first."""
    messages = []
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            error = event.step_failure_data.error
            while error.cause is not None:
                error = error.cause
            # A failed blocking check also fails its step; the check's own evaluation says more.
            if error.cls_name != "DagsterAssetCheckFailedError":
                messages.append(f"{event.step_key}: {error.message.strip()}")
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                described = evaluation.description or ""
                messages.append(f"check {evaluation.check_name} on {evaluation.asset_key.to_user_string()} "
                                f"failed{': ' + described if described else ''}")
    return "\n".join(messages) or "the run failed (see the log above)"


def run_job(extracts: Path, as_of: dt.date, database: Path, keep_build: bool = False) -> int:
    from .assets import dbt_worker
    from .progress import progress
    from .run_folder import run_folder
    from .validation import worker as gx_worker

    if not extracts.is_dir():
        print(f"allocations: error: extract folder {extracts} does not exist", file=sys.stderr)
        return EXIT_USAGE
    database = database.resolve()
    run_id = str(uuid.uuid4())
    folder = run_folder(database, run_id)
    folder.mkdir(parents=True, exist_ok=True)
    progress(f"run {run_id[:8]}: extract {extracts}, as of {as_of}; log in {folder / 'run.log'}")
    started = time.monotonic()
    # First, so the worker imports Great Expectations on the second core while this process
    # imports Dagster and ingests the extract (the first check runs right after ingestion).
    gx_worker.prestart()
    try:
        return _run_job(extracts, as_of, database, keep_build, run_id, folder, started)
    finally:
        dbt_worker.discard_prestarted()  # not used when the run stopped before its dbt step
        gx_worker.stop()


def _run_job(extracts: Path, as_of: dt.date, database: Path, keep_build: bool, run_id: str, folder: Path,
             started: float) -> int:
    from .assets import dbt_worker
    from .definitions import defs
    from .resources import AllocationsRun
    from .stage_timings import stage_seconds
    from .summary import run_summary
    from .validation import worker as gx_worker

    # Now: the definitions imported dbt, which the fork inherits; it loads the manifest during
    # ingestion. (The fork must not keep the GX worker's pipes open.)
    dbt_worker.prestart(close_in_child=gx_worker.pipes())

    run_config = {
        "resources": {"run": {"config": {
            "extracts_dir": str(extracts.resolve()), "database": str(database), "as_of": as_of.isoformat()}}},
        # Failures are reported once, below, as a message a person can act on.
        "loggers": {"console": {"config": {"log_level": "CRITICAL"}}},
    }
    job = defs.resolve_job_def("nightly_allocations")
    # dbt's own event log goes to the run's log file; the terminal gets one line per stage.
    with open(folder / "run.log", "w") as log, contextlib.redirect_stdout(log), \
            _ephemeral_instance() as instance:
        startup = time.monotonic() - started
        result = job.execute_in_process(run_config=run_config, instance=instance, raise_on_error=False,
                                        run_id=run_id)
        timings = stage_seconds(instance, run_id, startup)
    timings["total"] = round(time.monotonic() - started, 2)
    (folder / "timings.json").write_text(json.dumps(timings, indent=2))
    published = any(
        e.event_type_value == "ASSET_MATERIALIZATION" and e.asset_key.to_user_string() == "published_database"
        for e in result.all_events)
    if not result.success or not published:
        if not keep_build:
            AllocationsRun(extracts_dir=str(extracts), database=str(database)).remove_work_files(run_id)
        print(f"allocations: run failed; {database} was left as it was.\n{_failure_message(result)}",
              file=sys.stderr)
        return EXIT_RUN_FAILED
    print(run_summary(database, run_id))
    print("seconds: " + ", ".join(f"{stage} {value:.1f}" for stage, value in timings.items()))
    return EXIT_OK


def _ephemeral_instance():
    """DagsterInstance.ephemeral(), with an event log that keeps one SQLite connection.

    A run stores ~900 events (a materialization per model, an evaluation per dbt test, their
    planned events). The in-memory event log opens a connection for each write and sets two
    pragmas on it, which pragmas mean nothing to an in-memory database: that is a quarter of
    Dagster's time per event. Same tables, same queries, one connection.
    """
    from contextlib import contextmanager

    from dagster import DagsterInstance
    from dagster._core.instance import InstanceType
    from dagster._core.launcher.sync_in_memory_run_launcher import SyncInMemoryRunLauncher
    from dagster._core.run_coordinator import DefaultRunCoordinator
    from dagster._core.storage.event_log import InMemoryEventLogStorage
    from dagster._core.storage.noop_compute_log_manager import NoOpComputeLogManager
    from dagster._core.storage.root import TemporaryLocalArtifactStorage
    from dagster._core.storage.runs import InMemoryRunStorage

    class OneConnectionEventLog(InMemoryEventLogStorage):
        @contextmanager
        def _connect(self):
            with self._db_lock, self._held_conn.begin():
                yield self._held_conn

    return DagsterInstance(
        instance_type=InstanceType.EPHEMERAL, local_artifact_storage=TemporaryLocalArtifactStorage(),
        run_storage=InMemoryRunStorage(), event_storage=OneConnectionEventLog(),
        compute_log_manager=NoOpComputeLogManager(), run_coordinator=DefaultRunCoordinator(),
        run_launcher=SyncInMemoryRunLauncher())


def generate(out: Path, applications: int, seed: int, as_of: dt.date | None) -> dict:
    from .generator import generate_extract
    from .progress import progress

    as_of = as_of or dt.date.today()
    progress(f"generate: {applications:,} applications, seed {seed}, as of {as_of} into {out}")
    out.mkdir(parents=True, exist_ok=True)
    counts = generate_extract(out, applications=applications, seed=seed, as_of=as_of)
    progress("generate: " + ", ".join(f"{name} {n:,}" for name, n in counts.items()))
    return counts


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    code = _main(args)
    if argv is None:  # the program itself (the console script, python -m), not a call from Python
        _exit_without_teardown(code)
    return code


def _exit_without_teardown(code: int) -> None:
    """Exit as Python would, less the teardown of every module: with Dagster, dbt and DuckDB
    loaded it takes about a second, after the run has finished. Exit handlers still run."""
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(code)


def _main(args: argparse.Namespace) -> int:
    try:
        if args.command == "run":
            return run_job(args.extracts, args.as_of, args.database, args.keep_build)
        if args.command == "generate":
            generate(args.out, args.applications, args.seed, args.as_of)
            return EXIT_OK
        if args.command == "demo":
            as_of = dt.date.today()
            extracts = args.out / "extract"
            generate(extracts, args.applications, args.seed, as_of)
            return run_job(extracts, as_of, args.out / "allocations.duckdb")
    except KeyboardInterrupt:
        print("allocations: interrupted; the published database was left as it was", file=sys.stderr)
        return EXIT_RUN_FAILED
    except Exception as exc:  # a person gets one line; the traceback goes to a file for the data team
        log = Path(os.environ.get("TMPDIR", "/tmp")) / "allocations-error.log"
        log.write_text(traceback.format_exc())
        print(f"allocations: error: {exc} (details in {log})", file=sys.stderr)
        return EXIT_RUN_FAILED
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
