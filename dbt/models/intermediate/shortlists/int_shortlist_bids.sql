-- Every bid placed by D, assessed against its advert (policy-rules.md Shortlisting; W2, W3, W6):
-- eligibility, the reasons in the spec's order, and the priority group. Ranking is in the mart.
-- One pass over the bids: key joins only; the reason list is a fixed list of CASEs, filtered.
{%- set register_codes = "['unacceptable_behaviour', 'twelve_month_rule']" %}
{%- set bidding_codes = "['housing_debt', 'refusals']" %}
with accepted_adverts as (
    -- The advert on which an application accepted an offer: there it is assessed as the bidder it
    -- was, not as the tenant it became.
    select distinct advert_id, application_ref
    from {{ ref('stg_register__offers') }}
    where outcome = 'accepted' and advert_id is not null
),

assessed as (
    select
        bid.bid_id,
        bid.advert_id,
        bid.application_ref,
        bid.placed_at,
        bid.status as bid_status,
        -- Staging leaves out adverts opening after D; a bid placed by D on one came before it
        -- opened. Such a bid is only `outside_advert_window`: the advert's other facts are unknown.
        adv.advert_id is not null as advert_found,
        adv.bedrooms,
        adv.floor_level,
        adv.advertised_band,
        adv.min_age,
        adv.opens_on,
        adv.closes_on,
        acc.advert_id is not null as assessed_as_bidder,
        case when acc.advert_id is not null and ap.status = 'housed' then 'active' else ap.status end as status,
        -- The 12-month bar that letting started is disregarded on that advert only.
        case
            when acc.advert_id is not null
                then list_filter(coalesce(ap.active_restrictions, cast([] as varchar[])), lambda r: r <> 'twelve_month_rule')
            else coalesce(ap.active_restrictions, cast([] as varchar[]))
        end as restrictions,
        ap.application_type,
        ap.registration_date,
        ap.band,
        ap.category,
        ap.multiple_need,
        ap.transfer_category,
        ap.transfer_category_priority,
        ap.bedroom_need,
        ap.band_date,
        ap.current_bedrooms,
        ap.current_floor_level,
        ap.eldest_birth_date,
        ap.refusals_until,
        ap.unacceptable_behaviour_until,
        ap.twelve_month_rule_until,
        -- W2: an under-occupying transfer tenant of a large home in high demand may take one
        -- bedroom more than needed, whatever its band.
        case
            when ap.application_type = 'transfer'
                and ap.current_bedrooms >= p.under_occupier_min_bedrooms
                and ap.current_bedrooms > ap.bedroom_need
                and ap.current_home_high_demand
                then p.under_occupier_extra_bedrooms
            else 0
        end as extra_bedrooms_allowed,
        -- W6 (2018): this transfer category is only considered for a move to a lower floor.
        coalesce(
            p.children_floor_lower_move_only = 1
            and ap.application_type = 'transfer'
            and ap.category = 'children_above_first_floor',
            false
        ) as lower_floor_only
    from {{ ref('stg_register__bids') }} as bid
    left join {{ ref('stg_register__adverts') }} as adv on adv.advert_id = bid.advert_id
    left join {{ ref('int_shortlist_bidders') }} as ap on ap.application_ref = bid.application_ref
    left join accepted_adverts as acc
        on acc.advert_id = bid.advert_id and acc.application_ref = bid.application_ref
    cross join {{ ref('int_policy__parameters') }} as p
),

checked as (
    select
        *,
        bid_status <> 'active' as fails_withdrawn,
        -- closes_on: bids are accepted up to the end of that day, so compare dates.
        not advert_found
            or cast(placed_at as date) < opens_on
            or cast(placed_at as date) > closes_on as fails_window,
        coalesce(status = 'active', false)
            and not list_has_any(restrictions, {{ register_codes }}) as on_register,
        advert_found
            and not coalesce(bedrooms between bedroom_need and bedroom_need + extra_bedrooms_allowed, false)
            as fails_bedrooms,
        -- "that old on closes_on": completed years on the closing day, as banding counts age
        advert_found and min_age is not null
            and not coalesce({{ age_in_years('eldest_birth_date', 'closes_on') }} >= min_age, false) as fails_age,
        advert_found and lower_floor_only
            and not coalesce(floor_level < current_floor_level, false) as fails_floor
    from assessed
),

