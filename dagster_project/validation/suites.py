"""Suite files (expectations/<name>.json): what data each suite reads and what it expects.

Each file is a Great Expectations 1.x ExpectationSuite as GX writes it (`suite.to_json_dict()`,
and `great_expectations.ExpectationSuite(**json.load(f))` reads it back); what GX has no field
for (the asset, the data query, the suite parameters' queries) is under `meta.allocations`:

    {"name": "applicant_bands",                      # = the file name
     "id": null,
     "expectations": [{"type": "expect_column_values_to_be_in_set",
                       "kwargs": {"column": "category", "value_set": {"$PARAMETER": "categories"}},
                       "meta": {"severity": "blocking", "rule": "W10", "description": "..."},
                       "severity": "critical"}],    # GX's name for blocking; warning is warning
     "meta": {"allocations": {
                  "asset": ["marts", "applicant_bands"],   # the Dagster asset the check attaches to
                  "description": "...",
                  "data": {"sql": "select ... from validation.val_applicant_bands",
                           "count_column": "applications", # rows of the mart each frame row stands for
                           "examples_column": "example_refs",  # a few keys of those rows, as text
                           "key_columns": [],              # columns always shown in failing examples
                           "row_label": "profile rows"},   # what one frame row is, in messages
                  "parameters": {"categories": {"sql": "select ...", "kind": "list"}}},
              "great_expectations_version": "1.24.1"},
     "notes": null}

A suite is data, read here without importing Great Expectations (the Dagster definitions load
every suite at import to build the checks); tests/test_expectations.py checks that every file
round-trips through GX's own ExpectationSuite. Every expectation carries a severity, a rule id
(W<n>, D<n> or a spec section, several separated by commas) and the description a person reads
when it fails.

SQL may be one string or a list of lines. It may use {run_id}, {as_of} (the run's as-of date from
audit.runs) and {dbt_seeds} (the dbt seeds folder, for policy data before dbt has run), replaced
by SQL literals. Parameters are GX suite
parameters: a `list` parameter is the first column of its query, a `value` its single cell.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..paths import DBT_PROJECT_DIR, EXPECTATIONS_DIR

SEVERITIES = ("blocking", "warning")
# GX's own FailureSeverity for each of ours, written beside meta.severity so GX shows the same.
GX_SEVERITY = {"blocking": "critical", "warning": "warning"}
# W<n>, D<n> or a named spec section ("Lettings audit", "register-extract"), comma separated.
RULE_ID = re.compile(r"[WD]\d+|[A-Za-z][A-Za-z -]*[a-z]")
# ExpectationSuite's constructor arguments: GX refuses any other key.
SUITE_KEYS = ("name", "id", "expectations", "suite_parameters", "meta", "notes")


class SuiteError(ValueError):
    """A suite file is malformed; the message names the file and what is wrong."""


def sql_literal(value: object) -> str:
    return "NULL" if value is None else "'" + str(value).replace("'", "''") + "'"


def render_sql(sql: str, run_id: str, as_of: object) -> str:
    return (sql.replace("{run_id}", sql_literal(run_id))
            .replace("{as_of}", f"CAST({sql_literal(as_of)} AS DATE)")
            .replace("{dbt_seeds}", sql_literal(DBT_PROJECT_DIR / "seeds")))


@dataclass(frozen=True)
class ExpectationSpec:
    type: str
    kwargs: dict
    severity: str
    rule: str
    description: str
    meta: dict

    @property
    def label(self) -> str:
        """Type and columns (and the row condition), unique within a suite: the stored name."""
        label = f"{self.type}({', '.join(self.columns)})"
        if self.kwargs.get("row_condition"):
            label += f" where {condition_text(self.kwargs['row_condition'])}"
        return label

    @property
    def condition_columns(self) -> list[str]:
        return condition_columns(self.kwargs.get("row_condition"))

    @property
    def columns(self) -> list[str]:
        k = self.kwargs
        return [k[c] for c in ("column", "column_A", "column_B") if c in k] + list(k.get("column_list", []))


@dataclass(frozen=True)
class Suite:
    name: str
    asset: tuple[str, ...]
    description: str
    sql: str
    count_column: str | None
    examples_column: str | None
    key_columns: tuple[str, ...] = ()
    row_label: str = "profile rows"
    parameters: dict[str, dict] = field(default_factory=dict)
    expectations: tuple[ExpectationSpec, ...] = ()
    path: Path | None = None

    def parameter_sql(self, name: str) -> str:
        return self.parameters[name]["sql"]


def condition_text(condition: dict) -> str:
    """A GX row condition (its serialized form) as short text: band == 'transfer'."""
    if condition["type"] in ("and", "or"):
        joined = f" {condition['type']} ".join(condition_text(c) for c in condition["conditions"])
        return f"({joined})"
    column = condition["column"]["name"]
    if condition["type"] == "nullity":
        return f"{column} is {'' if condition['is_null'] else 'not '}null"
    operator = {"IN": "in", "NOT_IN": "not in"}.get(condition["operator"], condition["operator"])
    return f"{column} {operator} {condition['parameter']!r}"


def condition_columns(condition: dict | None) -> list[str]:
    if not condition:
        return []
    if condition["type"] in ("and", "or"):
        return [c for sub in condition["conditions"] for c in condition_columns(sub)]
    return [condition["column"]["name"]]


def _sql(value) -> str:
    return "\n".join(value) if isinstance(value, list) else str(value or "")


def _expectation(path: Path, i: int, raw: dict) -> ExpectationSpec:
    where = f"{path.name}: expectation {i + 1}"
    if not isinstance(raw, dict) or not str(raw.get("type", "")).startswith("expect_"):
        raise SuiteError(f"{where}: needs a 'type' naming a GX expectation (expect_...)")
    where = f"{where} ({raw['type']})"
    meta = raw.get("meta") or {}
    if not isinstance(meta, dict):
        raise SuiteError(f"{where}: meta must be an object with severity, rule and description")
    severity = meta.get("severity")
    if severity not in SEVERITIES:
        raise SuiteError(f"{where}: meta.severity must be one of {', '.join(SEVERITIES)}")
    gx_severity = raw.get("severity", "critical")  # GX's default when the key is absent
    if gx_severity != GX_SEVERITY[severity]:
        raise SuiteError(f"{where}: severity '{gx_severity}' (GX's) contradicts meta.severity '{severity}'; "
                         f"write \"severity\": \"{GX_SEVERITY[severity]}\"")
    rule = str(meta.get("rule") or "")
    if not rule or not all(RULE_ID.fullmatch(part.strip()) for part in rule.split(",")):
        raise SuiteError(f"{where}: meta.rule must name the rule it checks: W<n>, D<n> or a spec section, "
                         f"comma separated (got {rule!r})")
    if not meta.get("description"):
        raise SuiteError(f"{where}: meta.description is required (it is the failure message)")
    kwargs = raw.get("kwargs") or {}
    if not isinstance(kwargs, dict):
        raise SuiteError(f"{where}: kwargs must be an object of the expectation's arguments")
    condition = kwargs.get("row_condition")
    if condition is not None and not (isinstance(condition, dict) and "type" in condition):
        raise SuiteError(f"{where}: row_condition must be a GX Condition in its serialized form, "
                         'e.g. {"type": "comparison", "column": {"name": "band"}, "operator": "==", '
                         '"parameter": "transfer"} (string conditions are deprecated in GX 1.9+)')
    return ExpectationSpec(raw["type"], dict(kwargs), severity, rule, meta["description"], dict(meta))


def _allocations(path: Path, raw: dict) -> dict:
    """The project's own part of a suite: meta.allocations, checked."""
    old_layout = [key for key in ("asset", "data", "parameters", "description") if key in raw]
    if old_layout:
        raise SuiteError(f"{path.name}: {', '.join(old_layout)} belong under meta.allocations in the GX suite "
                         "layout (expectations/README.md)")
    unknown = sorted(set(raw) - set(SUITE_KEYS))
    if unknown:
        raise SuiteError(f"{path.name}: {', '.join(unknown)} not a key of a GX ExpectationSuite "
                         f"({', '.join(SUITE_KEYS)})")
    for key in ("name", "expectations", "meta"):
        if key not in raw:
            raise SuiteError(f"{path.name}: '{key}' is required")
    if raw["name"] != path.stem:
        raise SuiteError(f"{path.name}: name '{raw['name']}' must match the file name")
    if not isinstance(raw["expectations"], list):
        raise SuiteError(f"{path.name}: expectations must be a list")
    allocations = raw["meta"].get("allocations") if isinstance(raw["meta"], dict) else None
    if not isinstance(allocations, dict):
        raise SuiteError(f"{path.name}: meta.allocations is required (asset, description, data, parameters)")
    asset = allocations.get("asset")
    if not (isinstance(asset, list) and asset and all(isinstance(part, str) and part for part in asset)):
        raise SuiteError(f"{path.name}: meta.allocations.asset must be the Dagster asset key as a list of "
                         'names, e.g. ["marts", "shortlists"]')
    data = allocations.get("data")
    if not isinstance(data, dict) or not data.get("sql"):
        raise SuiteError(f"{path.name}: meta.allocations.data.sql is required")
    parameters = allocations.get("parameters") or {}
    if not isinstance(parameters, dict) or not all(isinstance(spec, dict) for spec in parameters.values()):
        raise SuiteError(f"{path.name}: meta.allocations.parameters must map each name to {{sql, kind}}")
    return allocations


