{# Attached to applicant_bands so Dagster shows it as that asset's check. #}
{{ config(meta={'dagster': {'ref': {'name': 'applicant_bands'}}}) }}
-- The category belongs to the band (Banding): band one-three a need code of that band in the
-- catalogue in force (or multiple_need in band two / three); band four financial_resources or
-- no_housing_need; the transfer band a transfer category in force.
select b.application_ref, b.band, b.category
from {{ ref('applicant_bands') }} as b
left join {{ ref('int_policy__need_catalogue') }} as n
    on n.need_code = b.category and n.band = b.band
left join {{ ref('int_policy__transfer_categories') }} as t
    on t.transfer_category = b.category
where case
    when b.band = 'band_four' then b.category not in ('financial_resources', 'no_housing_need')
    when b.band = 'transfer' then t.transfer_category is null
    when b.category = 'multiple_need' then b.band not in ('band_two', 'band_three')
    else n.need_code is null
end
