-- The dates on which some fact a rule reads can change an application's state: every date a
-- rule compares its evaluation date with (docs/rules-as-of-a-date.md). Between two consecutive
-- change dates every rule gives the same answer, so a date needs evaluating only as the latest
-- change date on or before it (int_evaluation_dates). One row per application, date and kind of
-- change, dated facts only (undated facts are as extracted). Periods whose length is policy (W4,
-- W7, W11, W12) and ages that are policy (W9, W17) end on each version's value, so a change of
-- policy between two dates is never missed; the policy versions' own dates are change dates too.
-- Repayment arrangements (W7) change every week a payment falls due: their applications are
-- evaluated on each date they need instead (int_evaluation_dates), not listed here week by week.
with params as (
    select distinct parameter, cast(value as integer) as value
    from {{ ref('policy_parameters') }}
    where parameter in ('child_age_under', 'own_room_age_from', 'teen_age_from', 'behaviour_exclusion_years',
                        'eviction_exclusion_years', 'refusals_suspension_months', 'twelve_month_rule_months')
),

policy_dates as (
    select changes_on, 'policy of ' || strftime(changes_on, '%Y-%m-%d') || ' in force' as change
    from (
        select distinct effective_from as changes_on from {{ ref('policy_parameters') }}
        union select effective_from from {{ ref('need_catalogue') }}
        union select effective_from from {{ ref('transfer_categories') }}
        union select effective_from from {{ ref('shortlist_priority_matrix') }}
        union select effective_from from {{ ref('housing_debt_scope') }}
        union select effective_from from {{ ref('violence_band_one_agencies') }}
    ) as versions
),

refusals as (
    select application_ref, coalesce(outcome_on, offered_on) as refused_on
    from {{ ref('stg_register__offers') }}
    where outcome = 'refused'
),

-- The words of the timeline (marts.applicant_timeline.changed_because) say whose birthday it was.
members as (
    select
        application_ref,
        date_of_birth,
        case when relationship in ('child', 'foster_child') then 'a child' else 'a household member' end as who
    from {{ ref('stg_register__household_members') }}
),

changes as (
    select a.application_ref, d.changes_on, d.change
    from {{ ref('stg_register__applications') }} as a
    cross join policy_dates as d

    union all
    select m.application_ref, m.date_of_birth, m.who || ' was born'
    from members as m
    union all
    select b.application_ref,
        -- the day age_in_years counts the birthday: someone born on 29 February reaches the age
        -- on 1 March in a common year, where adding the years gives 28 February
        case when day(b.anniversary) <> day(b.date_of_birth) then cast(b.anniversary + 1 as date)
            else b.anniversary end,
        b.who || ' turned ' || b.age
    from (
        select m.*, p.value as age, cast(m.date_of_birth + to_years(p.value) as date) as anniversary
        from members as m
        inner join params as p on p.parameter in ('child_age_under', 'own_room_age_from', 'teen_age_from')
    ) as b

    union all
    select application_ref, approved_on, 'fostering or adoption approved'
    from {{ ref('stg_register__fostering_adoption_approvals') }}

    union all
    select application_ref, assessed_on, 'need ' || need_code || ' assessed'
    from {{ ref('stg_register__assessed_needs') }}
    union all
    select application_ref, ends_on, 'need ' || need_code || ' ended'
    from {{ ref('stg_register__assessed_needs') }}
    where ends_on is not null

    union all
    select application_ref, granted_on, rule || ' exception granted'
    from {{ ref('stg_register__policy_exceptions') }}
    union all
    select application_ref, expires_on, rule || ' exception expired'
    from {{ ref('stg_register__policy_exceptions') }}
    where expires_on is not null

    union all
    select application_ref, decided_on, 'behaviour finding decided'
    from {{ ref('stg_register__behaviour_findings') }}
    union all
    select f.application_ref, cast(f.decided_on + to_years(p.value) as date), 'behaviour exclusion ended'
    from {{ ref('stg_register__behaviour_findings') }} as f
    inner join params as p on p.parameter = 'behaviour_exclusion_years'
    union all
    select application_ref, extended_until, 'behaviour exclusion ended'
    from {{ ref('stg_register__behaviour_findings') }}
    where extended_until is not null

    union all
    select d.application_ref, d.eviction_date, 'evicted'
    from {{ ref('stg_register__debts') }} as d
    where d.resulted_in_eviction and d.eviction_date is not null
    union all
    select d.application_ref, cast(d.eviction_date + to_years(p.value) as date), 'eviction exclusion ended'
    from {{ ref('stg_register__debts') }} as d
    inner join params as p on p.parameter = 'eviction_exclusion_years'
    where d.resulted_in_eviction and d.eviction_date is not null

    union all
    select application_ref, refused_on, 'offer refused'
    from refusals
    union all
    select r.application_ref, cast(r.refused_on + to_months(p.value) as date), 'refusals suspension ended'
    from refusals as r
    inner join params as p on p.parameter = 'refusals_suspension_months'

    union all
    select application_ref, last_homechoice_tenancy_start, 'tenancy through the scheme started'
    from {{ ref('stg_register__applications') }}
    where last_homechoice_tenancy_start is not null
    union all
    select a.application_ref, cast(a.last_homechoice_tenancy_start + to_months(p.value) as date),
        'twelve-month bar ended'
    from {{ ref('stg_register__applications') }} as a
    inner join params as p on p.parameter = 'twelve_month_rule_months'
    where a.last_homechoice_tenancy_start is not null

    union all
    select application_ref, coalesce(outcome_on, offered_on), 'offer accepted'
    from {{ ref('stg_register__offers') }}
    where outcome = 'accepted'
)

select distinct application_ref, changes_on, change
from changes
where changes_on <= {{ as_of_date() }}
