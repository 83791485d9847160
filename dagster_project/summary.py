"""The short summary printed at the end of a run, read from the published database."""
from __future__ import annotations

from pathlib import Path

import duckdb


def _rows(con, sql, params=()):
    return con.execute(sql, list(params)).fetchall()


# The kinds of change of marts.changes_since_last_run, in the order the summary gives them; the
# first four are always given.
CHANGE_WORDS = (("up", "up"), ("down", "down"), ("joined", "joined"), ("left", "left"),
                ("moved", "moved to or from the transfer band"),
                ("same_band", "other (category, band date, register or bidding status)"))


def changes_overnight(con, as_of) -> str:
    """One line: how many applications changed since the previous published run, by kind."""
    counts = dict(_rows(con, "SELECT change, count(*) FROM marts.changes_since_last_run GROUP BY change"))
    previous = _rows(con, "SELECT max(last_as_of) FROM history.published_bands WHERE last_as_of < ?", [as_of])
    if not counts and (not previous or previous[0][0] is None):
        return "band changes overnight: none to report (no run published before this as-of date)"
    shown = [f"{counts.get(kind, 0):,} {words}" for i, (kind, words) in enumerate(CHANGE_WORDS)
             if i < 4 or counts.get(kind)]
    return "band changes overnight: " + ", ".join(shown)


def run_summary(database: Path, run_id: str) -> str:
    lines: list[str] = []
    with duckdb.connect(str(database), read_only=True) as con:
        run = _rows(con, "SELECT as_of_date, policy_effective_from, rows_loaded, rows_quarantined "
                         "FROM audit.runs WHERE run_id = ?", [run_id])
        if run:
            as_of, policy, loaded, quarantined = run[0]
            lines.append(f"as of {as_of}, policy version in force from {policy}")
            lines.append(f"extract: {loaded:,} rows loaded, {quarantined:,} quarantined")
            for file_name, n in _rows(con, "SELECT file_name, rows_quarantined FROM audit.load_counts "
                                           "WHERE run_id = ? AND rows_quarantined > 0 ORDER BY file_name", [run_id]):
                lines.append(f"  quarantined from {file_name}: {n:,}")
        lines.append("marts:")
        # Views (the explanations) are listed, not counted: counting one words every row of the
        # register, which is the cost the view exists to avoid.
        for table, kind in _rows(con, "SELECT table_name, table_type FROM information_schema.tables "
                                      "WHERE table_schema = 'marts' ORDER BY table_name"):
            if kind != "BASE TABLE":
                lines.append(f"  marts.{table}: view")
                continue
            n = con.execute(f"SELECT count(*) FROM marts.{table}").fetchone()[0]
            lines.append(f"  marts.{table}: {n:,} rows")
        tables = {r[0] for r in _rows(con, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'")}
        if "applicant_bands" in tables:
            lines.append("bands (active applications):")
            for band, n, share, can_bid in _rows(con, """
                    SELECT band, count(*), 100.0 * count(*) / sum(count(*)) OVER (), count(*) FILTER (WHERE can_bid)
                    FROM marts.applicant_bands GROUP BY band
                    ORDER BY array_position(['band_one','band_two','band_three','band_four','transfer'], band)"""):
                lines.append(f"  {band:<11} {n:>9,}  {share:5.1f}%  ({can_bid:,} can bid)")
        if "changes_since_last_run" in tables and run:
            lines.append(changes_overnight(con, run[0][0]))
        if "bidding_restrictions" in tables:
            lines.append("restrictions active on the as-of date (applicants affected):")
            for restriction, n in _rows(con, """
                    SELECT restriction, count(DISTINCT application_ref) FILTER (WHERE active)
                    FROM marts.bidding_restrictions GROUP BY restriction ORDER BY restriction"""):
                lines.append(f"  {restriction:<23} {n:>9,}")
        if "expectation_results" in {r[0] for r in _rows(con, "SELECT table_name FROM information_schema.tables "
                                                                 "WHERE table_schema = 'audit'")}:
            counts = _rows(con, """SELECT severity, count(*), count(*) FILTER (WHERE success)
                                   FROM audit.expectation_results WHERE run_id = ? GROUP BY severity ORDER BY severity""",
                           [run_id])
            lines.append("expectations: " + ", ".join(f"{sev} {ok}/{n} passed" for sev, n, ok in counts))
            for suite, expectation, observed in _rows(con, """
                    SELECT suite, expectation, observed_value FROM audit.expectation_results
                    WHERE run_id = ? AND NOT success ORDER BY suite, expectation""", [run_id]):
                lines.append(f"  warning: {suite}: {expectation} (observed {observed})")
    lines.append(f"published: {database}")
    return "\n".join(lines)
