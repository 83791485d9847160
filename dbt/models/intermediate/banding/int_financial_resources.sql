-- Financial resources test for every application, any status, on each evaluation date
-- (policy-rules.md Banding step 1, W5): band four when income or savings are strictly above the
-- limits in force on that date, unless a financial_resources policy exception active on that
-- date lifts it.
with exceptions as (
    select distinct x.application_ref, b.evaluated_on
    from {{ ref('stg_register__policy_exceptions') }} as x
    inner join {{ ref('int_bedroom_need') }} as b on b.application_ref = x.application_ref
    where x.rule = 'financial_resources'
        and x.granted_on <= b.evaluated_on
        and (x.expires_on is null or x.expires_on > b.evaluated_on)
),

tested as (
    select
        a.application_ref,
        b.evaluated_on,
        b.is_couple,
        a.gross_annual_income,
        a.savings_assets,
        case when b.is_couple then p.income_couple_limit else p.income_single_limit end as income_limit,
        p.savings_limit,
        a.gross_annual_income > case when b.is_couple then p.income_couple_limit else p.income_single_limit end
            as over_income_limit,
        a.savings_assets > p.savings_limit as over_savings_limit,
        e.application_ref is not null as has_active_exception
    from {{ ref('stg_register__applications') }} as a
    inner join {{ ref('int_bedroom_need') }} as b on b.application_ref = a.application_ref
    inner join {{ ref('int_policy__parameters_on_dates') }} as p on p.evaluated_on = b.evaluated_on
    left join exceptions as e on e.application_ref = a.application_ref and e.evaluated_on = b.evaluated_on
)

select
    application_ref,
    evaluated_on,
    is_couple,
    gross_annual_income,
    savings_assets,
    income_limit,
    savings_limit,
    over_income_limit,
    over_savings_limit,
    has_active_exception,
    (over_income_limit or over_savings_limit) and not has_active_exception as band_four_financial,
    case when over_income_limit or over_savings_limit then
        concat_ws('; ',
            case when over_income_limit then
                case when is_couple then 'couple' else 'single applicant' end
                || ' gross annual income £' || format('{:,.2f}', gross_annual_income)
                || ' is above £' || format('{:,.2f}', income_limit)
            end,
            case when over_savings_limit then
                'savings and assets £' || format('{:,.2f}', savings_assets)
                || ' are above £' || format('{:,.2f}', savings_limit)
            end
        )
        || case when has_active_exception then ' (lifted by an active financial_resources exception)' else '' end
    end as financial_detail
from tested
