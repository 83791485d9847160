-- Profile of marts.applicant_bands for the applicant_bands expectation suite: band four
-- financial resources as published against W5 recomputed independently from the extract
-- (val_financial_resources), one row per distinct combination with how many applications it
-- stands for and a few of their refs, so the profile stays small at any size of the register.
-- The mart's row-level rules (one row per active application, bands, categories, dates) are dbt
-- data tests (expectations/README.md).
with per_application as (
    select
        b.application_ref,
        b.band,
        b.category,
        coalesce(f.expected_band_four_financial, false) as expected_band_four_financial,
        coalesce(b.band = 'band_four' and b.category = 'financial_resources', false) as in_band_four_financial
    from {{ ref('applicant_bands') }} as b
    left join {{ ref('val_financial_resources') }} as f on f.application_ref = b.application_ref
)

select
    band,
    category,
    expected_band_four_financial,
    in_band_four_financial,
    count(*) as applications,
    array_to_string(min(application_ref, 3), ', ') as example_refs
from per_application
group by all
