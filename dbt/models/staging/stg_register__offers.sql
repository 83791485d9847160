-- Leaves out offers made after the as-of date (Terms: rows dated after D are ignored).
-- An outcome recorded after the as-of date had not happened on D: the offer is still pending then.
select
    offer_id,
    advert_id,
    property_ref,
    application_ref,
    offered_on,
    case when outcome_on > {{ as_of_date() }} then 'pending' else outcome end as outcome,
    case when outcome_on > {{ as_of_date() }} then null else outcome_on end as outcome_on,
    case when outcome_on > {{ as_of_date() }} then null else deemed_suitable end as deemed_suitable,
    discretionary_request_id,
    source_line
from {{ source('register', 'offers') }}
where offered_on <= {{ as_of_date() }}
