-- Leaves out events after the as-of date (Terms: rows dated after D are ignored).
select
    event_id,
    request_id,
    event_type,
    event_on,
    staff_id,
    source_line
from {{ source('register', 'discretionary_events') }}
where event_on <= {{ as_of_date() }}
