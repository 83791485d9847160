-- One row: every policy parameter in force on the as-of date, as a column (W13): the D row of
-- int_policy__parameters_on_dates, so both read the seed the same way. Publishing reads
-- policy_effective_from from here.
select * exclude (evaluated_on)
from {{ ref('int_policy__parameters_on_dates') }}
where evaluated_on = {{ as_of_date() }}
