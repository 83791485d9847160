-- Published restriction periods (outputs-and-cli.md, marts.bidding_restrictions): rows of
-- `active` applications only (policy-rules.md: "Rows cover active applications"), as of D (the
-- restriction models answer for every evaluation date; this is D's slice).
select
    r.application_ref,
    r.restriction,
    r.starts_on,
    r.ends_on,
    r.active,
    r.reason,
    r.lifted_by,
    r.source_id
from {{ ref('int_restriction_periods') }} as r
inner join {{ ref('stg_register__applications') }} as a
    on a.application_ref = r.application_ref
where r.evaluated_on = {{ as_of_date() }}
    and a.status = 'active'
