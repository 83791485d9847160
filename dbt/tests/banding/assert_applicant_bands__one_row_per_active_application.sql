{# Attached to applicant_bands so Dagster shows it as that asset's check. #}
{{ config(meta={'dagster': {'ref': {'name': 'applicant_bands'}}}) }}
-- marts.applicant_bands has exactly one row per active application on the extract as of D
-- (outputs-and-cli.md): none missing, none extra (uniqueness is a column test).
select
    coalesce(a.application_ref, b.application_ref) as application_ref,
    a.application_ref is null as extra_in_mart,
    b.application_ref is null as missing_from_mart
from (
    select application_ref from {{ ref('stg_register__applications') }} where status = 'active'
) as a
full outer join {{ ref('applicant_bands') }} as b on b.application_ref = a.application_ref
where a.application_ref is null or b.application_ref is null
