-- The households on the register on the LAHS reference day M (the last 31 March on or before D;
-- int_publication_parameters), one row each, as the register stood that day: each application's
-- row of the rule models on M is its latest evaluation date on or before M (int_evaluation_dates
-- adds M for every application registered by then, taken to the change date it shares its state
-- with). An application registered after M was not on the register then, whatever it is now.
-- lahs_categories: the statutory reasonable-preference categories its active needs on M give,
-- each once, under the need mapping in force on M (seed lahs_need_categories).
with reference_day as (
    select lahs_as_at from {{ ref('int_publication_parameters') }}
),

evaluated as (
    select e.application_ref, max(e.evaluated_on) as evaluated_on
    from {{ ref('int_evaluation_dates') }} as e
    cross join reference_day as m
    where e.evaluated_on <= m.lahs_as_at
    group by e.application_ref
),

mapping as (
    select c.need_code, c.lahs_category
    from {{ ref('lahs_need_categories') }} as c
    cross join reference_day as m
    where c.effective_from = (
        select max(effective_from) from {{ ref('lahs_need_categories') }} where effective_from <= m.lahs_as_at
    )
),

categories as (
    select
        n.application_ref,
        list(distinct mp.lahs_category order by mp.lahs_category) as lahs_categories
    from evaluated as ev
    inner join {{ ref('int_active_needs') }} as n
        on n.application_ref = ev.application_ref and n.evaluated_on = ev.evaluated_on
    inner join mapping as mp on mp.need_code = n.need_code
    group by n.application_ref
)

select
    b.application_ref,
    m.lahs_as_at,
    ev.evaluated_on,
    b.application_type,
    b.bedroom_need,
    coalesce(c.lahs_categories, cast([] as varchar[])) as lahs_categories
from evaluated as ev
cross join reference_day as m
inner join {{ ref('int_applicant_bands') }} as b
    on b.application_ref = ev.application_ref and b.evaluated_on = ev.evaluated_on
inner join {{ ref('int_register_status') }} as r
    on r.application_ref = ev.application_ref and r.evaluated_on = ev.evaluated_on
left join categories as c on c.application_ref = ev.application_ref
where b.status = 'active'
    and r.on_register
    and b.registration_date <= m.lahs_as_at
