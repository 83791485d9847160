{# Attached to discretionary_quarterly_review so Dagster shows it as that asset's check. #}
{{ config(meta={'dagster': {'ref': {'name': 'discretionary_quarterly_review'}}}) }}
-- D10: every request with an offer is in the quarterly review, with the audit's findings.
select a.request_id, a.findings as audit_findings, q.findings as review_findings
from {{ ref('discretionary_audit') }} as a
left join {{ ref('discretionary_quarterly_review') }} as q on q.request_id = a.request_id
where a.first_offer_on is not null
  and (q.request_id is null or q.findings is distinct from a.findings)
