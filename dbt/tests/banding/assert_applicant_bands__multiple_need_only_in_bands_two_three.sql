-- Multiple need exists only in band two and band three (W10), and is flagged exactly when the
-- category is multiple_need.
select application_ref, band, category, multiple_need
from {{ ref('applicant_bands') }}
where (multiple_need and band not in ('band_two', 'band_three'))
    or multiple_need <> (category = 'multiple_need')
