-- One row per application of any status and evaluation date: what shortlisting needs to know
-- about it as a bidder on that date (policy-rules.md Shortlisting; W2, W3, W6, W10). A bid is
-- judged on the row of its advert's close C. Any status, because a bid from a cancelled or housed
-- application is still listed; status is the status on C (housed after C reads active).
{%- set restriction_codes = ['housing_debt', 'refusals', 'unacceptable_behaviour', 'twelve_month_rule'] %}
with age_members as (
    -- Age designation: "the applicant or partner must be at least this old", so the eldest of
    -- the applicant, a partner and a joint applicant decides (the spec names these relationships;
    -- a former forces partner is not one of them).
    select
        application_ref,
        min(date_of_birth) as eldest_birth_date
    from {{ ref('stg_register__household_members') }}
    where relationship in ('applicant', 'partner', 'joint_applicant')
    group by application_ref
),

-- For the explanation only: until when each active restriction lasts (NULL while it lasts until
-- a condition clears, e.g. housing debt). Several periods of one kind: the latest end.
restriction_ends as (
    select
        application_ref,
        evaluated_on,
        {%- for code in restriction_codes %}
        case
            when bool_or(restriction = '{{ code }}' and ends_on is null) then null
            else max(ends_on) filter (where restriction = '{{ code }}')
        end as {{ code }}_until{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('int_restriction_periods') }}
    where active
    group by application_ref, evaluated_on
)

select
    b.application_ref,
    b.evaluated_on,
    b.status,
    b.application_type,
    b.registration_date,
    b.band,
    b.category,
    b.multiple_need,
    b.transfer_category,
    b.transfer_category_priority,
    b.bedroom_need,
    b.band_date,
    a.current_bedrooms,
    a.current_floor_level,
    -- extract contract: NULL counts as false
    coalesce(a.current_home_high_demand, false) as current_home_high_demand,
    m.eldest_birth_date,
    coalesce(r.active_restrictions, cast([] as varchar[])) as active_restrictions,
    {%- for code in restriction_codes %}
    e.{{ code }}_until{{ ',' if not loop.last }}
    {%- endfor %}
from {{ ref('int_applicant_bands') }} as b
-- only the dates shortlisting needs (D and the closes): the timeline's days stay out
semi join {{ ref('int_evaluation_dates') }} as needed
    on needed.application_ref = b.application_ref and needed.evaluated_on = b.evaluated_on
   and needed.for_shortlists
left join {{ ref('stg_register__applications') }} as a on a.application_ref = b.application_ref
left join age_members as m on m.application_ref = b.application_ref
left join {{ ref('int_register_status') }} as r
    on r.application_ref = b.application_ref and r.evaluated_on = b.evaluated_on
left join restriction_ends as e
    on e.application_ref = b.application_ref and e.evaluated_on = b.evaluated_on
