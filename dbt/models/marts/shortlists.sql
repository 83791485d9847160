-- One row per bid with its shortlist position (policy-rules.md Shortlisting; W2, W3, W6, W10), as
-- at the advert's close: assessed_on is that date C, the key of the bidder's row in
-- marts.shortlist_applicants.
-- The bids are assessed once (int_shortlist_bids is a view: a materialized CTE computes it once
-- for the two reads below instead of twice). The ranking windows run over a narrow projection
-- of the eligible bids only and are joined back by the bid's extract line (an integer, cheaper
-- to join than bid_id): sorting the wide rows costs several times more. They partition by the
-- advert's extract line, not advert_id: the same partitions (one line per advert, and only a
-- bid on a known advert is eligible) sorted on an integer, which is cheaper. The sentence a
-- caseworker reads out is worded on read by the view shortlist_explanations from the facts kept
-- here and the application's band and dates in marts.shortlist_applicants.
with bids as materialized (
    select * from {{ ref('int_shortlist_bids') }}
),

ranked as (
    select
        source_line,
        row_number() over by_rank as bid_position,
        count(*) over (partition by advert_line) as eligible_count,
        -- Positions are ordered by priority group first, so the bids above a group's first
        -- position are those of higher groups: rank() over the group number alone counts them.
        rank() over (partition by advert_line order by priority_group) - 1 as in_higher_groups
    from bids
    where eligible
    window by_rank as (
        partition by advert_line
        order by
            priority_group,                       -- 1. W3 matrix
            multiple_need desc,                   -- 2. W10: multiple need first, whatever the time on the list
            case when band = 'transfer' then transfer_category_priority end, -- 3. W1
            band_date,                            -- 4. time in band, then on the list
            registration_date,
            placed_at,
            application_ref,
            bid_id
    )
),

counted as (
    select
        b.* exclude (source_line, advert_line),
        g.bid_position,
        g.eligible_count,
        g.in_higher_groups
    from bids as b
    left join ranked as g on g.source_line = b.source_line
)

select
    advert_id,
    application_ref,
    bid_id,
    eligible,
    cast(bid_position as integer) as position,
    priority_group,
    ineligible_reasons,
    placed_at,
    bid_status,
    advertised_band,
    assessed_on,
    on_register,
    can_bid,
    -- What marts.shortlist_explanations words on read (stored as facts, not as a sentence per bid),
    -- with the application's band and dates from marts.shortlist_applicants.
    cast(eligible_count as integer) as eligible_bids,
    cast(in_higher_groups as integer) as in_higher_groups,
    ineligibility_detail
from counted
