-- Register and bidding status of every application of any status on each of its evaluation dates
-- (policy-rules.md, Restrictions, last paragraph), with the status on that date
-- (int_evaluation_dates: housed after the date reads active). active_restrictions ignores status on purpose: the shortlist
-- lists a cancelled or housed bidder's restrictions too.
with active_codes as (
    select
        application_ref,
        evaluated_on,
        bool_or(restriction = 'housing_debt') as housing_debt,
        bool_or(restriction = 'refusals') as refusals,
        bool_or(restriction = 'unacceptable_behaviour') as unacceptable_behaviour,
        bool_or(restriction = 'twelve_month_rule') as twelve_month_rule
    from {{ ref('int_restriction_periods') }}
    where active
    group by application_ref, evaluated_on
),

flags as (
    select
        a.application_ref,
        a.evaluated_on,
        a.status,
        coalesce(c.housing_debt, false) as housing_debt,
        coalesce(c.refusals, false) as refusals,
        coalesce(c.unacceptable_behaviour, false) as unacceptable_behaviour,
        coalesce(c.twelve_month_rule, false) as twelve_month_rule
    from {{ ref('int_evaluation_dates') }} as a
    left join active_codes as c on c.application_ref = a.application_ref and c.evaluated_on = a.evaluated_on
)

select
    application_ref,
    evaluated_on,
    status = 'active' and not (unacceptable_behaviour or twelve_month_rule) as on_register,
    status = 'active' and not (unacceptable_behaviour or twelve_month_rule)
        and not (housing_debt or refusals) as can_bid,
    -- The order of the spec's list of restrictions; each code once.
    cast(list_filter([
        case when housing_debt then 'housing_debt' end,
        case when refusals then 'refusals' end,
        case when unacceptable_behaviour then 'unacceptable_behaviour' end,
        case when twelve_month_rule then 'twelve_month_rule' end
    ], lambda x: x is not null) as varchar[]) as active_restrictions,
    unacceptable_behaviour or twelve_month_rule as restricted_from_register,
    housing_debt or refusals as restricted_from_bidding
from flags
