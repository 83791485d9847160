{# Attached to discretionary_audit so Dagster shows it as that asset's check. #}
{{ config(meta={'dagster': {'ref': {'name': 'discretionary_audit'}}}) }}
-- One audit row per discretionary request in the extract (as of D), none missing, none extra.
with audit_rows as (
    select request_id, count(*) as rows_in_audit
    from {{ ref('discretionary_audit') }}
    group by request_id
)

select coalesce(r.request_id, a.request_id) as request_id, a.rows_in_audit
from {{ ref('stg_register__discretionary_requests') }} as r
full outer join audit_rows as a on a.request_id = r.request_id
where r.request_id is null or a.request_id is null or a.rows_in_audit <> 1
