-- transfer_category is set exactly when the band is transfer, and is then the category (W1).
select application_ref, band, category, transfer_category
from {{ ref('applicant_bands') }}
where (band = 'transfer') <> (transfer_category is not null)
    or (band = 'transfer' and category <> transfer_category)
