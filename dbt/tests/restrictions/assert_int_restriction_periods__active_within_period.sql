-- A restriction is active only inside its period on D: starts_on <= D and (ends_on NULL or > D).
select *
from {{ ref('int_restriction_periods') }}
where active
  and (starts_on > {{ as_of_date() }} or ends_on <= {{ as_of_date() }})
