-- Assessed needs active on each evaluation date, with their band from the need catalogue in
-- force on that date (policy-rules.md Terms "active need", Need catalogue; W14, W15, W16, W19,
-- W20). One row per need_id and evaluated_on: a need assessed after the date, or ended on or
-- before it, is not there.
with needs as (
    select n.*, e.evaluated_on
    from {{ ref('stg_register__assessed_needs') }} as n
    -- only the applications' evaluation dates (applications registered after D are left out)
    inner join {{ ref('int_evaluation_dates') }} as e on e.application_ref = n.application_ref
    where n.assessed_on <= e.evaluated_on
        and (n.ends_on is null or n.ends_on > e.evaluated_on)
),

classified as (
    select
        n.need_id,
        n.application_ref,
        n.evaluated_on,
        n.need_code as assessed_need_code,
        n.assessed_on,
        n.severity,
        n.supporting_agency,
        -- W16: a serious or agency-supported case keeps its own band one code; a less serious
        -- one is the band two need welfare_need, so it and an assessed welfare_need are one need.
        case
            when n.need_code = 'violence_or_harassment'
                and coalesce(n.severity, '') <> 'serious'
                and ag.supporting_agency is null
                then 'welfare_need'
            else n.need_code
        end as need_code
    from needs as n
    left join {{ ref('int_violence_band_one_agencies_on_dates') }} as ag
        on ag.evaluated_on = n.evaluated_on
        and ag.supporting_agency = n.supporting_agency
)

select
    c.need_id,
    c.application_ref,
    c.evaluated_on,
    c.need_code,
    c.assessed_need_code,
    cat.band,
    cat.transfer_category,
    c.assessed_on as need_date,
    cat.lifts_twelve_month_rule,
    case
        when c.need_code <> c.assessed_need_code
            then c.need_code || ' (' || strftime(c.assessed_on, '%Y-%m-%d') || ', less serious '
                || c.assessed_need_code || coalesce(' supported by ' || c.supporting_agency, '') || ')'
        when c.assessed_need_code = 'violence_or_harassment'
            then c.need_code || ' (' || strftime(c.assessed_on, '%Y-%m-%d') || ', '
                || case when c.severity = 'serious' then 'serious' else 'supported by ' || c.supporting_agency end || ')'
        else c.need_code || ' (' || strftime(c.assessed_on, '%Y-%m-%d') || ')'
    end as need_detail
from classified as c
inner join {{ ref('int_policy__need_catalogue_on_dates') }} as cat
    on cat.evaluated_on = c.evaluated_on and cat.need_code = c.need_code
