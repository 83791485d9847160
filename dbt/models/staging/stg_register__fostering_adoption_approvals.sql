-- Leaves out approvals made after the as-of date (Terms: rows dated after D are ignored).
select
    approval_id,
    application_ref,
    approved_on,
    kind,
    additional_bedrooms,
    evidence_verified,
    source_line
from {{ source('register', 'fostering_adoption_approvals') }}
where approved_on <= {{ as_of_date() }}
