-- Kept-week streak of each application's current repayment arrangement on each evaluation date
-- D' (W7): only weeks starting by D' are known on D' (the rows below use D' where the spec says D).
-- Only the arrangement with the latest week_starting counts, from its own first week (ties on
-- that week: the highest arrangement_id, so the choice is deterministic). A week starting on
-- Monday M has ended when M + 6 <= D; weeks run from the arrangement's first week to the last
-- ended week; a week is kept when amount_paid >= amount_due and a week with no row is missed.
-- The streak counts back from the last ended week: kept rows numbered back from it are
-- consecutive exactly while week_starting = last ended week - 7 * (n - 1); the first gap or
-- unkept week breaks that equality for every earlier row, so counting the matches is the streak.
with payments as (
    select p.*, e.evaluated_on
    from {{ ref('stg_register__arrangement_payments') }} as p
    inner join {{ ref('int_evaluation_dates') }} as e on e.application_ref = p.application_ref
    where p.week_starting <= e.evaluated_on
),

latest_arrangement as (
    select
        application_ref,
        evaluated_on,
        arg_max(arrangement_id, (week_starting, arrangement_id)) as arrangement_id
    from payments
    group by application_ref, evaluated_on
),

weeks as (
    select
        p.application_ref,
        p.evaluated_on,
        p.arrangement_id,
        p.week_starting,
        p.amount_paid >= p.amount_due as kept,
        min(p.week_starting) over (partition by p.application_ref, p.evaluated_on) as first_week
    from payments as p
    inner join latest_arrangement as l
        on l.application_ref = p.application_ref
       and l.evaluated_on = p.evaluated_on
       and l.arrangement_id = p.arrangement_id
),

bounds as (
    select
        *,
        -- The last Monday-aligned week (counted from the first week) that has ended by D.
        first_week + 7 * cast(floor((evaluated_on - 6 - first_week) / 7) as integer)
            as last_ended_week
    from weeks
),

kept_back as (
    select
        *,
        row_number() over (partition by application_ref, evaluated_on order by week_starting desc)
            as n_back
    from bounds
    where kept and week_starting <= last_ended_week
)

select
    b.application_ref,
    b.evaluated_on,
    b.arrangement_id,
    b.first_week,
    -- NULL when the first week has not ended yet.
    case when b.last_ended_week >= b.first_week then b.last_ended_week end as last_ended_week,
    greatest(cast((b.last_ended_week - b.first_week) / 7 as integer) + 1, 0) as weeks_ended,
    count(k.week_starting) filter (
        where k.week_starting = b.last_ended_week - cast(7 * (k.n_back - 1) as integer)
    ) as kept_streak_weeks
from (select distinct application_ref, evaluated_on, arrangement_id, first_week, last_ended_week from bounds) as b
left join kept_back as k on k.application_ref = b.application_ref and k.evaluated_on = b.evaluated_on
group by all
