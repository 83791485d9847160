-- Band, category and band date of every application, any status, on each of its evaluation
-- dates (int_evaluation_dates: D, and the close of each advert it bid on) (policy-rules.md
-- Banding; W1, W5, W7, W10, W14-W20). The shortlist needs the band of a housed applicant as the
-- bidder it was, so nothing here filters on status; status is the status on that date. Debt is
-- not read at all: it never changes a band (W7).
with apps as (
    select
        a.application_ref,
        e.evaluated_on,
        e.status,
        a.application_type,
        a.registration_date,
        b.bedroom_need,
        p.multiple_need_enabled
    from {{ ref('stg_register__applications') }} as a
    inner join {{ ref('int_evaluation_dates') }} as e on e.application_ref = a.application_ref
    inner join {{ ref('int_bedroom_need') }} as b
        on b.application_ref = e.application_ref and b.evaluated_on = e.evaluated_on
    inner join {{ ref('int_policy__parameters_on_dates') }} as p on p.evaluated_on = e.evaluated_on
),

banded_needs as (
    select
        *,
        case band when 'band_one' then 1 when 'band_two' then 2 when 'band_three' then 3 end as band_rank
    from {{ ref('int_active_needs') }}
    where band is not null
),

top_band_needs as (
    select *
    from banded_needs
    qualify band_rank = min(band_rank) over (partition by application_ref, evaluated_on)
),

-- Each distinct need code of the highest band, with its earliest date (W10 counts codes, so two
-- needs of one code are one need). Ties on the date: the lowest need_id, for a stable detail.
codes as (
    select
        application_ref,
        evaluated_on,
        band,
        need_code,
        need_date as code_date,
        need_detail
    from top_band_needs
    qualify row_number() over (
        partition by application_ref, evaluated_on, need_code order by need_date, need_id nulls first
    ) = 1
),

ordered_codes as (
    select
        *,
        -- Banding step 2: the need assessed first, then the lowest need code.
        row_number() over (partition by application_ref, evaluated_on order by code_date, need_code) as code_order,
        count(*) over (partition by application_ref, evaluated_on) as code_count
    from codes
),

need_bands as (
    select
        application_ref,
        evaluated_on,
        any_value(band) as band,
        max(code_count) as code_count,
        max(need_code) filter (where code_order = 1) as first_code,
        max(code_date) filter (where code_order = 1) as first_date,
        max(code_date) filter (where code_order = 2) as second_date,
        max(need_detail) filter (where code_order = 1) as first_detail,
        -- "a (d1), b (d2) and c (d3)": every code from the second, for the reason
        string_agg(need_detail, ', ' order by code_order)
            filter (where code_order > 1 and code_order < code_count) as middle_details,
        max(need_detail) filter (where code_order = code_count and code_count > 1) as last_detail
    from ordered_codes
    group by application_ref, evaluated_on
),

-- Transfer band (W1): the first category in policy order among the application's needs.
transfer_needs as (
    select
        n.application_ref,
        n.evaluated_on,
        tc.transfer_category,
        tc.priority,
        n.need_detail
    from {{ ref('int_active_needs') }} as n
    inner join {{ ref('int_policy__transfer_categories_on_dates') }} as tc
        on tc.evaluated_on = n.evaluated_on
        and tc.transfer_category = n.transfer_category and not tc.is_fallback
    qualify row_number() over (
        partition by n.application_ref, n.evaluated_on order by tc.priority, n.need_date, n.need_code
    ) = 1
),

fallback as (
    select evaluated_on, transfer_category, priority
    from {{ ref('int_policy__transfer_categories_on_dates') }}
    where is_fallback
),

decided as (
    select
        a.*,
        f.financial_detail,
        nb.band as need_band,
        nb.code_count,
        nb.first_code,
        nb.first_date,
        nb.second_date,
        nb.first_detail,
        nb.middle_details,
        nb.last_detail,
        coalesce(tn.transfer_category, fb.transfer_category) as transfer_category_found,
        coalesce(tn.priority, fb.priority) as transfer_priority_found,
        tn.need_detail as transfer_detail,
        case
            when f.band_four_financial then 'financial'
            when nb.band is not null
                and a.multiple_need_enabled = 1
                and nb.band in ('band_two', 'band_three')
                and nb.code_count >= 2 then 'multiple'
            when nb.band is not null then 'single'
            when a.application_type = 'transfer' then 'transfer'
            else 'no_need'
        end as kind
    from apps as a
    inner join {{ ref('int_financial_resources') }} as f
        on f.application_ref = a.application_ref and f.evaluated_on = a.evaluated_on
    left join need_bands as nb on nb.application_ref = a.application_ref and nb.evaluated_on = a.evaluated_on
    left join transfer_needs as tn on tn.application_ref = a.application_ref and tn.evaluated_on = a.evaluated_on
    left join fallback as fb on fb.evaluated_on = a.evaluated_on
),

resolved as (
    select
        *,
        case kind
            when 'financial' then 'band_four'
            when 'multiple' then need_band
            when 'single' then need_band
            when 'transfer' then 'transfer'
            else 'band_four'
        end as band,
        case kind
            when 'financial' then 'financial_resources'
            when 'multiple' then 'multiple_need'
            when 'single' then first_code
            when 'transfer' then transfer_category_found
            else 'no_housing_need'
        end as category,
        -- Banding step 7: the date the application qualified for this band and category.
        case kind
            when 'multiple' then second_date
            when 'single' then first_date
            else registration_date
        end as qualified_on
    from decided
)

select
    application_ref,
    evaluated_on,
    status,
    application_type,
    registration_date,
    band,
    category,
    kind = 'multiple' as multiple_need,
    case when kind = 'transfer' then transfer_category_found end as transfer_category,
    case when kind = 'transfer' then transfer_priority_found end as transfer_category_priority,
    bedroom_need,
    -- never earlier than registration: a need assessed before it dates from registration
    greatest(qualified_on, registration_date) as band_date,
    case when band = 'transfer' then 'Transfer band' else 'Band ' || replace(band, 'band_', '') end
    || case kind
        when 'financial' then ', financial resources: ' || financial_detail
        when 'multiple' then ', multiple need: ' || first_detail
            || coalesce(', ' || middle_details, '') || ' and ' || last_detail
        when 'single' then ', ' || first_detail
            || case when code_count > 1 then
                '; also ' || coalesce(middle_details || ' and ', '') || last_detail
                || case
                    when need_band = 'band_one' then ' (no multiple need in band one)'
                    else ' (no multiple need category in the policy in force)'
                end
            else '' end
        when 'transfer' then ', category ' || transfer_priority_found || ': '
            || coalesce(transfer_detail, transfer_category_found
                || ' (no band one to three need and no other transfer category)')
        else ', no_housing_need: no active band one, two or three need'
    end
    || case when qualified_on < registration_date
        then '; band date is the registration date ' || strftime(registration_date, '%Y-%m-%d')
            || ', as the qualifying date ' || strftime(qualified_on, '%Y-%m-%d') || ' is earlier'
        else '' end
    as reason
from resolved
