-- band_date is never earlier than registration_date, and transfer / band four are dated by
-- registration (Banding step 7).
select application_ref, band, band_date, registration_date
from {{ ref('applicant_bands') }}
where band_date < registration_date
    or (band in ('transfer', 'band_four') and band_date <> registration_date)
