-- Every bid placed by D, assessed against its advert as at the advert's close C (closes_on, or D
-- for an advert still open; policy-rules.md Shortlisting; W2, W3, W6): eligibility, the reasons in
-- the spec's order, and the priority group, from the bidder's state on C (int_shortlist_bidders,
-- one row per application and evaluation date) and the policy in force on C. Ranking is in the
-- mart. A housed winner is judged as the bidder it was because its acceptance came after C, and
-- the 12-month bar its letting started does not exist on C (no special case for its advert).
--
-- Built for 13 million bids: what depends only on the applicant (register status, restrictions
-- and their wording, the W2 allowance, the W6 lower-floor rule) is worked out once per
-- application and evaluation date (int_evaluation_dates), not once per bid. Each reason is a bit
-- of `reason_mask` in the spec's order, and the list of codes comes from a join to every possible
-- mask (4,096 rows): integer work per bid instead of list building.
--
-- A view: the mart computes it once (a materialized CTE) and reads it twice (its eligible bids
-- to rank, then every bid with its position), which costs less than writing 13 million wide rows
-- here and reading them back (bench/README.md). Its invariants (one row per bid, eligible and
-- reasons set) are tested on the mart, where the rows are written.
{{ config(materialized='view') }}
{%- set reason_codes = ['withdrawn', 'outside_advert_window', 'not_on_register', 'cannot_bid',
                        'housing_debt', 'refusals', 'unacceptable_behaviour', 'twelve_month_rule',
                        'bedroom_size', 'age_restriction', 'floor_level', 'advertised_for_lower_band'] %}
{%- set bit = {} %}
{%- for code in reason_codes %}{% do bit.update({code: 2 ** loop.index0}) %}{% endfor %}
with reason_lists as (
    -- mask -> the codes of its set bits, in the spec's order
    select
        m.mask,
        coalesce(list(c.code order by c.bit) filter (where m.mask & c.bit <> 0), cast([] as varchar[]))
            as ineligible_reasons
    from range({{ 2 ** reason_codes | length }}) as m(mask)
    cross join (values
        {%- for code in reason_codes %}
        ('{{ code }}', {{ bit[code] }}){{ ',' if not loop.last }}
        {%- endfor %}
    ) as c(code, bit)
    group by m.mask
),

restricted as (
    select
        ap.*,
        list_contains(ap.active_restrictions, 'housing_debt') as has_housing_debt,
        list_contains(ap.active_restrictions, 'refusals') as has_refusals,
        list_contains(ap.active_restrictions, 'unacceptable_behaviour') as has_unacceptable_behaviour,
        list_contains(ap.active_restrictions, 'twelve_month_rule') as has_twelve_month_rule
    from {{ ref('int_shortlist_bidders') }} as ap
),

applicants as (
    select
        application_ref,
        assessments.evaluated_on,
        status,
        coalesce(status = 'active', false)
            and not has_unacceptable_behaviour and not has_twelve_month_rule as on_register,
        band,
        category,
        multiple_need,
        transfer_category,
        transfer_category_priority,
        band_date,
        registration_date,
        bedroom_need,
        current_floor_level,
        eldest_birth_date,
        unacceptable_behaviour_until,
        twelve_month_rule_until,
        refusals_until,
        has_unacceptable_behaviour,
        has_twelve_month_rule,
        has_housing_debt,
        has_refusals,
        -- W2: an under-occupying transfer tenant of a large home in high demand may take one
        -- bedroom more than needed, whatever its band, only when its home has at least two
        -- bedrooms more than its need: it moves "somewhere smaller", never to as many bedrooms.
        case
            when application_type = 'transfer'
                and current_bedrooms >= p.under_occupier_min_bedrooms
                and current_bedrooms >= bedroom_need + p.under_occupier_min_surplus_bedrooms
                and current_home_high_demand
                then p.under_occupier_extra_bedrooms
            else 0
        end as extra_bedrooms_allowed,
        -- W6 (2018): this transfer category is only considered for a move to a lower floor.
        coalesce(
            p.children_floor_lower_move_only = 1
            and application_type = 'transfer'
            and category = 'children_above_first_floor',
            false
        ) as lower_floor_only
    from restricted as assessments
    inner join {{ ref('int_policy__parameters_on_dates') }} as p on p.evaluated_on = assessments.evaluated_on
),

