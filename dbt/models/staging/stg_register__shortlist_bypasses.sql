-- Leaves out bypasses recorded after the as-of date (Terms: rows dated after D are ignored).
select
    advert_id,
    application_ref,
    reason,
    recorded_by,
    recorded_on,
    source_line
from {{ source('register', 'shortlist_bypasses') }}
where recorded_on <= {{ as_of_date() }}
