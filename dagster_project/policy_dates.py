"""The earliest date any policy version is in force, read from the policy seeds.

No rule can be evaluated before it, so it is the first date the nightly job has a partition for
and the earliest as-of date the command line accepts.
"""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from .paths import DBT_PROJECT_DIR


def first_policy_date(seeds_dir: Path = DBT_PROJECT_DIR / "seeds") -> dt.date:
    dates = []
    for seed in sorted(seeds_dir.glob("*.csv")):
        with seed.open(newline="") as f:
            dates += [dt.date.fromisoformat(row["effective_from"]) for row in csv.DictReader(f)
                      if row.get("effective_from")]
    if not dates:
        raise RuntimeError(f"no policy seed with effective_from in {seeds_dir}")
    return min(dates)
