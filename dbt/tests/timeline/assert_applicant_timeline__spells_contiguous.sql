{{ config(meta={'dagster': {'ref': {'name': 'applicant_timeline'}}}) }}
-- outputs-and-cli.md: an application's spells run from its first day (registration, or the first
-- policy version for an earlier registration; int_timeline_change_points) to D with no gap and no
-- overlap: each ends where the next begins, only the last is open (valid_to NULL), none is empty
-- or starts after D, and every application in the extract has a timeline.
with spells as (
    select
        *,
        lead(valid_from) over by_application as next_valid_from,
        row_number() over by_application as spell_number
    from {{ ref('applicant_timeline') }}
    window by_application as (partition by application_ref order by valid_from)
),

first_days as (
    select application_ref, min(changes_on) as first_day
    from {{ ref('int_timeline_change_points') }}
    group by application_ref
)

select s.application_ref, s.valid_from, s.valid_to, s.next_valid_from, f.first_day
from spells as s
left join first_days as f on f.application_ref = s.application_ref
where s.valid_to is distinct from s.next_valid_from
   or s.valid_to <= s.valid_from
   or s.valid_from > {{ as_of_date() }}
   or (s.spell_number = 1 and s.valid_from is distinct from f.first_day)
union all
select a.application_ref, null, null, null, null
from {{ ref('stg_register__applications') }} as a
anti join {{ ref('applicant_timeline') }} as t on t.application_ref = a.application_ref
