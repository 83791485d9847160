-- Debts that are housing-related under the policy in force on each evaluation date (W7): the debt type and the
-- creditor type are both in int_policy__housing_debt_scope (the 2018 version adds private
-- landlords, building societies, banks and other lenders; council tax, utilities and `other`
-- never count). Feeds the balance test and the eviction exclusion.
with scope as (
    select evaluated_on, scope, code from {{ ref('int_policy__housing_debt_scope_on_dates') }}
)

select
    d.debt_id,
    e.evaluated_on,
    d.application_ref,
    d.creditor_type,
    d.debt_type,
    d.original_amount,
    d.balance,
    d.balance_at_application,
    d.resulted_in_eviction,
    d.eviction_date,
    d.arrangement_kept_at_application,
    replace(d.debt_type, '_', ' ') || ' owed to ' || case d.creditor_type
        when 'council' then 'the council'
        when 'other_lender' then 'another lender'
        else 'a ' || replace(d.creditor_type, '_', ' ')
    end as debt_description
from {{ ref('stg_register__debts') }} as d
inner join {{ ref('int_evaluation_dates') }} as e on e.application_ref = d.application_ref
inner join scope as st on st.evaluated_on = e.evaluated_on and st.scope = 'debt_type' and st.code = d.debt_type
inner join scope as sc on sc.evaluated_on = e.evaluated_on and sc.scope = 'creditor_type' and sc.code = d.creditor_type
