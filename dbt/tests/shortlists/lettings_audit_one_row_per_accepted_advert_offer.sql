{# Attached to lettings_audit so Dagster shows it as that asset's check. #}
{{ config(meta={'dagster': {'ref': {'name': 'lettings_audit'}}}) }}
-- One row per accepted, non-discretionary offer on an advert; winner_position exactly when the
-- winner was eligible; finding exactly when the winner was not eligible or someone was passed over.
select o.offer_id, 'accepted offer missing from the audit' as problem
from {{ ref('stg_register__offers') }} as o
anti join {{ ref('lettings_audit') }} as l on l.offer_id = o.offer_id
where o.outcome = 'accepted' and o.advert_id is not null and o.discretionary_request_id is null
union all
select offer_id, 'winner_position does not match winner_eligible'
from {{ ref('lettings_audit') }}
where (winner_position is not null) <> winner_eligible
union all
select offer_id, 'finding does not match'
from {{ ref('lettings_audit') }}
where finding <> (not winner_eligible or unexplained_passovers > 0)
