-- ineligible_reasons is [] (never NULL) for an eligible bid and non-empty otherwise.
select bid_id, eligible, ineligible_reasons
from {{ ref('shortlists') }}
where ineligible_reasons is null or (len(ineligible_reasons) = 0) <> eligible
