"""The blocking gate on the extract, after loading and before dbt: nothing is published from an
extract that lost rows (write-audit-publish).

The thresholds are policy data, the seed dbt/seeds/extract_gate_thresholds.csv (its description
in dbt/seeds/_seeds.yml says what each means), read here directly because dbt has not run yet;
the version in force is the one with the latest effective_from on or before the as-of date.
A required file fails the gate when
- the rows quarantined on account of it (its own, and rows of other files refused only because
  they refer to its quarantined rows: `audit.quarantine_causes`) are more than
  max_quarantined_share of the rows at stake (its rows read and those of every file referring to it);
- it has no data rows, or its rows loaded fell by more than max_loaded_rows_fall against the last
  published run. These two are volume findings: a person who has checked the extract may accept them.
"""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import duckdb

from ..paths import DBT_PROJECT_DIR
from . import contract
from .loader import ExtractContractError

SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
THRESHOLDS_SEED = "extract_gate_thresholds"
REQUIRED_FILES = tuple(name for name in contract.LOAD_ORDER if contract.FILES_BY_NAME[name].required)


class ExtractGateError(ExtractContractError):
    """The extract fails the gate; the message is one line naming each failing file and its figures."""


@dataclass(frozen=True)
class Thresholds:
    effective_from: dt.date
    max_quarantined_share: dict[str, Decimal]
    max_loaded_rows_fall: dict[str, Decimal]


@dataclass(frozen=True)
class FileFigures:
    file_name: str
    shown_as: str  # the file as the extract holds it, e.g. applications.csv
    rows_read: int
    rows_loaded: int
    quarantined_own: int  # its rows quarantined on its own account
    quarantined_cascade: int  # rows of other files quarantined only because they refer to its quarantined rows
    rows_at_stake: int
    previous_rows_loaded: int | None

    @property
    def quarantined_share(self) -> Fraction:
        return Fraction(self.quarantined_own + self.quarantined_cascade, self.rows_at_stake or 1)

    @property
    def loaded_rows_fall(self) -> Fraction | None:
        if not self.previous_rows_loaded:
            return None
        return Fraction(self.previous_rows_loaded - self.rows_loaded, self.previous_rows_loaded)


@dataclass
class GateVerdict:
    """The extract passed. `accepted_volume_changes` holds, one line each, the volume findings a
    person accepted (accept_volume_change=True); empty when there were none."""

    thresholds_effective_from: dt.date
    files: dict[str, FileFigures]
    accepted_volume_changes: list[str] = field(default_factory=list)


def thresholds_in_force(as_of: dt.date, seeds_dir: Path = SEEDS_DIR) -> Thresholds:
    """The version of extract_gate_thresholds in force on `as_of`, with a row for every required file."""
    path = Path(seeds_dir) / f"{THRESHOLDS_SEED}.csv"
    with open(path, newline="", encoding="utf-8") as f:
        rows = [{k: v.strip() for k, v in row.items()} for row in csv.DictReader(f)]
    versions = sorted({dt.date.fromisoformat(r["effective_from"]) for r in rows})
    in_force = [v for v in versions if v <= as_of]
    if not in_force:
        first = f"the first takes effect on {versions[0]}" if versions else "it has no rows"
        raise ExtractGateError(f"{path.name}: no version is in force on {as_of} ({first})")
    version = in_force[-1]
    chosen = [r for r in rows if dt.date.fromisoformat(r["effective_from"]) == version]
    missing = [name for name in REQUIRED_FILES if name not in {r["file_name"] for r in chosen}]
    if missing:
        raise ExtractGateError(f"{path.name}: the version from {version} has no row for {', '.join(missing)}")
    return Thresholds(
        version,
        {r["file_name"]: Decimal(r["max_quarantined_share"]) for r in chosen},
        {r["file_name"]: Decimal(r["max_loaded_rows_fall"]) for r in chosen})


def referring_files(name: str) -> set[str]:
    """The files whose rows refer to rows of `name`, directly or through another file."""
    found: set[str] = set()
    frontier = {name}
    while frontier:
        frontier = {spec.name for spec in contract.FILES
                    if spec.name not in found and any(ref.target in frontier for ref in spec.references)}
        found |= frontier
    return found - {name}


