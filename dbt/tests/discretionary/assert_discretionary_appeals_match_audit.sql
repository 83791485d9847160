{# Attached to discretionary_appeals so Dagster shows it as that asset's check. #}
{{ config(meta={'dagster': {'ref': {'name': 'discretionary_appeals'}}}) }}
-- D9: a request has appeal_review_overdue in the audit exactly when one of its appeals is overdue.
with overdue as (
    select request_id, bool_or(review_overdue) as any_overdue
    from {{ ref('discretionary_appeals') }}
    group by request_id
)

select a.request_id, a.findings, o.any_overdue
from {{ ref('discretionary_audit') }} as a
left join overdue as o on o.request_id = a.request_id
where list_contains(a.findings, 'appeal_review_overdue') <> coalesce(o.any_overdue, false)
