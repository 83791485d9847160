"""`allocations`: the nightly choice-based lettings pipeline from the command line.

`allocations run` launches the Dagster job `nightly_allocations` for one partition (the as-of
date) in this process, on the Dagster instance of DAGSTER_HOME when it is set (so the run shows
in the Dagster UI) or an in-memory one otherwise.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import getpass
import json
import os
import signal
import sys
import tempfile
import time
import traceback
import uuid
from importlib.metadata import version
from pathlib import Path

EXIT_OK, EXIT_RUN_FAILED, EXIT_USAGE = 0, 1, 2

DEMO_APPLICATIONS = 5_000
DEMO_SEED = 2026

EXIT_CODES = """exit codes:
  0  the run published (run, demo), or the command did what it says
  1  the run failed or was interrupted: the extract broke the contract at file level, a dbt test or
     a blocking expectation failed, the extract gate refused it, or another run was building the
     same database; the published database was left exactly as it was
  2  a bad argument: nothing was done"""

EXPLAIN_EXAMPLE = """examples:
  allocations explain R0001234 --database /data/allocations.duckdb
  allocations explain R0001234 --database /data/allocations.duckdb --as-of 2026-10-01
  allocations explain --advert ADV00042 --database /data/allocations.duckdb"""

RUN_EXAMPLE = """example:
  allocations run --extracts /data/cbl/2026-11-04 --as-of 2026-11-04 --database /data/allocations.duckdb"""


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


def _subparser(sub, name: str, help_text: str, example: str) -> argparse.ArgumentParser:
    return sub.add_parser(name, help=help_text, description=help_text, epilog=f"{example}\n\n{EXIT_CODES}",
                          formatter_class=argparse.RawDescriptionHelpFormatter)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="allocations", description=__doc__.splitlines()[0], epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {version('allocations')}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = _subparser(sub, "run", "run the nightly job on an extract folder for one as-of date and publish the marts",
                     RUN_EXAMPLE)
    run.add_argument("--extracts", required=True, type=Path, help="folder holding the register extract")
    run.add_argument("--as-of", required=True, type=_date, help="the date the run computes for (YYYY-MM-DD)")
    run.add_argument("--database", required=True, type=Path, help="the DuckDB file to publish to")
    run.add_argument("--accept-volume-change", action="store_true",
                     help="publish although the extract gate found a large change in volume (after checking it); "
                          "recorded in audit.runs with your user name")
    demo = _subparser(sub, "demo", "generate a synthetic extract and run the job on it as of today",
                      "example:\n  allocations demo --out demo")
    demo.add_argument("--out", type=Path, default=Path("demo"), help="folder for the extract and database")
    demo.add_argument("--applications", type=_positive, default=DEMO_APPLICATIONS)
    demo.add_argument("--seed", type=int, default=DEMO_SEED)
    gen = _subparser(sub, "generate", "write a synthetic register extract (deterministic by seed)",
                     "example:\n  allocations generate --out /tmp/extract --applications 20000 --seed 1 --as-of 2026-11-04")
    gen.add_argument("--out", required=True, type=Path)
    gen.add_argument("--applications", required=True, type=_positive)
    gen.add_argument("--seed", required=True, type=int)
    gen.add_argument("--as-of", type=_date, default=None, help="date the extract is taken (default today)")
    explain = _subparser(sub, "explain", "explain an application's band, restrictions and bids, or an advert's "
                         "shortlist, in sentences citing the rules (reads the published file only)", EXPLAIN_EXAMPLE)
    which = explain.add_mutually_exclusive_group(required=True)
    which.add_argument("ref", nargs="?", help="the application reference")
    which.add_argument("--advert", help="explain this advert's whole shortlist instead")
    explain.add_argument("--database", required=True, type=Path, help="the published DuckDB file")
    explain.add_argument("--as-of", type=_date, default=None,
                         help="the run of this date (the past-date file beside the database; default its latest)")
    sim = _subparser(sub, "simulate", "what a proposed policy change would do, beside the policy in force (W13)",
                     "example:\n  allocations simulate --policy examples/policies/income-threshold-35000 "
                     "--extracts /data/cbl/2026-11-04 --as-of 2026-11-04 --out /tmp/income-35000.duckdb")
    sim.add_argument("--policy", required=True, type=Path, help="folder of proposed policy seed files")
    sim.add_argument("--extracts", required=True, type=Path, help="folder holding the register extract")
    sim.add_argument("--as-of", required=True, type=_date, help="the date the proposal is in force on (YYYY-MM-DD)")
    sim.add_argument("--out", required=True, type=Path, help="the DuckDB file the comparison is written to")
    return parser


def check_run_arguments(extracts: Path, as_of: dt.date, database: Path) -> None:
    """Everything about the arguments that can be known before any work: raises UsageError."""
    from .policy_dates import first_policy_date
    from .resources import latest_published_as_of, run_retention_days

    if not extracts.is_dir():
        raise UsageError(f"extract folder {extracts} does not exist")
    first = first_policy_date()
    if as_of < first:
        raise UsageError(f"--as-of {as_of} is before the first policy version in force ({first}): "
                         "no rule can be evaluated for it")
    if database.is_dir():
        raise UsageError(f"--database {database} is a folder; name a file such as {database / 'allocations.duckdb'}")
    parent = database.parent
    if not parent.is_dir():
        raise UsageError(f"--database {database}: {parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"--database {database}: the folder {parent} is not writable")
    if database.exists() and latest_published_as_of(database) is None and not _is_pipeline_database(database):
        raise UsageError(f"--database {database} exists and is not a database this pipeline published "
                         "(it has no audit.runs); it was left untouched")
    try:
        run_retention_days()
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _running_holder(database: Path, as_of: dt.date):
    """The live run holding the file this run would publish to, if any: refused before any work."""
    from .resources import latest_published_as_of, past_date_target
    from .work_files import RunLock, WorkFiles

    latest = latest_published_as_of(database)
    target = past_date_target(database, as_of) if latest is not None and as_of < latest else database
    holder = RunLock(WorkFiles(target)).holder()
    return holder if holder is not None and holder.alive() else None


def _is_pipeline_database(database: Path) -> bool:
    import duckdb

    try:
        with duckdb.connect(str(database), read_only=True) as con:
            return con.execute("SELECT count(*) FROM information_schema.tables "
                               "WHERE table_schema = 'audit' AND table_name = 'runs'").fetchone()[0] == 1
    except duckdb.Error:
        return False


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
                messages.append(f"{event.step_key}: {_error_text(error)}")
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                described = evaluation.description or ""
                messages.append(f"check {evaluation.check_name} on {evaluation.asset_key.to_user_string()} "
                                f"failed{': ' + described if described else ''}")
    return "\n".join(messages) or "the run failed (see the log above)"


# Errors whose message is written for a person: shown without their class name.
_PLAIN_ERRORS = ("ExtractContractError", "ExtractGateError", "TargetBusy")


def _error_text(error) -> str:
    """An error's message on one line, as `format_exception_only` gives it ("module.Class: text")."""
    text = " ".join(error.message.split())
    prefix, _, rest = text.partition(": ")
    if error.cls_name in _PLAIN_ERRORS and prefix.rsplit(".", 1)[-1] == error.cls_name:
        return rest
    return f"{error.cls_name}: {rest}" if prefix.endswith(error.cls_name) else text


