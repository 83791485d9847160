-- Which undated extract fields of an application changed since the previous published run
-- (outputs-and-cli.md Night to night): one row per application published on both nights and
-- field whose value differs, the old and new values as text for `why`. Only applications the
-- previous run published have stored fields (the history keeps none of the others).
with previous as (
    select * from {{ source('published', 'previous_extract_fields') }}
),

tonight as (
    select * from {{ ref('int_history__extract_fields') }}
),

fields as (
    select
        p.application_ref,
        unnest([
            {'field': 'application_type', 'old_value': p.application_type, 'new_value': t.application_type},
            {'field': 'status', 'old_value': p.status, 'new_value': t.status},
            {'field': 'registration_date', 'old_value': cast(p.registration_date as varchar), 'new_value': cast(t.registration_date as varchar)},
            {'field': 'current_tenure', 'old_value': p.current_tenure, 'new_value': t.current_tenure},
            {'field': 'landlord_in_district', 'old_value': cast(p.landlord_in_district as varchar), 'new_value': cast(t.landlord_in_district as varchar)},
            {'field': 'local_connection', 'old_value': p.local_connection, 'new_value': t.local_connection},
            {'field': 'current_bedrooms', 'old_value': cast(p.current_bedrooms as varchar), 'new_value': cast(t.current_bedrooms as varchar)},
            {'field': 'current_floor_level', 'old_value': cast(p.current_floor_level as varchar), 'new_value': cast(t.current_floor_level as varchar)},
            {'field': 'current_home_high_demand', 'old_value': cast(p.current_home_high_demand as varchar), 'new_value': cast(t.current_home_high_demand as varchar)},
            {'field': 'homelessness_decision', 'old_value': p.homelessness_decision, 'new_value': t.homelessness_decision},
            {'field': 'household_size', 'old_value': cast(p.household_size as varchar), 'new_value': cast(t.household_size as varchar)},
            -- the need rows removed and added, not the whole list
            {'field': 'assessed_needs',
             'old_value': nullif(array_to_string(list_filter(coalesce(p.assessed_needs, []), lambda x: not list_contains(coalesce(t.assessed_needs, []), x)), '; '), ''),
             'new_value': nullif(array_to_string(list_filter(coalesce(t.assessed_needs, []), lambda x: not list_contains(coalesce(p.assessed_needs, []), x)), '; '), '')},
            {'field': 'housing_debt_balance', 'old_value': cast(cast(p.housing_debt_balance as decimal(18, 2)) as varchar), 'new_value': cast(cast(t.housing_debt_balance as decimal(18, 2)) as varchar)}
        ]) as f
    from previous as p
    -- an application no longer in the extract has no fields to compare: `why` says so
    inner join tonight as t on t.application_ref = p.application_ref
)

select application_ref, f.field, f.old_value, f.new_value
from fields
where f.old_value is distinct from f.new_value
