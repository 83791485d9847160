-- D7 out_of_date_order: approved discretions are processed in date order. A request's first
-- offer is out of order when a request approved on an earlier day was still waiting on the day
-- of that offer (no offer dated on or before it). Registered-provider requests are outside the
-- queue (their management agreement governs them): they neither wait in it nor get the finding.
-- Our reading where the spec is silent: a request also stops waiting when its approval is
-- rescinded by a rejection on a later day (a reversed approval is no longer in the queue).
-- Set-based: a running maximum of "waiting until" over all requests approved strictly earlier
-- (a range frame ending one day before the approval), so no request-by-request comparison.
with queue as (
    select
        request_id,
        approved_on,
        first_offer_on,
        least(
            coalesce(first_offer_on, 'infinity'::date),
            coalesce(approval_rescinded_on, 'infinity'::date)
        ) as waiting_until
    from {{ ref('int_discretionary_requests') }}
    where approved_on is not null
      and not handled_under_management_agreement
),

ranked as (
    select
        *,
        -- Which waiting request the sentence names: the longest waiting, then the earliest
        -- approved, then the lowest id (so the wording is the same on every run).
        {
            'waiting_until': waiting_until,
            'approved_days_before_end': date_diff('day', approved_on, date '9999-12-31'),
            'id_rank_desc': row_number() over (order by request_id desc)
        } as naming_key
    from queue
),

earlier as (
    select
        request_id,
        first_offer_on,
        max(waiting_until) over approved_before as longest_wait_until,
        arg_max(
            {'request_id': request_id, 'approved_on': approved_on},
            naming_key
        ) over approved_before as longest_waiting
    from ranked
    window approved_before as (
        order by approved_on
        range between unbounded preceding and interval 1 day preceding
    )
)

select
    request_id,
    first_offer_on,
    longest_waiting.request_id as waiting_request_id,
    longest_waiting.approved_on as waiting_request_approved_on
from earlier
where first_offer_on is not null
  and longest_wait_until > first_offer_on
