{# Attached to lettings_audit so Dagster shows it as that asset's check. #}
{{ config(meta={'dagster': {'ref': {'name': 'lettings_audit'}}}) }}
-- One row per accepted, non-discretionary offer on an advert (Lettings audit): none missing,
-- none that is not such an offer (offer_id is unique: a column test).
select o.offer_id, 'accepted offer missing from the audit' as problem
from {{ ref('stg_register__offers') }} as o
anti join {{ ref('lettings_audit') }} as l on l.offer_id = o.offer_id
where o.outcome = 'accepted' and o.advert_id is not null and o.discretionary_request_id is null
union all
select l.offer_id, 'not an accepted, non-discretionary offer on this advert and applicant'
from {{ ref('lettings_audit') }} as l
anti join (
    select offer_id, advert_id, application_ref
    from {{ ref('stg_register__offers') }}
    where outcome = 'accepted' and advert_id is not null and discretionary_request_id is null
) as o on o.offer_id = l.offer_id and o.advert_id = l.advert_id and o.application_ref = l.application_ref
