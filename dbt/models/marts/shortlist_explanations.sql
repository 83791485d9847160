-- The sentence a caseworker can read out for each shortlist row (issue 5), worded on read from
-- marts.shortlists. A view: at England scale the sentences are about 2 GB of text, which would
-- cost more to write and publish than the ranking itself, and one advert's shortlist is read at
-- a time. Published as a view beside the table it reads.
{{ config(materialized='view') }}

select
    advert_id,
    application_ref,
    bid_id,
    eligible,
    position,
    case
        when eligible then
            'position ' || position || ' of ' || eligible_bids || ': '
            || case when band = 'transfer' then 'transfer band' else replace(band, '_', ' ') end
            || ', ' || replace(category, '_', ' ')
            || case when band = 'transfer' then ' (transfer category ' || transfer_category_priority || ')' else '' end
            || ', band date ' || band_date
            || ', registered ' || registration_date
            || ', bid placed ' || left(cast(placed_at as varchar), 16)
            || '; priority group ' || priority_group || ' on '
            || case
                when advertised_band is null then 'an age-designated advert (shortlisted as band one)'
                when advertised_band = 'transfer' then 'an advert for the transfer band'
                else 'an advert for ' || replace(advertised_band, '_', ' ')
            end
            || '; ' || in_higher_groups
            || case when in_higher_groups = 1 then ' applicant' else ' applicants' end
            || ' in higher priority groups, '
            || (position - 1 - in_higher_groups) || ' ahead in the same group'
        else 'not eligible: ' || ineligibility_detail
    end as explanation
-- Not qualified by catalog: the view is copied into the published file, where it must read
-- that file's shortlists, not the build database's.
from {{ ref('shortlists').include(database=False) }}
