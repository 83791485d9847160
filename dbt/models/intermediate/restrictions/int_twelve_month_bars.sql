-- twelve_month_rule restriction (W4): an applicant who accepted a tenancy through the scheme is
-- off the register from last_homechoice_tenancy_start until that date + twelve_month_rule_months,
-- when that end is after D, unless an active need whose catalogue row lifts the 12-month rule
-- or an active `twelve_month_rule` exception exists (row kept, inactive, naming the lift).
-- Reading (spec silent): a bar that ended on or before D is not a restriction any more and
-- gives no row (the rule itself is "start + 12 months > D"); a tenancy starting after D gives a
-- row that is not active yet (active needs starts_on <= D).
with bars as (
    select
        a.application_ref,
        a.last_homechoice_tenancy_start as starts_on,
        cast(a.last_homechoice_tenancy_start + to_months(p.twelve_month_rule_months) as date)
            as ends_on,
        p.twelve_month_rule_months
    from {{ ref('stg_register__applications') }} as a
    cross join {{ ref('int_policy__parameters') }} as p
    where a.last_homechoice_tenancy_start is not null
      and cast(a.last_homechoice_tenancy_start + to_months(p.twelve_month_rule_months) as date)
          > {{ as_of_date() }}
),

lifting_needs as (
    select
        n.application_ref,
        -- The need assessed first names the lift (then the lowest need code).
        arg_min(n.need_code, (n.assessed_on, n.need_code)) as need_code,
        min(n.assessed_on) as assessed_on
    from {{ ref('stg_register__assessed_needs') }} as n
    inner join {{ ref('int_policy__need_catalogue') }} as c
        on c.need_code = n.need_code
    where c.lifts_twelve_month_rule
      and n.assessed_on <= {{ as_of_date() }}
      and (n.ends_on is null or n.ends_on > {{ as_of_date() }})
    group by n.application_ref
),

assessed as (
    select
        b.*,
        n.need_code,
        n.assessed_on as need_assessed_on,
        e.exception_id,
        e.granted_on as exception_granted_on,
        e.expires_on as exception_expires_on
    from bars as b
    left join lifting_needs as n on n.application_ref = b.application_ref
    left join {{ ref('int_active_policy_exceptions') }} as e
        on e.application_ref = b.application_ref
       and e.rule = 'twelve_month_rule'
)

select
    application_ref,
    'twelve_month_rule' as restriction,
    starts_on,
    ends_on,
    need_code is null and exception_id is null
        and starts_on <= {{ as_of_date() }} as active,
    'Accepted a tenancy through the scheme starting ' || strftime(starts_on, '%Y-%m-%d')
        || ': off the register for ' || twelve_month_rule_months || ' months until '
        || strftime(ends_on, '%Y-%m-%d')
        || case
            when need_code is not null then
                '; lifted by the need ' || need_code || ' assessed on '
                || strftime(need_assessed_on, '%Y-%m-%d')
                || ', a need that lifts the rule'
            when exception_id is not null then
                '; lifted by policy exception ' || exception_id || ' granted on '
                || strftime(exception_granted_on, '%Y-%m-%d')
                || coalesce(' until ' || strftime(exception_expires_on, '%Y-%m-%d'), '')
            when starts_on > {{ as_of_date() }} then ' (not started yet)'
            else ''
        end as reason,
    case
        when need_code is not null then 'need'
        when exception_id is not null then 'policy_exception'
    end as lifted_by,
    cast(null as varchar) as source_id
from assessed
