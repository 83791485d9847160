"""The Dagster definitions load as `dagster dev` would load them."""
import datetime as dt

from dagster import AssetKey, build_schedule_context

from dagster_project.definitions import defs


def test_job_assets_and_checks():
    job = defs.resolve_job_def("nightly_allocations")
    assert job.partitions_def is not None
    keys = set(defs.resolve_asset_graph().get_all_asset_keys())
    for key in (["raw_extract"], ["published_database"], ["marts", "applicant_bands"], ["marts", "shortlists"],
                ["marts", "bidding_restrictions"], ["marts", "discretionary_audit"], ["marts", "lettings_audit"],
                ["staging", "stg_register__applications"], ["policy", "need_catalogue"]):
        assert AssetKey(key) in keys, key
    check_names = {k.name for k in defs.resolve_asset_graph().asset_check_keys}
    # dbt data tests become asset checks, and so do the expectation suites.
    assert any(name.startswith("unique_") for name in check_names)
    assert {"expectations_load", "expectations_applicant_bands", "expectations_shortlists"} <= check_names


def test_asset_groups_follow_the_layers():
    graph = defs.resolve_asset_graph()
    group = {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert group["staging/stg_register__bids"] == "staging"
    assert group["intermediate/int_applicant_bands"] == "intermediate_banding"
    assert group["marts/shortlists"] == "marts"
    assert group["validation/val_shortlists"] == "validation"
    assert group["policy/policy_parameters"] == "policy"
    assert group["raw_extract"] == "ingestion" and group["published_database"] == "publish"


def test_published_database_waits_for_every_mart():
    graph = defs.resolve_asset_graph()
    parents = graph.get(AssetKey("published_database")).parent_keys
    assert {AssetKey(["marts", m]) for m in ("applicant_bands", "shortlists", "bidding_restrictions",
                                              "discretionary_audit", "lettings_audit")} <= set(parents)


def test_expectation_checks_are_blocking_and_declare_what_they_read():
    from dagster_project.validation.checks import build_mart_checks

    specs = {spec.name: spec for spec in build_mart_checks().check_specs}
    shortlists = specs["expectations_shortlists"]
    assert shortlists.blocking and shortlists.asset_key == AssetKey(["marts", "shortlists"])
    assert AssetKey(["validation", "val_shortlists"]) in {dep.asset_key for dep in shortlists.additional_deps}


def test_schedule_runs_at_two_in_london_for_that_days_partition():
    schedule = defs.resolve_schedule_def("nightly_allocations_0200")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Europe/London"
    # 02:00 BST on the last Sunday of March, the night the clocks go forward.
    when = dt.datetime(2026, 3, 29, 2, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    [request] = schedule.evaluate_tick(build_schedule_context(scheduled_execution_time=when)).run_requests
    assert request.partition_key == "2026-03-29"


def test_partitions_start_with_the_first_policy_version():
    from dagster_project.policy_dates import first_policy_date

    partitions = defs.resolve_job_def("nightly_allocations").partitions_def
    assert partitions.get_first_partition_key() == first_policy_date().isoformat()
    # today's partition exists, so a run as of today (the demo, the 02:00 run) has one
    assert partitions.has_partition_key(dt.date.today().isoformat())
