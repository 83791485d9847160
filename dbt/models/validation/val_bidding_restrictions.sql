-- Profile of marts.bidding_restrictions for the bidding_restrictions suite: one row per distinct
-- combination of the checked facts (dates against the as-of date, the applicant's published
-- register and bidding status), with how many restriction rows it stands for and a few of them.
with restrictions as (
    select * from {{ ref('bidding_restrictions') }}
),

bands as (
    select application_ref, on_register, can_bid
    from {{ ref('applicant_bands') }}
),

per_row as (
    select
        r.application_ref || ' ' || coalesce(r.restriction, '?') || ' from ' || coalesce(cast(r.starts_on as varchar), '?')
            as example,
        r.restriction,
        r.active,
        r.starts_on is null as starts_on_missing,
        coalesce(r.ends_on <= r.starts_on, false) as ends_not_after_start,
        coalesce(r.active and not (r.starts_on <= {{ as_of_date() }}
                                   and (r.ends_on is null or r.ends_on > {{ as_of_date() }})), false)
            as active_outside_dates,
        b.application_ref is not null as applicant_in_bands,
        b.on_register,
        b.can_bid,
        nullif(trim(r.reason), '') is null as reason_missing
    from restrictions as r
    left join bands as b on b.application_ref = r.application_ref
)

select
    restriction,
    active,
    starts_on_missing,
    ends_not_after_start,
    active_outside_dates,
    applicant_in_bands,
    on_register,
    can_bid,
    reason_missing,
    count(*) as restriction_rows,
    array_to_string(min(example, 3), '; ') as examples
from per_row
group by all