def _interrupted(result) -> bool:
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            error = event.step_failure_data.error
            while error is not None:
                if error.cls_name in ("DagsterExecutionInterruptedError", "KeyboardInterrupt"):
                    return True
                error = error.cause
    return False


def _instance():
    """The instance of DAGSTER_HOME when set (the run then shows in the Dagster UI), else an
    in-memory one."""
    from dagster import DagsterInstance

    return DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()


def run_job(extracts: Path, as_of: dt.date, database: Path, *, accept_volume_change: bool = False) -> int:
    from .progress import progress
    from .work_files import make_private_dir, make_private_tree, run_folder

    database = database.expanduser().resolve()
    check_run_arguments(extracts, as_of, database)
    holder = _running_holder(database, as_of)
    if holder is not None:
        print(f"allocations: {database} is being built by {holder.describe()}; this run did not start "
              "and the file was left as it was", file=sys.stderr)
        return EXIT_RUN_FAILED
    run_id = str(uuid.uuid4())
    folder = run_folder(database, run_id)
    make_private_dir(folder.parent)
    make_private_dir(folder)
    progress(f"run {run_id[:8]}: extract {extracts}, as of {as_of}; log in {folder / 'run.log'}")
    started = time.monotonic()
    from .assets.ingestion import ACCEPT_VOLUME_CHANGE_TAG
    from .definitions import defs
    from .environment import environment
    from .stage_timings import stage_seconds
    from .summary import run_summary

    tags = {ACCEPT_VOLUME_CHANGE_TAG: _user()} if accept_volume_change else {}
    job = defs.resolve_job_def("nightly_allocations")
    # dbt's event log goes to the run's log file; the terminal gets one line per stage.
    # The job's resource reads the folder and database from the environment (resources.py), as it
    # does under the daemon.
    settings = environment(ALLOCATIONS_EXTRACTS_DIR=str(extracts.resolve()), ALLOCATIONS_DATABASE=str(database))
    with settings, open(folder / "run.log", "w") as log, contextlib.redirect_stdout(log), _instance() as instance:
        os.chmod(folder / "run.log", 0o600)
        startup = time.monotonic() - started
        try:
            result = job.execute_in_process(
                partition_key=as_of.isoformat(), instance=instance, raise_on_error=False, run_id=run_id, tags=tags,
                # Failures are reported once, below, as a message a person can act on.
                run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}})
        except KeyboardInterrupt:
            _release(database, run_id)
            make_private_tree(folder)
            raise
        timings = stage_seconds(instance, run_id, startup)
    timings["total"] = round(time.monotonic() - started, 2)
    (folder / "timings.json").write_text(json.dumps(timings, indent=2))
    make_private_tree(folder)
    if not result.success:
        _release(database, run_id)
        if _interrupted(result):  # Dagster ends the step it interrupts as a failure
            raise KeyboardInterrupt
        print(f"allocations: run failed, {database} was left as it was: {_failure_message(result)}", file=sys.stderr)
        return EXIT_RUN_FAILED
    target = Path(json.loads((folder / "plan.json").read_text())["target"])
    print(run_summary(target, run_id))
    print("seconds: " + ", ".join(f"{stage} {value:.1f}" for stage, value in timings.items()))
    return EXIT_OK


