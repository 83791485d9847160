-- Policy exceptions in force on each evaluation date, one row per application, date and rule
-- (Terms: active exception: granted on or before the date, not expired on it). Where several are in force, the one granted last names the lift in the
-- reasons (any one lifts the rule; the latest grant is the one a caseworker would look up).
with in_force as (
    select
        x.application_ref,
        e.evaluated_on,
        x.rule,
        x.exception_id,
        x.granted_on,
        x.expires_on
    from {{ ref('stg_register__policy_exceptions') }} as x
    inner join {{ ref('int_evaluation_dates') }} as e on e.application_ref = x.application_ref
    where x.granted_on <= e.evaluated_on
      and (x.expires_on is null or x.expires_on > e.evaluated_on)
)

select
    application_ref,
    evaluated_on,
    rule,
    arg_max(exception_id, (granted_on, exception_id)) as exception_id,
    max(granted_on) as granted_on,
    arg_max(expires_on, (granted_on, exception_id)) as expires_on,
    count(*) as exceptions_in_force
from in_force
group by application_ref, evaluated_on, rule
