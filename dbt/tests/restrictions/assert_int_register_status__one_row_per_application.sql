{# Attached to int_register_status so Dagster shows it as that asset's check. #}
{{ config(meta={'dagster': {'ref': {'name': 'int_register_status'}}}) }}
-- int_register_status has exactly one row per application of any status (interface contract).
select coalesce(a.application_ref, s.application_ref) as application_ref
from {{ ref('stg_register__applications') }} as a
full outer join {{ ref('int_register_status') }} as s
    on s.application_ref = a.application_ref
where a.application_ref is null or s.application_ref is null
