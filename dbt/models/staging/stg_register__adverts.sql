-- Leaves out adverts opening after the as-of date (Terms: rows dated after D are ignored).
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
where opens_on <= {{ as_of_date() }}
