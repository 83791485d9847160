-- The typical wait published beside the lettings results (outputs-and-cli.md
-- marts.lettings_results; s.166A(9) Housing Act 1996): per bedroom size and the successful
-- bidder's band, the lets of the reporting window (let_on after window_starts_after and on or
-- before D; seed publication_parameters) and the middle half of the time from the band date (as
-- at the close) to the letting: lower quartile, median and upper quartile, in whole months
-- (interpolated between two lets). A let whose winner had no band at close is left out.
with params as (
    select window_starts_after, as_of_date, reporting_window_months from {{ ref('int_publication_parameters') }}
),

waits as (
    select
        r.bedrooms,
        r.band,
        datesub('month', r.band_date, r.let_on) as wait_months
    from {{ ref('lettings_results') }} as r
    cross join params as p
    where r.let_on > p.window_starts_after
        and r.let_on <= p.as_of_date
        and r.band is not null
)

select
    w.bedrooms,
    w.band,
    cast(count(*) as integer) as lets,
    cast(quantile_cont(w.wait_months, 0.25) as decimal(6, 1)) as wait_months_lower_quartile,
    cast(quantile_cont(w.wait_months, 0.5) as decimal(6, 1)) as wait_months_median,
    cast(quantile_cont(w.wait_months, 0.75) as decimal(6, 1)) as wait_months_upper_quartile,
    any_value(p.window_starts_after) + 1 as window_from,
    any_value(p.as_of_date) as window_to
from waits as w
cross join params as p
group by w.bedrooms, w.band
