-- Policy exceptions in force on the as-of date, one row per application and rule (Terms:
-- active exception). Where several are in force, the one granted last names the lift in the
-- reasons (any one lifts the rule; the latest grant is the one a caseworker would look up).
with in_force as (
    select
        application_ref,
        rule,
        exception_id,
        granted_on,
        expires_on
    from {{ ref('stg_register__policy_exceptions') }}
    where granted_on <= {{ as_of_date() }}
      and (expires_on is null or expires_on > {{ as_of_date() }})
)

select
    application_ref,
    rule,
    arg_max(exception_id, (granted_on, exception_id)) as exception_id,
    max(granted_on) as granted_on,
    arg_max(expires_on, (granted_on, exception_id)) as expires_on,
    count(*) as exceptions_in_force
from in_force
group by application_ref, rule
