-- Household members who count on the as-of date, with their age on D and their place in the
-- bedroom standard (policy-rules.md Terms and Bedroom need; W9, W17, W18).
with params as (
    select * from {{ ref('int_policy__parameters') }}
),

members as (
    select
        m.application_ref,
        m.member_id,
        m.relationship,
        m.sex,
        m.date_of_birth,
        m.months_lived_with_while_serving,
        {{ age_in_years('m.date_of_birth', as_of_date()) }} as age
    from {{ ref('stg_register__household_members') }} as m
    -- Spec silent: a member born after D is not yet part of the household on D (the same
    -- reading as every other fact dated after D).
    where m.date_of_birth <= {{ as_of_date() }}
),

counted as (
    select members.*
    from members
    cross join params as p
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
            partition by application_ref
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
cross join params as p
