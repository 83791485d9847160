-- Leaves out needs assessed after the as-of date (Terms: rows dated after D are ignored).
select
    need_id,
    application_ref,
    need_code,
    assessed_on,
    ends_on,
    severity,
    supporting_agency,
    source_line
from {{ source('register', 'assessed_needs') }}
where assessed_on <= {{ as_of_date() }}
