{# Attached to bidding_restrictions so Dagster shows it as that asset's check. #}
{{ config(meta={'dagster': {'ref': {'name': 'bidding_restrictions'}}}) }}
-- marts.bidding_restrictions covers active applications only, and every restriction of an
-- active application is published.
select r.application_ref, r.restriction, r.starts_on, 'not published' as problem
from {{ ref('int_restriction_periods') }} as r
inner join {{ ref('stg_register__applications') }} as a
    on a.application_ref = r.application_ref and a.status = 'active'
-- the restriction models answer for several dates; the mart publishes D's rows
where r.evaluated_on = {{ as_of_date() }}
  and not exists (
    select 1 from {{ ref('bidding_restrictions') }} as m
    where m.application_ref = r.application_ref
      and m.restriction = r.restriction
      and m.starts_on = r.starts_on
)
union all
select m.application_ref, m.restriction, m.starts_on, 'application not active' as problem
from {{ ref('bidding_restrictions') }} as m
inner join {{ ref('stg_register__applications') }} as a
    on a.application_ref = m.application_ref
where a.status <> 'active'
