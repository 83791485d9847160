-- housing_debt restriction (W7): no bidding while housing-related debt is strictly above the
-- limit, unless the repayment arrangement has been kept for the required consecutive weeks or
-- an active `housing_debt` exception exists, on each evaluation date. starts_on is that date (D
-- for the nightly slice: the pipeline observes the balance, not when it crossed the limit) and ends_on NULL (it lasts until the debt or the arrangement
-- changes). A lifted restriction keeps its row, inactive, so caseworkers see why.
-- Both lifts can hold at once: the exception is named first (lifted_by), as the deliberate
-- decision, and the reason mentions the arrangement too.
with over_limit as (
    select
        h.application_ref,
        h.evaluated_on,
        h.housing_debt_balance,
        h.debts_description,
        h.debt_ids,
        p.housing_debt_limit,
        p.arrangement_kept_weeks
    from {{ ref('int_housing_debt') }} as h
    inner join {{ ref('int_policy__parameters_on_dates') }} as p on p.evaluated_on = h.evaluated_on
    where h.housing_debt_balance > p.housing_debt_limit
),

assessed as (
    select
        o.*,
        s.arrangement_id,
        coalesce(s.kept_streak_weeks, 0) as kept_streak_weeks,
        coalesce(s.kept_streak_weeks, 0) >= o.arrangement_kept_weeks as arrangement_kept,
        e.exception_id,
        e.granted_on as exception_granted_on,
        e.expires_on as exception_expires_on,
        'Housing-related debt of ' || format('£{:,.2f}', o.housing_debt_balance)
            || ' (' || o.debts_description || ') is over the '
            || format('£{:,.2f}', o.housing_debt_limit) || ' limit' as debt_sentence,
        case
            when s.arrangement_id is null then 'no repayment arrangement'
            else 'repayment arrangement ' || s.arrangement_id || ' kept '
                || coalesce(s.kept_streak_weeks, 0) || ' of the ' || o.arrangement_kept_weeks
                || ' consecutive weeks needed'
        end as arrangement_sentence
    from over_limit as o
    left join {{ ref('int_arrangement_streaks') }} as s
        on s.application_ref = o.application_ref and s.evaluated_on = o.evaluated_on
    left join {{ ref('int_active_policy_exceptions') }} as e
        on e.application_ref = o.application_ref
       and e.evaluated_on = o.evaluated_on
       and e.rule = 'housing_debt'
)

select
    application_ref,
    evaluated_on,
    'housing_debt' as restriction,
    evaluated_on as starts_on,
    cast(null as date) as ends_on,
    exception_id is null and not arrangement_kept as active,
    case
        when exception_id is not null then
            debt_sentence || '; ' || arrangement_sentence
            || '; lifted by policy exception ' || exception_id || ' granted on '
            || strftime(exception_granted_on, '%Y-%m-%d')
            || coalesce(' until ' || strftime(exception_expires_on, '%Y-%m-%d'), '')
            || ', so bidding is allowed'
        when arrangement_kept then
            debt_sentence || '; lifted because repayment arrangement ' || arrangement_id
            || ' has been kept for ' || kept_streak_weeks || ' consecutive weeks (at least '
            || arrangement_kept_weeks || ' needed), so bidding is allowed'
        else debt_sentence || '; ' || arrangement_sentence || ', so bidding is not allowed'
    end as reason,
    case
        when exception_id is not null then 'policy_exception'
        when arrangement_kept then 'repayment_arrangement'
    end as lifted_by,
    debt_ids as source_id
from assessed
