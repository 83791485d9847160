select
    application_ref,
    member_id,
    relationship,
    date_of_birth,
    sex,
    months_lived_with_while_serving,
    source_line
from {{ source('register', 'household_members') }}
