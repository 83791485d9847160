-- Leaves out findings decided after the as-of date (Terms: rows dated after D are ignored).
select
    finding_id,
    application_ref,
    finding_type,
    behaviour_date,
    decided_on,
    extended_until,
    source_line
from {{ source('register', 'behaviour_findings') }}
where decided_on <= {{ as_of_date() }}
