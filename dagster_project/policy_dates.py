"""The first date any run can be evaluated for: every policy seed has a version in force from it.

Read from the seed files themselves (dbt/seeds/*.csv with an effective_from column), so the
command line can refuse an earlier --as-of before any work, naming the date.
"""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from .paths import DBT_PROJECT_DIR

SEEDS_DIR = DBT_PROJECT_DIR / "seeds"


def first_policy_date(seeds_dir: Path = SEEDS_DIR) -> dt.date:
    """The latest of the policy seeds' first effective_from dates: before it, some policy (the
    parameters, the need catalogue, the extract gate ...) has no version in force."""
    firsts = []
    for seed in sorted(Path(seeds_dir).glob("*.csv")):
        with open(seed, newline="", encoding="utf-8") as f:
            rows = csv.DictReader(f)
            if "effective_from" not in (rows.fieldnames or []):
                continue
            dates = [dt.date.fromisoformat(row["effective_from"].strip()) for row in rows]
        if dates:
            firsts.append(min(dates))
    if not firsts:
        raise FileNotFoundError(f"no policy seed with an effective_from column in {seeds_dir}")
    return max(firsts)
