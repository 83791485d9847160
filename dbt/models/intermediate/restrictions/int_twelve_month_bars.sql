-- twelve_month_rule restriction (W4) on each evaluation date D' (int_evaluation_dates): an
-- applicant who accepted a tenancy through the scheme is off the register from
-- last_homechoice_tenancy_start until that date + twelve_month_rule_months (policy in force on
-- D'), unless a need active on D' whose catalogue row lifts the 12-month rule or a
-- `twelve_month_rule` exception active on D' exists (row kept, inactive, naming the lift).
-- A bar starting after D' does not exist on D' (policy-rules.md Shortlisting: the tenancy had not
-- started; it gives no row). A bar that ended on or before D' stays as a row with `active` false,
-- like every other ended restriction (policy-rules.md Restrictions: "Periods that ended before D
-- stay as rows").
with bars as (
    select
        a.application_ref,
        e.evaluated_on,
        a.last_homechoice_tenancy_start as starts_on,
        cast(a.last_homechoice_tenancy_start + to_months(p.twelve_month_rule_months) as date)
            as ends_on,
        p.twelve_month_rule_months
    from {{ ref('stg_register__applications') }} as a
    inner join {{ ref('int_evaluation_dates') }} as e on e.application_ref = a.application_ref
    inner join {{ ref('int_policy__parameters_on_dates') }} as p on p.evaluated_on = e.evaluated_on
    where a.last_homechoice_tenancy_start <= e.evaluated_on
),

lifting_needs as (
    select
        n.application_ref,
        e.evaluated_on,
        -- The need assessed first names the lift (then the lowest need code).
        arg_min(n.need_code, (n.assessed_on, n.need_code)) as need_code,
        min(n.assessed_on) as assessed_on
    from {{ ref('stg_register__assessed_needs') }} as n
    inner join {{ ref('int_evaluation_dates') }} as e on e.application_ref = n.application_ref
    inner join {{ ref('int_policy__need_catalogue_on_dates') }} as c
        on c.evaluated_on = e.evaluated_on and c.need_code = n.need_code
    where c.lifts_twelve_month_rule
      and n.assessed_on <= e.evaluated_on
      and (n.ends_on is null or n.ends_on > e.evaluated_on)
    group by n.application_ref, e.evaluated_on
),

assessed as (
    select
        b.*,
        b.ends_on > b.evaluated_on as in_force,
        n.need_code,
        n.assessed_on as need_assessed_on,
        e.exception_id,
        e.granted_on as exception_granted_on,
        e.expires_on as exception_expires_on
    from bars as b
    left join lifting_needs as n
        on n.application_ref = b.application_ref and n.evaluated_on = b.evaluated_on
    left join {{ ref('int_active_policy_exceptions') }} as e
        on e.application_ref = b.application_ref
       and e.evaluated_on = b.evaluated_on
       and e.rule = 'twelve_month_rule'
)

select
    application_ref,
    evaluated_on,
    'twelve_month_rule' as restriction,
    starts_on,
    ends_on,
    in_force and need_code is null and exception_id is null as active,
    'Accepted a tenancy through the scheme starting ' || strftime(starts_on, '%Y-%m-%d')
        || ': off the register for ' || twelve_month_rule_months || ' months until '
        || strftime(ends_on, '%Y-%m-%d')
        || case
            when not in_force then ' (ended)'
            when need_code is not null then
                '; lifted by the need ' || need_code || ' assessed on '
                || strftime(need_assessed_on, '%Y-%m-%d')
                || ', a need that lifts the rule'
            when exception_id is not null then
                '; lifted by policy exception ' || exception_id || ' granted on '
                || strftime(exception_granted_on, '%Y-%m-%d')
                || coalesce(' until ' || strftime(exception_expires_on, '%Y-%m-%d'), '')
            else ''
        end as reason,
    case
        when not in_force then cast(null as varchar)
        when need_code is not null then 'need'
        when exception_id is not null then 'policy_exception'
    end as lifted_by,
    cast(null as varchar) as source_id
from assessed
