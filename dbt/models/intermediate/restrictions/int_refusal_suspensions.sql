-- refusals restriction (W11). A qualifying refusal is a refused offer deemed suitable, on an
-- advert the applicant had an active bid on (a direct offer has no advert, so never counts),
-- dated outcome_on, else offered_on. At each qualifying date t with at least refusals_count
-- qualifying refusals dated in (t - window, t], bidding is suspended from t to t + suspension.
-- Overlapping or touching suspensions merge into one row; past ones stay as inactive rows.
-- An active `refusals` exception lifts a suspension in force on D (row kept, inactive).
-- Worked out on each evaluation date D' (int_evaluation_dates) with only the refusals dated on or
-- before D' (an outcome recorded later had not happened then) and the policy in force on D'.
with refusals as (
    select
        o.offer_id,
        o.application_ref,
        e.evaluated_on,
        coalesce(o.outcome_on, o.offered_on) as refused_on
    from {{ ref('stg_register__offers') }} as o
    inner join {{ ref('int_evaluation_dates') }} as e on e.application_ref = o.application_ref
    where o.outcome = 'refused'
      and coalesce(o.outcome_on, o.offered_on) <= e.evaluated_on
      and o.deemed_suitable
      and o.advert_id is not null
      and exists (
          select 1
          from {{ ref('stg_register__bids') }} as b
          where b.application_ref = o.application_ref
            and b.advert_id = o.advert_id
            and b.status = 'active'
      )
),

-- Refusals per application are few, so pairing each refusal with the ones in its window is
-- cheap; a calendar-month window that excludes its start is not expressible as a RANGE frame.
windowed as (
    select
        t.application_ref,
        t.evaluated_on,
        t.refused_on as trigger_on,
        w.offer_id,
        w.refused_on,
        count(*) over (partition by t.application_ref, t.evaluated_on, t.offer_id) as in_window,
        p.refusals_count,
        p.refusals_window_months,
        p.refusals_suspension_months
    from refusals as t
    inner join {{ ref('int_policy__parameters_on_dates') }} as p on p.evaluated_on = t.evaluated_on
    inner join refusals as w
        on w.application_ref = t.application_ref
       and w.evaluated_on = t.evaluated_on
       and w.refused_on > cast(t.refused_on - to_months(p.refusals_window_months) as date)
       and w.refused_on <= t.refused_on
),

suspensions as (
    select
        application_ref,
        evaluated_on,
        trigger_on as starts_on,
        cast(trigger_on + to_months(refusals_suspension_months) as date) as ends_on,
        offer_id,
        refused_on,
        refusals_count,
        refusals_window_months
    from windowed
    where in_window >= refusals_count
),

-- Islands: a suspension starts a new row when it begins after every earlier one has ended
-- (starting on the day another ends is touching, so it merges).
flagged as (
    select
        *,
        case
            when starts_on <= max(ends_on) over (
                partition by application_ref, evaluated_on order by starts_on, ends_on
                rows between unbounded preceding and 1 preceding
            ) then 0
            else 1
        end as new_island
    from suspensions
),

islands as (
    select
        *,
        sum(new_island) over (
            partition by application_ref, evaluated_on order by starts_on, ends_on
            rows between unbounded preceding and current row
        ) as island
    from flagged
),

merged as (
    select
        application_ref,
        evaluated_on,
        island,
        min(starts_on) as starts_on,
        max(ends_on) as ends_on,
        count(distinct offer_id) as refusals,
        min(refused_on) as first_refused_on,
        max(refused_on) as last_refused_on,
        string_agg(distinct offer_id, ',' order by offer_id) as offer_ids,
        any_value(refusals_count) as refusals_count,
        any_value(refusals_window_months) as refusals_window_months
    from islands
    group by application_ref, evaluated_on, island
),

assessed as (
    select
        m.*,
        m.starts_on <= m.evaluated_on and m.ends_on > m.evaluated_on as in_force,
        e.exception_id,
        e.granted_on as exception_granted_on,
        e.expires_on as exception_expires_on,
        'Refused ' || m.refusals || ' suitable offers between '
            || strftime(m.first_refused_on, '%Y-%m-%d') || ' and '
            || strftime(m.last_refused_on, '%Y-%m-%d') || ' (offers ' || m.offer_ids
            || '), at least ' || m.refusals_count || ' within '
            || m.refusals_window_months || ' months: bidding suspended from ' || strftime(m.starts_on, '%Y-%m-%d')
            || ' until ' || strftime(m.ends_on, '%Y-%m-%d') as suspension_sentence
    from merged as m
    left join {{ ref('int_active_policy_exceptions') }} as e
        on e.application_ref = m.application_ref
       and e.evaluated_on = m.evaluated_on
       and e.rule = 'refusals'
)

select
    application_ref,
    evaluated_on,
    'refusals' as restriction,
    starts_on,
    ends_on,
    in_force and exception_id is null as active,
    suspension_sentence || case
        when in_force and exception_id is not null then
            '; lifted by policy exception ' || exception_id || ' granted on '
            || strftime(exception_granted_on, '%Y-%m-%d')
            || coalesce(' until ' || strftime(exception_expires_on, '%Y-%m-%d'), '')
            || ', so bidding is allowed'
        when in_force then ''
        when ends_on <= evaluated_on then ' (ended)'
        else ' (not started yet)'
    end as reason,
    case when in_force and exception_id is not null then 'policy_exception' end as lifted_by,
    offer_ids as source_id
from assessed
