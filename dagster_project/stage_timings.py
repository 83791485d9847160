"""Wall time per stage of a run, from the Dagster event log (for the summary and the benchmark)."""
from __future__ import annotations

from collections import defaultdict

STAGE_OF_STEP = {"raw_extract": "ingest", "allocations_dbt_models": "dbt build", "great_expectations": "expectations",
                 "published_database": "publish"}
STEP_ENDS = ("STEP_SUCCESS", "STEP_FAILURE")
STAGES = ("startup", "ingest", "dbt build", "expectations", "publish")


def stage_seconds(instance, run_id: str, startup_seconds: float) -> dict[str, float]:
    """Seconds per stage; every step that is not ingest, dbt or publish is an expectation check."""
    from dagster import DagsterEventType

    first: dict[str, float] = {}
    last: dict[str, float] = {}
    # Only the step boundaries: reading back all ~900 events of a run takes half a second.
    of_type = {DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE}
    for entry in instance.all_logs(run_id, of_type=of_type):
        event = entry.dagster_event
        if entry.step_key is None or event is None:
            continue
        if event.event_type_value == "STEP_START":
            first[entry.step_key] = entry.timestamp
        elif event.event_type_value in STEP_ENDS:
            last[entry.step_key] = entry.timestamp
    seconds: dict[str, float] = defaultdict(float)
    seconds["startup"] = startup_seconds
    for step, start in first.items():
        seconds[STAGE_OF_STEP.get(step, "expectations")] += last.get(step, start) - start
    return {stage: round(seconds.get(stage, 0.0), 2) for stage in STAGES}
