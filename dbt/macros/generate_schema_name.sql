{#- Use the configured schema name as is (staging, intermediate, marts, policy) instead of
    dbt's default `<target>_<schema>`: the published tables must be `marts.<name>`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
