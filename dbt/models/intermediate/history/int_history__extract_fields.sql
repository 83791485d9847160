-- The undated extract fields that can change a band, category, band date, register status or
-- right to bid, per application in tonight's extract (outputs-and-cli.md Night to night). The
-- history asset keeps them for the applications published tonight, so the next night can say
-- which field changed. Personal data is kept to what explains a change: no income or savings
-- (financial_resources is read from the category, W5), no dates of birth (birthdays are dated
-- facts), household members as a count.
with members as (
    select application_ref, count(*) as household_size
    from {{ ref('stg_register__household_members') }}
    group by application_ref
),

needs as (
    select
        application_ref,
        list(
            need_code || coalesce(' (' || severity || ')', '') || ' from ' || cast(assessed_on as varchar)
            || coalesce(' until ' || cast(ends_on as varchar), '')
            order by need_code, assessed_on, ends_on, severity
        ) as assessed_needs
    from {{ ref('stg_register__assessed_needs') }}
    group by application_ref
),

debt as (
    select application_ref, housing_debt_balance
    from {{ ref('int_housing_debt') }}
    where evaluated_on = {{ as_of_date() }}
)

select
    a.application_ref,
    a.application_type,
    a.status,
    a.registration_date,
    a.current_tenure,
    a.landlord_in_district,
    a.local_connection,
    a.current_bedrooms,
    a.current_floor_level,
    a.current_home_high_demand,
    a.homelessness_decision,
    coalesce(m.household_size, 0) as household_size,
    n.assessed_needs,
    coalesce(d.housing_debt_balance, 0) as housing_debt_balance
from {{ ref('stg_register__applications') }} as a
left join members as m on m.application_ref = a.application_ref
left join needs as n on n.application_ref = a.application_ref
left join debt as d on d.application_ref = a.application_ref
