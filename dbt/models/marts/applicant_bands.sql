-- marts.applicant_bands: one row per active application (outputs-and-cli.md), the contract
-- columns first, then extras. Banding is int_applicant_bands; register and bidding status come
-- from the restrictions area. Both answer for many dates (int_evaluation_dates): this mart is the
-- nightly slice, every application as of D.
select
    b.application_ref,
    b.band,
    b.category,
    b.multiple_need,
    b.transfer_category,
    b.bedroom_need,
    b.band_date,
    r.on_register,
    r.can_bid,
    b.reason,
    b.application_type,
    b.registration_date,
    b.transfer_category_priority
from {{ ref('int_applicant_bands') }} as b
left join {{ ref('int_register_status') }} as r
    on r.application_ref = b.application_ref and r.evaluated_on = b.evaluated_on
where b.evaluated_on = {{ as_of_date() }}
    and b.status = 'active'
