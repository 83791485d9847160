-- Profile of marts.applicant_bands for the applicant_bands expectation suite: one row per
-- distinct combination of the checked columns and cross-table facts, with how many applications
-- it stands for and a few of their refs. Every row-wise invariant holds for the mart exactly when
-- it holds for every profile row, and the profile stays small at any size of the register.
with active_applications as (
    select application_ref, registration_date
    from {{ ref('stg_register__applications') }}
    where status = 'active'
),

bands as (
    select *, count(*) over (partition by application_ref) as copies
    from {{ ref('applicant_bands') }}
),

catalogue as (
    select need_code, band
    from {{ ref('int_policy__need_catalogue') }}
    where band is not null
),

-- Published restrictions that should decide on_register and can_bid (W4, W7, W11, W12).
published_restrictions as (
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
        coalesce(b.application_ref, a.application_ref) as application_ref,
        a.application_ref is not null as is_active_application,
        b.application_ref is not null as in_mart,
        coalesce(b.copies, 0) as copies,
        b.band,
        b.category,
        c.band as category_catalogue_band,
        b.multiple_need,
        b.transfer_category,
        b.bedroom_need,
        b.band_date is null as band_date_missing,
        coalesce(b.band_date < a.registration_date, false) as band_date_before_registration,
        b.on_register,
        b.can_bid,
        not coalesce(r.register_restriction, false) as expected_on_register,
        not coalesce(r.register_restriction or r.bidding_restriction, false) as expected_can_bid,
        coalesce(f.expected_band_four_financial, false) as expected_band_four_financial,
        coalesce(b.band = 'band_four' and b.category = 'financial_resources', false) as in_band_four_financial
    from bands as b
    full join active_applications as a on a.application_ref = b.application_ref
    left join catalogue as c on c.need_code = b.category
    left join published_restrictions as r on r.application_ref = coalesce(b.application_ref, a.application_ref)
    left join {{ ref('val_financial_resources') }} as f
        on f.application_ref = coalesce(b.application_ref, a.application_ref)
)

select
    is_active_application,
    in_mart,
    copies,
    band,
    category,
    category_catalogue_band,
    multiple_need,
    transfer_category,
    bedroom_need,
    band_date_missing,
    band_date_before_registration,
    on_register,
    can_bid,
    expected_on_register,
    expected_can_bid,
    expected_band_four_financial,
    in_band_four_financial,
    count(*) as applications,
    array_to_string(min(application_ref, 3), ', ') as example_refs
from per_application
group by all
