"""Issue 17 through the command line: the extract gate end to end, privacy of what a run writes,
faults (killed runs, a second run, a full disk), argument checks before any work, interrupts.

Every refusal is one line on stderr starting `allocations:` (the last line), and where nothing
may be published the previous published file is byte for byte as it was.
"""
import errno
import getpass
import hashlib
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from dagster_project import publishing
from dagster_project.cli import main
from dagster_project.resources import RUN_RETENTION_DAYS_ENV, run_retention_days
from dagster_project.work_files import RunLock, TargetBusy, WorkFiles, remove_expired_run_folders

from .conftest import MINIMAL, MINIMAL_AS_OF

BIN = Path(sys.executable).parent
RUN_ID = "0c0ffee0-1234-4abc-8def-000000000001"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(extract: Path, database: Path, *extra: str, as_of: str = MINIMAL_AS_OF.isoformat()) -> int:
    return main(["run", "--extracts", str(extract), "--as-of", as_of, "--database", str(database), *extra])


def _message(err: str) -> str:
    """The one line a person is given: the last line, and the only one starting `allocations:`."""
    lines = [line for line in err.splitlines() if line.startswith("allocations:")]
    assert len(lines) == 1, err
    assert err.rstrip().splitlines()[-1] == lines[0], err
    return lines[0]


def _no_work_files(database: Path) -> bool:
    work = WorkFiles(database)
    return not any(p.exists() for p in (work.build, work.marts, work.lock))


@pytest.fixture
def published(minimal_published, tmp_path) -> Path:
    """A copy of the minimal example's published file, as last night's run left it."""
    database = tmp_path / "allocations.duckdb"
    shutil.copy(minimal_published, database)
    return database


def _rewrite(extract: Path, name: str, keep) -> None:
    lines = (extract / f"{name}.csv").read_text().splitlines()
    (extract / f"{name}.csv").write_text("\n".join([lines[0]] + [line for line in lines[1:] if keep(line)]) + "\n")


# --- item 1: the gate, end to end -------------------------------------------------------------

def test_a_stray_quote_is_refused_naming_file_and_line(published, minimal_extract, capsys):
    before = _sha(published)
    lines = (minimal_extract / "applications.csv").read_text().splitlines()
    lines = [lines[0] + ",name"] + [line + ",Ann" for line in lines[1:]]
    lines[2] = lines[2][: -len("Ann")] + '"Bobby'
    (minimal_extract / "applications.csv").write_text("\n".join(lines) + "\n")
    assert _run(minimal_extract, published) == 1
    message = _message(capsys.readouterr().err)
    assert "applications.csv: from line 3 the CSV reader read 5 lines as one malformed row" in message
    assert _sha(published) == before and _no_work_files(published)


def test_a_header_only_applications_file_is_refused(published, minimal_extract, capsys):
    before = _sha(published)
    _rewrite(minimal_extract, "applications", lambda line: False)
    assert _run(minimal_extract, published) == 1
    message = _message(capsys.readouterr().err)
    assert "extract gate: applications.csv has no data rows" in message
    assert "--accept-volume-change" in message
    assert _sha(published) == before and _no_work_files(published)


def test_a_fall_in_applications_is_refused_and_publishes_when_a_person_accepts_it(published, minimal_extract, capsys):
    # EX06 and every row of it gone: 5 applications against 6 last night (a fall of 17 %).
    for name in ("applications", "assessed_needs", "bids", "household_members"):
        _rewrite(minimal_extract, name, lambda line: "EX06" not in line)
    before = _sha(published)
    assert _run(minimal_extract, published) == 1
    message = _message(capsys.readouterr().err)
    assert "applications.csv: 5 rows loaded against 6 in the last published run" in message
    assert "above the 10% allowed (extract_gate_thresholds from 2016-01-01)" in message
    assert _sha(published) == before and _no_work_files(published)

    assert _run(minimal_extract, published, "--accept-volume-change") == 0
    assert f"accepted by {getpass.getuser()}: applications.csv" in capsys.readouterr().err
    with duckdb.connect(str(published), read_only=True) as con:
        by, what = con.execute("SELECT accepted_volume_change_by, accepted_volume_changes FROM audit.runs "
                               "WHERE status = 'published' ORDER BY finished_at DESC LIMIT 1").fetchone()
        assert con.execute("SELECT count(*) FROM marts.applicant_bands").fetchone() == (5,)
    assert by == getpass.getuser()
    assert "applications.csv: 5 rows loaded against 6" in what


# --- item 5: privacy and retention --------------------------------------------------------------

def _age(path: Path, days: float) -> None:
    then = time.time() - days * 86_400
    os.utime(path, (then, then))


