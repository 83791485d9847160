-- The waiting-list part of the LAHS return (outputs-and-cli.md marts.lahs_waiting_list) on the
-- reference day M: one row per application type (register, transfer), bedroom need (1, 2, 3, and
-- the top group "or more") and measure: households on the register, households in any
-- reasonable-preference category (a household in several counts once) and in each category of
-- the list in force on M (seed lahs_preference_categories). Every cell is given, zeros included,
-- as the return asks for each.
with params as (
    select lahs_as_at, lahs_bedroom_need_top from {{ ref('int_publication_parameters') }}
),

households as (
    select
        h.application_ref,
        h.application_type,
        least(h.bedroom_need, p.lahs_bedroom_need_top) as bedroom_need,
        h.lahs_categories
    from {{ ref('int_lahs_households') }} as h
    cross join params as p
),

categories as (
    select c.lahs_category, c.sort_order
    from {{ ref('lahs_preference_categories') }} as c
    cross join params as p
    where c.effective_from = (
        select max(effective_from) from {{ ref('lahs_preference_categories') }} where effective_from <= p.lahs_as_at
    )
),

measures as (
    select 'households_on_register' as measure, 0 as sort_order
    union all
    select 'any_reasonable_preference', 1
    union all
    select lahs_category, 1 + sort_order from categories
),

bedroom_groups as (
    select unnest(range(1, lahs_bedroom_need_top + 1)) as bedroom_need from params
),

cells as (
    select t.application_type, n.bedroom_need, m.measure, m.sort_order
    from (values ('register'), ('transfer')) as t (application_type)
    cross join bedroom_groups as n
    cross join measures as m
),

in_categories as (
    select application_type, bedroom_need, unnest(lahs_categories) as measure
    from households
),

counted as (
    select application_type, bedroom_need, 'households_on_register' as measure, count(*) as households
    from households
    group by all
    union all
    select application_type, bedroom_need, 'any_reasonable_preference', count(*)
    from households
    where len(lahs_categories) > 0
    group by all
    union all
    select application_type, bedroom_need, measure, count(*)
    from in_categories
    group by all
)

select
    p.lahs_as_at as as_at,
    c.application_type,
    cast(c.bedroom_need as integer) as bedroom_need,
    case
        when c.bedroom_need = p.lahs_bedroom_need_top then c.bedroom_need || ' or more'
        else cast(c.bedroom_need as varchar)
    end as bedroom_need_group,
    c.measure,
    cast(coalesce(k.households, 0) as integer) as households
from cells as c
cross join params as p
left join counted as k
    on k.application_type = c.application_type and k.bedroom_need = c.bedroom_need and k.measure = c.measure
order by c.application_type, c.bedroom_need, c.sort_order
