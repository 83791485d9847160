"""`dbt build` of the step's selection in the dbt worker process, streamed as Dagster events.

The worker (dbt_worker.py) runs dbt on the manifest parsed once; here its node results become
the Dagster events dagster-dbt yields (an Output per model and seed, an AssetCheckResult per
data test), converted by dagster-dbt's own converter and with dagster-dbt's selection rules.
dbt's console output goes to stdout (the run's run.log), run_results.json to the target folder.
"""
from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..project import dbt_project
from . import dbt_worker

# Each is a cost per node nobody reads on a nightly run: dbt's console logger (the worker writes
# dbt's console lines itself), the debug-level file log (~20 lines a node), manifest.json,
# graph.gpickle and the semantic manifest (the worker writes run_results.json itself).
_QUIET_FLAGS = ("--log-level", "none", "--log-level-file", "none", "--no-write-json", "--no-use-colors",
                "--no-send-anonymous-usage-stats", "--no-version-check")


class DbtBuild:
    """One `dbt build`: iterate `events()` for the Dagster events, then ask `failures()`."""

    def __init__(self, context, translator, *, build_database: Path, marts_database: Path, vars: dict[str, Any],
                 target_path: Path, extra_args: Sequence[str] = ()) -> None:
        from dagster_dbt.asset_utils import get_updated_cli_invocation_params_for_context

        self.context = context
        self.params = get_updated_cli_invocation_params_for_context(
            context=context, manifest={}, dagster_dbt_translator=translator)
        project_dir = Path(self.params.dbt_project.project_dir if self.params.dbt_project
                           else dbt_project.project_dir)
        self.target_path = target_path
        self.args = ["build", "--project-dir", str(project_dir), "--profiles-dir", str(dbt_project.profiles_dir),
                     "--target-path", str(target_path), "--log-path", str(target_path),
                     "--vars", json.dumps(vars), *extra_args, *self.params.selection_args, *_QUIET_FLAGS]
        indirect = self.params.indirect_selection or os.environ.get("DBT_INDIRECT_SELECTION")
        if indirect:
            self.args += ["--indirect-selection", indirect]
        self.env = {"ALLOCATIONS_BUILD_DB": str(build_database), "ALLOCATIONS_MARTS_DB": str(marts_database)}
        self.error: str | None = None
        self.reads: dict[str, Any] = {}
        self.on_read: Callable[[dict], None] | None = None

    @property
    def manifest(self) -> Mapping[str, Any]:
        return self.params.manifest

    def read_during_build(self, reads: list[dict], run_id: str, on_read: Callable[[dict], None]) -> None:
        """Have the worker read these suites' data once the tables they read are built (see
        dbt_worker.py); `on_read` gets each {"name", "suites_dir", "data"}."""
        self.reads, self.on_read = {"suites": reads, "run_id": run_id}, on_read

    def events(self) -> Iterator[Any]:
        from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage

        self.target_path.mkdir(parents=True, exist_ok=True)
        worker = dbt_worker.take_worker()
        try:
            for message in worker.build(self.args, self.env, str(self.target_path / "run_results.json"), self.reads):
                if "line" in message:
                    sys.stdout.write(message["line"] + "\n")
                elif "event" in message:
                    yield from DbtCoreCliEventMessage(raw_event=message["event"], event_history_metadata={}) \
                        .to_default_asset_events(manifest=self.params.manifest,
                                                 dagster_dbt_translator=self.params.dagster_dbt_translator,
                                                 context=self.context, target_path=self.target_path,
                                                 project=self.params.dbt_project)
                elif "suite_data" in message and self.on_read is not None:
                    self.on_read(message["suite_data"])
                elif message.get("done"):
                    self.error = message.get("error")
        finally:
            worker.stop()
            sys.stdout.flush()

    def failures(self) -> list[str]:
        if self.error:
            return [f"dbt did not run: {self.error}"]
        path = self.target_path / "run_results.json"
        if not path.exists():
            return ["dbt did not run: no run_results.json"]
        return [f"{r['unique_id']}: {r.get('message') or r['status']}"
                for r in json.loads(path.read_text())["results"] if r["status"] in ("error", "fail")]
