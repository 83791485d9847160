-- The days a repayment arrangement's kept-week streak can change whether it lifts a housing_debt
-- restriction (W7; int_arrangement_streaks), for the timeline: an arrangement's first week
-- starting (the latest arrangement is the one that counts, from a streak of nothing), each week
-- with a payment row ending on its sixth day after its start (kept or not, the streak moves), and
-- the end of the first week with no row after one that has (the streak breaks).
-- int_change_dates leaves these out on purpose: the shortlists evaluate those applications on
-- each close instead (int_evaluation_dates). Dates after D are left out.
-- Two bounds leave out days on which the answer cannot change, without applying the rule:
-- - an application whose debts together (every debt, in the policy's scope or not, at no less
--   than nothing) never exceed the lowest housing_debt_limit of any version is never restricted;
-- - by the end of an arrangement's k-th row at most k weeks have ended, so the streak is below
--   the fewest arrangement_kept_weeks of any version until the end of that many rows: earlier
--   week ends, and the breaks after them, leave "not kept" as it was.
with limits as (
    select
        min(cast(value as decimal(18, 2))) filter (where parameter = 'housing_debt_limit') as lowest_debt_limit,
        min(cast(value as integer)) filter (where parameter = 'arrangement_kept_weeks') as fewest_kept_weeks
    from {{ ref('policy_parameters') }}
),

could_be_restricted as (
    select application_ref
    from {{ ref('stg_register__debts') }}
    group by application_ref
    having sum(greatest(balance, 0)) > (select lowest_debt_limit from limits)
),

weeks as (
    select
        application_ref,
        arrangement_id,
        week_starting,
        lead(week_starting) over by_arrangement as next_week_starting,
        row_number() over by_arrangement as week_number
    from {{ ref('stg_register__arrangement_payments') }}
    semi join could_be_restricted using (application_ref)
    window by_arrangement as (partition by application_ref, arrangement_id order by week_starting)
),

changes as (
    select application_ref, week_starting as changes_on, 'repayment arrangement ' || arrangement_id || ' started' as change
    from weeks
    where week_number = 1
    union all
    select application_ref, cast(week_starting + 6 as date), 'a repayment arrangement week ended'
    from weeks
    where week_number >= (select fewest_kept_weeks from limits)
    union all
    select application_ref, cast(week_starting + 13 as date), 'a repayment arrangement week was missed'
    from weeks
    where next_week_starting is distinct from week_starting + 7
      and week_number >= (select fewest_kept_weeks from limits)
)

select distinct application_ref, changes_on, change
from changes
where changes_on <= {{ as_of_date() }}
