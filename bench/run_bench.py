"""Benchmark: the nightly job at council, sub-regional and England scale, against the floor.

For each size: generate the extract once (cached in bench/cache by size and seed), run the
full job (`allocations run`, a separate process), then the floor (bench/floor.py: the same
SQL in one DuckDB connection, no orchestration), and print per size the wall time per stage
and in total, the peak resident memory of the whole process tree, rows per mart and the
ratio full job / floor. Writes the table to bench/RESULTS.md.

    .venv/bin/python bench/run_bench.py                      # 20,000, 134,000 and 1,340,000
    .venv/bin/python bench/run_bench.py --sizes 5000 134000  # a subset
    .venv/bin/python bench/run_bench.py --sizes 5000 --no-floor --repeat 3 --no-write
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
CACHE = BENCH / "cache"
AS_OF = "2026-11-04"
SEED = 2026
STAGES = ("startup", "ingest", "dbt build", "expectations", "publish")


def process_tree_rss(root_pid: int) -> int:
    """Resident bytes of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            pid, ppid, pages = int(entry), int(fields[1]), int(fields[21])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(pid)
        rss[pid] = pages * os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def run_measured(cmd: list[str], log: Path) -> tuple[int, float, int]:
    """Run a command; return exit code, wall seconds and peak RSS of its process tree."""
    peak = 0
    started = time.monotonic()
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, process_tree_rss(proc.pid))
                time.sleep(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = proc.wait()
        done.set()
        sampler.join()
    return code, time.monotonic() - started, peak


def extract_for(size: int) -> Path:
    folder = CACHE / f"extract-{size}-seed{SEED}"
    marker = folder / ".complete"
    if not marker.exists():
        shutil.rmtree(folder, ignore_errors=True)
        t = time.monotonic()
        subprocess.run([sys.executable, "-m", "dagster_project.cli", "generate", "--out", str(folder),
                        "--applications", str(size), "--seed", str(SEED), "--as-of", AS_OF], check=True, cwd=REPO)
        print(f"  generated {size:,} applications in {time.monotonic() - t:.1f}s", flush=True)
        marker.write_text(AS_OF)
    return folder


def machine_reference() -> float:
    """Seconds for a fixed single-threaded workload (a DuckDB aggregate and a Python loop, about
    a second), taken before each run. This VM's speed drifts (the same job has taken from 124 to
    181 s within ten minutes), so a run's figures are compared beside the reference of its time."""
    started = time.perf_counter()
    with duckdb.connect() as con:
        con.execute("SET threads = 1")
        con.execute("SELECT sum(hash(i)) FROM range(100000000) t(i)").fetchone()
    total = 0
    for i in range(3_000_000):
        total += i
    return round(time.perf_counter() - started, 2)


def explain_seconds(database: Path) -> dict[str, float]:
    """Wall seconds of `allocations explain` as a caseworker runs it (a new process, Python start-up
    included) on the published file, for the application and the advert with the most bids: the
    ones whose answer reads the most rows."""
    with duckdb.connect(str(database), read_only=True) as con:
        ref = con.execute("SELECT application_ref FROM marts.shortlists GROUP BY ALL ORDER BY count(*) DESC, 1 "
                          "LIMIT 1").fetchone()[0]
        advert = con.execute("SELECT advert_id FROM marts.shortlists GROUP BY ALL ORDER BY count(*) DESC, 1 "
                             "LIMIT 1").fetchone()[0]
    seconds = {}
    for kind, args in (("application", [ref]), ("advert", ["--advert", advert])):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "dagster_project.cli", "explain", *args, "--database", str(database)],
                       check=True, stdout=subprocess.DEVNULL)
        seconds[kind] = round(time.perf_counter() - started, 2)
    return seconds


