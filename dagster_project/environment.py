"""Environment variables set for a while and then put back.

The dbt profile and the job's settings resource read paths from the environment. Under Dagster's
multiprocess executor each step is a process of its own, but the command line (and a test) runs
the whole job in one process, where a variable left set would reach the next run.
"""
from __future__ import annotations

import contextlib
import os


@contextlib.contextmanager
def environment(**variables: str):
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
