"""Identifier formats of the synthetic extract: one prefix and zero-padded width per kind of key.

Identifiers are written straight into an Arrow string buffer from their digits (all ids of a
kind have the same length), which is far faster than formatting 13 million bid ids as Python
or Arrow strings one by one.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa

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


def fixed_width_strings(parts: list[str | tuple[np.ndarray, int]], count: int, is_null: np.ndarray | None = None) -> pa.Array:
    """Strings made of literal parts and zero-padded numbers: e.g. ["HR", (numbers, 7)].

    Rows where `is_null` is true are empty cells.
    """
    widths = [len(p.encode()) if isinstance(p, str) else p[1] for p in parts]
    length = sum(widths)
    # Built as one row per character position (contiguous writes), then transposed into
    # the row-major text buffer Arrow expects.
    by_position = np.empty((length, count), dtype=np.uint8)
    at = 0
    for part, width in zip(parts, widths):
        if isinstance(part, str):
            by_position[at:at + width] = np.frombuffer(part.encode(), dtype=np.uint8)[:, None]
        else:
            numbers = np.asarray(part[0])
            small = len(numbers) == 0 or numbers.max() < 2 ** 32  # 32-bit division is faster
            rest = numbers.astype(np.uint32 if small else np.uint64)
            for position in range(at + width - 1, at - 1, -1):
                rest, digit = np.divmod(rest, 10)
                by_position[position] = digit + ord("0")
        at += width
    chars = np.ascontiguousarray(by_position.T)
    offsets = np.arange(0, count * length + 1, length, dtype=np.int64)
    validity = None
    if is_null is not None and np.any(is_null):
        validity = pa.py_buffer(np.packbits(~np.asarray(is_null, dtype=bool), bitorder="little"))
    return pa.LargeStringArray.from_buffers(count, pa.py_buffer(offsets), pa.py_buffer(chars), validity)


def _width_for(numbers: np.ndarray, width: int) -> int:
    # Wider than designed only when a number needs it, so huge extracts still get unique ids.
    largest = int(numbers.max()) if len(numbers) else 0
    return max(width, len(str(largest)))


def format_ids(kind: tuple[str, int], numbers: np.ndarray, is_null: np.ndarray | None = None) -> pa.Array:
    """'HR0000042' style identifiers for the given numbers (1-based by convention)."""
    prefix, width = kind
    numbers = np.asarray(numbers, dtype=np.int64)
    return fixed_width_strings([prefix, (numbers, _width_for(numbers, width))], len(numbers), is_null)


def sequence_ids(kind: tuple[str, int], count: int) -> pa.Array:
    return format_ids(kind, np.arange(1, count + 1))


def by_index(kind: tuple[str, int], index: np.ndarray) -> pa.Array:
    """Ids of rows by 0-based index (row i has number i + 1); a negative index is an empty cell."""
    index = np.asarray(index, dtype=np.int64)
    return format_ids(kind, np.maximum(index, 0) + 1, index < 0)


def member_ids(app: np.ndarray, member_no: np.ndarray) -> pa.Array:
    """'HR0000042-M0' for the applicant, -M1, -M2 ... for the others."""
    app_numbers = np.asarray(app, dtype=np.int64) + 1
    member_no = np.asarray(member_no, dtype=np.int64)
    return fixed_width_strings([APPLICATION[0], (app_numbers, _width_for(app_numbers, APPLICATION[1])), "-M",
                                (member_no, _width_for(member_no, 1))], len(app_numbers))