def bench_size(size: int, floor: bool = True, repeat: int = 1) -> dict:
    print(f"size {size:,}:", flush=True)
    extract = extract_for(size)
    work = CACHE / f"run-{size}"
    database = work / "allocations.duckdb"
    runs = []
    for attempt in range(repeat):
        # A new published file each run, but dbt's partial-parse state in the work folder is kept,
        # as it is from one night to the next (work_files.py): the first run of a size parses fully.
        work.mkdir(parents=True, exist_ok=True)
        for path in work.iterdir():
            if path.name != f".{database.name}.work":
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        load, reference = os.getloadavg()[0], machine_reference()
        code, wall, peak = run_measured(
            [sys.executable, "-m", "dagster_project.cli", "run", "--extracts", str(extract), "--as-of", AS_OF,
             "--database", str(database)], work / "job.log")
        if code != 0:
            raise SystemExit(f"the job failed at {size:,}: see {work / 'job.log'}")
        [run_dir] = list((work / "allocations.runs").iterdir())
        stages = json.loads((run_dir / "timings.json").read_text())
        with duckdb.connect(str(database), read_only=True) as con:
            marts = {t: con.execute(f"SELECT count(*) FROM marts.{t}").fetchone()[0] for (t,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' "
                "AND table_type = 'BASE TABLE' ORDER BY 1").fetchall()}
        runs.append(dict(wall=wall, peak=peak, stages=stages, marts=marts, reference=reference,
                         explain=explain_seconds(database)))
        print(f"  run {attempt + 1} of {repeat}: {wall:.1f}s (load average {load:.2f}, reference {reference:.2f}s "
              f"before) {json.dumps(stages)}; explain {json.dumps(runs[-1]['explain'])}", flush=True)
    # With --repeat, the run of median wall time stands for the size (the machine may be shared).
    job = sorted(runs, key=lambda r: r["wall"])[(len(runs) - 1) // 2]
    wall, peak, stages, marts = job["wall"], job["peak"], job["stages"], job["marts"]
    result = dict(size=size, wall=round(wall, 1), peak_gib=round(peak / 2**30, 2), stages=stages, marts=marts,
                  reference=job["reference"], explain=job["explain"], floor=None, floor_peak_gib=None, ratio=None)
    if floor:
        # The floor is as noisy as the job (13-million-row writes on a shared 2-core machine): with
        # --repeat it runs as often, and its median stands for it.
        floors = []
        for attempt in range(repeat):
            fcode, _, fpeak = run_measured(
                [sys.executable, str(BENCH / "floor.py"), "--extracts", str(extract), "--as-of", AS_OF,
                 "--database", str(work / "floor.duckdb")], work / "floor.log")
            if fcode != 0:
                raise SystemExit(f"the floor failed at {size:,}: see {work / 'floor.log'}")
            floors.append((json.loads((work / "floor.log").read_text().strip().splitlines()[-1])["total"], fpeak))
            if repeat > 1:
                print(f"  floor {attempt + 1} of {repeat}: {floors[-1][0]:.1f}s", flush=True)
        floor_total, fpeak = sorted(floors)[(len(floors) - 1) // 2]
        result.update(floor=floor_total, floor_peak_gib=round(fpeak / 2**30, 2), ratio=round(wall / floor_total, 2))
    print("  " + json.dumps(result), flush=True)
    for path in work.glob("*.duckdb"):
        path.unlink()
    return result


def results_markdown(results: list[dict], command: str) -> str:
    lines = [
        "# Benchmark results", "",
        f"Date: {dt.date.today()}. Machine: {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}.",
        f"Command: `{command}` (as of {AS_OF}, seed {SEED}).", "",
        "Wall seconds per stage of `allocations run` (a separate process, as the nightly schedule runs it), "
        "peak resident memory of its whole process tree, and the floor: the same ingestion and compiled "
        "model SQL in one DuckDB connection with no orchestration (`bench/floor.py`). Reference: seconds "
        "for a fixed single-threaded workload just before the job's run (`machine_reference()`): this VM's "
        "speed drifts, and a slower reference means slower figures.", "",
        "| applications | " + " | ".join(STAGES) + " | total | peak memory | floor | job / floor | reference "
        "| explain (application / advert) |",
        "|---:|" + "---:|" * (len(STAGES) + 6),
    ]
    for r in results:
        floor, ratio = ("-", "-") if r["floor"] is None else (f"{r['floor']:.1f}", f"{r['ratio']:.2f}")
        lines.append(f"| {r['size']:,} | " + " | ".join(f"{r['stages'].get(s, 0):.1f}" for s in STAGES)
                     + f" | {r['wall']:.1f} | {r['peak_gib']:.2f} GiB | {floor} | {ratio} | {r['reference']:.2f} "
                     f"| {r['explain']['application']:.2f} s / {r['explain']['advert']:.2f} s |")
    lines += ["", "Rows per mart:", "", "| applications | " + " | ".join(results[0]["marts"]) + " |",
              "|---:|" + "---:|" * len(results[0]["marts"])]
    for r in results:
        lines.append(f"| {r['size']:,} | " + " | ".join(f"{n:,}" for n in r["marts"].values()) + " |")
    if len(results) > 1:
        lines += ["", "Growth of total time between sizes: " + ", ".join(
            f"{a['size']:,} → {b['size']:,}: ×{b['wall'] / a['wall']:.1f} for ×{b['size'] / a['size']:.0f} data"
            for a, b in zip(results, results[1:]))]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 134_000, 1_340_000])
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    parser.add_argument("--no-floor", action="store_true", help="time the job only, not the floor")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="run the job and the floor N times per size and report the runs of median wall time")
    args = parser.parse_args()
    # The manifest is prepared after an edit of the dbt project (project.py): prepare it now,
    # untimed, so the first size measured does not pay for an edit made before.
    subprocess.run([sys.executable, "-c", "import dagster_project.project"], cwd=REPO, check=True)
    results = [bench_size(size, floor=not args.no_floor, repeat=max(1, args.repeat)) for size in args.sizes]
    text = results_markdown(results, "python bench/run_bench.py " + " ".join(sys.argv[1:]))
    print(text)
    if not args.no_write:
        (BENCH / "RESULTS.md").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
