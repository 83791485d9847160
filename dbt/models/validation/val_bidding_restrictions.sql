-- Profile of marts.bidding_restrictions against marts.applicant_bands for the
-- bidding_restrictions suite: each active application's published register and bidding status
-- beside the status its published active restrictions give it (W4, W7, W11, W12), one row per
-- distinct combination with how many applications it stands for and a few of their refs.
-- The restriction rows' own rules (codes, dates, active on D, active applications only) are dbt
-- data tests (expectations/README.md).
with published_restrictions as (
    select
        application_ref,
        bool_or(restriction in ('unacceptable_behaviour', 'twelve_month_rule')) as register_restriction,
        bool_or(restriction in ('housing_debt', 'refusals')) as bidding_restriction
    from {{ ref('bidding_restrictions') }}
    where active
    group by application_ref
),

per_application as (
    select
        b.application_ref,
        b.on_register,
        b.can_bid,
        not coalesce(r.register_restriction, false) as expected_on_register,
        not coalesce(r.register_restriction or r.bidding_restriction, false) as expected_can_bid
    from {{ ref('applicant_bands') }} as b
    left join published_restrictions as r on r.application_ref = b.application_ref
)

select
    on_register,
    can_bid,
    expected_on_register,
    expected_can_bid,
    count(*) as applications,
    array_to_string(min(application_ref, 3), ', ') as example_refs
from per_application
group by all
