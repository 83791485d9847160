-- Profile of marts.shortlists for the shortlists expectation suite: one row per distinct
-- combination of the checked facts, with how many bids it stands for and up to three of them.
-- The mart is the largest table (13M bids at the largest size), so each cross-row fact is
-- computed in one set-based pass and only exceptions are joined back.
-- Not materialized: each use scans the mart again, which costs less than a 13M-row copy in memory.
with shortlist as not materialized (
    select advert_id, application_ref, bid_id, eligible, position, priority_group, ineligible_reasons,
        assessed_on, can_bid
    from {{ ref('shortlists') }}
),

-- Positioned bids in position order per advert: a gap or a repeat makes some position differ
-- from its rank, and a priority group below the one just above is a decrease (W3 ranks by
-- priority group first). Only the offending bids are kept.
out_of_sequence as (
    select
        bid_id,
        coalesce(position <> rank_in_advert, false) as position_out_of_sequence,
        coalesce(priority_group < group_above, false) as priority_decreases
    from (
        select
            bid_id, position, priority_group,
            row_number() over by_position as rank_in_advert,
            lag(priority_group) over by_position as group_above
        from shortlist
        where position is not null
        window by_position as (partition by advert_id order by position)
    ) as ranked
    where position <> rank_in_advert or priority_group < group_above
),

-- One row per bid: the set of bid ids of each advert in the mart must be the extract's (as of
-- D). A count and a sum of hashes per advert compare the sets cheaply; the bids of adverts
-- whose sets differ are then compared exactly (bid ids are unique in the extract).
advert_fingerprints as (
    select coalesce(m.advert_id, e.advert_id) as advert_id
    from (select advert_id, count(*) as n, sum(hash(bid_id)::hugeint) as h from shortlist group by advert_id) as m
    full join (
        select advert_id, count(*) as n, sum(hash(bid_id)::hugeint) as h
        from {{ ref('stg_register__bids') }} group by advert_id
    ) as e on e.advert_id = m.advert_id
    where m.n is distinct from e.n or m.h is distinct from e.h
),

bid_anomalies as (
    select
        advert_id,
        bid_id,
        count(*) filter (where in_mart) as copies,
        bool_or(not in_mart) as in_extract
    from (
        select advert_id, bid_id, true as in_mart
        from shortlist where advert_id in (select advert_id from advert_fingerprints)
        union all
        select advert_id, bid_id, false as in_mart
        from {{ ref('stg_register__bids') }} where advert_id in (select advert_id from advert_fingerprints)
    ) as b
    group by advert_id, bid_id
    having count(*) filter (where in_mart) <> 1 or not bool_or(not in_mart)
),

cannot_bid as (
    select application_ref from {{ ref('applicant_bands') }} where not can_bid
),

-- The bid on the advert where the applicant accepted an offer is assessed as the bidder it
-- was (Shortlisting), so a position there does not contradict its later register status.
accepted as (
    select distinct advert_id, application_ref
    from {{ ref('stg_register__offers') }}
    where outcome = 'accepted' and advert_id is not null
),

per_bid as (
    select
        s.advert_id || ' bid ' || s.bid_id || coalesce(' position ' || s.position, '') as example,
        true as in_mart,
        coalesce(x.in_extract, true) as in_extract,
        coalesce(x.copies, 1) as copies,
        s.eligible,
        s.position is not null as has_position,
        s.ineligible_reasons is null as reasons_missing,
        len(s.ineligible_reasons) > 0 as has_reasons,
        s.ineligible_reasons,
        s.priority_group,
        coalesce(q.position_out_of_sequence, false) as position_out_of_sequence,
        coalesce(q.priority_decreases, false) as priority_decreases,
        -- applicant_bands is as of D, so it is the yardstick for shortlists assessed on D; a
        -- shortlist assessed at an earlier close (policy-rules.md Shortlisting) is held to the
        -- right to bid the mart records for that close.
        case
            when s.assessed_on = {{ as_of_date() }} then c.application_ref is null
            else coalesce(s.can_bid, false)
        end as applicant_can_bid,
        o.advert_id is not null as accepted_offer_on_advert
    from shortlist as s
    left join out_of_sequence as q on q.bid_id = s.bid_id
    left join bid_anomalies as x on x.bid_id = s.bid_id and x.advert_id = s.advert_id
    left join cannot_bid as c on c.application_ref = s.application_ref
    left join accepted as o on o.advert_id = s.advert_id and o.application_ref = s.application_ref
    union all
    select
        advert_id || ' bid ' || bid_id || ' (in the extract, not in the shortlist)',
        false, true, 0, null, null, null, null, null, null, false, false, null, false
    from bid_anomalies
    where copies = 0
),

profile as (
    select
        in_mart, in_extract, copies, eligible, has_position, reasons_missing, has_reasons, ineligible_reasons,
        priority_group, position_out_of_sequence, priority_decreases, applicant_can_bid, accepted_offer_on_advert,
        count(*) as bids,
        array_to_string(min(example, 3), '; ') as examples
    from per_bid
    group by all
)

select
    * exclude (ineligible_reasons),
    array_to_string(ineligible_reasons, ', ') as ineligible_reasons,
    -- The reason codes of policy-rules.md (Shortlisting) in its order: a well-formed list is its
    -- own filter of this list (known codes, in order, each once), and restriction codes only
    -- follow not_on_register or cannot_bid.
    coalesce(
        ineligible_reasons = list_filter(
            ['withdrawn', 'outside_advert_window', 'not_on_register', 'cannot_bid', 'housing_debt', 'refusals',
             'unacceptable_behaviour', 'twelve_month_rule', 'bedroom_size', 'age_restriction', 'floor_level',
             'advertised_for_lower_band'],
            lambda code: list_contains(ineligible_reasons, code))
        and (not list_has_any(ineligible_reasons, ['housing_debt', 'refusals', 'unacceptable_behaviour', 'twelve_month_rule'])
             or list_has_any(ineligible_reasons, ['not_on_register', 'cannot_bid'])),
        true) as reasons_in_spec_order
from profile
