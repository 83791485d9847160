{#- The run's as-of date D (policy-rules.md, Terms). Every "current" fact is as at D. -#}
{% macro as_of_date() -%}
    cast('{{ var("as_of_date") }}' as date)
{%- endmacro %}
