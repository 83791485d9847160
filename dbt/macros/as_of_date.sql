{#- The run's as-of date D (policy-rules.md, Terms) as a scalar: read from the one-row staging
    model over raw.run_parameters, not from a dbt var, so a new date does not make dbt re-parse
    the project. Rules that answer for several dates read `evaluated_on` from
    int_evaluation_dates instead (docs/rules-as-of-a-date.md). -#}
{% macro as_of_date() -%}
    (select as_of_date from {{ ref('stg_run__parameters') }})
{%- endmacro %}
