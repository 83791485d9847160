-- D9: every appeal against a discretionary decision, the decision it is against, the review
-- deadline (appeal_review_days after the decision) and its status on the as-of date:
-- reviewed_on_time, reviewed_late, open (not reviewed, deadline not passed), open_overdue,
-- or no_decision_on_record (no approval or rejection on or before the appeal).
select
    a.appeal_event_id,
    a.request_id,
    r.application_ref,
    a.appeal_received_on,
    a.decision_event_id,
    a.decision_type,
    a.decision_on,
    a.decided_by,
    a.decided_by_role,
    a.review_due_by,
    a.reviewed_on,
    a.reviewed_by,
    a.reviewed_by_role,
    a.days_since_decision,
    a.review_status,
    a.review_overdue,
    case a.review_status
        when 'no_decision_on_record' then 'Appeal received on ' || a.appeal_received_on
            || ' but no approval or rejection is recorded on or before it, so no review deadline applies.'
        else 'Appeal received on ' || a.appeal_received_on || ' against the ' || a.decision_type
            || ' decision of ' || a.decision_on
            || coalesce(' by ' || a.decided_by || coalesce(' (' || a.decided_by_role || ')', ' (not in the staff list)'), '')
            || '; review due by ' || a.review_due_by || ' (' || a.appeal_review_days || ' days). '
            || case
                when a.reviewed_on is not null then 'Reviewed on ' || a.reviewed_on
                    || coalesce(' by ' || a.reviewed_by || coalesce(' (' || a.reviewed_by_role || ')', ' (not in the staff list)'), '')
                    || ', ' || a.days_since_decision || ' days after the decision'
                    || case when a.review_overdue then ': late.' else ': on time.' end
                else 'Not reviewed by ' || {{ as_of_date() }} || ', ' || a.days_since_decision || ' days after the decision'
                    || case when a.review_overdue then ': overdue.' else ': still within the deadline.' end
            end
    end as explanation
from {{ ref('int_discretionary_appeals') }} as a
inner join {{ ref('int_discretionary_requests') }} as r on r.request_id = a.request_id