reasoned as (
    select
        *,
        on_register and not list_has_any(restrictions, {{ bidding_codes }}) as can_bid,
        -- The spec's order; after not_on_register / cannot_bid, the restrictions causing it
        -- (active_restrictions is already in the spec's order).
        list_filter([
            case when fails_withdrawn then 'withdrawn' end,
            case when fails_window then 'outside_advert_window' end
        ], lambda x: x is not null)
        || case
            when not on_register then ['not_on_register']
                || list_filter(restrictions, lambda r: list_contains({{ register_codes }}, r))
            when list_has_any(restrictions, {{ bidding_codes }}) then ['cannot_bid']
                || list_filter(restrictions, lambda r: list_contains({{ bidding_codes }}, r))
            else cast([] as varchar[])
        end
        || list_filter([
            case when fails_bedrooms then 'bedroom_size' end,
            case when fails_age then 'age_restriction' end,
            case when fails_floor then 'floor_level' end
        ], lambda x: x is not null) as ineligible_reasons
    from checked
)

select
    r.bid_id,
    r.advert_id,
    r.application_ref,
    r.placed_at,
    r.bid_status,
    len(r.ineligible_reasons) = 0 as eligible,
    -- Given for ineligible bids too, but only for an active application (or the winner assessed
    -- as the bidder it was); the age-designated advert uses the band one column (W3).
    mx.priority_group,
    cast(r.ineligible_reasons as varchar[]) as ineligible_reasons,
    -- A caseworker-readable account of each reason, in the same order (NULL when eligible).
    case when len(r.ineligible_reasons) > 0 then concat_ws('; ',
        case when r.fails_withdrawn then 'bid withdrawn' end,
        case when r.fails_window then
            'bid placed ' || strftime(r.placed_at, '%Y-%m-%d %H:%M')
            || case
                when r.advert_found then ' outside the advert window ' || r.opens_on
                    || ' to the end of ' || r.closes_on
                else ' on an advert that had not opened by ' || {{ as_of_date() }}
            end
        end,
        case when not r.on_register then 'not on the register (' || concat_ws(', ',
            case when coalesce(r.status, '') <> 'active'
                then coalesce('application ' || r.status, 'application not registered by ' || {{ as_of_date() }}) end,
            case when list_contains(r.restrictions, 'unacceptable_behaviour')
                then 'unacceptable behaviour' || coalesce(' until ' || r.unacceptable_behaviour_until, '') end,
            case when list_contains(r.restrictions, 'twelve_month_rule')
                then 'twelve month rule' || coalesce(' until ' || r.twelve_month_rule_until, '') end
        ) || ')' end,
        case when r.on_register and not r.can_bid then 'cannot bid (' || concat_ws(', ',
            case when list_contains(r.restrictions, 'housing_debt') then 'housing debt' end,
            case when list_contains(r.restrictions, 'refusals')
                then 'refusals' || coalesce(' until ' || r.refusals_until, '') end
        ) || ')' end,
        case when r.fails_bedrooms then
            'bedroom size (the advert has ' || r.bedrooms
            || case when r.bedrooms = 1 then ' bedroom' else ' bedrooms' end || '; the household needs '
            || coalesce(cast(r.bedroom_need as varchar), 'an unknown number')
            || case when r.extra_bedrooms_allowed > 0
                then ' and as an under-occupier may take up to ' || (r.bedroom_need + r.extra_bedrooms_allowed)
                else '' end
            || ')'
        end,
        case when r.fails_age then
            'age restriction (the advert is for ' || r.min_age || ' and over; neither the applicant nor a partner is '
            || r.min_age || ' on ' || r.closes_on || ')'
        end,
        case when r.fails_floor then
            'floor level (the advert is on floor ' || r.floor_level
            || '; with children above the first floor the household may only move below its current floor '
            || coalesce(cast(r.current_floor_level as varchar), 'unknown') || ')'
        end
    ) end as ineligibility_detail,
    r.status,
    r.on_register,
    r.can_bid,
    r.assessed_as_bidder,
    r.band,
    r.category,
    coalesce(r.multiple_need, false) as multiple_need,
    r.transfer_category,
    r.transfer_category_priority,
    r.band_date,
    r.registration_date,
    r.bedroom_need,
    r.extra_bedrooms_allowed,
    r.advertised_band,
    r.bedrooms,
    r.closes_on
from reasoned as r
left join {{ ref('int_policy__shortlist_priority_matrix') }} as mx
    on r.status = 'active'
    and r.advert_found
    and mx.applicant_band = r.band
    and mx.advertised_band = coalesce(r.advertised_band, 'band_one')
