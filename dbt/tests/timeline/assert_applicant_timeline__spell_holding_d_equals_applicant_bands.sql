{# Attached to applicant_timeline so Dagster shows it as that asset's check. #}
{{ config(meta={'dagster': {'ref': {'name': 'applicant_timeline'}}}) }}
-- outputs-and-cli.md: the spell holding the as-of date agrees with applicant_bands exactly. Every
-- active application has one open spell (valid_to NULL) whose columns equal its applicant_bands
-- row, column for column (NULL equals NULL).
{%- set columns = ['band', 'category', 'multiple_need', 'transfer_category', 'bedroom_need', 'band_date',
                   'on_register', 'can_bid'] %}
select
    b.application_ref,
    t.application_ref is null as no_open_spell,
    {%- for c in columns %}
    b.{{ c }} as bands_{{ c }},
    t.{{ c }} as timeline_{{ c }}{{ ',' if not loop.last }}
    {%- endfor %}
from {{ ref('applicant_bands') }} as b
left join {{ ref('applicant_timeline') }} as t
    on t.application_ref = b.application_ref and t.valid_to is null
where t.application_ref is null
    {%- for c in columns %}
    or b.{{ c }} is distinct from t.{{ c }}
    {%- endfor %}
