-- Down each advert's shortlist the priority group never decreases (W3 ranks by priority group
-- first): no eligible bid has a lower group number than the bid one position above it.
select advert_id, bid_id, position, priority_group, group_above
from (
    select
        advert_id, bid_id, position, priority_group,
        lag(priority_group) over (partition by advert_id order by position) as group_above
    from {{ ref('shortlists') }}
    where position is not null
) as ranked
where priority_group < group_above
