{# Attached to equality_outcomes so Dagster shows it as that asset's check. #}
{{ config(meta={'dagster': {'ref': {'name': 'equality_outcomes'}}}) }}
-- No suppressed cell leaks (outputs-and-cli.md marts.equality_outcomes): a published count is
-- never below the threshold in force (seed publication_parameters); a suppressed row publishes
-- neither its count nor a median; a median is published only on a housed row with its count.
select e.*
from {{ ref('equality_outcomes') }} as e
cross join {{ ref('int_publication_parameters') }} as p
where (e.households is not null and e.households < p.suppress_counts_below)
    or (e.suppressed and (e.households is not null or e.median_months_to_letting is not null))
    or (not e.suppressed and e.households is null)
    or (e.median_months_to_letting is not null and e.measure <> 'housed')
