-- One row per bid with its shortlist position (policy-rules.md Shortlisting; W2, W3, W6, W10).
-- Ranked with one window over the whole bid table (partitioned by advert), not per advert.
-- The windows run over a narrow projection of the eligible bids only and are joined back by
-- bid_id: sorting the wide rows (with their explanation texts) costs several times more.
with ranked as (
    select
        bid_id,
        advert_id,
        priority_group,
        row_number() over (
            partition by advert_id
            order by
                priority_group,                       -- 1. W3 matrix
                multiple_need desc,                   -- 2. W10: multiple need first, whatever the time on the list
                case when band = 'transfer' then transfer_category_priority end, -- 3. W1
                band_date,                            -- 4. time in band, then on the list
                registration_date,
                placed_at,
                application_ref,
                bid_id
        ) as bid_position,
        count(*) over (partition by advert_id) as eligible_count
    from {{ ref('int_shortlist_bids') }}
    where eligible
),

grouped as (
    select
        bid_id,
        bid_position,
        eligible_count,
        -- positions are ordered by group first, so the group's first position counts those above it
        min(bid_position) over (partition by advert_id, priority_group) - 1 as in_higher_groups
    from ranked
),

counted as (
    select
        b.*,
        g.bid_position,
        g.eligible_count,
        g.in_higher_groups
    from {{ ref('int_shortlist_bids') }} as b
    left join grouped as g on g.bid_id = b.bid_id
)

select
    advert_id,
    application_ref,
    bid_id,
    eligible,
    cast(bid_position as integer) as position,
    priority_group,
    ineligible_reasons,
    case
        when eligible then
            'position ' || bid_position || ' of ' || eligible_count || ': '
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
            || (bid_position - 1 - in_higher_groups) || ' ahead in the same group'
        else 'not eligible: ' || ineligibility_detail
    end as explanation,
    band,
    category,
    multiple_need,
    transfer_category,
    band_date,
    registration_date,
    placed_at,
    bid_status,
    advertised_band,
    assessed_as_bidder,
    on_register,
    can_bid
from counted
