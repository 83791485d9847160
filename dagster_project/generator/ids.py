"""Identifier formats of the synthetic extract: one prefix and zero-padded width per kind of key.

Identifiers are built with Arrow compute from integer numbers, which is fast enough for the
13 million bid ids of a full-size extract.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

APPLICATION = ("HR", 7)
NEED = ("ND", 8)
DEBT = ("DB", 7)
ARRANGEMENT = ("AR", 7)
FINDING = ("BF", 6)
APPROVAL = ("FA", 6)
EXCEPTION = ("PE", 6)
ADVERT = ("AD", 7)
PROPERTY = ("PR", 7)
DIRECT_PROPERTY = ("PD", 5)
BID = ("BD", 9)
OFFER = ("OF", 7)
STAFF = ("S", 4)
REQUEST = ("DR", 5)


def format_ids(kind: tuple[str, int], numbers: np.ndarray) -> pa.Array:
    """'HR0000042' style identifiers for the given numbers (1-based by convention)."""
    prefix, width = kind
    digits = pc.utf8_lpad(pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string()), width, padding="0")
    return pc.binary_join_element_wise(prefix, digits, "")


def sequence_ids(kind: tuple[str, int], count: int) -> pa.Array:
    return format_ids(kind, np.arange(1, count + 1))


def suffixed(base: pa.Array, separator: str, numbers: np.ndarray) -> pa.Array:
    """`base` + separator + number, e.g. member ids 'HR0000042-M1'."""
    return pc.binary_join_element_wise(base, separator, pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string()), "")
