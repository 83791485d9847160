"""The Dagster definitions load as `dagster dev` would load them."""
import datetime as dt

from dagster import AssetKey, build_schedule_context

from dagster_project.definitions import defs


def test_job_assets_and_checks():
    job = defs.resolve_job_def("nightly_allocations")
    assert job is not None
    keys = set(defs.resolve_asset_graph().get_all_asset_keys())
    for key in (["raw_extract"], ["published_database"], ["marts", "applicant_bands"], ["marts", "shortlists"],
                ["marts", "bidding_restrictions"], ["marts", "discretionary_audit"], ["marts", "lettings_audit"],
                ["staging", "stg_register__applications"], ["policy", "need_catalogue"]):
        assert AssetKey(key) in keys, key
    check_keys = defs.resolve_asset_graph().asset_check_keys
    check_names = {k.name for k in check_keys}
    # dbt data tests become asset checks, and so do the expectation suites.
    assert any(name.startswith("unique_") for name in check_names)
    assert len(check_names) > 20


def test_published_database_waits_for_every_mart():
    graph = defs.resolve_asset_graph()
    parents = graph.get(AssetKey("published_database")).parent_keys
    assert {AssetKey(["marts", m]) for m in ("applicant_bands", "shortlists", "bidding_restrictions",
                                              "discretionary_audit", "lettings_audit")} <= set(parents)


def test_schedule_runs_nightly_in_london_with_config_from_environment(monkeypatch):
    schedule = defs.resolve_schedule_def("nightly_allocations_0200")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Europe/London"
    monkeypatch.setenv("ALLOCATIONS_EXTRACTS_DIR", "/data/extract")
    monkeypatch.setenv("ALLOCATIONS_DATABASE", "/data/allocations.duckdb")
    when = dt.datetime(2026, 3, 29, 2, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    [request] = schedule.evaluate_tick(build_schedule_context(scheduled_execution_time=when)).run_requests
    assert request.run_config["resources"]["run"]["config"] == {
        "extracts_dir": "/data/extract", "database": "/data/allocations.duckdb", "as_of": "2026-03-29"}


def test_schedule_skips_without_configuration(monkeypatch):
    monkeypatch.delenv("ALLOCATIONS_EXTRACTS_DIR", raising=False)
    schedule = defs.resolve_schedule_def("nightly_allocations_0200")
    result = schedule.evaluate_tick(build_schedule_context(
        scheduled_execution_time=dt.datetime(2026, 3, 29, 2, 0, tzinfo=dt.timezone.utc)))
    assert not result.run_requests and "ALLOCATIONS_EXTRACTS_DIR" in result.skip_message
