"""Drawing from named proportions and turning drawn indices into code columns."""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pyarrow as pa


def choose(rng: np.random.Generator, shares: Mapping[object, float], size: int) -> np.ndarray:
    """Index into `shares` (in its order) drawn with the given proportions (normalised)."""
    p = np.fromiter(shares.values(), dtype=float, count=len(shares))
    return rng.choice(len(p), size=size, p=p / p.sum())


def keys_of(shares: Mapping[object, float]) -> np.ndarray:
    return np.array(list(shares.keys()))


def chance(rng: np.random.Generator, probability: float, size: int) -> np.ndarray:
    return rng.random(size) < probability


def labels(names: Sequence[str], index: np.ndarray) -> pa.Array:
    """Code column from indices into `names`; a negative index is an empty cell."""
    index = np.asarray(index, dtype=np.int32)
    return pa.DictionaryArray.from_arrays(pa.array(index, mask=index < 0), pa.array(list(names), pa.string()))


def masked(values: np.ndarray, is_null: np.ndarray) -> pa.Array:
    """A nullable column: `values` where `is_null` is false, empty cells elsewhere."""
    return pa.array(values, mask=np.asarray(is_null, dtype=bool))


def money(values: np.ndarray) -> np.ndarray:
    return np.round(np.asarray(values, dtype=float), 2)


def group_positions(group_sizes: np.ndarray) -> np.ndarray:
    """0, 1, ... within each consecutive group of rows, for groups of the given sizes."""
    group_sizes = np.asarray(group_sizes, dtype=np.int64)
    starts = np.cumsum(group_sizes) - group_sizes
    return np.arange(group_sizes.sum()) - np.repeat(starts, group_sizes)


def group_cumsum(values: np.ndarray, group_sizes: np.ndarray) -> np.ndarray:
    """Running totals of `values` that restart with each consecutive group of rows."""
    running = np.cumsum(values)
    group_sizes = np.asarray(group_sizes, dtype=np.int64)
    before = np.concatenate([[0], running])[np.cumsum(group_sizes) - group_sizes]
    return running - np.repeat(before, group_sizes)
