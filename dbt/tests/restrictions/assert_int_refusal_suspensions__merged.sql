-- W11: overlapping or touching refusal suspensions are one row, so no two rows of an
-- application (on one evaluation date) overlap or touch.
select a.application_ref, a.starts_on, a.ends_on, b.starts_on as other_starts_on
from {{ ref('int_refusal_suspensions') }} as a
inner join {{ ref('int_refusal_suspensions') }} as b
    on b.application_ref = a.application_ref
   and b.evaluated_on = a.evaluated_on
   and b.starts_on > a.starts_on
   and b.starts_on <= a.ends_on
