-- Needs the pipeline derives itself, for applications of any status (policy-rules.md Derived
-- needs; W1, W6, W17, W20) on each evaluation date, each dated by registration_date.
with apps as (
    select
        a.application_ref,
        b.evaluated_on,
        a.application_type,
        a.registration_date,
        a.current_tenure,
        a.landlord_in_district,
        a.local_connection,
        a.current_bedrooms,
        a.current_floor_level,
        b.bedroom_need,
        b.has_child,
        b.children,
        p.children_floor_from,
        p.children_floor_out_of_district_social
    from {{ ref('stg_register__applications') }} as a
    inner join {{ ref('int_bedroom_need') }} as b on b.application_ref = a.application_ref
    inner join {{ ref('int_policy__parameters_on_dates') }} as p on p.evaluated_on = b.evaluated_on
),

derived as (
    -- W17, W20: fewer bedrooms than the bedroom standard needs, when the home has bedrooms.
    select
        application_ref,
        evaluated_on,
        'overcrowded_bedroom_standard' as need_code,
        'needs ' || bedroom_need || ' bedroom' || case when bedroom_need = 1 then '' else 's' end
            || ', has ' || current_bedrooms as detail
    from apps
    where current_bedrooms is not null and current_bedrooms < bedroom_need

    union all

    -- W6: a child in a home on the threshold floor or higher (2018: second floor and up; 2016:
    -- first floor and up). A transfer application always gets it (its transfer category); a
    -- register application only as a private tenant or, from 2018, as a council / housing
    -- association tenant of a landlord outside the district with a local connection (or exempt).
    -- Spec silent: an unknown landlord_in_district is not "outside the district".
    select
        application_ref,
        evaluated_on,
        'children_above_first_floor' as need_code,
        children || ' child' || case when children = 1 then '' else 'ren' end
            || ' under 16 on floor ' || current_floor_level as detail
    from apps
    where has_child
        and current_floor_level >= children_floor_from
        and (
            application_type = 'transfer'
            or current_tenure = 'private_rented'
            or (
                children_floor_out_of_district_social = 1
                and current_tenure in ('council_tenant', 'housing_association_tenant')
                and landlord_in_district = false
                and local_connection in ('yes', 'exempt')
            )
        )

    union all

    -- W1: a transfer tenant with more bedrooms than the bedroom standard needs.
    select
        application_ref,
        evaluated_on,
        'under_occupation' as need_code,
        'has ' || current_bedrooms || ' bedroom' || case when current_bedrooms = 1 then '' else 's' end
            || ', needs ' || bedroom_need as detail
    from apps
    where application_type = 'transfer' and current_bedrooms > bedroom_need
)

select
    d.application_ref,
    d.evaluated_on,
    d.need_code,
    cat.band,
    cat.transfer_category,
    a.registration_date as need_date,
    cat.lifts_twelve_month_rule,
    d.need_code || ' (' || strftime(a.registration_date, '%Y-%m-%d') || ', ' || d.detail || ')' as need_detail
from derived as d
inner join apps as a on a.application_ref = d.application_ref and a.evaluated_on = d.evaluated_on
inner join {{ ref('int_policy__need_catalogue_on_dates') }} as cat
    on cat.evaluated_on = d.evaluated_on and cat.need_code = d.need_code
