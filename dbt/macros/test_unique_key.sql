{#-
    Generic test: no two rows share the values of `columns` (a key over several columns, such as
    application_ref and evaluated_on of the models that answer per evaluation date). Sorted and
    compared with the row before, like the project's `unique`, but on the columns themselves:
    concatenating them into one string to use `unique` cost about three times as long.
    One row per repeated key with how many rows hold it; rows with a NULL key column are left out.
-#}
{% test unique_key(model, columns) %}

select {{ columns | join(', ') }}, count(*) + 1 as n_records
from (
    select
        {{ columns | join(', ') }},
        {%- for c in columns %}
        lag({{ c }}) over by_key as {{ c }}__before{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}
    where {% for c in columns %}{{ c }} is not null{{ ' and ' if not loop.last }}{% endfor %}
    window by_key as (order by {{ columns | join(', ') }})
) as sorted_keys
where {% for c in columns %}{{ c }} = {{ c }}__before{{ ' and ' if not loop.last }}{% endfor %}
group by all

{% endtest %}
