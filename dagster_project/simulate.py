"""`allocations simulate`: what a proposed policy change (W13) would do, beside the policy in force.

One extract, two policy selections, the same dbt models:
1. the proposal folder is checked (simulate_proposal.py) before anything is built;
2. the extract is loaded once (the nightly loader) into a scratch build database beside the output
   file, with the as-of date in raw.run_parameters as the nightly ingestion writes it;
3. dbt seeds the policy and builds the marts with their ancestors: the marts under the policy in
   force;
4. the proposal is written into the seed tables of that build database, and dbt builds the same
   models again without seeding: the marts under the proposal;
5. the two sets of marts are compared into the output file (simulate_compare.py).
dbt's tests and the expectations are not run: the models are the nightly ones, tested there.

"As if in force on the as-of date": the proposal must also decide the shortlists of the adverts
that closed in the last 12 months (each shortlist is assessed as at its advert's close, under the
policy in force that day), so it is put in force from D minus 12 months (IN_FORCE_MONTHS; not
before the first policy date). Every version of a seed in force from that date to D gets the
proposed rows (a proposed row replaces the row with the same key, or is added), stamped with the
later of the version's own date and that date; versions before and after are kept as they are.
So bands, restrictions and shortlists on and after that date read the proposal; the timeline
before it is unchanged.

The scratch folder (`.<out name>.<random>.simulate` beside the output file) is removed at the end,
failed or not. The published database is never opened: this command does not take one.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb
from dagster_dbt import DagsterDbtCliRuntimeError

from .environment import environment
from .history import copy_previous_night
from .ingest.loader import ExtractContractError, load_extract
from .policy_dates import first_policy_date
from .progress import progress as show_progress
from .project import dbt_resource
from .simulate_compare import write_comparison
from .simulate_proposal import KEYS, ProposalError, ProposedSeed, load_proposal
from .work_files import PRIVATE_FILE, make_private_dir

IN_FORCE_MONTHS = 12

# The marts and every model they are built from; seeds are loaded by `dbt seed` alone.
MARTS_WITH_ANCESTORS = ["--select", "+path:models/marts"]


class SimulationError(Exception):
    """An argument that cannot be simulated; the message is one line."""


@dataclass(frozen=True)
class Simulation:
    policy: Path
    extracts: Path
    as_of: dt.date
    out: Path

    def in_force_from(self) -> dt.date:
        with duckdb.connect() as con:
            start = con.execute(f"SELECT CAST(CAST(? AS DATE) - INTERVAL {IN_FORCE_MONTHS} MONTH AS DATE)",
                                [self.as_of]).fetchone()[0]
        return max(start, first_policy_date())


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def check_arguments(sim: Simulation) -> None:
    """What can be known before any work; raises SimulationError."""
    if not sim.extracts.is_dir():
        raise SimulationError(f"extract folder {sim.extracts} does not exist")
    first = first_policy_date()
    if sim.as_of < first:
        raise SimulationError(f"--as-of {sim.as_of} is before the first policy version in force ({first})")
    if sim.out.is_dir():
        raise SimulationError(f"--out {sim.out} is a folder; name a file such as {sim.out / 'simulation.duckdb'}")
    if not sim.out.parent.is_dir() or not os.access(sim.out.parent, os.W_OK | os.X_OK):
        raise SimulationError(f"--out {sim.out}: {sim.out.parent} is not a writable folder")
    if sim.out.exists() and not _is_simulation_output(sim.out):
        raise SimulationError(f"--out {sim.out} exists and is not the output of a simulation; it was left untouched")


def _is_simulation_output(path: Path) -> bool:
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            return con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' "
                               "AND table_name = 'simulation'").fetchone()[0] == 1
    except duckdb.Error:
        return False


def apply_proposal(con: duckdb.DuckDBPyConnection, seeds: list[ProposedSeed], in_force_from: dt.date,
                   as_of: dt.date) -> None:
    """Rewrite each proposed seed's table in catalog `build` (schema policy) as the module's
    docstring says; the proposed rows are the temp tables `proposed_<seed>` (load_proposal)."""
    for seed in seeds:
        table, columns, keys = f"build.policy.{seed.seed}", list(seed.columns), KEYS[seed.seed]
        same_key = " AND ".join(f"p.{k} = s.{k}" for k in keys)

        def stamped(alias: str) -> str:
            return ", ".join("d.stamped AS effective_from" if c == "effective_from" else f"{alias}.{c}"
                             for c in columns)

        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE scenario AS
            WITH dates AS (
                SELECT CAST($in_force_from AS DATE) AS stamped
                UNION SELECT DISTINCT effective_from FROM {table}
                WHERE effective_from > $in_force_from AND effective_from <= $as_of
            ),
            versions AS (
                SELECT d.stamped, max(v.effective_from) AS effective_from
                FROM dates AS d JOIN (SELECT DISTINCT effective_from FROM {table}) AS v ON v.effective_from <= d.stamped
                GROUP BY d.stamped
            )
            SELECT {', '.join(columns)} FROM {table} WHERE effective_from < $in_force_from OR effective_from > $as_of
            UNION ALL
            SELECT {stamped('s')}
            FROM versions AS d JOIN {table} AS s ON s.effective_from = d.effective_from
            WHERE NOT EXISTS (SELECT 1 FROM proposed_{seed.seed} AS p WHERE {same_key})
            UNION ALL
            SELECT {stamped('p')}
            FROM versions AS d CROSS JOIN proposed_{seed.seed} AS p""", {"in_force_from": in_force_from, "as_of": as_of})
        con.execute(f"DELETE FROM {table}")
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM scenario")


