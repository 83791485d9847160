-- One row per household (application) and protected characteristic for equality monitoring
-- (outputs-and-cli.md marts.equality_outcomes; Public Sector Equality Duty): the main applicant's
-- (the `applicant` member's) age band on D (seed equality_age_bands), sex, and where the extract
-- carries them ethnic group and disability, with what the household did: on the register on D
-- and its band (as in marts.applicant_bands), bidding in the reporting window (a bid placed after
-- window_starts_after and on or before D), housed in it (an accepted offer, dated by outcome_on
-- or else offered_on) and the whole months from registration to that letting. Households of any
-- status are counted where they did one of these.
with params as (
    select as_of_date, window_starts_after from {{ ref('int_publication_parameters') }}
),

age_bands as (
    {{ policy_in_force('equality_age_bands') }}
),

applicants as (
    select
        m.application_ref,
        {{ age_in_years('m.date_of_birth', 'p.as_of_date') }} as age,
        m.sex,
        m.ethnic_group,
        m.disability
    from {{ ref('stg_register__household_members') }} as m
    cross join params as p
    where m.relationship = 'applicant'
),

bidding as (
    select distinct b.application_ref
    from {{ ref('stg_register__bids') }} as b
    cross join params as p
    where cast(b.placed_at as date) > p.window_starts_after and cast(b.placed_at as date) <= p.as_of_date
),

housed as (
    select o.application_ref, max(coalesce(o.outcome_on, o.offered_on)) as let_on
    from {{ ref('stg_register__offers') }} as o
    cross join params as p
    where o.outcome = 'accepted'
        and coalesce(o.outcome_on, o.offered_on) > p.window_starts_after
        and coalesce(o.outcome_on, o.offered_on) <= p.as_of_date
    group by o.application_ref
),

-- marts.applicant_bands' slice: active applications on D with their band and register status
on_register_today as (
    select b.application_ref, b.band, r.on_register
    from {{ ref('int_applicant_bands') }} as b
    inner join {{ ref('int_register_status') }} as r
        on r.application_ref = b.application_ref and r.evaluated_on = b.evaluated_on
    cross join params as p
    where b.evaluated_on = p.as_of_date and b.status = 'active'
),

households as (
    select
        a.application_ref,
        coalesce(ab.on_register, false) as on_register,
        case when ab.on_register then ab.band end as band,
        bd.application_ref is not null as bidding,
        h.let_on is not null as housed,
        datesub('month', app.registration_date, h.let_on) as months_to_letting,
        a.age,
        a.sex,
        a.ethnic_group,
        a.disability
    from applicants as a
    inner join {{ ref('stg_register__applications') }} as app on app.application_ref = a.application_ref
    left join on_register_today as ab on ab.application_ref = a.application_ref
    left join bidding as bd on bd.application_ref = a.application_ref
    left join housed as h on h.application_ref = a.application_ref
    where coalesce(ab.on_register, false) or bd.application_ref is not null or h.let_on is not null
),

characteristics as (
    select
        h.* exclude (age, sex, ethnic_group, disability),
        unnest([
            {'characteristic': 'age_band', 'characteristic_group': coalesce(ag.age_band, 'not_recorded')},
            {'characteristic': 'sex', 'characteristic_group': coalesce(h.sex, 'not_recorded')},
            {'characteristic': 'ethnic_group', 'characteristic_group': coalesce(h.ethnic_group, 'not_recorded')},
            {'characteristic': 'disability', 'characteristic_group':
                case h.disability when true then 'disabled' when false then 'not_disabled' else 'not_recorded' end}
        ], recursive := true)
    from households as h
    left join age_bands as ag on h.age >= ag.min_age and (ag.max_age is null or h.age <= ag.max_age)
)

select *
from characteristics
-- An optional characteristic the extract does not carry (every value empty) is not reported.
where characteristic in ('age_band', 'sex')
    or characteristic in (
        select 'ethnic_group' from households where ethnic_group is not null
        union
        select 'disability' from households where disability is not null
    )
