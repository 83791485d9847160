-- A restriction is active only inside its period on the date it is evaluated for (D, or an
-- advert's close): starts_on <= that date and (ends_on NULL or > that date).
select *
from {{ ref('int_restriction_periods') }}
where active
  and (starts_on > evaluated_on or ends_on <= evaluated_on)
