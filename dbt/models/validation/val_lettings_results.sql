-- Profile of marts.lettings_results against marts.lettings_audit for the lettings_results suite:
-- per advert, its rows in each (the results publish every let the audit judges, and no other),
-- and whether the published band is the winner's band at the close in marts.shortlist_applicants.
with results as (
    select advert_id, count(*) as result_rows from {{ ref('lettings_results') }} group by advert_id
),

audited as (
    select advert_id, count(*) as audit_rows from {{ ref('lettings_audit') }} group by advert_id
),

per_advert as (
    select
        coalesce(r.advert_id, a.advert_id) as advert_id,
        coalesce(r.result_rows, 0) as result_rows,
        coalesce(a.audit_rows, 0) as audit_rows
    from results as r
    full outer join audited as a on a.advert_id = r.advert_id
)

select
    result_rows = audit_rows as rows_match_lettings_audit,
    count(*) as adverts,
    array_to_string(min(advert_id || ' (' || result_rows || ' published, ' || audit_rows || ' audited)', 3), '; ') as examples
from per_advert
group by all
