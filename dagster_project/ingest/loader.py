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
from .sql_checks import cell_errors, typed_value


class ExtractContractError(Exception):
    """The extract breaks the contract at file level; the message names the file and column."""


@dataclass
class FileLoad:
    name: str
    path: Path | None
    file_format: str | None
    columns: list[str] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)


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
    """Read one file, all cells as text, into stage.<name> with its line numbers.

    Rows DuckDB cannot split into the header's columns (too many or too few fields, broken
    quoting, invalid UTF-8) go to stage.<name>__rejects with their line and text.
    """
    table, rejects = f"stage.{spec.name}", f"stage.{spec.name}__rejects"
    if fl.file_format == "parquet":
        path = str(fl.path).replace("'", "''")
        con.execute(f"CREATE TABLE {table}__in AS SELECT * FROM read_parquet('{path}')")
        cols = [r[0] for r in con.execute(f"DESCRIBE {table}__in").fetchall()]
        casts = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in cols)
        # Parquet has no header line: a row's "line" is its 1-based row number.
        con.execute(f"CREATE TABLE {table} AS SELECT rowid + 1 AS _line, {casts} FROM {table}__in")
        con.execute(f"DROP TABLE {table}__in")
        con.execute(f"CREATE TABLE {rejects} (_line BIGINT, raw_row VARCHAR, reason VARCHAR)")
        fl.columns = cols
        return
    header = _csv_header(fl.path)
    # The header is read here, so DuckDB's sniffer (which can misjudge a small file with one
    # malformed row) is not needed: every column is text, named as in the file.
    columns = "{" + ", ".join(f"'{c.replace(chr(39), chr(39) * 2)}': 'VARCHAR'" for c in header) + "}"

    def read(source: Path) -> None:
        src = str(source).replace("'", "''")
        con.execute(
            f"""CREATE TABLE {table}__in AS SELECT * FROM read_csv('{src}', auto_detect = false,
                columns = {columns}, header = true, delim = ',', quote = '"', escape = '"',
                encoding = 'utf-8', store_rejects = true, rejects_table = 'rej_{spec.name}',
                rejects_scan = 'rejscan_{spec.name}')""")

    try:
        read(fl.path)
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
                read(normalised)
            except duckdb.Error as exc:
                raise ExtractContractError(
                    f"{fl.path.name}: cannot be read as CSV: {str(exc).splitlines()[0]}") from exc
    cols = [r[0] for r in con.execute(f"DESCRIBE {table}__in").fetchall()]
    # DuckDB numbers a rejected row by record (header = 1), not by physical line. Record k of the
    # good rows (0-based, in file order) is record 2 + k + (rejects before it); its physical line
    # adds the line breaks inside quoted cells of the records before it.
    con.execute(
        f"""CREATE TABLE {rejects} AS
            SELECT line AS _record, trim(any_value(csv_line), chr(10) || chr(13)) AS raw_row,
                   string_agg(DISTINCT error_type || ': ' || error_message, '; ') AS reason
            FROM rej_{spec.name} GROUP BY line""")
    def breaks(alias: str) -> str:
        return " + ".join(
            f"coalesce(length({alias}\"{c}\") - length(replace({alias}\"{c}\", chr(10), '')), 0)" for c in cols)
    n_rejects = con.execute(f"SELECT count(*) FROM {rejects}").fetchone()[0]
    record = "rowid + 2"
    if n_rejects:
        record = (f"rowid + 2 + (SELECT count(*) FROM (SELECT _record - row_number() OVER (ORDER BY _record) + 1 AS k "
                  f"FROM {rejects}) r WHERE r.k <= i.rowid + 2)")
    con.execute(
        f"""CREATE TABLE {table} AS
            SELECT {record} + coalesce(sum({breaks('')}) OVER (ORDER BY rowid ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS _line,
                   {', '.join(f'"{c}"' for c in cols)}
            FROM {table}__in i ORDER BY rowid""")
    # Rejected rows: their physical line adds the breaks of good records before them.
    con.execute(
        f"""CREATE OR REPLACE TABLE {rejects} AS
            SELECT r._record + coalesce((SELECT sum({breaks('g.')})
                                         FROM {table}__in g WHERE g.rowid + 2 < r._record), 0) AS _line,
                   r.raw_row, r.reason
            FROM {rejects} r""" if n_rejects else
        f"CREATE OR REPLACE TABLE {rejects} AS SELECT _record AS _line, raw_row, reason FROM {rejects}")
    con.execute(f"DROP TABLE {table}__in")
    fl.columns = cols


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


