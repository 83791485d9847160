-- Every application has a bedroom need of at least one (the applicant's own room, W17).
select application_ref, bedroom_need
from {{ ref('int_bedroom_need') }}
where bedroom_need < 1
