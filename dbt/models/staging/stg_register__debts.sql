select
    debt_id,
    application_ref,
    creditor_type,
    debt_type,
    original_amount,
    balance,
    balance_at_application,
    resulted_in_eviction,
    eviction_date,
    arrangement_kept_at_application,
    source_line
from {{ source('register', 'debts') }}
