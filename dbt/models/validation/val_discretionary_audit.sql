-- Profile of marts.discretionary_audit for the discretionary_audit suite: coverage of the
-- extract's requests, compliant against the findings list, and the findings' codes and order.
with audit as (
    select *, count(*) over (partition by request_id) as copies
    from {{ ref('discretionary_audit') }}
),

requests as (
    select request_id from {{ ref('stg_register__discretionary_requests') }}
),

per_request as (
    select
        coalesce(a.request_id, r.request_id) as request_id,
        r.request_id is not null as in_extract,
        a.request_id is not null as in_mart,
        coalesce(a.copies, 0) as copies,
        a.compliant,
        a.findings is null as findings_missing,
        len(a.findings) = 0 as no_findings,
        -- The finding codes of policy-rules.md (D1-D9) in its order: a well-formed list is its
        -- own filter of this list (known codes, the spec's order, each once).
        coalesce(a.findings = list_filter(
            ['initiator_not_housing_staff', 'unauthorised_approver', 'exception_without_authority',
             'missing_head_of_housing_management_agreement', 'managing_director_not_informed',
             'more_than_one_offer', 'offer_before_approval', 'offer_after_approval_rescinded',
             'out_of_date_order', 'self_approved',
             'appeal_review_overdue'],
            lambda code: list_contains(a.findings, code)), true) as findings_in_spec_order,
        coalesce(a.approved_on > {{ as_of_date() }}, false) as approved_after_as_of
    from audit as a
    full join requests as r on r.request_id = a.request_id
)

select
    in_extract,
    in_mart,
    copies,
    compliant,
    findings_missing,
    no_findings,
    findings_in_spec_order,
    approved_after_as_of,
    count(*) as requests,
    array_to_string(min(request_id, 3), ', ') as example_requests
from per_request
group by all
