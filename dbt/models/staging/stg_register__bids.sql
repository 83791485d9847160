-- Leaves out bids placed after the as-of date (Terms: rows dated after D are ignored).
select
    bid_id,
    advert_id,
    application_ref,
    placed_at,
    status,
    source_line
from {{ source('register', 'bids') }}
where cast(placed_at as date) <= {{ as_of_date() }}