def test_run_folders_and_work_files_are_private_reasons_hold_no_value_and_old_runs_go(
        published, minimal_extract, capsys, monkeypatch):
    monkeypatch.delenv(RUN_RETENTION_DAYS_ENV, raising=False)
    runs = published.with_name("allocations.runs")
    old, young = "aaaaaaaa-0000-4000-8000-000000000001", "bbbbbbbb-0000-4000-8000-000000000002"
    for name, days in ((old, 31), (young, 29), ("notes", 400)):
        (runs / name).mkdir(parents=True)
        (runs / name / "run.log").write_text("kept or not")
        _age(runs / name, days)
    with open(minimal_extract / "debts.csv", "a") as f:  # an optional file: the gate does not weigh it
        f.write('D00099,EX01,council,rent_arrears,100.00,"£24,577.00",,false,,\n')
    assert _run(minimal_extract, published) == 0
    err = capsys.readouterr().err
    assert f"removed 1 run folder older than 30 days from {runs}: {old[:8]}" in err
    assert not (runs / old).exists() and (runs / young).is_dir() and (runs / "notes").is_dir()

    [folder] = [p for p in runs.iterdir() if p.name not in (young, "notes") and p.stat().st_mtime > time.time() - 3600]
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*")}
    assert {"run.log", "quarantine.csv", "plan.json", "timings.json", "expectations/load.json",
            "expectations/applicant_bands.json", "data_docs/index.html", "data_docs/load.html"} <= names
    private = [folder, runs, published.with_name(".allocations.duckdb.work"), *folder.rglob("*"),
               *published.with_name(".allocations.duckdb.work").rglob("*")]
    modes = {str(p): oct(stat.S_IMODE(p.stat().st_mode)) for p in private}
    assert modes == {str(p): "0o700" if p.is_dir() else "0o600" for p in private}

    assert "£24,577.00" in (folder / "quarantine.csv").read_text()
    with duckdb.connect(str(published), read_only=True) as con:
        [(reason,)] = con.execute("SELECT reason FROM audit.quarantine").fetchall()
    assert "balance" in reason and "577" not in reason and "£" not in reason


def test_the_lock_file_is_private(tmp_path):
    work = WorkFiles(tmp_path / "allocations.duckdb")
    RunLock(work).acquire(RUN_ID)
    assert stat.S_IMODE(work.folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(work.lock.stat().st_mode) == 0o600


def test_retention_removes_only_run_folders_older_than_the_period(tmp_path, monkeypatch):
    runs = tmp_path / "allocations.runs"
    names = {"a0000000-0000-4000-8000-000000000001": 6, "b0000000-0000-4000-8000-000000000002": 4,
             "c0000000-0000-4000-8000-000000000003": 60, "backup": 60, "A0000000-0000-4000-8000-000000000004": 60}
    for name, days in names.items():
        (runs / name).mkdir(parents=True)
        _age(runs / name, days)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (runs / "d0000000-0000-4000-8000-000000000005").symlink_to(elsewhere)
    _age(elsewhere, 60)
    monkeypatch.setenv(RUN_RETENTION_DAYS_ENV, "5")
    removed = remove_expired_run_folders(runs, run_retention_days(), keep="c0000000-0000-4000-8000-000000000003")
    assert removed == ["a0000000-0000-4000-8000-000000000001"]
    assert sorted(p.name for p in runs.iterdir()) == sorted(set(names) - set(removed)
                                                            | {"d0000000-0000-4000-8000-000000000005"})
    assert elsewhere.is_dir()


@pytest.mark.parametrize("value", ["0", "-3", "thirty", "1.5"])
def test_a_bad_retention_period_is_refused_before_any_work(tmp_path, monkeypatch, capsys, value):
    monkeypatch.setenv(RUN_RETENTION_DAYS_ENV, value)
    assert _run(MINIMAL, tmp_path / "allocations.duckdb") == 2
    assert f"{RUN_RETENTION_DAYS_ENV}='{value}' is not a whole number of days of at least 1" in _message(
        capsys.readouterr().err)
    assert list(tmp_path.iterdir()) == []


def test_the_error_log_never_follows_a_link_at_a_shared_name(tmp_path, monkeypatch, capsys):
    shared = tmp_path / "tmp"
    shared.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("not yours")
    (shared / "allocations-error.log").symlink_to(victim)
    monkeypatch.setattr("tempfile.tempdir", str(shared))

    def fails(*args, **kwargs):
        raise RuntimeError("something unforeseen")

    monkeypatch.setattr("dagster_project.cli.run_job", fails)
    assert _run(MINIMAL, tmp_path / "allocations.duckdb") == 1
    message = _message(capsys.readouterr().err)
    assert message.startswith("allocations: error: something unforeseen (details in ")
    log = Path(message.rsplit("(details in ", 1)[1].rstrip(")"))
    assert victim.read_text() == "not yours"
    assert log.parent == shared and not log.is_symlink() and log != shared / "allocations-error.log"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert "Traceback" in log.read_text() and "something unforeseen" in log.read_text()


# --- item 6: faults -----------------------------------------------------------------------------

def _lock(database: Path, pid: int, run_id: str = RUN_ID) -> WorkFiles:
    work = WorkFiles(database)
    work.prepare()
    work.lock.write_text(json.dumps({"run_id": run_id, "pid": pid, "host": socket.gethostname(),
                                     "started_at": "2026-11-04T02:00:00"}))
    return work


def test_work_files_of_a_killed_run_are_removed_by_the_next_run(published, capsys):
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True)
    work = _lock(published, int(finished.stdout))  # the pid of a process that is gone
    work.build.write_bytes(b"half a build")
    work.marts.write_bytes(b"half the marts")
    assert _run(MINIMAL, published) == 0
    err = capsys.readouterr().err
    assert f"removed the lock of a run that stopped without cleaning up (run {RUN_ID[:8]}" in err
    assert "removed left-over build.duckdb" in err and "removed left-over marts.duckdb" in err
    assert _no_work_files(published)


