{# Attached to shortlists so Dagster shows it as that asset's check. #}
{{ config(meta={'dagster': {'ref': {'name': 'shortlists'}}}) }}
-- marts.shortlists has exactly one row per bid placed on or before D (every bid, any status).
select b.bid_id, count(s.bid_id) as rows_in_shortlist
from {{ ref('stg_register__bids') }} as b
left join {{ ref('shortlists') }} as s on s.bid_id = b.bid_id
group by b.bid_id
having count(s.bid_id) <> 1
union all
select s.bid_id, 0
from {{ ref('shortlists') }} as s
anti join {{ ref('stg_register__bids') }} as b on b.bid_id = s.bid_id
