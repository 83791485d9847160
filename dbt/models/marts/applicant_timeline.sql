-- marts.applicant_timeline: one row per application per spell from its registration date to D
-- (outputs-and-cli.md). A spell starts on a change day whose state differs from the day before it
-- in any published column (one pass of lag over them, as one struct); equal neighbours merge, so a
-- spell keeps the words of the day that started it. valid_to is the next spell's first day, NULL
-- for the spell holding D. The states come from the rule models through int_timeline_states.
with states as (
    select
        *,
        struct_pack(band, category, multiple_need, transfer_category, bedroom_need, band_date,
                    on_register, can_bid) as published
    from {{ ref('int_timeline_states') }}
),

starts as (
    select *
    from states
    qualify lag(published) over (partition by application_ref order by changes_on) is distinct from published
)

select
    application_ref,
    changes_on as valid_from,
    lead(changes_on) over (partition by application_ref order by changes_on) as valid_to,
    band,
    category,
    multiple_need,
    transfer_category,
    cast(bedroom_need as integer) as bedroom_need,
    band_date,
    on_register,
    can_bid,
    changed_because
from starts
