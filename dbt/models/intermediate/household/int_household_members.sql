-- Household members who count on each evaluation date (int_evaluation_dates: D, or an advert's
-- close), with their age on that date and their place in the bedroom standard (policy-rules.md
-- Terms and Bedroom need; W9, W17, W18), under the policy in force on that date.
with params as (
    select * from {{ ref('int_policy__parameters_on_dates') }}
),

members as (
    select
        m.application_ref,
        e.evaluated_on,
        m.member_id,
        m.relationship,
        m.sex,
        m.date_of_birth,
        m.months_lived_with_while_serving,
        {{ age_in_years('m.date_of_birth', 'e.evaluated_on') }} as age
    from {{ ref('stg_register__household_members') }} as m
    inner join {{ ref('int_evaluation_dates') }} as e on e.application_ref = m.application_ref
    -- Spec silent: a member born after the date is not yet part of the household then (the same
    -- reading as every other fact dated after it).
    where m.date_of_birth <= e.evaluated_on
),

counted as (
    select members.*
    from members
    inner join params as p on p.evaluated_on = members.evaluated_on
    -- W18: a former forces partner counts only after living with the applicant for at least
    -- the minimum months while serving (NULL counts as 0); one who does not count is left out
    -- of the household entirely.
    where members.relationship <> 'former_forces_partner'
        or coalesce(members.months_lived_with_while_serving, 0) >= p.forces_partner_min_months
),

partners as (
    select
        *,
        -- Terms, couple: only the first of partner, joint_applicant, former_forces_partner (in
        -- that order; then member_id, spec silent) shares the applicant's bedroom.
        row_number() over (
            partition by application_ref, evaluated_on
            order by
                case relationship
                    when 'partner' then 1
                    when 'joint_applicant' then 2
                    when 'former_forces_partner' then 3
                    else 4
                end,
                member_id
        ) = 1
        and relationship in ('partner', 'joint_applicant', 'former_forces_partner') as is_couple_partner
    from counted
)

select
    partners.application_ref,
    partners.evaluated_on,
    partners.member_id,
    partners.relationship,
    partners.sex,
    partners.date_of_birth,
    partners.age,
    partners.relationship = 'applicant' as is_applicant,
    partners.is_couple_partner,
    partners.age < p.child_age_under as is_child,
    case
        when partners.relationship = 'applicant' or partners.is_couple_partner then 'couple'
        when partners.age >= p.own_room_age_from then 'own_room'
        when partners.age >= p.teen_age_from then 'teen'
        else 'under_teen'
    end as bedroom_group
from partners
inner join params as p on p.evaluated_on = partners.evaluated_on
