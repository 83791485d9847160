"""Load a register extract folder into the `raw` schema of a build database.

Every input row ends either in `raw.<file>` (typed) or in `audit.quarantine` with its file,
physical line, raw row and reason (a reason names the column and the problem, never the value);
`audit.quarantine_causes` records the file whose row caused each quarantine (the extract gate,
gate.py, counts cascades there); `audit.load_counts` records rows read, loaded and quarantined per file.
All checks are set-based DuckDB SQL over the whole file (no row-by-row Python), in the order of
`contract.LOAD_ORDER` so that references are checked against rows already loaded, and
quarantine cascades (a quarantined application takes its members, needs, bids ... with it).

A file-level contract breach (a required file or column missing, a file that cannot be read,
rows the CSV reader would lose to a quote never closed) raises ExtractContractError, naming the
file, before anything is written that a later step could mistake for a good load.
"""
from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from . import contract
from .contract import Column, FileSpec
from .csv_lines import blank_lines, physical_lines, walk
from .sql_checks import cell_checks, parquet_text, trimmed, typed_value


# Up to this many steps in the line numbers of a file (after rejected rows and rows with line breaks
# in quoted cells), each row's line is looked up where the row is read; with more, the lookup
# would cost more than numbering the rows once in a copy of the file.
_MAX_LINE_STEPS = 1024


class ExtractContractError(Exception):
    """The extract breaks the contract at file level; the message names the file and column."""


# Why DuckDB's CSV reader could not split a row, in words (its own messages may quote cells).
_MALFORMED = {
    "TOO MANY COLUMNS": "more fields than the header",
    "MISSING COLUMNS": "fewer fields than the header",
    "UNQUOTED VALUE": "a quote inside an unquoted field, or a quote never closed",
    "INVALID ENCODING": "not valid UTF-8",
    "INVALID UNICODE": "not valid UTF-8",
    "LINE SIZE OVER MAXIMUM": "a line longer than the reader allows",
}

# The files other files reference, with the columns they are referenced by: a quarantined row of
# one of them takes the rows referring to it along (a cascade), counted against it (extract gate).
REFERENCE_TARGETS = {ref.target: ref.target_columns for spec in contract.FILES for ref in spec.references}


@dataclass
class FileLoad:
    name: str
    path: Path | None
    file_format: str | None
    columns: list[str] = field(default_factory=list)  # as in the header; staged as _c0, _c1 ... by position
    source_types: list[str] = field(default_factory=list)  # Parquet only
    rows: int = 0  # rows read into staging
    rejected: int = 0  # rows DuckDB could not split into the header's columns
    extra_columns: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return self.rows + self.rejected

    def cell(self, column: str) -> str:
        """The staging column of a header name. The file's names never reach SQL as identifiers:
        a name may hold quotes, spaces or differ from another only in case."""
        return f"_c{self.columns.index(column)}"


@dataclass
class LoadReport:
    files: dict[str, dict] = field(default_factory=dict)

    @property
    def rows_quarantined(self) -> int:
        return sum(f["rows_quarantined"] for f in self.files.values())

    @property
    def rows_loaded(self) -> int:
        return sum(f["rows_loaded"] for f in self.files.values())


AUDIT_DDL = (
    "CREATE SCHEMA IF NOT EXISTS audit",
    """CREATE TABLE IF NOT EXISTS audit.quarantine (
        run_id VARCHAR, file_name VARCHAR, line_number BIGINT, raw_row VARCHAR, reason VARCHAR)""",
    # The file whose row caused each quarantined row: its own file, or for a row refused only
    # because it refers to quarantined rows, the file that caused theirs (the extract gate counts it there).
    """CREATE TABLE IF NOT EXISTS audit.quarantine_causes (
        run_id VARCHAR, file_name VARCHAR, line_number BIGINT, caused_by VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS audit.load_counts (
        run_id VARCHAR, file_name VARCHAR, file_format VARCHAR, present BOOLEAN,
        rows_read BIGINT, rows_loaded BIGINT, rows_quarantined BIGINT, extra_columns VARCHAR[])""",
)


