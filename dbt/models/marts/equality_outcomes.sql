-- Equality monitoring (outputs-and-cli.md marts.equality_outcomes; Public Sector Equality Duty):
-- per protected characteristic and group, one row per measure: households on the register on D,
-- on the register in each band, bidding in the reporting window, housed in it (with the median
-- whole months from registration to letting). A count below the threshold in force (seed
-- publication_parameters, suppress_counts_below) is published as NULL with suppressed = true,
-- zero included; the median of a suppressed housed count is suppressed with it.
with params as (
    select suppress_counts_below from {{ ref('int_publication_parameters') }}
),

households as (
    select * from {{ ref('int_equality_households') }}
),

groups as (
    select distinct characteristic, characteristic_group from households
),

bands as (
    select distinct band from households where band is not null
),

cells as (
    select g.characteristic, g.characteristic_group, m.measure, m.sort_order, cast(null as varchar) as band
    from groups as g
    cross join (values ('on_register', 1), ('bidding', 3), ('housed', 4)) as m (measure, sort_order)
    union all
    select g.characteristic, g.characteristic_group, 'on_register_in_band', 2, b.band
    from groups as g
    cross join bands as b
),

counted as (
    select characteristic, characteristic_group, 'on_register' as measure, cast(null as varchar) as band,
        count(*) as households, cast(null as double) as median_months
    from households where on_register group by all
    union all
    select characteristic, characteristic_group, 'on_register_in_band', band, count(*), null
    from households where on_register group by all
    union all
    select characteristic, characteristic_group, 'bidding', null, count(*), null
    from households where bidding group by all
    union all
    select characteristic, characteristic_group, 'housed', null, count(*), median(months_to_letting)
    from households where housed group by all
),

judged as (
    select
        c.*,
        coalesce(k.households, 0) as households,
        k.median_months,
        coalesce(k.households, 0) < p.suppress_counts_below as suppressed
    from cells as c
    cross join params as p
    left join counted as k
        on k.characteristic = c.characteristic
        and k.characteristic_group = c.characteristic_group
        and k.measure = c.measure
        and k.band is not distinct from c.band
)

select
    characteristic,
    characteristic_group,
    measure,
    band,
    cast(case when not suppressed then households end as integer) as households,
    cast(case when not suppressed then median_months end as decimal(6, 1)) as median_months_to_letting,
    suppressed
from judged
order by characteristic, characteristic_group, sort_order, band
