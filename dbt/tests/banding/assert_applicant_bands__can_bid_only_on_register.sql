-- Only an applicant on the register can bid (W4, W7, W11, W12): can_bid implies on_register.
select application_ref, on_register, can_bid
from {{ ref('applicant_bands') }}
where can_bid and not on_register
