-- Profile of marts.discretionary_audit against the two marts worded from the same findings, for
-- the discretionary_audit suite: the D9 finding against marts.discretionary_appeals, and the
-- D10 quarterly review list against the audit, one row per distinct combination with how many
-- requests it stands for and a few of them.
-- The audit's own row-level rules (one row per request, compliant, finding codes and order) are
-- dbt data tests (expectations/README.md).
with overdue as (
    select request_id, bool_or(review_overdue) as any_overdue
    from {{ ref('discretionary_appeals') }}
    group by request_id
),

per_request as (
    select
        a.request_id,
        coalesce(list_contains(a.findings, 'appeal_review_overdue'), false) as finding_appeal_review_overdue,
        coalesce(o.any_overdue, false) as appeal_overdue,
        a.first_offer_on is not null as has_offer,
        q.request_id is not null as in_quarterly_review,
        q.request_id is null or q.findings is not distinct from a.findings as review_findings_match
    from {{ ref('discretionary_audit') }} as a
    left join overdue as o on o.request_id = a.request_id
    left join {{ ref('discretionary_quarterly_review') }} as q on q.request_id = a.request_id
)

select
    finding_appeal_review_overdue,
    appeal_overdue,
    has_offer,
    in_quarterly_review,
    review_findings_match,
    count(*) as requests,
    array_to_string(min(request_id, 3), ', ') as example_requests
from per_request
group by all
