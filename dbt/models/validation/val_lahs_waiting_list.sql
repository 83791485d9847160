-- Profile of marts.lahs_waiting_list for the lahs_waiting_list suite, one row: the households
-- on the register and in any reasonable-preference category as published (summed over
-- application types and bedroom needs) against the households of the register on the reference
-- day (int_lahs_households: every household in exactly one cell), and, when the reference day is
-- D itself, against marts.applicant_bands.
with published as (
    select
        any_value(as_at) as as_at,
        sum(households) filter (where measure = 'households_on_register') as published_on_register,
        sum(households) filter (where measure = 'any_reasonable_preference') as published_any_preference
    from {{ ref('lahs_waiting_list') }}
),

register as (
    select
        count(*) as households_on_register,
        count(*) filter (where len(lahs_categories) > 0) as households_any_preference
    from {{ ref('int_lahs_households') }}
),

today as (
    select count(*) filter (where on_register) as applicant_bands_on_register from {{ ref('applicant_bands') }}
)

select
    p.as_at,
    p.as_at = {{ as_of_date() }} as as_at_is_as_of_date,
    cast(p.published_on_register as bigint) as published_on_register,
    r.households_on_register,
    cast(p.published_any_preference as bigint) as published_any_preference,
    r.households_any_preference,
    t.applicant_bands_on_register
from published as p
cross join register as r
cross join today as t
