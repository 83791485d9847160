{# Attached to int_housing_debt_restrictions so Dagster shows it as that asset's check. #}
{{ config(meta={'dagster': {'ref': {'name': 'int_housing_debt_restrictions'}}}) }}
-- W7: a housing_debt row exists exactly for applications whose housing-related debt is over the
-- limit (a balance at or below it gives no row).
select coalesce(h.application_ref, r.application_ref) as application_ref
from (
    select d.application_ref
    from {{ ref('int_housing_debt') }} as d
    cross join {{ ref('int_policy__parameters') }} as p
    where d.housing_debt_balance > p.housing_debt_limit
) as h
full outer join {{ ref('int_housing_debt_restrictions') }} as r
    on r.application_ref = h.application_ref
where h.application_ref is null or r.application_ref is null
