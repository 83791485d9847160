{{ config(meta={'dagster': {'ref': {'name': 'applicant_timeline'}}}) }}
-- outputs-and-cli.md: a new spell starts whenever one of the columns changes, so two adjacent
-- spells of an application never hold the same values (equal days are merged).
with spells as (
    select
        application_ref,
        valid_from,
        struct_pack(band, category, multiple_need, transfer_category, bedroom_need, band_date,
                    on_register, can_bid) as published
    from {{ ref('applicant_timeline') }}
)

select application_ref, valid_from
from spells
qualify lag(published) over (partition by application_ref order by valid_from) is not distinct from published