def _record_proposal(con: duckdb.DuckDBPyConnection, seeds: list[ProposedSeed]) -> None:
    """out.proposed_rows: each proposed row beside the row it replaces in the version in force on D
    (NULL when it adds one), both as JSON."""
    con.execute("CREATE TABLE out.main.proposed_rows (seed VARCHAR, line BIGINT, in_force_row JSON, proposed_row JSON)")
    for seed in seeds:
        keys = KEYS[seed.seed]
        columns = [c for c in seed.columns if c != "effective_from"]

        def row(alias: str) -> str:
            return "to_json(struct_pack(" + ", ".join(f"{c} := {alias}.{c}" for c in columns) + "))"

        con.execute(f"""
            INSERT INTO out.main.proposed_rows
            SELECT '{seed.seed}', p.line, {row('s')}, {row('p')}
            FROM proposed_{seed.seed} AS p
            LEFT JOIN in_force_seed_{seed.seed} AS s ON {' AND '.join(f's.{k} = p.{k}' for k in keys)}
            ORDER BY p.line""")


class SimulationFailed(Exception):
    """dbt failed to build the models; the message names the log kept."""


@contextlib.contextmanager
def _dbt_log_kept(log: Path):
    try:
        yield
    except DagsterDbtCliRuntimeError as exc:
        fd, kept = tempfile.mkstemp(prefix="allocations-simulate-", suffix=".log")
        with os.fdopen(fd, "w") as f:
            f.write(log.read_text())
        raise SimulationFailed(f"dbt failed: {' '.join(str(exc).split())[:300]} (dbt's log: {kept})") from None


