-- A position is given to an eligible bid and only to one.
select bid_id, eligible, position
from {{ ref('shortlists') }}
where (position is not null) <> eligible
