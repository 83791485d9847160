select
    staff_id,
    role,
    team,
    source_line
from {{ source('register', 'staff') }}
