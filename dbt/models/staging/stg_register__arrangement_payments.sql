-- Leaves out weeks starting after the as-of date (Terms: rows dated after D are ignored).
select
    arrangement_id,
    application_ref,
    week_starting,
    amount_due,
    amount_paid,
    source_line
from {{ source('register', 'arrangement_payments') }}
where week_starting <= {{ as_of_date() }}
