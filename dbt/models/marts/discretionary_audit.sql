-- The published audit of discretionary (out of turn) allocations, Derby D1-D9: the contract's
-- columns first (outputs-and-cli.md), then the sentences and context an auditor reads.
select
    request_id,
    application_ref,
    approved_on,
    findings,
    compliant,
    finding_details,
    explanation,
    property_landlord_type,
    handled_under_management_agreement,
    related_party,
    reason,
    initiated_by,
    initiated_on,
    approved_by,
    approver_role,
    first_offer_on,
    offers_made,
    offers_not_withdrawn
from {{ ref('int_discretionary_findings') }}