def run_simulation(sim: Simulation, progress=print) -> dict:
    """Everything above; returns the headline counts and the transitions for the summary. Raises
    ProposalError or SimulationError (nothing built) and ExtractContractError (the extract)."""
    check_arguments(sim)
    con = duckdb.connect()
    seeds = load_proposal(con, sim.policy)  # before any build: a malformed folder stops here
    in_force_from = sim.in_force_from()
    scratch = Path(tempfile.mkdtemp(prefix=f".{sim.out.name}.", suffix=".simulate", dir=sim.out.parent))
    make_private_dir(scratch)
    build, marts, output = scratch / "build.duckdb", scratch / "marts.duckdb", scratch / "simulation.duckdb"
    try:
        progress(f"simulate: loading {sim.extracts} as of {sim.as_of}")
        with duckdb.connect(str(build)) as build_con:
            load_extract(build_con, sim.extracts, f"simulate-{uuid.uuid4()}")
            build_con.execute("CREATE OR REPLACE TABLE raw.run_parameters AS SELECT CAST(? AS DATE) AS as_of_date",
                              [sim.as_of])
            # A simulation has no previous night: changes_since_last_run's inputs are empty.
            copy_previous_night(build_con, None, sim.as_of)
        dbt = dbt_resource()
        # dbt's own output goes to a log in the scratch folder, kept only if dbt fails
        with environment(ALLOCATIONS_BUILD_DB=str(build), ALLOCATIONS_MARTS_DB=str(marts)), \
                open(scratch / "dbt.log", "w") as log, contextlib.redirect_stdout(log), _dbt_log_kept(scratch / "dbt.log"):
            progress("simulate: building the marts under the policy in force")
            dbt.cli(["seed"], target_path=scratch / "dbt").wait()
            dbt.cli(["run", *MARTS_WITH_ANCESTORS], target_path=scratch / "dbt").wait()
            os.replace(marts, scratch / "in_force.duckdb")
            con.execute(f"ATTACH {_quoted(build)} AS build")
            for seed in seeds:  # the rows in force on D, before the proposal replaces them
                con.execute(f"CREATE TEMP TABLE in_force_seed_{seed.seed} AS SELECT * FROM build.policy.{seed.seed} "
                            f"WHERE effective_from = (SELECT max(effective_from) FROM build.policy.{seed.seed} "
                            f"WHERE effective_from <= ?)", [sim.as_of])
            apply_proposal(con, seeds, in_force_from, sim.as_of)
            con.execute("DETACH build")
            progress(f"simulate: building the marts under the proposal, in force from {in_force_from}")
            dbt.cli(["run", *MARTS_WITH_ANCESTORS], target_path=scratch / "dbt").wait()
            os.replace(marts, scratch / "proposed.duckdb")
        for name in ("build", "in_force", "proposed"):
            con.execute(f"ATTACH {_quoted(scratch / f'{name}.duckdb')} AS {name} (READ_ONLY)")
        con.execute(f"ATTACH {_quoted(output)} AS out")
        counts = write_comparison(con, {"in_force_from": in_force_from, "as_of": sim.as_of})
        _record_proposal(con, seeds)
        proposed = "; ".join(f"{s.path.name}: {s.rows} row{'s' if s.rows > 1 else ''}" for s in seeds)
        con.execute("CREATE TABLE out.main.simulation AS SELECT ? AS as_of_date, ? AS in_force_from, "
                    "? AS policy_folder, ? AS extracts_folder, ? AS proposed, now()::TIMESTAMP AS simulated_at, "
                    + ", ".join(f"{v} AS {k}" for k, v in counts.items()),
                    [sim.as_of, in_force_from, str(sim.policy.resolve()), str(sim.extracts.resolve()), proposed])
        moves = con.execute("SELECT from_band, from_category, to_band, to_category, applications "
                            "FROM out.main.band_transitions WHERE moved").fetchall()
        changed = con.execute("SELECT advert_id, in_force_top, proposed_top FROM out.main.top_bidders "
                              "WHERE changed").fetchall()
        rights = con.execute("SELECT application_ref, change, why FROM out.main.bidding_rights").fetchall()
        con.close()
        # It names applicants, with their debts and needs: readable by its owner only, as run folders are.
        os.chmod(output, PRIVATE_FILE)
        os.replace(output, sim.out)
    finally:
        con.close()
        shutil.rmtree(scratch, ignore_errors=True)
    return {**counts, "in_force_from": in_force_from, "proposed": proposed, "moves": moves,
            "changed_adverts": changed, "rights": rights}


def _more(rows: list, shown: int, what: str, table: str) -> list[str]:
    return [f"  ... and {len(rows) - shown:,} more {what} in {table}"] if len(rows) > shown else []


def summary(sim: Simulation, result: dict, shown: int = 10) -> str:
    """The short printed summary."""
    lines = [f"proposal {sim.policy} ({result['proposed']}), in force from {result['in_force_from']}, "
             f"as of {sim.as_of}",
             f"applications: {result['applications']:,}, {result['applications_moved']:,} move band or category"]
    lines += [f"  {fb} {fc} -> {tb} {tc}: {n:,}" for fb, fc, tb, tc, n in result["moves"][:shown]]
    lines += _more(result["moves"], shown, "transitions", "band_transitions")
    lines.append(f"right to bid: {result['gain_right_to_bid']:,} gain, {result['lose_right_to_bid']:,} lose")
    lines += [f"  {ref} {change}: {why}" for ref, change, why in result["rights"][:shown]]
    lines += _more(result["rights"], shown, "applications", "bidding_rights")
    lines.append(f"adverts closed {result['in_force_from']} to {sim.as_of}: {result['adverts_compared']:,}, "
                 f"top eligible bidder changes on {result['adverts_top_bidder_changed']:,}")
    lines += [f"  {advert}: {old} -> {new}" for advert, old, new in result["changed_adverts"][:shown]]
    lines += _more(result["changed_adverts"], shown, "adverts", "top_bidders")
    lines.append(f"written: {sim.out} (tables simulation, band_transitions, applications_moved, bidding_rights, "
                 "top_bidders, proposed_rows)")
    return "\n".join(lines)


def main(policy: Path, extracts: Path, as_of: dt.date, out: Path) -> int:
    """The command: 0 written, 1 the extract breaks the contract or a build failed, 2 a bad argument
    or a malformed proposal (one line, nothing built)."""
    sim = Simulation(policy, extracts, as_of, out.expanduser().resolve())
    try:
        result = run_simulation(sim, show_progress)
    except (ProposalError, SimulationError) as exc:
        print(f"allocations: error: {exc}", file=sys.stderr)
        return 2
    except (ExtractContractError, SimulationFailed) as exc:
        print(f"allocations: simulation failed, nothing was written: {exc}", file=sys.stderr)
        return 1
    show_progress("simulate: done")
    print(summary(sim, result))
    return 0
