-- Profile of marts.shortlists against marts.applicant_bands for the shortlists suite: whether
-- a bid holding a position comes from an applicant published as able to bid, one row per
-- distinct combination with how many bids it stands for and up to three of them.
-- The shortlist's own row-level rules (one row per bid, positions 1..n, reasons, priority
-- groups) are dbt data tests (expectations/README.md).
with cannot_bid as (
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
        s.advert_id || ' bid ' || s.bid_id || ' position ' || s.position as example,
        -- applicant_bands is as of D, so it is the yardstick for shortlists assessed on D; a
        -- shortlist assessed at an earlier close (policy-rules.md Shortlisting) is held to the
        -- right to bid the mart records for that close.
        case
            when s.assessed_on = {{ as_of_date() }} then c.application_ref is null
            else coalesce(s.can_bid, false)
        end as applicant_can_bid,
        o.advert_id is not null as accepted_offer_on_advert
    from {{ ref('shortlists') }} as s
    left join cannot_bid as c on c.application_ref = s.application_ref
    left join accepted as o on o.advert_id = s.advert_id and o.application_ref = s.application_ref
    where s.position is not null
)

select
    applicant_can_bid,
    accepted_offer_on_advert,
    count(*) as bids,
    array_to_string(min(example, 3), '; ') as examples
from per_bid
group by all
