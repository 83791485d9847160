-- unacceptable_behaviour restriction: one row per behaviour finding (W12) and one per
-- housing-debt eviction (W7).
-- W12: a finding excludes from decided_on until the later of decided_on + behaviour_exclusion_years
-- and extended_until, for every applicant (findings made after registration count too).
-- W7: a housing-related debt that resulted in eviction excludes from eviction_date for
-- eviction_exclusion_years, unless (arrangement_kept_at_application and balance_at_application
-- <= eviction_debt_reduction_share * original_amount) or the homelessness decision is
-- unintentionally_homeless; an empty cell does not meet an exception. An excused eviction keeps
-- its row, inactive, naming the exception.
-- Reading (spec silent): an eviction dated after D has not happened on D (Terms: rows dated
-- after D are ignored), so it gives no row yet.
-- Worked out on each evaluation date D' (int_evaluation_dates): findings decided and evictions
-- dated by D', periods of the policy in force on D', active on D'.
with params as (
    select * from {{ ref('int_policy__parameters_on_dates') }}
),

findings as (
    select
        f.application_ref,
        e.evaluated_on,
        'behaviour_finding' as source_type,
        f.finding_id as source_id,
        f.decided_on as starts_on,
        greatest(
            cast(f.decided_on + to_years(p.behaviour_exclusion_years) as date),
            coalesce(f.extended_until, f.decided_on)
        ) as ends_on,
        cast(null as varchar) as lifted_by,
        'Unacceptable behaviour (' || replace(f.finding_type, '_', ' ') || ' on '
            || strftime(f.behaviour_date, '%Y-%m-%d') || ', finding ' || f.finding_id
            || ' decided on ' || strftime(f.decided_on, '%Y-%m-%d')
            || '): excluded from the register for ' || p.behaviour_exclusion_years || ' years'
            || case
                when f.extended_until > cast(f.decided_on + to_years(p.behaviour_exclusion_years) as date)
                    then ', extended until ' || strftime(f.extended_until, '%Y-%m-%d')
                        || ' because the behaviour has not changed'
                else ' until ' || strftime(
                    cast(f.decided_on + to_years(p.behaviour_exclusion_years) as date), '%Y-%m-%d')
            end as sentence
    from {{ ref('stg_register__behaviour_findings') }} as f
    inner join {{ ref('int_evaluation_dates') }} as e on e.application_ref = f.application_ref
    inner join params as p on p.evaluated_on = e.evaluated_on
    where f.decided_on <= e.evaluated_on
),

evictions as (
    select
        d.application_ref,
        d.evaluated_on,
        'debt_eviction' as source_type,
        d.debt_id as source_id,
        d.eviction_date as starts_on,
        cast(d.eviction_date + to_years(p.eviction_exclusion_years) as date) as ends_on,
        case
            when coalesce(d.arrangement_kept_at_application, false)
                and coalesce(
                    d.balance_at_application <= p.eviction_debt_reduction_share * d.original_amount,
                    false)
                then 'arrangement_kept_at_application'
            when a.homelessness_decision = 'unintentionally_homeless'
                then 'unintentionally_homeless'
        end as lifted_by,
        'Evicted on ' || strftime(d.eviction_date, '%Y-%m-%d') || ' for housing-related debt ('
            || d.debt_description || ', debt ' || d.debt_id || ', originally '
            || format('£{:,.2f}', d.original_amount) || '): excluded from the register for '
            || p.eviction_exclusion_years || ' years until '
            || strftime(cast(d.eviction_date + to_years(p.eviction_exclusion_years) as date), '%Y-%m-%d')
            as sentence,
        d.balance_at_application,
        p.eviction_debt_reduction_share * d.original_amount as reduced_balance_limit
    from {{ ref('int_housing_related_debts') }} as d
    inner join params as p on p.evaluated_on = d.evaluated_on
    left join {{ ref('stg_register__applications') }} as a
        on a.application_ref = d.application_ref
    where d.resulted_in_eviction
      and d.eviction_date <= d.evaluated_on
),

periods as (
    select
        application_ref, evaluated_on, source_type, source_id, starts_on, ends_on, lifted_by, sentence
    from findings
    union all
    select
        application_ref, evaluated_on, source_type, source_id, starts_on, ends_on, lifted_by,
        sentence || case lifted_by
            when 'arrangement_kept_at_application' then
                '; not applied because an arrangement was being kept at application and the balance then ('
                || format('£{:,.2f}', balance_at_application) || ') was at most '
                || format('£{:,.2f}', reduced_balance_limit)
            when 'unintentionally_homeless' then
                '; not applied because the applicant was found unintentionally homeless'
            else ''
        end
    from evictions
)

select
    application_ref,
    evaluated_on,
    'unacceptable_behaviour' as restriction,
    starts_on,
    ends_on,
    lifted_by is null
        and starts_on <= evaluated_on
        and ends_on > evaluated_on as active,
    sentence || case
        when lifted_by is not null then ''
        when ends_on <= evaluated_on then ' (ended)'
        when starts_on > evaluated_on then ' (not started yet)'
        else ''
    end as reason,
    lifted_by,
    source_type,
    source_id
from periods