applicant_reasons as (
    -- After not_on_register, the unacceptable_behaviour / twelve_month_rule restrictions follow
    -- whatever the status; after cannot_bid, the housing_debt / refusals ones.
    select
        *,
        on_register and not has_housing_debt and not has_refusals as can_bid,
        case
            when not on_register then {{ bit['not_on_register'] }}
                + case when has_unacceptable_behaviour then {{ bit['unacceptable_behaviour'] }} else 0 end
                + case when has_twelve_month_rule then {{ bit['twelve_month_rule'] }} else 0 end
            when has_housing_debt or has_refusals then {{ bit['cannot_bid'] }}
                + case when has_housing_debt then {{ bit['housing_debt'] }} else 0 end
                + case when has_refusals then {{ bit['refusals'] }} else 0 end
            else 0
        end as applicant_mask,
        case
            when not on_register then 'not on the register (' || concat_ws(', ',
                case when coalesce(status, '') <> 'active'
                    then coalesce('application ' || status, 'application not registered by ' || evaluated_on) end,
                case when has_unacceptable_behaviour
                    then 'unacceptable behaviour' || coalesce(' until ' || unacceptable_behaviour_until, '') end,
                case when has_twelve_month_rule
                    then 'twelve month rule' || coalesce(' until ' || twelve_month_rule_until, '') end
            ) || ')'
            when has_housing_debt or has_refusals then 'cannot bid (' || concat_ws(', ',
                case when has_housing_debt then 'housing debt' end,
                case when has_refusals then 'refusals' || coalesce(' until ' || refusals_until, '') end
            ) || ')'
        end as applicant_detail
    from applicants
),

bid_closes as (
    select
        bid.*,
        adv.advert_id as found_advert_id,
        adv.source_line as found_advert_line,
        adv.bedrooms,
        adv.floor_level,
        adv.advertised_band,
        adv.min_age,
        adv.opens_on,
        adv.closes_on,
        -- C: the advert's close, or D while it is still open (an advert missing from staging: D)
        least(coalesce(adv.closes_on, {{ as_of_date() }}), {{ as_of_date() }}) as assessed_on
    from {{ ref('stg_register__bids') }} as bid
    left join {{ ref('stg_register__adverts') }} as adv on adv.advert_id = bid.advert_id
),

checked as (
    select
        c.bid_id,
        c.source_line,
        c.advert_id,
        c.application_ref,
        c.placed_at,
        c.status as bid_status,
        -- Staging keeps every advert (one opening after D too) and ingestion quarantines a bid
        -- whose advert is not loaded, so every bid finds its advert. Were one not to, the bid is
        -- still listed, only `outside_advert_window`: the advert's other facts are unknown.
        c.found_advert_id is not null as advert_found,
        c.found_advert_line as advert_line,
        c.bedrooms,
        c.floor_level,
        c.advertised_band,
        c.min_age,
        c.opens_on,
        c.closes_on,
        c.assessed_on,
        ap.status,
        coalesce(ap.on_register, false) as on_register,
        coalesce(ap.can_bid, false) as can_bid,
        -- a bid from an application not in the register at D is not on the register
        coalesce(ap.applicant_mask, {{ bit['not_on_register'] }}) as applicant_mask,
        coalesce(ap.applicant_detail,
            'not on the register (application not registered by ' || {{ as_of_date() }} || ')') as applicant_detail,
        ap.band,
        ap.category,
        ap.multiple_need,
        ap.transfer_category,
        ap.transfer_category_priority,
        ap.band_date,
        ap.registration_date,
        ap.bedroom_need,
        ap.current_floor_level,
        coalesce(ap.extra_bedrooms_allowed, 0) as extra_bedrooms_allowed,
        c.status <> 'active' as fails_withdrawn,
        -- closes_on: bids are accepted up to the end of that day, so compare dates.
        c.found_advert_id is null
            or cast(c.placed_at as date) < c.opens_on
            or cast(c.placed_at as date) > c.closes_on as fails_window,
        c.found_advert_id is not null
            and not coalesce(c.bedrooms between ap.bedroom_need and ap.bedroom_need + ap.extra_bedrooms_allowed, false)
            as fails_bedrooms,
        -- "that old on closes_on": completed years on the closing day, as banding counts age
        c.found_advert_id is not null and c.min_age is not null
            and not coalesce({{ age_in_years('ap.eldest_birth_date', 'c.closes_on') }} >= c.min_age, false)
            as fails_age,
        c.found_advert_id is not null and coalesce(ap.lower_floor_only, false)
            and not coalesce(c.floor_level < ap.current_floor_level, false) as fails_floor,
        -- W3 before 2018-08-08: a home advertised to a band lower than the bidder's (policy data:
        -- the matrix row of the version in force on C says so; the 2018 version never does).
        c.found_advert_id is not null and coalesce(mx.advertised_for_lower_band, false) as fails_lower_band,
        -- Given for ineligible bids too, but only for an application active on C; the
        -- age-designated advert uses the band one column (W3).
        case when ap.status = 'active' and c.found_advert_id is not null then mx.priority_group end
            as priority_group
    from bid_closes as c
    -- The bidder's row for C: the latest evaluation on or before it (int_evaluation_dates takes
    -- each C back to the last change date before it; nothing a rule reads changes in between).
    asof left join applicant_reasons as ap
        on ap.application_ref = c.application_ref
        and c.assessed_on >= ap.evaluated_on
    left join {{ ref('int_policy__shortlist_priority_matrix_on_dates') }} as mx
        on mx.evaluated_on = ap.evaluated_on
        and mx.applicant_band = ap.band
        and mx.advertised_band = coalesce(c.advertised_band, 'band_one')
),

