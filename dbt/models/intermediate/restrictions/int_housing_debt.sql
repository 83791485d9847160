-- Housing-related debt per application (W7): the combined balance the limit is tested against,
-- and the debts in words for the caseworker's reason.
select
    application_ref,
    evaluated_on,
    sum(balance) as housing_debt_balance,
    count(*) as housing_debts,
    string_agg(distinct debt_description, ', ' order by debt_description) as debts_description,
    string_agg(debt_id, ',' order by debt_id) as debt_ids
from {{ ref('int_housing_related_debts') }}
group by application_ref, evaluated_on
