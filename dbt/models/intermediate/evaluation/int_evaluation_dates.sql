-- The (application, date) pairs the rules answer for (docs/rules-as-of-a-date.md): every
-- application on D (the nightly slice behind applicant_bands and bidding_restrictions), and each
-- bidder on the close C of every advert it bid on, C = closes_on or D for an advert still open
-- on D (policy-rules.md Shortlisting). One row per distinct pair: an application bidding on ten
-- adverts that close on three days is evaluated four times, not once per bid.
-- status is the application's status on that date: a `housed` application whose accepted offer
-- (the latest; dated by outcome_on, or offered_on where that is empty) is dated after the date
-- was still `active` then. Other statuses are undated facts, taken as extracted.
with bid_dates as (
    select distinct
        b.application_ref,
        least(coalesce(adv.closes_on, {{ as_of_date() }}), {{ as_of_date() }}) as evaluated_on
    from {{ ref('stg_register__bids') }} as b
    left join {{ ref('stg_register__adverts') }} as adv on adv.advert_id = b.advert_id
),

pairs as (
    select application_ref, {{ as_of_date() }} as evaluated_on
    from {{ ref('stg_register__applications') }}
    union
    select application_ref, evaluated_on
    from bid_dates
),

housed as (
    select
        application_ref,
        max(coalesce(outcome_on, offered_on)) as housed_on
    from {{ ref('stg_register__offers') }}
    where outcome = 'accepted'
    group by application_ref
)

select
    p.application_ref,
    p.evaluated_on,
    case
        when a.status = 'housed' and h.housed_on > p.evaluated_on then 'active'
        else a.status
    end as status,
    h.housed_on
from pairs as p
-- a bid from an application not in the extract on D gets no evaluation: nothing is known of it
inner join {{ ref('stg_register__applications') }} as a on a.application_ref = p.application_ref
left join housed as h on h.application_ref = p.application_ref
