{# Attached to lettings_results so Dagster shows it as that asset's check. #}
{{ config(meta={'dagster': {'ref': {'name': 'lettings_results'}}}) }}
-- The published lettings results and wait summary hold no column that identifies a person: no
-- application reference, bid, offer or member id, date of birth or name (outputs-and-cli.md
-- marts.lettings_results). Read from the catalogue of the built tables, so a column added later
-- is checked too.
{%- set tables = [ref('lettings_results'), ref('lettings_wait_summary')] %}
select table_name, column_name
from duckdb_columns()
where (
    {%- for t in tables %}
    (database_name = '{{ t.database }}' and schema_name = '{{ t.schema }}' and table_name = '{{ t.identifier }}')
    {{- ' or' if not loop.last }}
    {%- endfor %}
)
    and (
        column_name ilike '%application%'
        or column_name ilike '%applicant%'
        or column_name ilike '%bid_id%'
        or column_name ilike '%offer_id%'
        or column_name ilike '%member%'
        or column_name ilike '%birth%'
        or column_name ilike '%dob%'
        or column_name ilike '%name%'
        or column_name ilike '%ref'
    )