def test_a_second_run_refuses_at_once_naming_the_first(published, capsys):
    first = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        work = _lock(published, first.pid)
        work.build.write_bytes(b"the first run's build")
        lock_text, before = work.lock.read_text(), _sha(published)
        started = time.monotonic()
        assert _run(MINIMAL, published) == 1
        assert time.monotonic() - started < 10  # before Dagster starts
        message = _message(capsys.readouterr().err)
        assert f"is being built by run {RUN_ID[:8]} (process {first.pid} on {socket.gethostname()}" in message
        assert _sha(published) == before
        assert work.lock.read_text() == lock_text and work.build.read_bytes() == b"the first run's build"
        assert not published.with_name("allocations.runs").exists()  # no run folder: no work was started
        # The step itself refuses too (a run launched by the UI or the daemon while another holds the file).
        with pytest.raises(TargetBusy, match=f"process {first.pid}"):
            RunLock(work).acquire("another-run")
        assert work.lock.read_text() == lock_text
    finally:
        first.kill()
        first.wait()


def test_a_full_disk_at_publish_leaves_the_published_file_and_no_work_files(published, monkeypatch, capsys):
    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(publishing, "store_results", disk_full)
    before = _sha(published)
    assert _run(MINIMAL, published) == 1
    message = _message(capsys.readouterr().err)
    assert f"run failed, {published} was left as it was: published_database: OSError: [Errno 28]" in message
    assert _sha(published) == before and _no_work_files(published)


# --- item 7: arguments --------------------------------------------------------------------------

def _customers(path: Path) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE customers AS SELECT 1 AS id, 'Ann' AS name")
    return path


@pytest.mark.parametrize("case", ["a folder", "under a regular file", "missing parent", "not writable",
                                  "an unrelated database", "not a database"])
def test_a_bad_database_is_refused_before_any_work(tmp_path, capsys, case):
    database = tmp_path / "allocations.duckdb"
    if case == "a folder":
        database.mkdir()
        expected = f"--database {database} is a folder"
    elif case == "under a regular file":
        (tmp_path / "file").write_text("x")
        database = tmp_path / "file" / "allocations.duckdb"
        expected = f"--database {database}: {database.parent} is not a folder"
    elif case == "missing parent":
        database = tmp_path / "nowhere" / "allocations.duckdb"
        expected = f"--database {database}: {database.parent} is not a folder"
    elif case == "not writable":
        if os.geteuid() == 0:
            pytest.skip("root writes into any folder whatever its permission bits")
        (tmp_path / "ro").mkdir(mode=0o500)
        database = tmp_path / "ro" / "allocations.duckdb"
        expected = f"the folder {database.parent} is not writable"
    elif case == "an unrelated database":
        _customers(database)
        expected = f"--database {database} exists and is not a database this pipeline published"
    else:
        database.write_text("quarterly figures\n")
        expected = f"--database {database} exists and is not a database this pipeline published"
    before = {p: (_sha(p) if p.is_file() else None) for p in tmp_path.rglob("*")}
    assert _run(MINIMAL, database) == 2
    message = _message(capsys.readouterr().err)
    assert message.startswith("allocations: error: ") and expected in message
    assert {p: (_sha(p) if p.is_file() else None) for p in tmp_path.rglob("*")} == before


def test_an_as_of_date_before_any_policy_is_refused_naming_the_first_date(tmp_path, capsys):
    assert _run(MINIMAL, tmp_path / "allocations.duckdb", as_of="2015-06-30") == 2
    message = _message(capsys.readouterr().err)
    assert "--as-of 2015-06-30 is before the first policy version in force (2016-01-01)" in message
    assert list(tmp_path.iterdir()) == []


