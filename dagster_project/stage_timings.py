"""Wall time per stage of a run, from the Dagster event log (for the summary and the benchmark)."""
from __future__ import annotations

from collections import defaultdict

STAGE_OF_STEP = {"raw_extract": "ingest", "allocations_dbt_models": "dbt build", "published_database": "publish"}
STAGES = ("startup", "ingest", "dbt build", "expectations", "publish")


def stage_seconds(instance, run_id: str, startup_seconds: float) -> dict[str, float]:
    """Seconds per stage; every step that is not ingest, dbt or publish is an expectation check."""
    first: dict[str, float] = {}
    last: dict[str, float] = {}
    for entry in instance.all_logs(run_id):
        step = entry.step_key
        if step is None:
            continue
        first.setdefault(step, entry.timestamp)
        last[step] = entry.timestamp
    seconds: dict[str, float] = defaultdict(float)
    seconds["startup"] = startup_seconds
    for step, start in first.items():
        seconds[STAGE_OF_STEP.get(step, "expectations")] += last[step] - start
    return {stage: round(seconds.get(stage, 0.0), 2) for stage in STAGES}
