-- Findings are codes from policy-rules.md (D1-D9), each at most once, in the spec's order, with
-- exactly one sentence per finding in finding_details.
with codes(code, position) as (
    values
        ('initiator_not_housing_staff', 1),
        ('unauthorised_approver', 2),
        ('exception_without_authority', 3),
        ('missing_head_of_housing_management_agreement', 4),
        ('managing_director_not_informed', 5),
        ('more_than_one_offer', 6),
        ('offer_before_approval', 7),
        ('offer_after_approval_rescinded', 8),
        ('out_of_date_order', 9),
        ('self_approved', 10),
        ('appeal_review_overdue', 11)
),

listed as (
    select a.request_id, a.findings, a.finding_details, u.code, u.ordinal
    from {{ ref('discretionary_audit') }} as a,
        unnest(a.findings) with ordinality as u(code, ordinal)
)

select l.request_id, l.findings, 'unknown code ' || l.code as problem
from listed as l
left join codes as c on c.code = l.code
where c.code is null
union all
select request_id, findings, 'not in the spec order or repeated'
from (
    select l.request_id, l.findings, c.position,
        lag(c.position) over (partition by l.request_id order by l.ordinal) as previous_position
    from listed as l
    inner join codes as c on c.code = l.code
)
where position <= previous_position
union all
select request_id, findings, 'finding_details does not match findings one to one'
from {{ ref('discretionary_audit') }}
where len(findings) <> len(finding_details)