def find_files(extract_dir: Path) -> dict[str, FileLoad]:
    """Locate each contract file as CSV or Parquet and check file-level requirements."""
    if not extract_dir.is_dir():
        raise ExtractContractError(f"extract folder {extract_dir} does not exist or is not a folder")
    found: dict[str, FileLoad] = {}
    for spec in contract.FILES:
        csv, parquet = extract_dir / f"{spec.name}.csv", extract_dir / f"{spec.name}.parquet"
        if csv.exists() and parquet.exists():
            raise ExtractContractError(
                f"{spec.name}: both {csv.name} and {parquet.name} are present; send one of them")
        path = csv if csv.exists() else parquet if parquet.exists() else None
        found[spec.name] = FileLoad(spec.name, path, path and path.suffix.lstrip("."))
    missing = [f"{n}.csv" for n, f in found.items() if f.path is None and contract.FILES_BY_NAME[n].required]
    if found["staff"].path is None and any(found[n].path for n in contract.DISCRETIONARY_FILES):
        missing.append("staff.csv (required because a discretionary file is present)")
    if missing:
        raise ExtractContractError(f"required file missing from {extract_dir}: {', '.join(missing)}")
    return found


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _read_file(con: duckdb.DuckDBPyConnection, fl: FileLoad, spec: FileSpec) -> None:
    """Read one file, all cells as text, into the temp relation stage_<name> with line numbers.

    Staging lives in memory (temp tables), not in the build file. Its columns are _c0, _c1 ...
    in the file's order (fl.cell). Rows DuckDB cannot split into the header's columns (too many
    or too few fields, broken quoting, invalid UTF-8) go to stage_<name>__rejects with their
    line and text.
    """
    table, rejects = f"stage_{spec.name}", f"stage_{spec.name}__rejects"
    staged = [f"_c{i}" for i in range(len(fl.columns))]
    if fl.file_format == "parquet":
        con.execute(f"CREATE TEMP TABLE {table}__in AS SELECT * FROM read_parquet({_sql_text(str(fl.path))}) "
                    f"AS p({', '.join(staged)})")
        types = {c.name: c.type for c in spec.columns}
        cells = ", ".join(f"{parquet_text(c, t, types.get(name))} AS {c}"
                          for c, t, name in zip(staged, fl.source_types, fl.columns))
        # Parquet has no header line: a row's "line" is its 1-based row number.
        con.execute(f"CREATE TEMP VIEW {table} AS SELECT rowid + 1 AS _line, {cells} FROM {table}__in")
        con.execute(f"CREATE TEMP TABLE {rejects} (_line BIGINT, raw_row VARCHAR, reason VARCHAR)")
        fl.rows = con.execute(f"SELECT count(*) FROM {table}__in").fetchone()[0]
        return
    # The header was read already, so DuckDB's sniffer (which can misjudge a small file with one
    # malformed row) is not needed: every column is text.
    columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in staged) + "}"

    def read(source: Path) -> None:
        con.execute(
            f"""CREATE TEMP TABLE {table}__in AS SELECT * FROM read_csv({_sql_text(str(source))}, auto_detect = false,
                columns = {columns}, header = true, delim = ',', quote = '"', escape = '"',
                encoding = 'utf-8', store_rejects = true, rejects_table = 'rej_{spec.name}',
                rejects_scan = 'rejscan_{spec.name}')""")

    with tempfile.TemporaryDirectory() as tmp:
        source = fl.path
        try:
            read(source)
        except duckdb.InvalidInputException:
            # DuckDB's reader refuses a file whose line ends are mixed (CRLF and LF), as happens
            # when rows are appended to an export by hand. Its lenient mode would silently cut rows
            # with too many fields, so the file is read again with every line end made LF.
            source = Path(tmp) / "normalised.csv"
            with open(fl.path, "rb") as src, open(source, "wb") as dst:
                for line in src:
                    dst.write(line.replace(b"\r\n", b"\n"))
            try:
                read(source)
            except duckdb.Error as exc:
                raise ExtractContractError(f"{fl.path.name}: cannot be read as CSV: {_plain(exc)}") from exc
        lines = physical_lines(source)
        fl.rows, fl.rejected = con.execute(
            f"SELECT (SELECT count(*) FROM {table}__in), (SELECT count(DISTINCT line) FROM rej_{spec.name})"
        ).fetchone()
        if fl.rejected or lines != 1 + fl.rows:
            steps = _line_steps(con, fl, spec.name, source, lines)
        else:
            # One line per record, the header's included (the usual extract): no reject, no blank
            # line and no line break in a quoted cell, so a row's line follows from its row id alone.
            steps = []
            con.execute(f"CREATE TEMP TABLE {rejects} (_line BIGINT, raw_row VARCHAR, reason VARCHAR)")
    con.execute(f"DROP TABLE rej_{spec.name}")
    con.execute(f"DROP TABLE rejscan_{spec.name}")
    if len(steps) <= _MAX_LINE_STEPS:
        con.execute(f"CREATE TEMP VIEW {table} AS SELECT rowid + 2 + {_step_lookup(steps, 0)} AS _line, * "
                    f"FROM {table}__in")
        return
    # Many steps (a file of multi-line notes): the lines are worked out once, in a copy of the rows.
    con.execute(f"CREATE TEMP TABLE {table}__steps AS SELECT unnest(?) AS _start, unnest(?) AS _offset",
                [[start for start, _ in steps], [offset for _, offset in steps]])
    con.execute(
        f"""CREATE TEMP TABLE {table}__lines AS
            SELECT i.rowid + 2 + coalesce(s._offset, 0) AS _line, i.*
            FROM {table}__in i ASOF LEFT JOIN {table}__steps s ON i.rowid >= s._start""")
    con.execute(f"DROP TABLE {table}__in")
    con.execute(f"ALTER TABLE {table}__lines RENAME TO {table}__in")
    con.execute(f"CREATE TEMP VIEW {table} AS SELECT * FROM {table}__in")


