-- The changes reconcile with the difference of the two nights' applicant_bands (outputs-and-cli.md
-- Night to night): the rows of either night not found, compared columns and all, in the other
-- name exactly the applications listed, with the same old and new values. Worked out as set
-- differences, not the mart's join. Returns the disagreeing rows, each saying which side has it.
with previous_run as (
    select previous_as_of from {{ source('published', 'previous_published_run') }}
    where previous_as_of is not null
),

previous as (
    select application_ref, band, category, band_date, on_register, can_bid
    from {{ source('published', 'previous_published_bands') }}
    where exists (select 1 from previous_run)
),

tonight as (
    select application_ref, band, category, band_date, on_register, can_bid
    from {{ ref('applicant_bands') }}
    where exists (select 1 from previous_run)
),

only_previous as (select * from previous except select * from tonight),

only_tonight as (select * from tonight except select * from previous),

expected as (
    select
        coalesce(o.application_ref, t.application_ref) as application_ref,
        o.band as old_band, t.band as new_band,
        o.category as old_category, t.category as new_category,
        o.band_date as old_band_date, t.band_date as new_band_date,
        o.on_register as old_on_register, t.on_register as new_on_register,
        o.can_bid as old_can_bid, t.can_bid as new_can_bid
    from only_previous as o
    full outer join only_tonight as t on t.application_ref = o.application_ref
),

listed as (
    select
        application_ref, old_band, new_band, old_category, new_category, old_band_date, new_band_date,
        old_on_register, new_on_register, old_can_bid, new_can_bid
    from {{ ref('changes_since_last_run') }}
)

(select 'missing from changes_since_last_run' as problem, * from expected
 except select 'missing from changes_since_last_run', * from listed)
union all
(select 'not a difference of the two nights', * from listed
 except select 'not a difference of the two nights', * from expected)
