-- W5 recomputed for every active application straight from the extract and the policy in force,
-- deliberately without the banding models (not even int_bedroom_need for couple status), so a
-- defect there cannot hide itself: the applicant_bands suite compares this with the mart.
with parameters as (
    select * from {{ ref('int_policy__parameters') }}
),

applications as (
    select application_ref, gross_annual_income, savings_assets
    from {{ ref('stg_register__applications') }}
    where status = 'active'
),

-- Couple (Terms, W18): a partner, a joint applicant, or a former forces partner who counts.
couples as (
    select distinct m.application_ref
    from {{ ref('stg_register__household_members') }} as m
    cross join parameters as p
    where m.relationship in ('partner', 'joint_applicant')
       or (m.relationship = 'former_forces_partner'
           and coalesce(m.months_lived_with_while_serving, 0) >= p.forces_partner_min_months)
),

exceptions as (
    select distinct application_ref
    from {{ ref('stg_register__policy_exceptions') }}
    where rule = 'financial_resources'
      and granted_on <= {{ as_of_date() }}
      and (expires_on is null or expires_on > {{ as_of_date() }})
),

tested as (
    select
        a.application_ref,
        c.application_ref is not null as is_couple,
        a.gross_annual_income,
        a.savings_assets,
        case when c.application_ref is not null then p.income_couple_limit else p.income_single_limit end as income_limit,
        p.savings_limit,
        e.application_ref is not null as has_active_exception
    from applications as a
    cross join parameters as p
    left join couples as c on c.application_ref = a.application_ref
    left join exceptions as e on e.application_ref = a.application_ref
)

select
    application_ref,
    is_couple,
    gross_annual_income,
    savings_assets,
    income_limit,
    savings_limit,
    gross_annual_income > income_limit as over_income_limit,
    savings_assets > savings_limit as over_savings_limit,
    has_active_exception,
    (gross_annual_income > income_limit or savings_assets > savings_limit) and not has_active_exception
        as expected_band_four_financial
from tested
