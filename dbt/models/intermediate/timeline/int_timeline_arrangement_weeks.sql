-- The days a repayment arrangement's kept-week streak can move (W7; int_arrangement_streaks), for
-- the timeline: an arrangement's first week starting (the latest arrangement is the one that
-- counts), each week with a payment row ending on its sixth day after its start (kept or not, the
-- streak moves), and the end of the first week with no row after one that has (the streak
-- breaks). int_change_dates leaves these out on purpose: the shortlists evaluate those
-- applications on each close instead (int_evaluation_dates). Dates after D are left out.
with weeks as (
    select
        application_ref,
        arrangement_id,
        week_starting,
        lead(week_starting) over by_arrangement as next_week_starting,
        row_number() over by_arrangement as week_number
    from {{ ref('stg_register__arrangement_payments') }}
    window by_arrangement as (partition by application_ref, arrangement_id order by week_starting)
),

changes as (
    select application_ref, week_starting as changes_on, 'repayment arrangement ' || arrangement_id || ' started' as change
    from weeks
    where week_number = 1
    union all
    select application_ref, cast(week_starting + 6 as date), 'a repayment arrangement week ended'
    from weeks
    union all
    select application_ref, cast(week_starting + 13 as date), 'a repayment arrangement week was missed'
    from weeks
    where next_week_starting is distinct from week_starting + 7
)

select distinct application_ref, changes_on, change
from changes
where changes_on <= {{ as_of_date() }}
