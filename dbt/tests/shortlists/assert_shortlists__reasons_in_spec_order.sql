-- Reasons are known codes, each at most once, in the order of policy-rules.md (Shortlisting):
-- a restriction code only right after not_on_register / cannot_bid.
-- Checked once per distinct list (about a hundred), then the bids holding a bad list are listed:
-- list functions over every bid would give the same answer at far more cost.
with codes as (
    select [
        'withdrawn', 'outside_advert_window',
        'not_on_register', 'unacceptable_behaviour', 'twelve_month_rule',
        'cannot_bid', 'housing_debt', 'refusals',
        'bedroom_size', 'age_restriction', 'floor_level', 'advertised_for_lower_band'
    ] as spec_order
),

lists as (
    select distinct ineligible_reasons
    from {{ ref('shortlists') }}
    where ineligible_reasons is not null
),

indexed as (
    select
        l.ineligible_reasons,
        list_transform(l.ineligible_reasons, lambda r: list_position(c.spec_order, r)) as idx
    from lists as l
    cross join codes as c
),

bad_lists as (
    select ineligible_reasons
    from indexed
    where list_contains(idx, null)
        or idx <> list_sort(idx)
        or len(list_distinct(idx)) <> len(idx)
        or (list_has_any(ineligible_reasons, ['unacceptable_behaviour', 'twelve_month_rule'])
            and not list_contains(ineligible_reasons, 'not_on_register'))
        or (list_has_any(ineligible_reasons, ['housing_debt', 'refusals'])
            and not list_contains(ineligible_reasons, 'cannot_bid'))
        or (list_contains(ineligible_reasons, 'not_on_register') and list_contains(ineligible_reasons, 'cannot_bid'))
)

select s.bid_id, s.ineligible_reasons
from {{ ref('shortlists') }} as s
semi join bad_lists as b on b.ineligible_reasons = s.ineligible_reasons
