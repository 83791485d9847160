-- Bedroom need of every application, any status, on each of its evaluation dates (policy-rules.md Bedroom need; W17, W20),
-- computed directly as the spec describes: the couple (or the applicant alone) one room, each
-- other member aged 21+ a room of their own, same-sex pairs aged 10-20, each unpaired 10-20
-- with a same-sex child under 10 where there is one, the remaining under-10s in pairs; plus the
-- bedrooms of verified fostering / adoption approvals made by that date.
with members as (
    select * from {{ ref('int_household_members') }}
),

by_sex as (
    select
        application_ref,
        evaluated_on,
        sex,
        count(*) filter (where bedroom_group = 'teen') as teens,
        count(*) filter (where bedroom_group = 'under_teen') as under_teens
    from members
    group by application_ref, evaluated_on, sex
),

sharing as (
    select
        application_ref,
        evaluated_on,
        -- a room per same-sex pair of 10-20s, and one for the unpaired one of each sex
        sum(teens // 2 + teens % 2) as teen_rooms,
        -- under-10s left after the unpaired 10-20 of their sex took one into their room
        sum(under_teens - least(teens % 2, under_teens)) as under_teens_left
    from by_sex
    group by application_ref, evaluated_on
),

household as (
    select
        application_ref,
        evaluated_on,
        count(*) as household_size,
        count(*) filter (where bedroom_group = 'own_room') as own_rooms,
        count(*) filter (where is_child) as children,
        bool_or(is_couple_partner) as is_couple
    from members
    group by application_ref, evaluated_on
),

fostering as (
    select
        e.application_ref,
        e.evaluated_on,
        sum(f.additional_bedrooms) as fostering_bedrooms
    from {{ ref('stg_register__fostering_adoption_approvals') }} as f
    inner join {{ ref('int_evaluation_dates') }} as e on e.application_ref = f.application_ref
    -- W17: the child need not live there yet, but the approval must be evidenced.
    where f.evidence_verified and f.approved_on <= e.evaluated_on
    group by e.application_ref, e.evaluated_on
),

needs as (
    select
        a.application_ref,
        a.evaluated_on,
        coalesce(h.household_size, 0) as household_size,
        coalesce(h.children, 0) as children,
        coalesce(h.is_couple, false) as is_couple,
        -- the applicant always has a room (shared with the partner of a couple)
        cast(1 + coalesce(h.own_rooms, 0) + coalesce(s.teen_rooms, 0)
            + (coalesce(s.under_teens_left, 0) + 1) // 2 as integer) as member_bedrooms,
        cast(coalesce(f.fostering_bedrooms, 0) as integer) as fostering_bedrooms
    from {{ ref('int_evaluation_dates') }} as a
    left join household as h on h.application_ref = a.application_ref and h.evaluated_on = a.evaluated_on
    left join sharing as s on s.application_ref = a.application_ref and s.evaluated_on = a.evaluated_on
    left join fostering as f on f.application_ref = a.application_ref and f.evaluated_on = a.evaluated_on
)

select
    application_ref,
    evaluated_on,
    member_bedrooms + fostering_bedrooms as bedroom_need,
    is_couple,
    children > 0 as has_child,
    household_size,
    children,
    member_bedrooms,
    fostering_bedrooms
from needs
