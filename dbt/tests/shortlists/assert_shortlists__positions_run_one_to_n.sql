-- Per advert, the eligible bids hold positions 1..n with no gap or repeat.
select advert_id, count(*) as eligible_bids, count(distinct position) as positions, max(position) as last_position
from {{ ref('shortlists') }}
where eligible
group by advert_id
having count(distinct position) <> count(*) or max(position) <> count(*) or min(position) <> 1
