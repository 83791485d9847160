-- One audit row per discretionary request on the register extract (as of D), none extra.
select coalesce(r.request_id, a.request_id) as request_id, r.request_id is null as extra_row, count(*) as rows_in_audit
from {{ ref('stg_register__discretionary_requests') }} as r
full outer join {{ ref('discretionary_audit') }} as a on a.request_id = r.request_id
group by all
having r.request_id is null or a.request_id is null or count(*) <> 1
