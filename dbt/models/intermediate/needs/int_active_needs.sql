-- Every need of every application active on each of its evaluation dates, assessed and derived (policy-rules.md Need
-- catalogue, Derived needs; W1, W6, W14-W20). The shape other areas use: band is the band the
-- need gives this application (NULL when it only gives a transfer category), need_date the date
-- band_date counts from.
with needs as (
    select
        need_id,
        application_ref,
        evaluated_on,
        need_code,
        assessed_need_code,
        band,
        transfer_category,
        need_date,
        lifts_twelve_month_rule,
        false as is_derived,
        need_detail
    from {{ ref('int_assessed_needs') }}

    union all

    select
        null as need_id,
        application_ref,
        evaluated_on,
        need_code,
        need_code as assessed_need_code,
        band,
        transfer_category,
        need_date,
        lifts_twelve_month_rule,
        true as is_derived,
        need_detail
    from {{ ref('int_derived_needs') }}
)

select
    n.application_ref,
    n.evaluated_on,
    n.need_code,
    -- W6: a need with a transfer category (children_above_first_floor) is that category for a
    -- transfer application, not a band three need; spec silent for the catalogue's other rows,
    -- so the same reading applies to every need with both.
    case
        when a.application_type = 'transfer' and n.transfer_category is not null then null
        else n.band
    end as band,
    n.need_date,
    n.lifts_twelve_month_rule,
    n.is_derived,
    -- transfer categories only apply to transfer applications (W1)
    case when a.application_type = 'transfer' then n.transfer_category end as transfer_category,
    n.need_id,
    n.assessed_need_code,
    n.need_detail
from needs as n
inner join {{ ref('stg_register__applications') }} as a on a.application_ref = n.application_ref
