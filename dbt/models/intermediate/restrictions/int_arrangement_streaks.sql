-- Kept-week streak of each application's current repayment arrangement (W7).
-- Only the arrangement with the latest week_starting counts, from its own first week (ties on
-- that week: the highest arrangement_id, so the choice is deterministic). A week starting on
-- Monday M has ended when M + 6 <= D; weeks run from the arrangement's first week to the last
-- ended week; a week is kept when amount_paid >= amount_due and a week with no row is missed.
-- The streak counts back from the last ended week: kept rows numbered back from it are
-- consecutive exactly while week_starting = last ended week - 7 * (n - 1); the first gap or
-- unkept week breaks that equality for every earlier row, so counting the matches is the streak.
with latest_arrangement as (
    select
        application_ref,
        arg_max(arrangement_id, (week_starting, arrangement_id)) as arrangement_id
    from {{ ref('stg_register__arrangement_payments') }}
    group by application_ref
),

weeks as (
    select
        p.application_ref,
        p.arrangement_id,
        p.week_starting,
        p.amount_paid >= p.amount_due as kept,
        min(p.week_starting) over (partition by p.application_ref) as first_week
    from {{ ref('stg_register__arrangement_payments') }} as p
    inner join latest_arrangement as l
        on l.application_ref = p.application_ref
       and l.arrangement_id = p.arrangement_id
),

bounds as (
    select
        *,
        -- The last Monday-aligned week (counted from the first week) that has ended by D.
        first_week + 7 * cast(floor(({{ as_of_date() }} - 6 - first_week) / 7) as integer)
            as last_ended_week
    from weeks
),

kept_back as (
    select
        *,
        row_number() over (partition by application_ref order by week_starting desc)
            as n_back
    from bounds
    where kept and week_starting <= last_ended_week
)

select
    b.application_ref,
    b.arrangement_id,
    b.first_week,
    -- NULL when the first week has not ended yet.
    case when b.last_ended_week >= b.first_week then b.last_ended_week end as last_ended_week,
    greatest(cast((b.last_ended_week - b.first_week) / 7 as integer) + 1, 0) as weeks_ended,
    count(k.week_starting) filter (
        where k.week_starting = b.last_ended_week - cast(7 * (k.n_back - 1) as integer)
    ) as kept_streak_weeks
from (select distinct application_ref, arrangement_id, first_week, last_ended_week from bounds) as b
left join kept_back as k on k.application_ref = b.application_ref
group by all
