{# Attached to int_applicant_bands so Dagster shows it as that asset's check. #}
{{ config(meta={'dagster': {'ref': {'name': 'int_applicant_bands'}}}) }}
-- int_applicant_bands covers every application of any status (the shortlist reads the band of
-- housed and cancelled bidders too): none missing, none extra.
select
    coalesce(a.application_ref, b.application_ref) as application_ref
from {{ ref('stg_register__applications') }} as a
full outer join {{ ref('int_applicant_bands') }} as b on b.application_ref = a.application_ref
where a.application_ref is null or b.application_ref is null
