-- No approval is dated after the as-of date (Terms: rows dated after D are ignored). A warning,
-- as staging already leaves such events out: a row here means an upstream filter was lost.
{{ config(severity='warn') }}
select request_id, approved_on
from {{ ref('discretionary_audit') }}
where approved_on > {{ as_of_date() }}
