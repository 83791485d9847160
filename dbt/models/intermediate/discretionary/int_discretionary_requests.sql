-- One row per discretionary request with the facts every D-rule reads: the approval (the
-- earliest `approved` event), the day it stopped standing (the first `rejected` or `withdrawn`
-- event dated after it; D6, D7), the day on or after the approval that the applicant accepted any
-- offer (D7) and the offers linked by discretionary_request_id.
-- Offers withdrawn by the landlord still count as offers made (first offer, D4, D6, D7, D10);
-- only D5 leaves them out, through offers_not_withdrawn.
with events as (
    select
        request_id,
        event_id,
        event_type,
        event_on,
        -- An empty staff_id is no staff member (D2: unauthorised_approver).
        nullif(trim(staff_id), '') as staff_id
    from {{ ref('stg_register__discretionary_events') }}
),

approvals as (
    -- Two approvals on the same first day: the lower event_id stands, so the audit is repeatable.
    select
        request_id,
        event_id as approval_event_id,
        event_on as approved_on,
        staff_id as approved_by
    from events
    where event_type = 'approved'
    qualify row_number() over (partition by request_id order by event_on, event_id) = 1
),

rejections as (
    select
        e.request_id,
        max(e.event_on) filter (where e.event_type = 'rejected') as last_rejected_on,
        -- The approval stands until the first rejection or withdrawal dated after it (a same-day
        -- one is taken to precede the approval); a later approval does not restore it.
        min(case when e.event_on > a.approved_on then e.event_on end) as approval_rescinded_on
    from events as e
    left join approvals as a on a.request_id = e.request_id
    where e.event_type in ('rejected', 'withdrawn')
    group by e.request_id
),

housed as (
    select
        rq.request_id,
        min(coalesce(h.outcome_on, h.offered_on)) as housed_after_approval_on
    from {{ ref('stg_register__discretionary_requests') }} as rq
    inner join approvals as a on a.request_id = rq.request_id
    inner join {{ ref('stg_register__offers') }} as h
        on h.application_ref = rq.application_ref
       and h.outcome = 'accepted'
       and coalesce(h.outcome_on, h.offered_on) >= a.approved_on
    group by rq.request_id
),

offers as (
    select
        discretionary_request_id as request_id,
        min(offered_on) as first_offer_on,
        max(offered_on) as last_offer_on,
        count(*) as offers_made,
        count(*) filter (where outcome is distinct from 'withdrawn') as offers_not_withdrawn
    from {{ ref('stg_register__offers') }}
    where discretionary_request_id is not null
    group by discretionary_request_id
)

select
    r.request_id,
    r.application_ref,
    r.initiated_by,
    r.initiated_on,
    r.reason,
    r.related_party,
    coalesce(r.exceptional_circumstances, false) as exceptional_circumstances,
    r.property_landlord_type,
    -- RP properties are governed by their management agreement; an unknown landlord type is
    -- treated as a council property (it stays in the approved-date queue).
    coalesce(r.property_landlord_type = 'registered_provider', false) as handled_under_management_agreement,
    a.approval_event_id,
    a.approved_on,
    a.approved_by,
    rj.last_rejected_on,
    rj.approval_rescinded_on,
    o.first_offer_on,
    o.last_offer_on,
    -- D7: the first day on or after the approval that the applicant accepted any offer (on an
    -- advert or direct; outcome_on, or offered_on where that is empty); an earlier tenancy does
    -- not count.
    hs.housed_after_approval_on,
    coalesce(o.offers_made, 0) as offers_made,
    coalesce(o.offers_not_withdrawn, 0) as offers_not_withdrawn
from {{ ref('stg_register__discretionary_requests') }} as r
left join approvals as a on a.request_id = r.request_id
left join housed as hs on hs.request_id = r.request_id
left join rejections as rj on rj.request_id = r.request_id
left join offers as o on o.request_id = r.request_id
