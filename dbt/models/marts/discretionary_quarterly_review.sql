-- D10: the list of all discretionary allocations (requests with an offer, withdrawn offers
-- included: an offer was made) for the quarterly review by the Head of Housing Management and
-- Housing Options, by calendar quarter of the approval, with the audit's findings.
-- Our reading where the spec is silent: an allocation that was never approved (itself a D6
-- finding) is not left off the list; it is listed in the quarter of its first offer, and
-- quarter_basis says so.
select
    year(coalesce(approved_on, first_offer_on)) || '-Q' || quarter(coalesce(approved_on, first_offer_on)) as review_quarter,
    cast(date_trunc('quarter', coalesce(approved_on, first_offer_on)) as date) as quarter_start_on,
    case when approved_on is null then 'first_offer_never_approved' else 'approval' end as quarter_basis,
    request_id,
    application_ref,
    approved_on,
    approved_by,
    approver_role,
    initiated_on,
    initiated_by,
    first_offer_on,
    offers_made,
    reason,
    related_party,
    property_landlord_type,
    handled_under_management_agreement,
    findings,
    compliant,
    finding_details,
    explanation
from {{ ref('int_discretionary_findings') }}
where first_offer_on is not null