def _release(database: Path, run_id: str) -> None:
    """The failure hook releases a failed step's work files; this covers a run stopped between
    steps (an interrupt)."""
    from .resources import AllocationsSettings, RunPlan
    from .work_files import RunLock

    try:
        plan = RunPlan.load(AllocationsSettings(extracts_dir="", database=str(database)), run_id)
    except OSError:
        return
    RunLock(plan.work).release(run_id, remove_databases=True)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def generate(out: Path, applications: int, seed: int, as_of: dt.date | None) -> dict:
    from .generator import generate_extract
    from .progress import progress

    as_of = as_of or dt.date.today()
    progress(f"generate: {applications:,} applications, seed {seed}, as of {as_of} into {out}")
    out.mkdir(parents=True, exist_ok=True)
    counts = generate_extract(out, applications=applications, seed=seed, as_of=as_of)
    progress("generate: " + ", ".join(f"{name} {n:,}" for name, n in counts.items()))
    return counts


def _terminate_as_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # The daemon stops a run, and a service manager stops a program, with SIGTERM: end as Ctrl-C
    # does (dagster-dbt passes the interrupt on to dbt and waits for it).
    previous = signal.signal(signal.SIGTERM, _terminate_as_interrupt)
    try:
        return _main(args)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _main(args: argparse.Namespace) -> int:
    try:
        if args.command == "run":
            return run_job(args.extracts, args.as_of, args.database, accept_volume_change=args.accept_volume_change)
        if args.command == "generate":
            generate(args.out, args.applications, args.seed, args.as_of)
            return EXIT_OK
        if args.command == "simulate":
            from .simulate import main as simulate

            return simulate(args.policy, args.extracts, args.as_of, args.out)
        if args.command == "demo":
            as_of = dt.date.today()
            extracts = args.out / "extract"
            generate(extracts, args.applications, args.seed, as_of)
            return run_job(extracts, as_of, args.out / "allocations.duckdb")
        if args.command == "explain":
            from .explain import run
            return run(args)
    except UsageError as exc:
        print(f"allocations: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("allocations: interrupted; the published database was left as it was", file=sys.stderr)
        return EXIT_RUN_FAILED
    except Exception as exc:  # a person gets one line; the traceback goes to a private file
        fd, log = tempfile.mkstemp(prefix="allocations-error-", suffix=".log")
        with os.fdopen(fd, "w") as f:
            f.write(traceback.format_exc())
        print(f"allocations: error: {exc} (details in {log})", file=sys.stderr)
        return EXIT_RUN_FAILED
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
