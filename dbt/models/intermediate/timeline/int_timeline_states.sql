-- Each application's band, category, band date and register / bidding status on every day of
-- int_timeline_change_points, each under the policy in force that day: the rows the rule models
-- (int_applicant_bands, int_register_status) hold for those days, because int_evaluation_dates
-- includes them. No rule is worked out here. One row per application and day, with the words of
-- what happened that day; marts.applicant_timeline merges equal days into spells.
-- A view: the mart reads it once, in the same pass that merges the days, instead of these rows
-- being written and read back (as int_shortlist_bids for the shortlists).
{{ config(materialized='view') }}
select
    c.application_ref,
    c.changes_on,
    b.status,
    b.band,
    b.category,
    b.multiple_need,
    b.transfer_category,
    b.bedroom_need,
    b.band_date,
    r.on_register,
    r.can_bid,
    c.changed_because
from {{ ref('int_timeline_change_points') }} as c
inner join {{ ref('int_applicant_bands') }} as b
    on b.application_ref = c.application_ref and b.evaluated_on = c.changes_on
left join {{ ref('int_register_status') }} as r
    on r.application_ref = c.application_ref and r.evaluated_on = c.changes_on
