-- Each (application, date) pair is evaluated once (docs/rules-as-of-a-date.md): a repeat would
-- list a bidder twice on a shortlist.
select application_ref, evaluated_on, count(*) as rows_for_pair
from {{ ref('int_evaluation_dates') }}
group by application_ref, evaluated_on
having count(*) > 1
