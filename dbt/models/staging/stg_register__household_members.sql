select
    application_ref,
    member_id,
    relationship,
    date_of_birth,
    sex,
    months_lived_with_while_serving,
    -- optional columns (equality monitoring): NULL in every row when the extract leaves them out
    ethnic_group,
    disability,
    source_line
from {{ source('register', 'household_members') }}
