"""What a suite run found, per expectation, in short text a person can act on."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ExpectationResult:
    suite: str
    expectation: str          # type(columns) [where row_condition]
    severity: str             # blocking | warning
    success: bool
    observed_value: str       # short text
    failing_examples: str     # a few failing rows as text; '' when it passed
    rule: str = ""
    description: str = ""

    def line(self) -> str:
        text = f"[{self.severity}] {self.suite}: {self.description} ({self.expectation}; observed {self.observed_value})"
        return text + (f"; failing: {self.failing_examples}" if self.failing_examples else "")


@dataclass
class SuiteResult:
    suite: str
    asset: tuple[str, ...]
    expectations: list[ExpectationResult]
    rows_validated: int = 0
    seconds: float = 0.0
    gx_result: Any = field(default=None, repr=False, compare=False)  # GX's own result, for Data Docs

    @property
    def blocking_failures(self) -> list[ExpectationResult]:
        return [e for e in self.expectations if not e.success and e.severity == "blocking"]

    @property
    def warnings(self) -> list[ExpectationResult]:
        return [e for e in self.expectations if not e.success and e.severity == "warning"]

    @property
    def passed(self) -> bool:
        """No blocking expectation failed (warnings do not stop publishing)."""
        return not self.blocking_failures

    def describe(self, limit: int = 3) -> str:
        """One paragraph for a check's description and the CLI's failure message."""
        failures = self.blocking_failures
        if not failures:
            n = len(self.expectations)
            text = f"suite {self.suite}: all {n - len(self.warnings)} of {n} expectations passed"
            if self.warnings:
                text = (f"suite {self.suite}: no blocking failure; {len(self.warnings)} warning(s): "
                        + "; ".join(w.description for w in self.warnings[:limit]))
            return text
        head = f"suite {self.suite}: {len(failures)} blocking expectation(s) failed"
        body = [f"- {f.description} [{f.rule}] ({f.expectation}): observed {f.observed_value}"
                + (f"; e.g. {f.failing_examples}" if f.failing_examples else "") for f in failures[:limit]]
        if len(failures) > limit:
            body.append(f"- and {len(failures) - limit} more (see audit.expectation_results)")
        return "\n".join([head, *body])


def short(value: Any, width: int = 200) -> str:
    text = value if isinstance(value, str) else repr(value) if not hasattr(value, "item") else repr(value.item())
    return text if len(text) <= width else text[: width - 3] + "..."
