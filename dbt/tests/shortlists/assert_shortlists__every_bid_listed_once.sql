{# Attached to shortlists so Dagster shows it as that asset's check. #}
{{ config(meta={'dagster': {'ref': {'name': 'shortlists'}}}) }}
-- marts.shortlists has exactly one row per bid placed on or before D (every bid, any status).
-- Comparing a whole register's bids one by one is a large join, so each advert's bids are compared
-- first by count and a sum of 64-bit hashes of their ids (equal sets give equal fingerprints;
-- unequal ones differ but for a 2^-64 chance), and only adverts that differ are compared bid by
-- bid. A bid whose advert id changed shows on both adverts.
with fingerprints as (
    select advert_id, count(*) as bids, sum(hash(bid_id)::hugeint) as hashed
    from {{ ref('shortlists') }}
    group by advert_id
),

extract_fingerprints as (
    select advert_id, count(*) as bids, sum(hash(bid_id)::hugeint) as hashed
    from {{ ref('stg_register__bids') }}
    group by advert_id
),

differing_adverts as (
    select coalesce(s.advert_id, e.advert_id) as advert_id
    from fingerprints as s
    full join extract_fingerprints as e on e.advert_id = s.advert_id
    where s.bids is distinct from e.bids or s.hashed is distinct from e.hashed
)

select advert_id, bid_id, sum(copies) as rows_in_shortlist, bool_or(in_extract) as in_extract
from (
    select advert_id, bid_id, 1 as copies, false as in_extract
    from {{ ref('shortlists') }} semi join differing_adverts using (advert_id)
    union all
    select advert_id, bid_id, 0, true
    from {{ ref('stg_register__bids') }} semi join differing_adverts using (advert_id)
) as both_lists
group by advert_id, bid_id
having sum(copies) <> 1 or not bool_or(in_extract)
