"""The floor: the nightly job's SQL with no orchestration, in one DuckDB connection.

The same ingestion (the loader's SQL) and the compiled SQL of every dbt model (from
`dbt compile`), seeds loaded from their CSVs, run in dependency order on a new file. No dbt
process, no Dagster, no tests, no expectations, no publish: what the data work alone costs. The
marts are written into a second attached file, as the job writes them into the file it publishes.

    python bench/floor.py --extracts DIR --as-of 2026-11-04 --database /tmp/floor.duckdb
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from dagster_project.history import copy_previous_night
from dagster_project.ingest.loader import load_extract
from dagster_project.paths import DBT_PROJECT_DIR
from dagster_project.project import DBT_EXECUTABLE


def marts_database(database: Path) -> Path:
    return database.with_name(database.name + ".marts.duckdb")


def compile_project(target: Path, database_name: str) -> dict:
    """`dbt compile` once (not timed): the manifest then holds every model's compiled SQL.

    Compiled SQL names its catalog after the database file, so the compile target file has the
    floor database's name."""
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
           "ALLOCATIONS_BUILD_DB": str(target / database_name), "ALLOCATIONS_MARTS_DB": str(target / "marts.duckdb")}
    subprocess.run([DBT_EXECUTABLE, "compile", "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target),
                    "--log-path", str(target), "--quiet",
                    "--select", "resource_type:model", "resource_type:seed"],
                   cwd=DBT_PROJECT_DIR, env=env, check=True)
    return json.loads((target / "manifest.json").read_text())


def execution_order(manifest: dict) -> list[dict]:
    nodes = {uid: n for uid, n in manifest["nodes"].items() if n["resource_type"] in ("model", "seed")}
    ordered, seen = [], set()

    def visit(uid: str) -> None:
        if uid in seen or uid not in nodes:
            return
        seen.add(uid)
        for parent in nodes[uid]["depends_on"].get("nodes", []):
            visit(parent)
        ordered.append(nodes[uid])

    for uid in sorted(nodes):
        visit(uid)
    return ordered


def run_floor(extracts: Path, as_of: str, database: Path, manifest: dict,
              per_model: dict[str, float] | None = None) -> dict[str, float]:
    marts = marts_database(database)
    database.parent.mkdir(parents=True, exist_ok=True)
    for path in (database, marts):
        path.unlink(missing_ok=True)
    timings: dict[str, float] = {}
    started = time.monotonic()
    con = duckdb.connect(str(database))
    # The settings of dbt's profile (dbt/profiles.yml), so the floor runs the SQL as dbt does.
    con.execute("SET preserve_insertion_order = false")
    con.execute(f"SET memory_limit = '{os.environ.get('ALLOCATIONS_DUCKDB_MEMORY_LIMIT', '5GB')}'")
    # As in the job (dbt/profiles.yml): the marts are written into a file of their own, the one
    # the job publishes.
    con.execute(f"ATTACH '{marts}' AS published (STORAGE_VERSION 'v1.4.0')")
    load_extract(con, extracts, "floor")
    # As the ingestion asset does: the models read the as-of date from this relation.
    con.execute("CREATE OR REPLACE TABLE raw.run_parameters AS SELECT CAST(? AS DATE) AS as_of_date", [as_of])
    copy_previous_night(con, None, as_of)  # a first night: nothing to compare with
    timings["ingest"] = time.monotonic() - started
    t = time.monotonic()
    for node in execution_order(manifest):
        schema, name = f'{node["database"]}.{node["schema"]}', node["alias"] or node["name"]
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        if node["resource_type"] == "seed":
            path = Path(node["root_path"]) / node["original_file_path"]
            types = node["config"].get("column_types") or {}
            columns = "{" + ", ".join(f"'{c}': '{ty}'" for c, ty in types.items()) + "}"
            con.execute(f"CREATE OR REPLACE TABLE {schema}.{name} AS SELECT * FROM read_csv('{path}', header = true"
                        + (f", columns = {columns}" if types else "") + ")")
            continue
        kind = "VIEW" if node["config"]["materialized"] == "view" else "TABLE"
        step = time.monotonic()
        con.execute(f"CREATE OR REPLACE {kind} {schema}.{name} AS {node['compiled_code']}")
        if per_model is not None:
            per_model[f"{schema}.{name}"] = round(time.monotonic() - step, 2)
    timings["models"] = time.monotonic() - t
    con.close()
    timings["total"] = time.monotonic() - started
    return {k: round(v, 2) for k, v in timings.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extracts", type=Path, required=True)
    parser.add_argument("--as-of", required=True)
    parser.add_argument("--database", type=Path, required=True)
    parser.add_argument("--per-model", action="store_true", help="also print the slowest models")
    args = parser.parse_args()
    per_model: dict[str, float] | None = {} if args.per_model else None
    with tempfile.TemporaryDirectory() as tmp:
        manifest = compile_project(Path(tmp), args.database.name)
        print(json.dumps(run_floor(args.extracts, args.as_of, args.database, manifest, per_model)))
    for name, seconds in sorted((per_model or {}).items(), key=lambda kv: -kv[1])[:25]:
        print(f"{seconds:8.2f}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
