-- Every advert, also one opening after the as-of date: an advert is not a fact dated after D
-- (its bids are), and a bid placed by D on an advert not yet open is listed as outside the
-- advert window with its real priority group.
select
    advert_id,
    property_ref,
    landlord_type,
    property_type,
    bedrooms,
    floor_level,
    advertised_band,
    min_age,
    opens_on,
    closes_on,
    source_line
from {{ source('register', 'adverts') }}
