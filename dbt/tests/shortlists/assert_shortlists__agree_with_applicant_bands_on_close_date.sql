{# Attached to shortlists so Dagster shows it as that asset's check. #}
{{ config(meta={'dagster': {'ref': {'name': 'shortlists'}}}) }}
-- Shortlisting as at close (policy-rules.md Shortlisting; W3, W4, W7, W10, W11, W12): for an
-- advert closing on D, the shortlist evaluation (C = D) and the nightly slice (applicant_bands)
-- come from the same rule models, so every active bidder's band, category, multiple need,
-- transfer category, band date, register status and right to bid agree. A difference means the
-- two have drifted apart (a copy of a rule, or a date not carried through).
select
    s.bid_id,
    s.application_ref,
    s.assessed_on,
    'differs from applicant_bands' as problem
from {{ ref('shortlists') }} as s
inner join {{ ref('stg_register__adverts') }} as adv on adv.advert_id = s.advert_id
inner join {{ ref('applicant_bands') }} as b on b.application_ref = s.application_ref
left join {{ ref('shortlist_applicants') }} as a
    on a.application_ref = s.application_ref and a.assessed_on = {{ as_of_date() }}
where adv.closes_on = {{ as_of_date() }}
  and (
      s.assessed_on is distinct from adv.closes_on
      or a.band is distinct from b.band
      or a.category is distinct from b.category
      or a.multiple_need is distinct from b.multiple_need
      or a.transfer_category is distinct from b.transfer_category
      or a.band_date is distinct from b.band_date
      or s.on_register is distinct from b.on_register
      or s.can_bid is distinct from b.can_bid
  )