def _step_lookup(steps: list[tuple[int, int]], below: int) -> str:
    """The offset of the last of `steps` (from rowid, offset; in order) at or before rowid, or
    `below` before the first: a binary search written as nested CASEs, so a row is compared with
    log2(steps) of them, not all."""
    if not steps:
        return str(below)
    middle = len(steps) // 2
    start, offset = steps[middle]
    return (f"CASE WHEN rowid >= {start} THEN {_step_lookup(steps[middle + 1:], offset)} "
            f"ELSE {_step_lookup(steps[:middle], below)} END")


def _line_steps(con: duckdb.DuckDBPyConnection, fl: FileLoad, name: str, source: Path, lines: int) -> list[tuple[int, int]]:
    """Create stage_<name>__rejects, the rejected rows with their physical lines, and return the
    steps (from rowid, offset) of the offset between a good row's line and rowid + 2.

    Raises ExtractContractError when the rows read do not account for the file's lines: a quote
    never closed makes the reader take the rest of the file (or up to the next quote) as one
    malformed row, and every row in it would be lost while quarantine showed one."""
    table, rejects = f"stage_{name}", f"stage_{name}__rejects"
    malformed = " ".join(f"WHEN {_sql_text(k)} THEN {_sql_text(v)}" for k, v in _MALFORMED.items())
    con.execute(
        f"""CREATE TEMP TABLE {rejects}__records AS
            SELECT line AS _record, trim(any_value(csv_line), chr(10) || chr(13)) AS raw_row,
                   'malformed row: ' || string_agg(DISTINCT CASE CAST(error_type AS VARCHAR) {malformed}
                       ELSE lower(CAST(error_type AS VARCHAR)) END, '; ') AS reason
            FROM rej_{name} GROUP BY line""")

    def rows_within(text: str) -> str:
        """The lines after the first of `text` that look like records of their own (as many
        commas as the header): the sign of a quote that is never closed."""
        return (f"len(list_filter(string_split(coalesce({text}, ''), chr(10))[2:], "
                f"lambda l: length(l) - length(replace(l, ',', '')) >= {max(len(fl.columns) - 1, 1)}))")

    rejected = con.execute(
        f"""SELECT _record, 1 + length(raw_row) - length(replace(raw_row, chr(10), '')), {rows_within('raw_row')}
            FROM {rejects}__records ORDER BY _record""").fetchall()
    cells = [f"_c{i}" for i in range(len(fl.columns))]
    breaks = " + ".join(f"coalesce(length({c}) - length(replace({c}, chr(10), '')), 0)" for c in cells)
    any_break = " OR ".join(f"contains(coalesce({c}, ''), chr(10))" for c in cells)
    broken = con.execute(f"SELECT rowid, {breaks}, {' + '.join(rows_within(c) for c in cells)} "
                         f"FROM {table}__in WHERE {any_break} ORDER BY rowid").fetchall()
    blanks_needed = lines - 1 - fl.rows - sum(b for _, b, _ in broken) - sum(span for _, span, _ in rejected)
    blanks = blank_lines(source) if blanks_needed > 0 else []
    lines_of = walk(fl.rows, [(r, span) for r, span, _ in rejected], [(r, b) for r, b, _ in broken], blanks)
    swallowing = sorted(
        [(lines_of.reject_lines.get(record, record), span, rows, "one malformed row")
         for record, span, rows in rejected if rows]
        + [(lines_of.row_line(row), 1 + b, rows, "one row") for row, b, rows in broken if rows])
    if swallowing:
        line, span, rows, what = swallowing[0]
        raise ExtractContractError(
            f"{fl.path.name}: from line {line:,} the CSV reader read {span:,} lines as {what}, {rows:,} of them "
            f"looking like rows of their own (a quote that is never closed?); correct the file and run again")
    if lines_of.lines_accounted < lines:
        raise ExtractContractError(
            f"{fl.path.name}: the rows the CSV reader found account for {lines_of.lines_accounted:,} of the "
            f"file's {lines:,} lines (a quote that is never closed, or unusual line ends?); "
            f"correct the file and run again")
    con.execute(
        f"""CREATE TEMP TABLE {rejects} AS
            SELECT coalesce(l._line, r._record) AS _line, r.raw_row, r.reason
            FROM {rejects}__records r
            LEFT JOIN (SELECT unnest(?::BIGINT[]) AS _record, unnest(?::BIGINT[]) AS _line) l USING (_record)""",
        [list(lines_of.reject_lines), list(lines_of.reject_lines.values())])
    return lines_of.steps