masked as (
    select
        *,
        case when fails_withdrawn then {{ bit['withdrawn'] }} else 0 end
            + case when fails_window then {{ bit['outside_advert_window'] }} else 0 end
            + applicant_mask
            + case when fails_bedrooms then {{ bit['bedroom_size'] }} else 0 end
            + case when fails_age then {{ bit['age_restriction'] }} else 0 end
            + case when fails_floor then {{ bit['floor_level'] }} else 0 end
            + case when fails_lower_band then {{ bit['advertised_for_lower_band'] }} else 0 end as reason_mask
    from checked
)

select
    r.bid_id,
    -- the bid's line in the extract: unique per bid, the integer key the mart joins back on
    r.source_line,
    -- the advert's line in adverts.csv: one per advert, the integer the mart partitions by
    r.advert_line,
    r.advert_id,
    r.application_ref,
    r.placed_at,
    r.bid_status,
    r.reason_mask = 0 as eligible,
    r.priority_group,
    l.ineligible_reasons,
    -- A caseworker-readable account of each reason, in the same order (NULL when eligible).
    case when r.reason_mask > 0 then concat_ws('; ',
        case when r.fails_withdrawn then 'bid withdrawn' end,
        case when r.fails_window then
            'bid placed ' || strftime(r.placed_at, '%Y-%m-%d %H:%M')
            || case
                when r.advert_found then ' outside the advert window ' || r.opens_on
                    || ' to the end of ' || r.closes_on
                else ' on an advert not in the extract'
            end
        end,
        case when r.applicant_mask > 0 then r.applicant_detail end,
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
        end,
        case when r.fails_lower_band then
            'advertised for a lower band (' || replace(r.advertised_band, '_', ' ')
            || ', below the bidder''s ' || replace(r.band, '_', ' ') || ' on ' || r.assessed_on
            || '; a bar of the policy before 2018-08-08)'
        end
    ) end as ineligibility_detail,
    -- What the mart ranks by and publishes; category and transfer category for whoever queries
    -- the view, the under-occupier allowance for its unit tests. A view: a column the mart does
    -- not select is never computed for the 13 million bids.
    r.on_register,
    r.can_bid,
    r.assessed_on,
    r.band,
    r.category,
    coalesce(r.multiple_need, false) as multiple_need,
    r.transfer_category,
    r.transfer_category_priority,
    r.band_date,
    r.registration_date,
    r.extra_bedrooms_allowed,
    r.advertised_band
from masked as r
inner join reason_lists as l on l.mask = r.reason_mask
