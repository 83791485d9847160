-- What the council publishes after each letting (outputs-and-cli.md marts.lettings_results;
-- s.166A(9) Housing Act 1996: applicants are told how long they may wait): one row per let of
-- marts.lettings_audit (an accepted, non-discretionary offer on an advert), with the advert, its
-- bids, and the successful bidder's band, priority group and dates as they stood at the close
-- (the shortlist as at close, Shortlisting; W3). It holds no personal data: no application
-- reference, bid or offer id, date of birth or name (dbt/tests/audiences checks the columns
-- and the values).
with lets as (
    select
        l.advert_id,
        l.application_ref,
        coalesce(o.outcome_on, o.offered_on) as let_on
    from {{ ref('lettings_audit') }} as l
    inner join {{ ref('stg_register__offers') }} as o on o.offer_id = l.offer_id
),

bid_counts as (
    select
        advert_id,
        count(*) as bids,
        count(*) filter (where eligible) as eligible_bids,
        -- the close the shortlist was assessed on (closes_on, or D while the advert is open)
        max(assessed_on) as assessed_on
    from {{ ref('shortlists') }}
    group by advert_id
),

adverts as (
    select
        a.advert_id,
        a.property_type,
        a.bedrooms,
        a.advertised_band,
        a.closes_on,
        coalesce(c.assessed_on, least(a.closes_on, {{ as_of_date() }})) as assessed_on,
        coalesce(c.bids, 0) as bids,
        coalesce(c.eligible_bids, 0) as eligible_bids
    from {{ ref('stg_register__adverts') }} as a
    left join bid_counts as c on c.advert_id = a.advert_id
),

with_advert as (
    select l.*, a.* exclude (advert_id)
    from lets as l
    inner join adverts as a on a.advert_id = l.advert_id
),

-- the winner's facts as at the close: its latest assessment on or before it
winners as (
    select w.*, sa.band, sa.band_date, sa.registration_date
    from with_advert as w
    asof left join {{ ref('shortlist_applicants') }} as sa
        on sa.application_ref = w.application_ref and w.assessed_on >= sa.assessed_on
)

select
    w.advert_id,
    w.property_type,
    cast(w.bedrooms as integer) as bedrooms,
    w.advertised_band,
    w.closes_on,
    w.let_on,
    cast(w.bids as integer) as bids,
    cast(w.eligible_bids as integer) as eligible_bids,
    w.band,
    cast(s.priority_group as integer) as priority_group,
    w.band_date,
    w.registration_date
from winners as w
left join {{ ref('shortlists') }} as s
    on s.advert_id = w.advert_id and s.application_ref = w.application_ref
