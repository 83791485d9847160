"""Great Expectations, imported only when a suite runs (the import takes seconds)."""
from __future__ import annotations

from .suites import GX_SEVERITY, Suite

# COMPLETE: every failing profile row's index, so counts of mart rows are exact (frames are small).
RESULT_FORMAT = "COMPLETE"


class GxValidator:
    """One ephemeral GX context per call of run_suites; imported on first use (GX takes seconds)."""

    def __init__(self) -> None:
        self._gx = None

    def start(self):
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self._gx = gx
        self._source = context.data_sources.add_pandas(name="allocations_build")
        return gx

    def validate(self, spec: Suite, frame, parameters: dict):
        gx = self._gx or self.start()
        from great_expectations.expectations.registry import get_expectation_impl

        expectations = [get_expectation_impl(e.type)(**e.kwargs, meta={**e.meta, "label": e.label},
                                                     severity=GX_SEVERITY[e.severity])
                        for e in spec.expectations]
        suite = gx.ExpectationSuite(name=spec.name, expectations=expectations)
        asset = self._source.add_dataframe_asset(name=spec.name)
        batch = asset.add_batch_definition_whole_dataframe("whole_frame").get_batch(
            batch_parameters={"dataframe": frame})
        return batch.validate(suite, expectation_parameters=parameters, result_format={"result_format": RESULT_FORMAT})