def _plain(exc: duckdb.Error) -> str:
    """A DuckDB error in one line, without the SQL it may quote."""
    if isinstance(exc, (duckdb.ParserException, duckdb.BinderException, duckdb.CatalogException)):
        return "an internal error in the loader (the error log has the details)"
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _header(con: duckdb.DuckDBPyConnection, fl: FileLoad) -> list[str]:
    if fl.file_format == "parquet":
        try:
            described = con.execute(f"DESCRIBE SELECT * FROM read_parquet({_sql_text(str(fl.path))})").fetchall()
        except duckdb.Error as exc:
            raise ExtractContractError(f"{fl.path.name}: cannot be read as Parquet: {_plain(exc)}") from exc
        fl.source_types = [r[1] for r in described]
        return [r[0] for r in described]
    return _csv_header(fl.path)


def _csv_header(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        try:
            header = next(csv.reader(f))
        except StopIteration:
            raise ExtractContractError(f"{path.name}: the file is empty (no header row)") from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ExtractContractError(f"{path.name}: the header row cannot be read: {exc}") from None
    header = [h.strip() for h in header]
    # Unnamed columns (a trailing comma on every line) are extra columns like any other.
    duplicated = sorted({h for h in header if h and header.count(h) > 1})
    if duplicated:
        raise ExtractContractError(f"{path.name}: column named more than once in the header: {', '.join(duplicated)}")
    return header


def _check_columns(fl: FileLoad, spec: FileSpec) -> None:
    expected = [c.name for c in spec.columns]
    missing = [c.name for c in spec.columns if c.name not in fl.columns and not c.optional]
    if missing:
        raise ExtractContractError(
            f"{fl.path.name}: required column{'s' if len(missing) > 1 else ''} missing: {', '.join(missing)}")
    fl.extra_columns = [c or f"(unnamed column {i + 1})" for i, c in enumerate(fl.columns) if c not in expected]


def _key(columns: tuple[str, ...], prefix: str = "") -> str:
    """One text value for a (possibly composite) reference key."""
    return f"concat_ws(chr(31), {', '.join(prefix + c for c in columns)})"


def _reference_checks(spec: FileSpec) -> list[tuple[str, str]]:
    """(flag expression, reason expression) per reference: a non-empty value with no loaded
    target row. The reason reads the flag column `_ref<i>_missing` and `_ref<i>_line`, the line of
    the quarantined target row it refers to (NULL when there is none)."""
    out = []
    for i, ref in enumerate(spec.references):
        # A semi-join: each row is only probed against the target's key (no DISTINCT, no row copies).
        on = " AND ".join(f"r.{tc} = c.{c}" for c, tc in zip(ref.columns, ref.target_columns))
        present = " AND ".join(f"c.{c} IS NOT NULL" for c in ref.columns)
        names = ", ".join(ref.columns)
        reason = (f"CASE WHEN _ref{i}_line IS NULL THEN '{names} matches no row of {ref.target}' "
                  f"ELSE '{names} refers to a quarantined row of {ref.target} (line ' || _ref{i}_line || ')' END")
        out.append((f"({present} AND NOT EXISTS (SELECT 1 FROM raw.{ref.target} r WHERE {on}))", reason))
    return out


def _any(conditions: list[str]) -> str:
    return " OR ".join(f"coalesce({c}, false)" for c in conditions) or "false"


def _reasons(checks: list[tuple[str, str]]) -> str:
    return ("list_filter([" + ", ".join(f"CASE WHEN {c} THEN {r} END" for c, r in checks)
            + "], lambda e: e IS NOT NULL)") if checks else "[]::VARCHAR[]"


def _repeated(con: duckdb.DuckDBPyConnection, fl: FileLoad, columns: tuple[str, ...], table: str) -> None:
    """Create temp table `table` of the lines of stage_<name> whose trimmed values of `columns`
    (all non-empty) occur on more than one row. Normally it finds none.

    The values' hashes are sorted and compared with their neighbours (half the cost of a hash
    aggregate over 13 million distinct strings); only the rows with a repeated hash, a handful,
    are compared by their values, so a collision costs nothing but a row to look at."""
    t_cols = ", ".join(f"_t_{c}" for c in columns)
    con.execute(
        f"""CREATE TEMP TABLE {table} AS
            WITH k AS NOT MATERIALIZED (
                    SELECT * FROM (SELECT _line, {', '.join(trimmed(fl.cell(c)) + f' AS _t_{c}' for c in columns)}
                                   FROM stage_{fl.name})
                    WHERE {' AND '.join(f'_t_{c} IS NOT NULL' for c in columns)}),
                 h AS (SELECT hash({t_cols}) AS _h FROM k),
                 repeated AS (SELECT DISTINCT _h FROM (SELECT _h, lag(_h) OVER (ORDER BY _h) AS _previous FROM h)
                              WHERE _h = _previous)
            SELECT _line FROM k WHERE hash({t_cols}) IN (SELECT _h FROM repeated)
            QUALIFY count(*) OVER (PARTITION BY {t_cols}) > 1""")


def _flagged(spec: FileSpec, fl: FileLoad, rows: str = "true") -> str:
    """The query that types and flags every row of stage_<name> for which `rows` (a condition on
    its _line) holds: _line, the trimmed cells, the typed cells,
    _bad_cells, _duplicate, _ref<i>_missing and _bad.

    Row checks and references compare typed cells, so their reasons are given only for rows whose
    cells are well formed. The reference flags are columns of their own (r) because DuckDB probes
    each EXISTS as often as it is written."""
    name, cols = spec.name, spec.columns
    typed = ", ".join(f"{typed_value(c)} AS {c.name}" for c in cols)
    cell = [cond for c in cols for cond, _ in cell_checks(c)]
    duplicate = f"_line IN (SELECT _line FROM stage_{name}__dups)" if spec.key else "false"
    refs = _reference_checks(spec)
    # An optional column absent from the file reads as an empty cell on every row.
    cells = [(trimmed(fl.cell(c.name)) if c.name in fl.columns else "CAST(NULL AS VARCHAR)") + f" AS _t_{c.name}"
             for c in cols]
    return f"""WITH t AS (SELECT _line, {', '.join(cells)}
                       FROM stage_{name} WHERE {rows}),
                 v AS (SELECT *, {typed} FROM t),
                 f AS (SELECT *, {_any(cell)} AS _bad_cells, {duplicate} AS _duplicate FROM v),
                 r AS (SELECT *{''.join(f', {flag} AS _ref{i}_missing' for i, (flag, _) in enumerate(refs))} FROM f c)
            SELECT *, {' OR '.join(['_bad_cells', '_duplicate']
                                   + [f"coalesce({cond}, false)" for cond, _ in spec.row_checks]
                                   + [f'coalesce(_ref{i}_missing, false)' for i in range(len(refs))])} AS _bad
            FROM r"""


def _validate(con: duckdb.DuckDBPyConnection, spec: FileSpec, fl: FileLoad, run_id: str) -> None:
    """Type every row, load the good ones into raw.<name>, quarantine the others with reasons.

    The good rows go from the text straight into raw.<name>, typed and flagged on the way: nothing
    else is written for them. The rows that did not arrive there (normally few or none) are then
    flagged again on their own, with reasons and the raw row as JSON.
    """
    name, cols = spec.name, spec.columns
    if spec.key:
        _repeated(con, fl, spec.key, f"stage_{name}__dups")
    later = ""
    if name == "bids":
        _later_bids(con, spec, fl)
        later = " AND _line NOT IN (SELECT _line FROM stage_bids__later)"
    con.execute(contract.raw_table_ddl(spec))
    loaded = con.execute(f"INSERT INTO raw.{name} SELECT {', '.join(c.name for c in cols)}, _line "
                         f"FROM ({_flagged(spec, fl)}) WHERE NOT _bad{later}").fetchone()[0]
    if loaded < fl.rows:
        con.execute(f"""CREATE TEMP TABLE stage_{name}__bad AS
                        SELECT _line FROM stage_{name} s ANTI JOIN raw.{name} r ON r.source_line = s._line""")
        _quarantine_rows(con, spec, fl, run_id)
    if fl.rejected:
        con.execute(f"""INSERT INTO audit.quarantine
                        SELECT ?, '{name}', _line, raw_row, reason FROM stage_{name}__rejects""", [run_id])
        con.execute(f"""INSERT INTO audit.quarantine_causes
                        SELECT ?, '{name}', _line, '{name}' FROM stage_{name}__rejects""", [run_id])
        if name in REFERENCE_TARGETS:
            _cascade_rejects(con, fl)


def _cascade_rejects(con: duckdb.DuckDBPyConnection, fl: FileLoad) -> None:
    """Record the keys of the malformed rows of a referenced file, as far as their fields can be
    read, so that the rows referring to them count against this file, not their own."""
    positions = [fl.columns.index(c) for c in REFERENCE_TARGETS[fl.name]]
    keys = []
    for line, raw_row in con.execute(f"SELECT _line, raw_row FROM stage_{fl.name}__rejects").fetchall():
        fields = next(csv.reader([raw_row or ""]), [])
        if all(p < len(fields) and fields[p].strip() for p in positions):
            keys.append((chr(31).join(fields[p].strip() for p in positions), line))
    if keys:
        con.execute(f"INSERT INTO cascade_{fl.name} SELECT unnest(?::VARCHAR[]), unnest(?::BIGINT[]), ?",
                    [[k for k, _ in keys], [line for _, line in keys], fl.name])


def _quarantine_rows(con: duckdb.DuckDBPyConnection, spec: FileSpec, fl: FileLoad, run_id: str) -> None:
    """Quarantine the rows of stage_<name>__bad with the reasons they were not loaded, and the file
    whose rows caused it: this file, or for a row refused only because it refers to quarantined
    rows, the file that caused theirs (a cascade)."""
    name, cols = spec.name, spec.columns
    refs = _reference_checks(spec)
    cell_reasons = _reasons([check for c in cols for check in cell_checks(c)]
                            + ([("_duplicate", f"'duplicate key {', '.join(spec.key)} (every copy is quarantined)'")]
                               if spec.key else []))
    row_reasons = _reasons([(cond, f"'{reason}'") for cond, reason in spec.row_checks]
                           + [(f"_ref{i}_missing", r) for i, (_, r) in enumerate(refs)]
                           + ([("_later_bid IS NOT NULL", "_later_bid")] if name == "bids" else []))
    later = ", l._later_bid" if name == "bids" else ""
    later_join = "LEFT JOIN stage_bids__later l ON l._line = c._line" if name == "bids" else ""
    # The first target row a cascade comes from, per reference (a duplicated key has several).
    cascades = "".join(
        f""" LEFT JOIN (SELECT _key, min(_line) AS _line, arg_min(_cause, _line) AS _cause
                        FROM cascade_{ref.target} GROUP BY _key) k{i}
             ON c._ref{i}_missing AND k{i}._key = {_key(ref.columns, 'c.')}"""
        for i, ref in enumerate(spec.references))
    cascade_cols = "".join(f", k{i}._line AS _ref{i}_line, k{i}._cause AS _ref{i}_cause" for i in range(len(refs)))
    own_fault = _any(["_bad_cells", "_duplicate"] + [cond for cond, _ in spec.row_checks]
                     + [f"_ref{i}_missing AND _ref{i}_cause IS NULL" for i in range(len(refs))]
                     + (["_later_bid IS NOT NULL"] if name == "bids" else []))
    caused_by = (f"CASE WHEN {own_fault} THEN '{name}' "
                 f"ELSE coalesce({', '.join([f'_ref{i}_cause' for i in range(len(refs))] + [repr(name)])}) END")
    raw_json = ("CAST(json_object(" + ", ".join(f"{_sql_text(c)}, s._c{i}" for i, c in enumerate(fl.columns))
                + ") AS VARCHAR)")
    target_key = _key(tuple(f"_t_{c}" for c in REFERENCE_TARGETS[name])) if name in REFERENCE_TARGETS else "NULL"
    con.execute(
        f"""CREATE TEMP TABLE stage_{name}__quarantined AS
            WITH flagged AS ({_flagged(spec, fl, f"_line IN (SELECT _line FROM stage_{name}__bad)")}),
                 bad AS (SELECT c.*{later}{cascade_cols}, {raw_json} AS _raw
                         FROM flagged c JOIN stage_{name} s ON s._line = c._line {later_join}{cascades})
            SELECT _line, _raw,
                   array_to_string(CASE WHEN _bad_cells OR _duplicate THEN {cell_reasons} ELSE {row_reasons} END, '; ')
                       AS _reason,
                   {caused_by} AS _caused_by, {target_key} AS _key
            FROM bad""")
    con.execute(f"INSERT INTO audit.quarantine SELECT ?, '{name}', _line, _raw, _reason "
                f"FROM stage_{name}__quarantined", [run_id])
    con.execute(f"INSERT INTO audit.quarantine_causes SELECT ?, '{name}', _line, _caused_by "
                f"FROM stage_{name}__quarantined", [run_id])
    if name in REFERENCE_TARGETS:
        con.execute(f"INSERT INTO cascade_{name} SELECT _key, _line, _caused_by FROM stage_{name}__quarantined "
                    f"WHERE _key <> ''")


def _later_bids(con: duckdb.DuckDBPyConnection, spec: FileSpec, fl: FileLoad) -> None:
    """A later bid by the same application on the same advert is a row-level error; the earliest
    stands. stage_bids__later holds the later bids' lines with the reason."""
    # Only the bids on pairs bid on more than once are flagged and ranked.
    _repeated(con, fl, ("advert_id", "application_ref"), "stage_bids__pairs")
    con.execute(
        f"""CREATE TEMP TABLE stage_bids__later AS
            SELECT _line, 'a later bid by the same application on the same advert (the earliest, on line '
                   || first_line || ', stands)' AS _later_bid
            FROM (SELECT _line, first_value(_line) OVER w AS first_line, row_number() OVER w AS n
                  FROM ({_flagged(spec, fl, "_line IN (SELECT _line FROM stage_bids__pairs)")})
                  WHERE NOT _bad
                  WINDOW w AS (PARTITION BY advert_id, application_ref ORDER BY placed_at, _line))
            WHERE n > 1""")


def _applications_without_one_applicant(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Quarantine applications without exactly one loaded `applicant` member, and their members.
    Both count against applications: the rule is about the application."""
    con.execute(
        f"""CREATE TEMP TABLE bad_apps AS
            SELECT a.application_ref, any_value(a.source_line) AS source_line, count(m.member_id) AS applicants
            FROM raw.applications a
            LEFT JOIN raw.household_members m
              ON m.application_ref = a.application_ref AND m.relationship = '{contract.APPLICANT_RELATIONSHIP}'
            GROUP BY a.application_ref HAVING count(m.member_id) <> 1""")
    con.execute(
        """INSERT INTO audit.quarantine
           SELECT ?, 'applications', a.source_line, CAST(to_json(a) AS VARCHAR),
                  'application has ' || b.applicants || ' applicant members (exactly one is required)'
           FROM raw.applications a JOIN bad_apps b USING (application_ref)""", [run_id])
    con.execute(
        """INSERT INTO audit.quarantine
           SELECT ?, 'household_members', m.source_line, CAST(to_json(m) AS VARCHAR),
                  'application_ref refers to a quarantined row of applications (line ' || b.source_line
                  || ': it has ' || b.applicants || ' applicant members)'
           FROM raw.household_members m JOIN bad_apps b USING (application_ref)""", [run_id])
    con.execute(
        """INSERT INTO audit.quarantine_causes
           SELECT ?, 'applications', source_line, 'applications' FROM bad_apps
           UNION ALL
           SELECT ?, 'household_members', m.source_line, 'applications'
           FROM raw.household_members m JOIN bad_apps b USING (application_ref)""", [run_id, run_id])
    con.execute("INSERT INTO cascade_applications SELECT application_ref, source_line, 'applications' FROM bad_apps")
    con.execute("DELETE FROM raw.household_members WHERE application_ref IN (SELECT application_ref FROM bad_apps)")
    con.execute("DELETE FROM raw.applications WHERE application_ref IN (SELECT application_ref FROM bad_apps)")
    con.execute("DROP TABLE bad_apps")


def load_extract(con: duckdb.DuckDBPyConnection, extract_dir: Path, run_id: str) -> LoadReport:
    """Validate and load every file of the extract; return per-file counts.

    Raises ExtractContractError, naming the file, for a breach at file level: a file or column
    missing, a file that cannot be read, or rows the CSV reader would lose without a word."""
    found = find_files(Path(extract_dir))
    con.execute("SET enable_progress_bar = false")
    for ddl in AUDIT_DDL:
        con.execute(ddl)
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    # Check the header of every file first, so a missing column fails before any loading.
    for name in contract.LOAD_ORDER:
        fl, spec = found[name], contract.FILES_BY_NAME[name]
        if fl.path is not None:
            fl.columns = _header(con, fl)
            _check_columns(fl, spec)
    for target in REFERENCE_TARGETS:
        con.execute(f"CREATE OR REPLACE TEMP TABLE cascade_{target} (_key VARCHAR, _line BIGINT, _cause VARCHAR)")
    report = LoadReport()
    # One file at a time (read, check, load, drop its staging tables), so the largest file alone
    # sets the memory needed.
    for name in contract.LOAD_ORDER:
        fl, spec = found[name], contract.FILES_BY_NAME[name]
        if fl.path is None:
            # An absent optional file is an empty one.
            con.execute(contract.raw_table_ddl(spec))
            continue
        try:
            _read_file(con, fl, spec)
            _validate(con, spec, fl, run_id)
        except duckdb.Error as exc:
            raise ExtractContractError(f"{fl.path.name}: cannot be loaded: {_plain(exc)}") from exc
        con.execute(f"DROP VIEW stage_{name}")
        for (table,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary AND starts_with(table_name, ?)",
                                    [f"stage_{name}__"]).fetchall():
            con.execute(f"DROP TABLE {table}")
        if name == "household_members":
            _applications_without_one_applicant(con, run_id)
    for target in REFERENCE_TARGETS:
        con.execute(f"DROP TABLE cascade_{target}")
    quarantined_by_file = dict(con.execute(
        "SELECT file_name, count(*) FROM audit.quarantine WHERE run_id = ? GROUP BY file_name", [run_id]).fetchall())
    loaded_by_file = con.execute(
        "SELECT " + ", ".join(f"(SELECT count(*) FROM raw.{name})" for name in contract.LOAD_ORDER)).fetchone()
    for name, loaded in zip(contract.LOAD_ORDER, loaded_by_file):
        fl = found[name]
        quarantined = quarantined_by_file.get(name, 0)
        report.files[name] = dict(
            file_format=fl.file_format, present=fl.path is not None, rows_read=fl.rows_read,
            rows_loaded=loaded, rows_quarantined=quarantined, extra_columns=fl.extra_columns)
    con.executemany("INSERT INTO audit.load_counts VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [[run_id, name, f["file_format"], f["present"], f["rows_read"], f["rows_loaded"],
                      f["rows_quarantined"], f["extra_columns"]] for name, f in report.files.items()])
    return report


__all__ = ["ExtractContractError", "LoadReport", "load_extract", "find_files", "Column", "REFERENCE_TARGETS"]