# --- item 8: interrupts -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def long_extract(tmp_path_factory) -> Path:
    """Enough applications that dbt is still building when the signal comes."""
    folder = tmp_path_factory.mktemp("long") / "extract"
    assert main(["generate", "--out", str(folder), "--applications", "3000", "--seed", "17",
                 "--as-of", MINIMAL_AS_OF.isoformat()]) == 0
    return folder


def _processes() -> list[tuple[int, str]]:
    """Every live (not zombie) process, as (process group, `pid command`)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if fields[0] != "Z":
            found.append((int(fields[2]), f"{entry.name} {command}"))
    return found


def _group(pgid: int) -> list[str]:
    return [process for group, process in _processes() if group == pgid]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
@pytest.mark.parametrize("how", ["SIGINT to the group (Ctrl-C)", "SIGTERM to the process", "SIGTERM to the group"])
def test_an_interrupt_ends_every_process_and_leaves_the_published_file(published, long_extract, how):
    before = _sha(published)
    run = subprocess.Popen([str(BIN / "allocations"), "run", "--extracts", str(long_extract), "--as-of",
                            MINIMAL_AS_OF.isoformat(), "--database", str(published)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        for line in run.stderr:
            if "dbt build:" in line:
                break
        deadline = time.monotonic() + 60
        while not any(" build " in p for p in _group(run.pid)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert any(" build " in p for p in _group(run.pid)), "dbt build never started"
        time.sleep(2)  # dbt is building models
        if how.endswith("to the group") or how.startswith("SIGINT"):
            os.killpg(run.pid, signal.SIGINT if how.startswith("SIGINT") else signal.SIGTERM)
        else:
            run.send_signal(signal.SIGTERM)
        rest = run.stderr.read()
        assert run.wait(timeout=120) == 1
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    assert _message(rest) == "allocations: interrupted; the published database was left as it was"
    deadline = time.monotonic() + 10
    while _group(run.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _group(run.pid) == []
    assert _sha(published) == before and _no_work_files(published)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_terminating_a_run_under_the_daemon_ends_dbt_and_leaves_the_published_file(published, long_extract, tmp_path):
    """The UI's "Terminate" (the run coordinator's cancel_run) on a run the daemon launched, while
    dbt builds: the run ends canceled, no dbt process is left, nothing is published and the work
    files are released."""
    from dagster import DagsterInstance, DagsterRunStatus

    from .conftest import REPO

    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "deploy" / "dagster.yaml", home / "dagster.yaml")
    # Create the instance's storage first: the daemon and the launch creating it at once race.
    DagsterInstance.from_config(str(home)).dispose()
    env = {**os.environ, "DAGSTER_HOME": str(home), "ALLOCATIONS_EXTRACTS_DIR": str(long_extract),
           "ALLOCATIONS_DATABASE": str(published)}
    before = _sha(published)
    daemon = subprocess.Popen([str(BIN / "dagster-daemon"), "run", "-m", "dagster_project.definitions"], env=env,
                              cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        launched = subprocess.run(
            [str(BIN / "dagster"), "job", "launch", "-m", "dagster_project.definitions", "-j", "nightly_allocations",
             "--tags", json.dumps({"dagster/partition": MINIMAL_AS_OF.isoformat()})],
            env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
        assert launched.returncode == 0, launched.stderr[-2000:]

        def dbt_builds() -> list[str]:
            return [p for _, p in _processes() if " build " in p and str(published) in _environ(p)]

        deadline = time.monotonic() + 300
        while not dbt_builds() and time.monotonic() < deadline:
            time.sleep(1)
        assert dbt_builds(), "dbt build never started"
        time.sleep(2)
        with DagsterInstance.from_config(str(home)) as instance:
            [run] = instance.get_runs()
            assert instance.run_coordinator.cancel_run(run.run_id)
            while not instance.get_run_by_id(run.run_id).is_finished and time.monotonic() < deadline + 120:
                time.sleep(1)
            assert instance.get_run_by_id(run.run_id).status == DagsterRunStatus.CANCELED
        deadline = time.monotonic() + 10
        while dbt_builds() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert dbt_builds() == []
    finally:
        os.killpg(daemon.pid, signal.SIGKILL)
        daemon.wait()
    assert _sha(published) == before and _no_work_files(published)


def _environ(process: str) -> str:
    """A process's environment (where it publishes), or '' when it is gone or not ours to read."""
    try:
        return (Path("/proc") / process.split()[0] / "environ").read_bytes().decode(errors="replace")
    except OSError:
        return ""
