-- compliant is true exactly when the findings list is empty (never NULL).
select request_id, findings, compliant
from {{ ref('discretionary_audit') }}
where compliant is distinct from (len(findings) = 0)
