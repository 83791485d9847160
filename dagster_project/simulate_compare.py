"""The comparison `allocations simulate` writes: the marts built under the policy in force
(catalog `in_force`) against the marts built under the proposal (catalog `proposed`), over the
same extract (catalog `build`, the scratch build database), into the output file (catalog `out`).

Tables of the output file (docs/simulating-a-policy-change.md describes them for readers):
- simulation: one row, what was simulated and the headline counts;
- proposed_rows: each proposed policy row, with the row it replaces in the policy in force on D;
- band_transitions: (band, category) in force -> (band, category) proposed, with the number of
  active applications, unchanged pairs included (moved = false);
- applications_moved: each application whose band, category, band date, bedroom need, register
  status or right to bid differs, old and new;
- bidding_rights: each application that gains or loses the right to bid, and why (the bidding
  restrictions active on D that end or start);
- top_bidders: each advert that closed from the proposal's in-force date to D, its top eligible
  bidder as at its close under each policy, and whether it changes.
"""
from __future__ import annotations

import duckdb

BAND_COLUMNS = ("band", "category", "band_date", "bedroom_need", "on_register", "can_bid")

TABLES = {
    "band_transitions": """
        SELECT o.band AS from_band, o.category AS from_category, n.band AS to_band, n.category AS to_category,
               count(*) AS applications,
               o.band IS DISTINCT FROM n.band OR o.category IS DISTINCT FROM n.category AS moved
        FROM in_force.marts.applicant_bands AS o
        FULL JOIN proposed.marts.applicant_bands AS n USING (application_ref)
        GROUP BY ALL
        ORDER BY moved DESC, applications DESC, from_band, from_category, to_band, to_category""",
    "applications_moved": """
        SELECT application_ref, """ + ", ".join(f"o.{c} AS from_{c}, n.{c} AS to_{c}" for c in BAND_COLUMNS) + """
        FROM in_force.marts.applicant_bands AS o
        FULL JOIN proposed.marts.applicant_bands AS n USING (application_ref)
        WHERE """ + " OR ".join(f"o.{c} IS DISTINCT FROM n.{c}" for c in BAND_COLUMNS) + """
        ORDER BY application_ref""",
    "bidding_rights": """
        WITH restrictions AS (
            SELECT 'in_force' AS policy, application_ref, restriction, reason
            FROM in_force.marts.bidding_restrictions WHERE active
            UNION ALL
            SELECT 'proposed', application_ref, restriction, reason
            FROM proposed.marts.bidding_restrictions WHERE active
        ),
        ended AS (
            SELECT application_ref, string_agg(restriction || ' no longer applies (' || reason || ')', '; '
                                                ORDER BY restriction) AS why
            FROM restrictions AS r WHERE policy = 'in_force' AND NOT EXISTS (
                SELECT 1 FROM restrictions AS s WHERE s.policy = 'proposed'
                    AND s.application_ref = r.application_ref AND s.restriction = r.restriction)
            GROUP BY application_ref
        ),
        started AS (
            SELECT application_ref, string_agg(restriction || ' applies (' || reason || ')', '; '
                                                ORDER BY restriction) AS why
            FROM restrictions AS r WHERE policy = 'proposed' AND NOT EXISTS (
                SELECT 1 FROM restrictions AS s WHERE s.policy = 'in_force'
                    AND s.application_ref = r.application_ref AND s.restriction = r.restriction)
            GROUP BY application_ref
        )
        SELECT application_ref,
               CASE WHEN n.can_bid THEN 'gains' ELSE 'loses' END AS change,
               o.band AS from_band, n.band AS to_band,
               coalesce(CASE WHEN n.can_bid THEN ended.why ELSE started.why END,
                        CASE WHEN o.on_register IS DISTINCT FROM n.on_register
                             THEN CASE WHEN n.on_register THEN 'back on the register' ELSE 'off the register' END END
                       ) AS why
        FROM in_force.marts.applicant_bands AS o
        JOIN proposed.marts.applicant_bands AS n USING (application_ref)
        LEFT JOIN ended USING (application_ref)
        LEFT JOIN started USING (application_ref)
        WHERE o.can_bid IS DISTINCT FROM n.can_bid
        ORDER BY change, application_ref""",
    "top_bidders": """
        WITH adverts AS (
            SELECT advert_id, property_type, bedrooms, advertised_band, closes_on
            FROM build.staging.stg_register__adverts
            WHERE closes_on BETWEEN $in_force_from AND $as_of
        ),
        tops AS (
            SELECT 'in_force' AS policy, advert_id, application_ref, count(*) OVER (PARTITION BY advert_id) AS n
            FROM in_force.marts.shortlists WHERE eligible
            QUALIFY position = min(position) OVER (PARTITION BY advert_id)
            UNION ALL
            SELECT 'proposed', advert_id, application_ref, count(*) OVER (PARTITION BY advert_id)
            FROM proposed.marts.shortlists WHERE eligible
            QUALIFY position = min(position) OVER (PARTITION BY advert_id)
        ),
        eligible AS (
            SELECT advert_id,
                   count(*) FILTER (WHERE o.eligible) AS eligible_bids_in_force,
                   count(*) FILTER (WHERE n.eligible) AS eligible_bids_proposed
            FROM in_force.marts.shortlists AS o
            FULL JOIN proposed.marts.shortlists AS n USING (advert_id, bid_id)
            GROUP BY advert_id
        )
        SELECT a.*, o.application_ref AS in_force_top, n.application_ref AS proposed_top,
               o.application_ref IS DISTINCT FROM n.application_ref AS changed,
               coalesce(e.eligible_bids_in_force, 0) AS eligible_bids_in_force,
               coalesce(e.eligible_bids_proposed, 0) AS eligible_bids_proposed
        FROM adverts AS a
        LEFT JOIN tops AS o ON o.advert_id = a.advert_id AND o.policy = 'in_force'
        LEFT JOIN tops AS n ON n.advert_id = a.advert_id AND n.policy = 'proposed'
        LEFT JOIN eligible AS e ON e.advert_id = a.advert_id
        ORDER BY a.closes_on, a.advert_id""",
}


def write_comparison(con: duckdb.DuckDBPyConnection, params: dict) -> dict:
    """Write the comparison tables into catalog `out` (the catalogs above attached); returns the
    headline counts."""
    for name, sql in TABLES.items():
        used = {k: v for k, v in params.items() if f"${k}" in sql}
        con.execute(f"CREATE TABLE out.main.{name} AS {sql}", used)
    counts = con.execute("""
        SELECT (SELECT count(*) FROM in_force.marts.applicant_bands),
               (SELECT count(*) FROM out.main.applications_moved
                WHERE from_band IS DISTINCT FROM to_band OR from_category IS DISTINCT FROM to_category),
               (SELECT count(*) FROM out.main.bidding_rights WHERE change = 'gains'),
               (SELECT count(*) FROM out.main.bidding_rights WHERE change = 'loses'),
               (SELECT count(*) FROM out.main.top_bidders),
               (SELECT count(*) FROM out.main.top_bidders WHERE changed)""").fetchone()
    return dict(zip(("applications", "applications_moved", "gain_right_to_bid", "lose_right_to_bid",
                     "adverts_compared", "adverts_top_bidder_changed"), counts))
