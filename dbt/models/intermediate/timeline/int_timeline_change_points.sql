-- The days each application's timeline is evaluated on (marts.applicant_timeline): its
-- registration date, and every change date after it up to D (int_change_dates, and the repayment
-- weeks of int_timeline_arrangement_weeks). Between two of these days no rule can answer
-- differently (docs/rules-as-of-a-date.md), so a spell can start only on one of them. Change dates
-- before registration (a policy version, a member's birth) are in force on the registration date
-- already and are not repeated. One row per application and day, with what happened that day in
-- words: several facts on one day are joined after "registered", in alphabetical order
-- (deterministic). Each source lists a fact once per day, so no words repeat.
with points as (
    select application_ref, changes_on, change
    from {{ ref('int_change_dates') }}
    union all
    select application_ref, changes_on, change
    from {{ ref('int_timeline_arrangement_weeks') }}
)

select
    a.application_ref,
    p.changes_on,
    string_agg(p.change, '; ' order by p.change <> 'registered', p.change) as changed_because
from {{ ref('stg_register__applications') }} as a
inner join (
    select * from points
    union all
    select application_ref, registration_date, 'registered'
    from {{ ref('stg_register__applications') }}
) as p on p.application_ref = a.application_ref
where p.changes_on >= a.registration_date
  and p.changes_on <= {{ as_of_date() }}
group by a.application_ref, p.changes_on
