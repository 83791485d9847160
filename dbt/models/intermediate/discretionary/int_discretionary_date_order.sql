-- D7 out_of_date_order: approved discretions are processed in date order. A request waits in the
-- queue from its approval until the earliest of its first offer, the day its approval stops
-- standing (a later `rejected` or `withdrawn` event) and the first day on or after its approval
-- that the applicant accepts any offer; it waits on day t when its approval is dated on or before
-- t and that end is after t (or there is none). A request's first offer, made on day t, is out of
-- date order when another request approved strictly earlier than it was waiting on day t.
-- Registered-provider requests are outside the queue (their management agreement governs them):
-- they neither wait in it nor get the finding.
-- Requests are few (tens to thousands), so each first offer is compared with the requests approved
-- before it by an inequality join.
with queue as (
    select
        request_id,
        approved_on,
        first_offer_on,
        least(
            coalesce(first_offer_on, 'infinity'::date),
            coalesce(approval_rescinded_on, 'infinity'::date),
            coalesce(housed_after_approval_on, 'infinity'::date)
        ) as waiting_until
    from {{ ref('int_discretionary_requests') }}
    where approved_on is not null
      and not handled_under_management_agreement
)

select
    o.request_id,
    o.first_offer_on,
    -- The sentence names the longest waiting request, then the earliest approved, then the
    -- lowest id, so the wording is the same on every run.
    first(w.request_id order by w.waiting_until desc, w.approved_on, w.request_id) as waiting_request_id,
    first(w.approved_on order by w.waiting_until desc, w.approved_on, w.request_id) as waiting_request_approved_on
from queue as o
inner join queue as w
    on w.approved_on < o.approved_on
   and w.approved_on <= o.first_offer_on
   and w.waiting_until > o.first_offer_on
where o.first_offer_on is not null
group by o.request_id, o.first_offer_on
