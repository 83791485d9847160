"""The run's helper processes: the dbt worker and the Great Expectations worker.

The CLI forks a dbt worker and starts a GX worker; a run launched by Dagster itself (the
daemon, `dagster dev`) spawns a dbt worker in its dbt step and validates suites in process.
Both ways publish the same results, and a failing dbt test still stops the run by name.
"""
import contextlib
import hashlib
import io
import uuid

import duckdb
from dagster import AssetKey, DagsterInstance

from dagster_project.assets import dbt_build
from dagster_project.cli import main
from dagster_project.definitions import defs
from dagster_project.validation import checks, worker

from .conftest import MINIMAL, MINIMAL_AS_OF


def _contents(database):
    with duckdb.connect(str(database), read_only=True) as con:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1").fetchall()]
        marts = {t: sorted(con.execute(f"SELECT * FROM marts.{t}").fetchall(), key=repr) for t in tables}
        expectations = sorted(con.execute(
            "SELECT suite, expectation, severity, success, observed_value, failing_examples "
            "FROM audit.expectation_results").fetchall())
    return marts, expectations


def test_a_run_launched_by_dagster_publishes_what_the_cli_publishes(minimal_published, tmp_path):
    assert worker.current() is None  # no GX worker: suites run in this process, dbt in a spawned worker
    database = tmp_path / "allocations.duckdb"
    run_config = {"resources": {"run": {"config": {
        "extracts_dir": str(MINIMAL), "database": str(database), "as_of": MINIMAL_AS_OF.isoformat()}}}}
    with DagsterInstance.ephemeral() as instance, contextlib.redirect_stdout(io.StringIO()) as log:
        result = defs.resolve_job_def("nightly_allocations").execute_in_process(
            run_config=run_config, instance=instance, run_id=str(uuid.uuid4()))
    assert result.success
    assert "Completed successfully" in log.getvalue()  # dbt's console output
    assert _contents(database) == _contents(minimal_published)


def test_a_failing_dbt_test_is_named_and_nothing_is_published(minimal_published, tmp_path, monkeypatch, capsys):
    """Policy is looked up for a date before any policy was in force (dbt only, not ingestion):
    a test on the policy parameters fails."""
    real_init = dbt_build.DbtBuild.__init__

    def before_any_policy(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        # The models read D from raw.run_parameters (not a dbt var): dbt is given an earlier one.
        with duckdb.connect(str(kwargs["build_database"])) as con:
            con.execute("UPDATE raw.run_parameters SET as_of_date = DATE '2015-06-01'")

    monkeypatch.setattr(dbt_build.DbtBuild, "__init__", before_any_policy)
    database = tmp_path / "allocations.duckdb"
    database.write_bytes(minimal_published.read_bytes())
    before = hashlib.sha256(database.read_bytes()).hexdigest()
    assert main(["run", "--extracts", str(MINIMAL), "--as-of", MINIMAL_AS_OF.isoformat(),
                 "--database", str(database)]) == 1
    err = capsys.readouterr().err
    assert "dbt build failed" in err and "int_policy__parameters" in err  # the failing test, by name
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before
    # neither the build database nor the marts file dbt wrote is left beside the database
    assert sorted(p.name for p in tmp_path.iterdir()) == ["allocations.duckdb", "allocations.runs"]
    [run_folder] = (tmp_path / "allocations.runs").iterdir()
    assert "Failure in test" in (run_folder / "run.log").read_text()  # dbt's own account
    assert (run_folder / "dbt" / "run_results.json").exists()


def test_a_suite_is_read_during_the_build_only_when_it_reads_dbt_tables_alone(monkeypatch):
    monkeypatch.setattr(worker, "current", lambda: object())
    manifest = {"nodes": {
        "model.a.val_shortlists": {"resource_type": "model", "schema": "validation", "alias": "val_shortlists"},
        "model.a.int_policy__shortlist_priority_matrix": {
            "resource_type": "model", "schema": "intermediate", "alias": "int_policy__shortlist_priority_matrix"},
        "test.a.t": {"resource_type": "test", "schema": "validation", "alias": "val_lettings_audit"}}}
    early = checks.early_suites({AssetKey(["marts", "shortlists"]), AssetKey(["marts", "lettings_audit"]),
                                 AssetKey("raw_extract")}, manifest)
    assert [(e["name"], e["after"]) for e in early] == [
        ("shortlists", ["intermediate.int_policy__shortlist_priority_matrix", "validation.val_shortlists"])]
    monkeypatch.setattr(worker, "current", lambda: None)
    assert checks.early_suites({AssetKey(["marts", "shortlists"])}, manifest) == []


def test_the_dbt_worker_drops_only_the_debug_events_nobody_reads(monkeypatch):
    """The worker's filter on dbt's events: a debug event is dropped unless it is a node result
    (dagster-dbt converts those) or a logger is set; lines at info and above always reach the
    callback, which writes them to run.log."""
    from dbt.events.types import LogTestResult
    from dbt_common.events.base_types import EventLevel
    from dbt_common.events.event_manager import EventManager
    from dbt_common.events.types import GetMetaKeyWarning, Note, RetryExternalCall

    from dagster_project.assets import dbt_worker

    monkeypatch.setattr(EventManager, "fire_event", EventManager.fire_event)  # undone after the test
    dbt_worker.skip_unread_debug_events()
    dbt_worker.skip_unread_debug_events()  # applied once, however often it is called

    def fire_all(manager):
        manager.fire_event(RetryExternalCall(attempt=1, max=3))
        manager.fire_event(Note(msg="a debug note"), level=EventLevel.DEBUG)
        manager.fire_event(LogTestResult(name="t", status="pass", index=1, num_models=1, execution_time=0.1,
                                         num_failures=0), level=EventLevel.DEBUG)
        manager.fire_event(Note(msg="an info line"))
        manager.fire_event(GetMetaKeyWarning(meta_key="k"))

    manager, received = EventManager(), []
    manager.add_callback(lambda msg: received.append((msg.info.name, msg.info.level)))
    fire_all(manager)
    assert received == [("LogTestResult", "debug"), ("Note", "info"), ("GetMetaKeyWarning", "warn")]

    class Logger:
        def __init__(self):
            self.lines = []

        def filter(self, msg):
            return True

        def write_line(self, msg):
            self.lines.append(msg.info.name)

    received.clear()
    manager.loggers.append(logger := Logger())
    fire_all(manager)
    assert logger.lines == ["RetryExternalCall", "Note", "LogTestResult", "Note", "GetMetaKeyWarning"]
    assert len(received) == 5
