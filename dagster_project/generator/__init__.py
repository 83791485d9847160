"""Synthetic register extract generator (the demo's and the benchmark's input).

    from dagster_project.generator import generate_extract
    summary = generate_extract(out_dir, applications=5_000, seed=1, as_of=datetime.date(2026, 11, 4))
"""
from .extract import generate_extract

__all__ = ["generate_extract"]
