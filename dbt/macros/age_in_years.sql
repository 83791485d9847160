{#- Completed years of age on a date: a person turning 16 on D is 16 on D (W9). Someone born on
    29 February reaches each age on 1 March in a common year (the usual English reading), the
    same in banding and in shortlisting. -#}
{% macro age_in_years(date_of_birth, on_date) -%}
    (year({{ on_date }}) - year({{ date_of_birth }})
        - case
            when month({{ on_date }}) * 100 + day({{ on_date }})
                < month({{ date_of_birth }}) * 100 + day({{ date_of_birth }}) then 1
            else 0
        end)
{%- endmacro %}
