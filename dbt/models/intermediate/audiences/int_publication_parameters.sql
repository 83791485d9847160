-- One row: the publication parameters in force on the as-of date D (seed publication_parameters,
-- W13) as columns, with the dates the published summaries are counted from. The reporting window
-- is the months before D: a day counts when it is after window_starts_after and on or before D,
-- so a let exactly 12 months before D is outside it and the next day inside. lahs_as_at is the
-- last LAHS reference day (31 March) on or before D.
with in_force as (
    {{ policy_in_force('publication_parameters') }}
),

pivoted as (
    select
        max(effective_from) as publication_effective_from,
        cast(max(case when parameter = 'suppress_counts_below' then value end) as integer) as suppress_counts_below,
        cast(max(case when parameter = 'reporting_window_months' then value end) as integer) as reporting_window_months,
        cast(max(case when parameter = 'lahs_reference_month' then value end) as integer) as lahs_reference_month,
        cast(max(case when parameter = 'lahs_reference_day' then value end) as integer) as lahs_reference_day,
        cast(max(case when parameter = 'lahs_bedroom_need_top' then value end) as integer) as lahs_bedroom_need_top
    from in_force
),

dated as (
    select
        p.*,
        r.as_of_date,
        make_date(year(r.as_of_date), p.lahs_reference_month, p.lahs_reference_day) as reference_this_year
    from pivoted as p
    cross join {{ ref('stg_run__parameters') }} as r
)

select
    publication_effective_from,
    suppress_counts_below,
    reporting_window_months,
    lahs_bedroom_need_top,
    as_of_date,
    cast(as_of_date - to_months(reporting_window_months) as date) as window_starts_after,
    case
        when reference_this_year <= as_of_date then reference_this_year
        else make_date(year(as_of_date) - 1, lahs_reference_month, lahs_reference_day)
    end as lahs_as_at
from dated