def _reference_errors(spec: FileSpec) -> list[tuple[str, str]]:
    """(join clause, error expression) per reference: a non-empty value with no loaded target row."""
    out = []
    for i, ref in enumerate(spec.references):
        alias = f"ref{i}"
        on = " AND ".join(f"{alias}.{tc} = c.{c}" for c, tc in zip(ref.columns, ref.target_columns))
        join = (f"LEFT JOIN (SELECT DISTINCT {', '.join(ref.target_columns)}, true AS _found "
                f"FROM raw.{ref.target}) {alias} ON {on}")
        cols = " AND ".join(f"c.{c} IS NOT NULL" for c in ref.columns)
        label = ", ".join(ref.columns)
        values = " || '/' || ".join(f"c.{c}" for c in ref.columns)
        err = (f"CASE WHEN {cols} AND {alias}._found IS NULL THEN '{label} \"' || {values} || "
               f"'\" is not a loaded {ref.target} row (missing or quarantined)' END")
        out.append((join, err))
    return out


def _validate(con: duckdb.DuckDBPyConnection, spec: FileSpec, present_cols: list[str]) -> None:
    """stage.<name>__checked: typed columns, _line, _raw and the list of reasons per row."""
    cols = spec.columns
    typed = ",\n".join(f"{typed_value(c)} AS {c.name}" for c in cols)
    raw_json = "CAST(to_json(struct_pack(" + ", ".join(f'"{c}" := "{c}"' for c in present_cols) + ")) AS VARCHAR)"
    cell_errs = [e for c in cols for e in cell_errors(c)]
    row_errs = [f"CASE WHEN {cond} THEN '{reason}' END" for cond, reason in spec.row_checks]
    key_err = []
    if spec.key:
        key_cols = ", ".join(spec.key)
        key_vals = " || '/' || ".join(f"_t_{k}" for k in spec.key)
        not_null = " AND ".join(f"_t_{k} IS NOT NULL" for k in spec.key)
        key_err = [f"CASE WHEN {not_null} AND count(*) OVER (PARTITION BY {', '.join('_t_' + k for k in spec.key)}) > 1 "
                   f"THEN 'duplicate key {key_cols} \"' || {key_vals} || '\" (every copy is quarantined)' END"]
    trimmed = ", ".join(f"nullif(trim(\"{c.name}\"), '') AS _t_{c.name}" for c in cols)
    con.execute(
        f"""CREATE TABLE stage.{spec.name}__typed AS
            WITH t AS (SELECT _line, {raw_json} AS _raw, {trimmed} FROM stage.{spec.name}),
                 v AS (SELECT *, {typed} FROM t)
            SELECT _line, _raw, {', '.join(c.name for c in cols)},
                   list_filter([{', '.join(cell_errs + key_err) or 'NULL'}], lambda e: e IS NOT NULL) AS _errors
            FROM v""")
    refs = _reference_errors(spec)
    extra = row_errs + [e for _, e in refs]
    joins = "\n".join(j for j, _ in refs)
    # Row checks compare typed cells, so they only speak for rows whose cells are well formed.
    con.execute(
        f"""CREATE TABLE stage.{spec.name}__checked AS
            SELECT c.*, CASE WHEN len(c._errors) = 0
                             THEN list_filter([{', '.join(extra) or 'NULL'}], lambda e: e IS NOT NULL)
                             ELSE c._errors END AS _reasons
            FROM stage.{spec.name}__typed c {joins}""")
    con.execute(f"DROP TABLE stage.{spec.name}__typed")


