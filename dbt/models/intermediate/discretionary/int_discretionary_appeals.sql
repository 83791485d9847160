-- D9: one row per appeal (appeal_received event). The decision under appeal is the latest
-- `approved` or `rejected` event on or before the appeal; the review is the first
-- `appeal_reviewed` event on or after the day the appeal was received (a same-day review
-- counts). The review is due within appeal_review_days of the decision (policy parameter).
-- Several appeals against one decision are kept as separate rows, each with its own review.
-- An appeal with no decision before it has no deadline: status no_decision_on_record, which
-- is not a finding (there is nothing to measure the 28 days from).
with events as (
    select request_id, event_id, event_type, event_on, nullif(trim(staff_id), '') as staff_id
    from {{ ref('stg_register__discretionary_events') }}
),

appeals as (
    select request_id, event_id as appeal_event_id, event_on as appeal_received_on
    from events
    where event_type = 'appeal_received'
),

with_decision as (
    select
        a.*,
        d.event_id as decision_event_id,
        d.event_type as decision_type,
        d.event_on as decision_on,
        d.staff_id as decided_by
    from appeals as a
    left join events as d
        on d.request_id = a.request_id
       and d.event_type in ('approved', 'rejected')
       and d.event_on <= a.appeal_received_on
    qualify row_number() over (
        partition by a.appeal_event_id order by d.event_on desc nulls last, d.event_id desc
    ) = 1
),

with_review as (
    select
        w.*,
        v.event_id as review_event_id,
        v.event_on as reviewed_on,
        v.staff_id as reviewed_by
    from with_decision as w
    left join events as v
        on v.request_id = w.request_id
       and v.event_type = 'appeal_reviewed'
       and v.event_on >= w.appeal_received_on
    qualify row_number() over (
        partition by w.appeal_event_id order by v.event_on nulls last, v.event_id
    ) = 1
)

select
    w.request_id,
    w.appeal_event_id,
    w.appeal_received_on,
    w.decision_event_id,
    w.decision_type,
    w.decision_on,
    w.decided_by,
    ds.role as decided_by_role,
    w.decision_on + p.appeal_review_days as review_due_by,
    w.review_event_id,
    w.reviewed_on,
    w.reviewed_by,
    rs.role as reviewed_by_role,
    date_diff('day', w.decision_on, coalesce(w.reviewed_on, {{ as_of_date() }})) as days_since_decision,
    p.appeal_review_days,
    case
        when w.decision_on is null then 'no_decision_on_record'
        when w.reviewed_on is not null and w.reviewed_on <= w.decision_on + p.appeal_review_days then 'reviewed_on_time'
        when w.reviewed_on is not null then 'reviewed_late'
        when {{ as_of_date() }} <= w.decision_on + p.appeal_review_days then 'open'
        else 'open_overdue'
    end as review_status,
    coalesce(
        w.decision_on is not null
        and coalesce(w.reviewed_on, {{ as_of_date() }}) > w.decision_on + p.appeal_review_days,
        false
    ) as review_overdue
from with_review as w
cross join {{ ref('int_policy__parameters') }} as p
left join {{ ref('stg_register__staff') }} as ds on ds.staff_id = w.decided_by
left join {{ ref('stg_register__staff') }} as rs on rs.staff_id = w.reviewed_by
