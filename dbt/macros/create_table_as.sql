{#- dbt-duckdb's create_table_as, with one setting of this project: `uncompressed_columns` in a
    model's meta, the columns to store without compression. DuckDB picks a compression per column
    as it writes; for an id that is nearly unique within each row group (a bid id, an application
    reference among 13 million bids) building the dictionary is most of the column's write time
    and saves little space. DuckDB takes that choice only in CREATE TABLE, so such a model's table
    is created from its query's column types (DESCRIBE, no row read), then filled. Every other
    model and case goes to dbt-duckdb's own macro unchanged. -#}
{% macro duckdb__create_table_as(temporary, relation, compiled_code, language='sql', partitioned_by=none, sorted_by=none) -%}
  {%- set uncompressed = (config.get('meta') or {}).get('uncompressed_columns') or [] -%}
  {%- set contract_config = config.get('contract') -%}
  {%- if language == 'sql' and uncompressed and not temporary and not partitioned_by and not sorted_by
        and not (contract_config and contract_config.enforced) -%}
    {%- set columns = get_column_schema_from_query(compiled_code) -%}
    {%- set names = columns | map(attribute='name') | list -%}
    {%- for name in uncompressed if name not in names -%}
      {{ exceptions.raise_compiler_error("uncompressed_columns names " ~ name ~ ", which " ~ relation ~ " does not have") }}
    {%- endfor -%}
    {%- set sql_header = config.get('sql_header', none) -%}
    {{ sql_header if sql_header is not none }}
    create table {{ relation }} (
      {%- for column in columns %}
        {{ adapter.quote(column.name) }} {{ column.data_type }}
        {%- if column.name in uncompressed %} using compression uncompressed{% endif %}
        {{- ',' if not loop.last }}
      {%- endfor %}
    );
    insert into {{ relation }} select * from (
      {{ compiled_code }}
    );
  {%- else -%}
    {{ return(dbt.duckdb__create_table_as(temporary, relation, compiled_code, language, partitioned_by, sorted_by)) }}
  {%- endif -%}
{%- endmacro %}
