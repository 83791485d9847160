-- Every restriction period that has an end ends after it starts (policy-rules.md, Restrictions).
select *
from {{ ref('int_restriction_periods') }}
where ends_on is not null and ends_on <= starts_on
