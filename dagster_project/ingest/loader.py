"""Load a register extract folder into the `raw` schema of a build database.

Every input row ends either in `raw.<file>` (typed) or in `audit.quarantine` with its file,
line, raw row and reason; `audit.load_counts` records rows read, loaded and quarantined per file.
All checks are set-based DuckDB SQL over the whole file (no row-by-row Python), in the order of
`contract.LOAD_ORDER` so that references are checked against rows already loaded, and
quarantine cascades (a quarantined application takes its members, needs, bids ... with it).

A file-level contract breach (a required file or column missing) raises ExtractContractError
before anything is written that a later step could mistake for a good load.
"""
from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from . import contract
from .contract import Column, FileSpec
from .sql_checks import cell_checks, trimmed, typed_value


# Up to this many steps in the line numbers of a file (after rejected rows and rows with line breaks
# in quoted cells), each row's line is looked up where the row is read; with more, the lookup
# would cost more than numbering the rows once in a copy of the file.
_MAX_LINE_STEPS = 1024


class ExtractContractError(Exception):
    """The extract breaks the contract at file level; the message names the file and column."""


@dataclass
class FileLoad:
    name: str
    path: Path | None
    file_format: str | None
    columns: list[str] = field(default_factory=list)
    rows: int = 0  # rows read into staging
    rejected: int = 0  # rows DuckDB could not split into the header's columns
    extra_columns: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return self.rows + self.rejected


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


def _read_file(con: duckdb.DuckDBPyConnection, fl: FileLoad, spec: FileSpec) -> None:
    """Read one file, all cells as text, into the temp relation stage_<name> with line numbers.

    Staging lives in memory (temp tables), not in the build file. Rows DuckDB cannot split into
    the header's columns (too many or too few fields, broken quoting, invalid UTF-8) go to
    stage_<name>__rejects with their line and text.
    """
    table, rejects = f"stage_{spec.name}", f"stage_{spec.name}__rejects"
    if fl.file_format == "parquet":
        path = str(fl.path).replace("'", "''")
        con.execute(f"CREATE TEMP TABLE {table}__in AS SELECT * FROM read_parquet('{path}')")
        casts = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in fl.columns)
        # Parquet has no header line: a row's "line" is its 1-based row number.
        con.execute(f"CREATE TEMP VIEW {table} AS SELECT rowid + 1 AS _line, {casts} FROM {table}__in")
        con.execute(f"CREATE TEMP TABLE {rejects} (_line BIGINT, raw_row VARCHAR, reason VARCHAR)")
        fl.rows = con.execute(f"SELECT count(*) FROM {table}__in").fetchone()[0]
        return
    # The header was read already, so DuckDB's sniffer (which can misjudge a small file with one
    # malformed row) is not needed: every column is text, named as in the file.
    columns = "{" + ", ".join(f"'{c.replace(chr(39), chr(39) * 2)}': 'VARCHAR'" for c in fl.columns) + "}"

    def read(source: Path) -> int:
        """Read `source` into {table}__in; return its physical lines."""
        src = str(source).replace("'", "''")
        con.execute(
            f"""CREATE TEMP TABLE {table}__in AS SELECT * FROM read_csv('{src}', auto_detect = false,
                columns = {columns}, header = true, delim = ',', quote = '"', escape = '"',
                encoding = 'utf-8', store_rejects = true, rejects_table = 'rej_{spec.name}',
                rejects_scan = 'rejscan_{spec.name}')""")
        return _physical_lines(source)

    try:
        lines = read(fl.path)
    except duckdb.InvalidInputException:
        # DuckDB's reader refuses a file whose line ends are mixed (CRLF and LF), as happens
        # when rows are appended to an export by hand. Its lenient mode would silently cut rows
        # with too many fields, so the file is read again with every line end made LF.
        with tempfile.TemporaryDirectory() as tmp:
            normalised = Path(tmp) / fl.path.name
            with open(fl.path, "rb") as src, open(normalised, "wb") as dst:
                for line in src:
                    dst.write(line.replace(b"\r\n", b"\n"))
            try:
                lines = read(normalised)
            except duckdb.Error as exc:
                raise ExtractContractError(
                    f"{fl.path.name}: cannot be read as CSV: {str(exc).splitlines()[0]}") from exc
    fl.rows, fl.rejected = con.execute(
        f"SELECT (SELECT count(*) FROM {table}__in), (SELECT count(DISTINCT line) FROM rej_{spec.name})").fetchone()
    if fl.rejected or lines != 1 + fl.rows:
        steps = _line_steps(con, spec.name, fl.columns)
    else:
        # One line per record, the header's included (the usual extract): no reject and no line
        # break in a quoted cell, so a row's line follows from its record number alone.
        steps = []
        con.execute(f"CREATE TEMP TABLE {rejects} (_line BIGINT, raw_row VARCHAR, reason VARCHAR)")
    con.execute(f"DROP TABLE rej_{spec.name}")
    con.execute(f"DROP TABLE rejscan_{spec.name}")
    if len(steps) <= _MAX_LINE_STEPS:
        con.execute(f"CREATE TEMP VIEW {table} AS SELECT rowid + 2 + {_step_lookup(steps, 0)} AS _line, * "
                    f"FROM {table}__in")
        return
    # Many steps (a file of multi-line notes): the lines are worked out once, in a copy of the rows.
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


