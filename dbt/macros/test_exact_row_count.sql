{#- Generic test: the model has exactly `expected` rows (dbt_utils is out of reach here). -#}
{% test exact_row_count(model, expected) %}
select count(*) as n from {{ model }} having count(*) <> {{ expected }}
{% endtest %}
