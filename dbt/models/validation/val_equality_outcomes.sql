-- Profile of marts.equality_outcomes against marts.applicant_bands for the equality_outcomes
-- suite, per characteristic and band (NULL: the register as a whole): households on the register
-- before suppression (int_equality_households, one row per household and characteristic) against
-- the applicant_bands count, and the published cells against that count: the unsuppressed cells
-- sum to at most the count, and with each suppressed cell at most one below the threshold
-- (seed publication_parameters) to at least it.
with register as (
    select cast(null as varchar) as band, count(*) as applicant_bands_households
    from {{ ref('applicant_bands') }}
    where on_register
    union all
    select band, count(*)
    from {{ ref('applicant_bands') }}
    where on_register
    group by band
),

characteristics as (
    select distinct characteristic from {{ ref('int_equality_households') }}
),

expected as (
    select c.characteristic, r.band, r.applicant_bands_households
    from characteristics as c
    cross join register as r
),

recounted as (
    select characteristic, cast(null as varchar) as band, count(*) as households
    from {{ ref('int_equality_households') }}
    where on_register
    group by characteristic
    union all
    select characteristic, band, count(*)
    from {{ ref('int_equality_households') }}
    where on_register
    group by characteristic, band
),

published as (
    select
        characteristic,
        band,
        coalesce(sum(households), 0) as published_households,
        count(*) filter (where suppressed) as suppressed_cells
    from {{ ref('equality_outcomes') }}
    where measure in ('on_register', 'on_register_in_band')
    group by characteristic, band
),

profiled as (
    select
        e.characteristic,
        e.band,
        e.applicant_bands_households,
        coalesce(k.households, 0) as households_before_suppression,
        coalesce(p.published_households, 0) <= e.applicant_bands_households
            and coalesce(p.published_households, 0)
                + coalesce(p.suppressed_cells, 0) * (t.suppress_counts_below - 1) >= e.applicant_bands_households
            as published_cells_reconcile
    from expected as e
    cross join {{ ref('int_publication_parameters') }} as t
    left join recounted as k on k.characteristic = e.characteristic and k.band is not distinct from e.band
    left join published as p on p.characteristic = e.characteristic and p.band is not distinct from e.band
)

select
    households_before_suppression = applicant_bands_households as register_matches_applicant_bands,
    published_cells_reconcile,
    count(*) as cells,
    array_to_string(min(characteristic || coalesce(' ' || band, '') || ': ' || households_before_suppression
        || ' counted, ' || applicant_bands_households || ' in applicant_bands', 3), '; ') as examples
from profiled
group by all