def _line_steps(con: duckdb.DuckDBPyConnection, name: str, cols: list[str]) -> list[tuple[int, int]]:
    """Create stage_<name>__steps, the steps of the offset between a good row's line and rowid + 2,
    and stage_<name>__rejects, the rejected rows with their lines; return the steps as
    (from rowid, offset) in order.

    DuckDB numbers a rejected row by record (header = 1), not by physical line. Record k of the
    good rows (0-based, in file order) is record 2 + k + (rejects before it); its physical line
    adds the line breaks inside quoted cells of the records before it. So the offset steps up
    after each reject and after each row with breaks: a handful of steps, and each row needs
    only a lookup."""
    table, rejects = f"stage_{name}", f"stage_{name}__rejects"
    con.execute(
        f"""CREATE TEMP TABLE {rejects} AS
            SELECT line AS _record, trim(any_value(csv_line), chr(10) || chr(13)) AS raw_row,
                   string_agg(DISTINCT error_type || ': ' || error_message, '; ') AS reason
            FROM rej_{name} GROUP BY line""")
    breaks = " + ".join(f"""coalesce(length("{c}") - length(replace("{c}", chr(10), '')), 0)""" for c in cols)
    any_break = " OR ".join(f"""contains(coalesce("{c}", ''), chr(10))""" for c in cols)
    con.execute(f"CREATE TEMP TABLE {table}__breaks AS SELECT rowid AS _row, {breaks} AS _breaks "
                f"FROM {table}__in WHERE {any_break}")
    con.execute(
        f"""CREATE TEMP TABLE {table}__steps AS
            SELECT _start, sum(sum(_delta)) OVER (ORDER BY _start) AS _offset
            FROM (SELECT _record - row_number() OVER (ORDER BY _record) - 1 AS _start, 1 AS _delta FROM {rejects}
                  UNION ALL
                  SELECT _row + 1, _breaks FROM {table}__breaks)
            GROUP BY _start""")
    # Rejected rows: their physical line adds the breaks of good records before them.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {rejects} AS
            SELECT r._record + coalesce((SELECT sum(_breaks) FROM {table}__breaks b WHERE b._row + 2 < r._record), 0)
                   AS _line, r.raw_row, r.reason
            FROM {rejects} r""")
    return con.execute(f"SELECT _start, _offset FROM {table}__steps ORDER BY _start").fetchall()


def _physical_lines(path: Path) -> int:
    """Lines of a file as an editor counts them: its line feeds, and one more for any text after the last."""
    lines, last = 0, b"\n"
    with open(path, "rb") as f:
        while chunk := f.read(1 << 24):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


def _header(con: duckdb.DuckDBPyConnection, fl: FileLoad) -> list[str]:
    if fl.file_format == "parquet":
        path = str(fl.path).replace("'", "''")
        try:
            return [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()]
        except duckdb.Error as exc:
            raise ExtractContractError(f"{fl.path.name}: cannot be read as Parquet: {str(exc).splitlines()[0]}") from exc
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
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        raise ExtractContractError(f"{path.name}: column named more than once in the header: {', '.join(duplicated)}")
    return header


def _check_columns(fl: FileLoad, spec: FileSpec) -> None:
    expected = [c.name for c in spec.columns]
    missing = [c for c in expected if c not in fl.columns]
    if missing:
        raise ExtractContractError(
            f"{fl.path.name}: required column{'s' if len(missing) > 1 else ''} missing: {', '.join(missing)}")
    fl.extra_columns = [c for c in fl.columns if c not in expected]


def _reference_checks(spec: FileSpec) -> list[tuple[str, str]]:
    """(flag expression, reason expression) per reference: a non-empty value with no loaded
    target row. The reason reads the flag column `_ref<i>_missing`."""
    out = []
    for ref in spec.references:
        # A semi-join: each row is only probed against the target's key (no DISTINCT, no row copies).
        on = " AND ".join(f"r.{tc} = c.{c}" for c, tc in zip(ref.columns, ref.target_columns))
        present = " AND ".join(f"c.{c} IS NOT NULL" for c in ref.columns)
        values = " || '/' || ".join(ref.columns)
        reason = (f"'{', '.join(ref.columns)} \"' || {values} || "
                  f"'\" is not a loaded {ref.target} row (missing or quarantined)'")
        out.append((f"({present} AND NOT EXISTS (SELECT 1 FROM raw.{ref.target} r WHERE {on}))", reason))
    return out


def _any(conditions: list[str]) -> str:
    return " OR ".join(f"coalesce({c}, false)" for c in conditions) or "false"


def _reasons(checks: list[tuple[str, str]]) -> str:
    return ("list_filter([" + ", ".join(f"CASE WHEN {c} THEN {r} END" for c, r in checks)
            + "], lambda e: e IS NOT NULL)") if checks else "[]::VARCHAR[]"


def _repeated(con: duckdb.DuckDBPyConnection, name: str, columns: tuple[str, ...], table: str) -> None:
    """Create temp table `table` of the lines of stage_<name> whose trimmed values of `columns`
    (all non-empty) occur on more than one row. Normally it finds none.

    The values' hashes are sorted and compared with their neighbours (half the cost of a hash
    aggregate over 13 million distinct strings); only the rows with a repeated hash, a handful,
    are compared by their values, so a collision costs nothing but a row to look at."""
    t_cols = ", ".join(f"_t_{c}" for c in columns)
    con.execute(
        f"""CREATE TEMP TABLE {table} AS
            WITH k AS NOT MATERIALIZED (
                    SELECT * FROM (SELECT _line, {', '.join(trimmed(f'"{c}"') + f' AS _t_{c}' for c in columns)}
                                   FROM stage_{name})
                    WHERE {' AND '.join(f'_t_{c} IS NOT NULL' for c in columns)}),
                 h AS (SELECT hash({t_cols}) AS _h FROM k),
                 repeated AS (SELECT DISTINCT _h FROM (SELECT _h, lag(_h) OVER (ORDER BY _h) AS _previous FROM h)
                              WHERE _h = _previous)
            SELECT _line FROM k WHERE hash({t_cols}) IN (SELECT _h FROM repeated)
            QUALIFY count(*) OVER (PARTITION BY {t_cols}) > 1""")


def _flagged(spec: FileSpec, rows: str = "true") -> str:
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
    return f"""WITH t AS (SELECT _line, {', '.join(trimmed(f'"{c.name}"') + f' AS _t_{c.name}' for c in cols)}
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
        _repeated(con, name, spec.key, f"stage_{name}__dups")
    later = ""
    if name == "bids":
        _later_bids(con, spec)
        later = " AND _line NOT IN (SELECT _line FROM stage_bids__later)"
    con.execute(contract.raw_table_ddl(spec))
    loaded = con.execute(f"INSERT INTO raw.{name} SELECT {', '.join(c.name for c in cols)}, _line "
                         f"FROM ({_flagged(spec)}) WHERE NOT _bad{later}").fetchone()[0]
    if loaded < fl.rows:
        con.execute(f"""CREATE TEMP TABLE stage_{name}__bad AS
                        SELECT _line FROM stage_{name} s ANTI JOIN raw.{name} r ON r.source_line = s._line""")
        _quarantine_rows(con, spec, fl.columns, run_id)
    if fl.rejected:
        con.execute(f"""INSERT INTO audit.quarantine
                        SELECT ?, '{name}', _line, raw_row, 'malformed row: ' || reason FROM stage_{name}__rejects""",
                    [run_id])


def _quarantine_rows(con: duckdb.DuckDBPyConnection, spec: FileSpec, present_cols: list[str], run_id: str) -> None:
    """Quarantine the rows of stage_<name>__bad with the reasons they were not loaded."""
    name, cols = spec.name, spec.columns
    refs = _reference_checks(spec)
    cell_reasons = _reasons([check for c in cols for check in cell_checks(c)]
                            + ([("_duplicate", f"'duplicate key {', '.join(spec.key)} \"' || "
                                 + " || '/' || ".join(f"_t_{k}" for k in spec.key)
                                 + " || '\" (every copy is quarantined)'")] if spec.key else []))
    row_reasons = _reasons([(cond, f"'{reason}'") for cond, reason in spec.row_checks]
                           + [(f"_ref{i}_missing", r) for i, (_, r) in enumerate(refs)]
                           + ([("_later_bid IS NOT NULL", "_later_bid")] if name == "bids" else []))
    later = ", l._later_bid" if name == "bids" else ""
    later_join = "LEFT JOIN stage_bids__later l ON l._line = c._line" if name == "bids" else ""
    raw_json = "CAST(to_json(struct_pack(" + ", ".join(f'"{c}" := s."{c}"' for c in present_cols) + ")) AS VARCHAR)"
    con.execute(
        f"""INSERT INTO audit.quarantine
            WITH flagged AS ({_flagged(spec, f"_line IN (SELECT _line FROM stage_{name}__bad)")}),
                 bad AS (SELECT c.*{later}, {raw_json} AS _raw
                         FROM flagged c JOIN stage_{name} s ON s._line = c._line {later_join})
            SELECT ?, '{name}', _line, _raw,
                   array_to_string(CASE WHEN _bad_cells OR _duplicate THEN {cell_reasons} ELSE {row_reasons} END, '; ')
            FROM bad""",
        [run_id])


def _later_bids(con: duckdb.DuckDBPyConnection, spec: FileSpec) -> None:
    """A later bid by the same application on the same advert is a row-level error; the earliest
    stands. stage_bids__later holds the later bids' lines with the reason."""
    # Only the bids on pairs bid on more than once are flagged and ranked.
    _repeated(con, "bids", ("advert_id", "application_ref"), "stage_bids__pairs")
    con.execute(
        f"""CREATE TEMP TABLE stage_bids__later AS
            SELECT _line, 'a later bid by the same application on advert "' || advert_id
                   || '" (the earliest, bid "' || first_bid || '", stands)' AS _later_bid
            FROM (SELECT _line, advert_id, first_value(bid_id) OVER w AS first_bid, row_number() OVER w AS n
                  FROM ({_flagged(spec, "_line IN (SELECT _line FROM stage_bids__pairs)")})
                  WHERE NOT _bad
                  WINDOW w AS (PARTITION BY advert_id, application_ref ORDER BY placed_at, _line))
            WHERE n > 1""")


def _applications_without_one_applicant(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Quarantine applications without exactly one loaded `applicant` member, and their members."""
    con.execute(
        f"""CREATE TEMP TABLE bad_apps AS
            SELECT a.application_ref, count(m.member_id) AS applicants
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
                  'application_ref "' || m.application_ref || '" is quarantined (it has '
                  || b.applicants || ' applicant members)'
           FROM raw.household_members m JOIN bad_apps b USING (application_ref)""", [run_id])
    con.execute("DELETE FROM raw.household_members WHERE application_ref IN (SELECT application_ref FROM bad_apps)")
    con.execute("DELETE FROM raw.applications WHERE application_ref IN (SELECT application_ref FROM bad_apps)")
    con.execute("DROP TABLE bad_apps")


def load_extract(con: duckdb.DuckDBPyConnection, extract_dir: Path, run_id: str) -> LoadReport:
    """Validate and load every file of the extract; return per-file counts."""
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
    report = LoadReport()
    # One file at a time (read, check, load, drop its staging tables), so the largest file alone
    # sets the memory needed.
    for name in contract.LOAD_ORDER:
        fl, spec = found[name], contract.FILES_BY_NAME[name]
        if fl.path is None:
            # An absent optional file is an empty one.
            con.execute(contract.raw_table_ddl(spec))
            continue
        _read_file(con, fl, spec)
        _validate(con, spec, fl, run_id)
        con.execute(f"DROP VIEW stage_{name}")
        for (table,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary AND starts_with(table_name, ?)",
                                    [f"stage_{name}__"]).fetchall():
            con.execute(f"DROP TABLE {table}")
        if name == "household_members":
            _applications_without_one_applicant(con, run_id)
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


__all__ = ["ExtractContractError", "LoadReport", "load_extract", "find_files", "Column"]
