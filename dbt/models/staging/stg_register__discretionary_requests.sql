-- Leaves out requests initiated after the as-of date (Terms: rows dated after D are ignored).
select
    request_id,
    application_ref,
    initiated_by,
    initiated_on,
    reason,
    related_party,
    exceptional_circumstances,
    property_landlord_type,
    source_line
from {{ source('register', 'discretionary_requests') }}
where initiated_on <= {{ as_of_date() }}