def _figures(con: duckdb.DuckDBPyConnection, run_id: str, previous: dict[str, int] | None) -> dict[str, FileFigures]:
    counts = {name: (fmt, present, read, loaded) for name, fmt, present, read, loaded in con.execute(
        "SELECT file_name, file_format, present, rows_read, rows_loaded FROM audit.load_counts WHERE run_id = ?",
        [run_id]).fetchall()}
    caused = {cause: (own, cascade) for cause, own, cascade in con.execute(
        """SELECT caused_by, count(*) FILTER (WHERE file_name = caused_by), count(*) FILTER (WHERE file_name <> caused_by)
           FROM audit.quarantine_causes WHERE run_id = ? GROUP BY caused_by""", [run_id]).fetchall()}
    out = {}
    for name in REQUIRED_FILES:
        fmt, _, read, loaded = counts[name]
        own, cascade = caused.get(name, (0, 0))
        at_stake = read + sum(counts[f][2] for f in referring_files(name) if f in counts)
        out[name] = FileFigures(name, f"{name}.{fmt or 'csv'}", read, loaded, own, cascade, at_stake,
                                None if previous is None else previous.get(name))
    return out


def _rows(n: int) -> str:
    return f"{n:,} row{'' if n == 1 else 's'}"


def _percent(value: Decimal | Fraction) -> str:
    return f"{float(value) * 100:.4g}%"


def check_extract_gate(con: duckdb.DuckDBPyConnection, *, run_id: str, as_of: dt.date,
                       previous_load_counts: dict[str, int] | None, accept_volume_change: bool,
                       seeds_dir: Path = SEEDS_DIR) -> GateVerdict:
    """Check the extract loaded into `con` (audit.load_counts and audit.quarantine of `run_id`).

    `previous_load_counts` is rows loaded per file of the last published run
    (read_previous_load_counts), None when nothing was published yet. Returns the verdict when
    the extract passes; raises ExtractGateError, one line naming every failing file with its
    figures, when it does not.
    """
    thresholds = thresholds_in_force(as_of, seeds_dir)
    version = f"{THRESHOLDS_SEED} from {thresholds.effective_from}"
    findings: list[tuple[str, bool]] = []  # (finding, is a volume finding), file by file
    files = _figures(con, run_id, previous_load_counts)
    for name, f in files.items():
        if f.rows_read == 0:
            findings.append((f"{f.shown_as} has no data rows", True))
        most = thresholds.max_quarantined_share[name]
        quarantined = f.quarantined_own + f.quarantined_cascade
        if quarantined > most * f.rows_at_stake:
            findings.append((
                f"{f.shown_as}: {_rows(quarantined)} quarantined on account of its rows ({f.quarantined_own:,} of "
                f"its {f.rows_read:,}, {f.quarantined_cascade:,} of other files referring to them), "
                f"{_percent(f.quarantined_share)} of the {_rows(f.rows_at_stake)} at stake, above the "
                f"{_percent(most)} allowed ({version})", False))
        fall = f.loaded_rows_fall
        most = thresholds.max_loaded_rows_fall[name]
        if fall is not None and f.rows_read and f.previous_rows_loaded - f.rows_loaded > most * f.previous_rows_loaded:
            findings.append((
                f"{f.shown_as}: {_rows(f.rows_loaded)} loaded against {f.previous_rows_loaded:,} in the last "
                f"published run, a fall of {_percent(fall)}, above the {_percent(most)} allowed ({version})", True))
    blocking = [(text, is_volume) for text, is_volume in findings if not (is_volume and accept_volume_change)]
    if blocking:
        hint = ("; if the change is genuine, run again with --accept-volume-change"
                if any(is_volume for _, is_volume in blocking) else "")
        raise ExtractGateError("extract gate: " + "; ".join(text for text, _ in blocking) + hint)
    return GateVerdict(thresholds.effective_from, files, [text for text, is_volume in findings if is_volume])


def read_previous_load_counts(published_db_path: Path) -> dict[str, int] | None:
    """Rows loaded per file of the latest published run in the published file, opened read-only;
    None when there is no published file (or it records no published run)."""
    path = Path(published_db_path)
    if not path.is_file():
        return None
    with duckdb.connect(str(path), read_only=True) as con:
        try:
            latest = con.execute("SELECT run_id FROM audit.runs WHERE status = 'published' "
                                 "ORDER BY finished_at DESC NULLS LAST LIMIT 1").fetchone()
            if latest is None:
                return None
            return dict(con.execute("SELECT file_name, rows_loaded FROM audit.load_counts WHERE run_id = ?",
                                    [latest[0]]).fetchall())
        except duckdb.CatalogException:
            return None