def load_suite(path: Path) -> Suite:
    try:
        raw = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise SuiteError(f"{path.name}: not valid JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise SuiteError(f"{path.name}: must hold one GX ExpectationSuite (a JSON object)")
    allocations = _allocations(path, raw)
    data = allocations["data"]
    expectations = tuple(_expectation(path, i, e) for i, e in enumerate(raw["expectations"]))
    labels = [e.label for e in expectations]
    duplicates = sorted({label for label in labels if labels.count(label) > 1})
    if duplicates:
        raise SuiteError(f"{path.name}: expectations must differ by type, columns or row_condition: {duplicates}")
    parameters = {name: {"kind": "list", **spec, "sql": _sql(spec.get("sql"))}
                  for name, spec in (allocations.get("parameters") or {}).items()}
    for name, spec in parameters.items():
        if not spec.get("sql") or spec["kind"] not in ("list", "value"):
            raise SuiteError(f"{path.name}: meta.allocations.parameters.{name} needs sql and kind 'list' or 'value'")
    used = {value["$PARAMETER"] for e in expectations for value in e.kwargs.values()
            if isinstance(value, dict) and "$PARAMETER" in value}
    if used - set(parameters):
        raise SuiteError(f"{path.name}: no query in meta.allocations.parameters for "
                         f"{', '.join(sorted(used - set(parameters)))}")
    return Suite(
        name=raw["name"], asset=tuple(allocations["asset"]), description=allocations.get("description", ""),
        sql=_sql(data["sql"]), count_column=data.get("count_column"), examples_column=data.get("examples_column"),
        key_columns=tuple(data.get("key_columns") or ()), row_label=data.get("row_label", "profile rows"),
        parameters=parameters, expectations=expectations, path=path)


def load_suites(suites_dir: Path = EXPECTATIONS_DIR, names: list[str] | None = None) -> list[Suite]:
    """Every suite in the folder (sorted by name), or the named ones in the order given."""
    suites_dir = Path(suites_dir)
    if names is None:
        return [load_suite(p) for p in sorted(suites_dir.glob("*.json"))]
    missing = [n for n in names if not (suites_dir / f"{n}.json").exists()]
    if missing:
        raise SuiteError(f"no suite file for {', '.join(missing)} in {suites_dir}")
    return [load_suite(suites_dir / f"{n}.json") for n in names]
