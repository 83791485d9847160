-- The days each application's timeline is evaluated on (marts.applicant_timeline): its
-- registration date, and every change date after it up to D (int_change_dates, and the repayment
-- weeks of int_timeline_arrangement_weeks). Between two of these days no rule can answer
-- differently (docs/rules-as-of-a-date.md), so a spell can start only on one of them. Change dates
-- before registration (a policy version, a member's birth) are in force on the registration date
-- already and are not repeated. No rule exists before the first policy version took effect: an
-- application registered earlier starts on that version's date, its words saying when it
-- registered. One row per application and day, with what happened that day in words: several
-- facts on one day are joined after the registration, in alphabetical order (deterministic).
-- Each source lists a fact once per day, so no words repeat.
with first_policy as (
    -- every seed the rules read must have a version in force
    select max(first_from) as effective_from
    from (
        select min(effective_from) as first_from from {{ ref('policy_parameters') }}
        union all select min(effective_from) from {{ ref('need_catalogue') }}
        union all select min(effective_from) from {{ ref('transfer_categories') }}
        union all select min(effective_from) from {{ ref('shortlist_priority_matrix') }}
        union all select min(effective_from) from {{ ref('housing_debt_scope') }}
        union all select min(effective_from) from {{ ref('violence_band_one_agencies') }}
    ) as seeds
),

starts as (
    select
        a.application_ref,
        greatest(a.registration_date, f.effective_from) as starts_on,
        case
            when a.registration_date >= f.effective_from then 'registered'
            else 'registered on ' || strftime(a.registration_date, '%Y-%m-%d') || ', before any policy in force'
        end as registered
    from {{ ref('stg_register__applications') }} as a
    cross join first_policy as f
),

points as (
    select application_ref, changes_on, change
    from {{ ref('int_change_dates') }}
    union all
    select application_ref, changes_on, change
    from {{ ref('int_timeline_arrangement_weeks') }}
),

days as (
    select p.application_ref, p.changes_on, list_sort(list(p.change)) as changes
    from points as p
    inner join starts as s on s.application_ref = p.application_ref
    where p.changes_on >= s.starts_on
      and p.changes_on <= {{ as_of_date() }}
    group by p.application_ref, p.changes_on
)

select
    coalesce(s.application_ref, d.application_ref) as application_ref,
    coalesce(s.starts_on, d.changes_on) as changes_on,
    concat_ws('; ', s.registered, nullif(array_to_string(d.changes, '; '), '')) as changed_because
from starts as s
full outer join days as d on d.application_ref = s.application_ref and d.changes_on = s.starts_on