def _later_bids(con: duckdb.DuckDBPyConnection) -> None:
    """A later bid by the same application on the same advert is a row-level error; the earliest stands."""
    con.execute(
        """UPDATE stage.bids__checked b SET _reasons = ['a later bid by the same application on advert "'
                   || b.advert_id || '" (the earliest, bid "' || f.first_bid || '", stands)']
           FROM (SELECT _line, first_value(bid_id) OVER w AS first_bid, row_number() OVER w AS n
                 FROM stage.bids__checked WHERE len(_reasons) = 0
                 WINDOW w AS (PARTITION BY advert_id, application_ref ORDER BY placed_at, _line)) f
           WHERE f._line = b._line AND f.n > 1""")


def _publish_rows(con: duckdb.DuckDBPyConnection, spec: FileSpec, run_id: str) -> None:
    cols = ", ".join(c.name for c in spec.columns)
    con.execute(contract.raw_table_ddl(spec))
    con.execute(f"INSERT INTO raw.{spec.name} SELECT {cols}, _line FROM stage.{spec.name}__checked "
                f"WHERE len(_reasons) = 0 ORDER BY _line")
    con.execute(
        f"""INSERT INTO audit.quarantine
            SELECT ?, '{spec.name}', _line, _raw, array_to_string(_reasons, '; ')
            FROM stage.{spec.name}__checked WHERE len(_reasons) > 0
            UNION ALL
            SELECT ?, '{spec.name}', _line, raw_row, 'malformed row: ' || reason FROM stage.{spec.name}__rejects""",
        [run_id, run_id])


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
    for ddl in AUDIT_DDL:
        con.execute(ddl)
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute("CREATE SCHEMA IF NOT EXISTS stage")
    # Read and check headers of every file first, so a missing column fails before any loading.
    for name in contract.LOAD_ORDER:
        fl, spec = found[name], contract.FILES_BY_NAME[name]
        if fl.path is not None:
            _read_file(con, fl, spec)
            _check_columns(fl, spec)
    report = LoadReport()
    for name in contract.LOAD_ORDER:
        fl, spec = found[name], contract.FILES_BY_NAME[name]
        if fl.path is None:
            # An absent optional file is an empty one.
            con.execute(contract.raw_table_ddl(spec))
            continue
        _validate(con, spec, fl.columns)
        if name == "bids":
            _later_bids(con)
        _publish_rows(con, spec, run_id)
        if name == "household_members":
            _applications_without_one_applicant(con, run_id)
    for name in contract.LOAD_ORDER:
        fl = found[name]
        rows_read = 0
        if fl.path is not None:
            rows_read = con.execute(
                f"SELECT (SELECT count(*) FROM stage.{name}) + (SELECT count(*) FROM stage.{name}__rejects)").fetchone()[0]
        loaded = con.execute(f"SELECT count(*) FROM raw.{name}").fetchone()[0]
        quarantined = con.execute(
            "SELECT count(*) FROM audit.quarantine WHERE run_id = ? AND file_name = ?", [run_id, name]).fetchone()[0]
        report.files[name] = dict(
            file_format=fl.file_format, present=fl.path is not None, rows_read=rows_read,
            rows_loaded=loaded, rows_quarantined=quarantined, extra_columns=fl.extra_columns)
        con.execute("INSERT INTO audit.load_counts VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [run_id, name, fl.file_format, fl.path is not None, rows_read, loaded, quarantined,
                     fl.extra_columns])
    con.execute("DROP SCHEMA stage CASCADE")
    return report


__all__ = ["ExtractContractError", "LoadReport", "load_extract", "find_files", "Column"]
