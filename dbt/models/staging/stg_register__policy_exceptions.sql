-- Leaves out exceptions granted after the as-of date (Terms: rows dated after D are ignored).
select
    exception_id,
    application_ref,
    rule,
    granted_by,
    granted_on,
    expires_on,
    reason,
    source_line
from {{ source('register', 'policy_exceptions') }}
where granted_on <= {{ as_of_date() }}
