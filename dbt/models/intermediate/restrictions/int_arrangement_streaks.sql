-- Kept-week streak of each application's current repayment arrangement on each evaluation date
-- D' (W7): only weeks starting by D' are known on D' (the rows below use D' where the spec says D).
-- Only the arrangement with the latest week_starting counts, from its own first week (ties on
-- that week: the highest arrangement_id, so the choice is deterministic). A week starting on
-- Monday M has ended when M + 6 <= D; weeks run from the arrangement's first week to the last
-- ended week L; a week is kept when amount_paid >= amount_due and a week with no row is missed.
-- The streak counts back from L: kept rows numbered back from L are consecutive exactly while
-- week_starting = L - 7 * (n - 1), and the streak is the number of rows matching that.
-- Each application has many evaluation dates (int_evaluation_dates), so the per-row work is done
-- once per payment row, not once per row and date: kept rows are numbered forward (r) within
-- their arrangement, and the match above is week_starting - 7 * r = L - 7 * R, where R is the
-- number of kept rows up to L (gaps and islands: consecutive kept weeks share that key). Each
-- (application, date) then only looks up, by ASOF join, its arrangement, R, and how many kept
-- rows up to R have the key L - 7 * R. Rows the extract contract rejects (two rows for one week,
-- weeks not a Monday) get the same streak as counting back row by row would give them.
with payments as (
    select
        application_ref,
        arrangement_id,
        week_starting,
        amount_paid >= amount_due as kept
    from {{ ref('stg_register__arrangement_payments') }}
),

-- The arrangement each week_starting would make current (ties: highest arrangement_id).
latest_by_week as (
    select application_ref, week_starting, max(arrangement_id) as arrangement_id
    from payments
    group by application_ref, week_starting
),

-- An arrangement current on D has a week starting by D, so its first week starts by D too: the
-- first week does not depend on D.
first_weeks as (
    select application_ref, arrangement_id, min(week_starting) as first_week
    from payments
    group by application_ref, arrangement_id
),

kept_numbered as (
    select
        application_ref,
        arrangement_id,
        week_starting,
        row_number() over (
            partition by application_ref, arrangement_id order by week_starting
        ) as kept_rank
    from payments
    where kept
),

kept_keyed as (
    select
        *,
        week_starting - 7 * cast(kept_rank as integer) as island_key
    from kept_numbered
),

-- How many kept rows of the arrangement up to each one share its key.
kept_islands as (
    select
        *,
        row_number() over (
            partition by application_ref, arrangement_id, island_key order by kept_rank
        ) as key_count
    from kept_keyed
),

-- Kept rows up to and including each kept week (all rows of a week counted).
kept_to_week as (
    select application_ref, arrangement_id, week_starting, max(kept_rank) as kept_rank
    from kept_numbered
    group by application_ref, arrangement_id, week_starting
),

current_arrangement as (
    select e.application_ref, e.evaluated_on, l.arrangement_id
    from {{ ref('int_evaluation_dates') }} as e
    asof inner join latest_by_week as l
        on l.application_ref = e.application_ref
       and l.week_starting <= e.evaluated_on
),

bounds as (
    select
        c.application_ref,
        c.evaluated_on,
        c.arrangement_id,
        f.first_week,
        -- The last Monday-aligned week (counted from the first week) that has ended by D.
        f.first_week + 7 * cast(floor((c.evaluated_on - 6 - f.first_week) / 7) as integer)
            as last_ended_week
    from current_arrangement as c
    inner join first_weeks as f
        on f.application_ref = c.application_ref
       and f.arrangement_id = c.arrangement_id
),

kept_to_last_ended as (
    select
        b.*,
        k.kept_rank as kept_to_l,
        b.last_ended_week - 7 * cast(k.kept_rank as integer) as streak_key
    from bounds as b
    asof left join kept_to_week as k
        on k.application_ref = b.application_ref
       and k.arrangement_id = b.arrangement_id
       and k.week_starting <= b.last_ended_week
)

select
    b.application_ref,
    b.evaluated_on,
    b.arrangement_id,
    b.first_week,
    -- NULL when the first week has not ended yet.
    case when b.last_ended_week >= b.first_week then b.last_ended_week end as last_ended_week,
    greatest(cast((b.last_ended_week - b.first_week) / 7 as integer) + 1, 0) as weeks_ended,
    coalesce(i.key_count, 0) as kept_streak_weeks
from kept_to_last_ended as b
asof left join kept_islands as i
    on i.application_ref = b.application_ref
   and i.arrangement_id = b.arrangement_id
   and i.island_key = b.streak_key
   and i.kept_rank <= b.kept_to_l
