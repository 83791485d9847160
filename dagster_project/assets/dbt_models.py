"""Every dbt model and seed as a Dagster asset, every dbt data test as an asset check.

The step runs `dbt build` the way dagster-dbt's own examples do: `DbtCliResource.cli(...)
.stream()`. dbt reads the as-of date from `raw.run_parameters` (written by ingestion), not
from `--vars`, and writes into the target's work files at the same paths every night, so
dbt's partial parse of the project stays valid from one night to the next (work_files.py).
"""

import time
from collections.abc import Mapping
from typing import Any

from dagster import AssetCheckEvaluation, AssetCheckResult, AssetExecutionContext, AssetKey, Output
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from ..environment import environment
from ..partitions import ONE_DATE_PER_RUN, as_of_partitions
from ..progress import progress
from ..project import dbt_project
from ..resources import AllocationsSettings, RunPlan
from ..work_files import RunLock

# Asset groups by layer, so the asset graph reads at a glance: staging, intermediate by area
# (intermediate_banding, intermediate_restrictions, ...), marts, validation, policy (the seeds).
_LAYERS = ("staging", "intermediate", "marts", "validation")


class AllocationsTranslator(DagsterDbtTranslator):
    """dbt sources are the tables the ingestion asset writes, so they all map to it."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey("raw_extract")
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "policy"
        fqn = dbt_resource_props.get("fqn", [])
        layer = fqn[1] if len(fqn) > 2 else None
        if layer == "intermediate" and len(fqn) > 3:
            return f"intermediate_{fqn[2]}"
        return layer if layer in _LAYERS else super().get_group_name(dbt_resource_props)


translator = AllocationsTranslator(settings=DagsterDbtTranslatorSettings(enable_duplicate_source_asset_keys=True))

# Events that stand for one dbt node finished (a model or seed built, a test evaluated).
_NODE_EVENTS = (Output, AssetCheckResult, AssetCheckEvaluation)


# Unit tests check rule logic on hand-made rows: they run in the test suite, not every night.
@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=translator,
            partitions_def=as_of_partitions, backfill_policy=ONE_DATE_PER_RUN, exclude="resource_type:unit_test")
def allocations_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, allocations: AllocationsSettings):
    plan = RunPlan.load(allocations, context.run.run_id)
    total = len(context.selected_asset_keys) + len(context.selected_asset_check_keys)
    started, done, shown = time.monotonic(), 0, 0.0
    progress(f"dbt build: {total} seeds, models and data tests as of {plan.as_of}")
    # The profile (dbt/profiles.yml) reads the paths of the build database and the marts file;
    # dbt's process takes its environment when it starts.
    with environment(ALLOCATIONS_BUILD_DB=str(plan.work.build), ALLOCATIONS_MARTS_DB=str(plan.work.marts)):
        invocation = dbt.cli(["build", "--exclude-resource-type", "unit_test"], context=context,
                             target_path=plan.work.dbt_target)
    with RunLock(plan.work).released_on_failure(plan.run_id):
        for event in invocation.stream():
            yield event
            if isinstance(event, _NODE_EVENTS):
                done += 1
                if time.monotonic() - shown > 2 or done == total:
                    progress(f"dbt build: {done}/{total}")
                    shown = time.monotonic()
    progress(f"dbt build: done ({time.monotonic() - started:.1f}s)")
