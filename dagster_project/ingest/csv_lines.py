"""Physical line numbers of CSV records, and the lines a CSV reader would lose without a word.

DuckDB's CSV reader numbers the rows it loads by row id and the rows it rejects by record (header
= 1, a blank line counts as a record, a line break inside a quoted cell does not). A row's
physical line, the one an editor shows, adds the line breaks inside quoted cells of the records
before it and the blank lines before it, which the reader skips without a trace. `walk` merges
these few events (rejects, rows with quoted line breaks, blank lines) in file order; each good
row's line then follows from its row id and the offset in force (a step function).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path

_BLANK_LINE = re.compile(rb"^\r?$", re.MULTILINE)


def physical_lines(path: Path) -> int:
    """Lines of a file as an editor counts them: its line feeds, and one more for any text after the last."""
    lines, last = 0, b"\n"
    with open(path, "rb") as f:
        while chunk := f.read(1 << 24):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


def blank_lines(path: Path, chunk_size: int = 1 << 24) -> list[int]:
    """Physical line numbers of the empty lines of a file (a lone carriage return counts as empty).
    Some may lie inside a quoted cell; `walk` passes over those."""
    found: list[int] = []
    line, carry = 1, b""
    with open(path, "rb") as f:
        while chunk := f.read(chunk_size):
            data = carry + chunk
            end = data.rfind(b"\n") + 1  # whole lines only; the rest waits for the next chunk
            data, carry = data[:end], data[end:]
            at = 0
            for m in _BLANK_LINE.finditer(data):
                if m.start() == len(data):
                    break  # the position after the last line feed starts no line yet
                line += data.count(b"\n", at, m.start())
                at = m.start()
                found.append(line)
            line += data.count(b"\n", at)
    return found


@dataclass
class LineWalk:
    steps: list[tuple[int, int]] = field(default_factory=list)  # (from row id, offset from row id + 2)
    reject_lines: dict[int, int] = field(default_factory=dict)  # reader's record number -> physical line
    lines_accounted: int = 0

    def row_line(self, row: int) -> int:
        """The physical line of the good row with this row id."""
        i = bisect.bisect_right([start for start, _ in self.steps], row) - 1
        return row + 2 + (self.steps[i][1] if i >= 0 else 0)


def walk(rows: int, rejects: list[tuple[int, int]], breaks: list[tuple[int, int]], blanks: list[int]) -> LineWalk:
    """Merge, in file order, `rejects` (record number, physical lines it spans), `breaks` (row id of
    a good row, line breaks inside its cells) and `blanks` (candidate blank physical lines), all
    sorted, over `rows` good rows after the header line."""
    out = LineWalk()
    line, record, row, offset = 2, 2, 0, 0  # the next item's physical line, record number, row id
    r = b = w = 0
    never = float("inf")
    while True:
        while w < len(blanks) and blanks[w] < line:
            w += 1  # an empty line inside a quoted cell of the record just passed
        to_blank = blanks[w] - line if w < len(blanks) else never
        to_reject = rejects[r][0] - record if r < len(rejects) else never
        to_break = breaks[b][0] - row if b < len(breaks) else never
        n = min(to_blank, to_reject, to_break)
        if n == never or n < 0 or n > rows - row:
            break
        line, record, row = line + n, record + n, row + n  # plain one-line rows up to the event
        if n == to_blank:
            line, record, w = line + 1, record + 1, w + 1
        elif n == to_reject:
            out.reject_lines[record] = line
            line, record, r = line + rejects[r][1], record + 1, r + 1
        else:
            line, record, row, b = line + 1 + breaks[b][1], record + 1, row + 1, b + 1
        if line - 2 - row != offset:
            offset = line - 2 - row
            if out.steps and out.steps[-1][0] == row:
                out.steps.pop()  # several events before one row: the last offset holds
            out.steps.append((row, offset))
    out.lines_accounted = line - 1 + (rows - row)
    return out
