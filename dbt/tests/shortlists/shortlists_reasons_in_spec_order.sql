-- Reasons are known codes, each at most once, in the order of policy-rules.md (Shortlisting):
-- a restriction code only right after not_on_register / cannot_bid.
with codes as (
    select [
        'withdrawn', 'outside_advert_window',
        'not_on_register', 'unacceptable_behaviour', 'twelve_month_rule',
        'cannot_bid', 'housing_debt', 'refusals',
        'bedroom_size', 'age_restriction', 'floor_level'
    ] as spec_order
),

indexed as (
    select
        s.bid_id,
        s.ineligible_reasons,
        list_transform(s.ineligible_reasons, lambda r: list_position(c.spec_order, r)) as idx
    from {{ ref('shortlists') }} as s
    cross join codes as c
)

select bid_id, ineligible_reasons
from indexed
where list_contains(idx, null)
    or idx <> list_sort(idx)
    or len(list_distinct(idx)) <> len(idx)
    or (list_has_any(ineligible_reasons, ['unacceptable_behaviour', 'twelve_month_rule'])
        and not list_contains(ineligible_reasons, 'not_on_register'))
    or (list_has_any(ineligible_reasons, ['housing_debt', 'refusals'])
        and not list_contains(ineligible_reasons, 'cannot_bid'))
    or (list_contains(ineligible_reasons, 'not_on_register') and list_contains(ineligible_reasons, 'cannot_bid'))
