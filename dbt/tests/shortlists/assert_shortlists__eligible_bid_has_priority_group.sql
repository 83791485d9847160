-- An eligible bid comes from an active application, so the W3 matrix gives it a group.
select bid_id
from {{ ref('shortlists') }}
where eligible and priority_group is null
