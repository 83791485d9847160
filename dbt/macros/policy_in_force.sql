{#- Rows of a versioned policy seed that are in force on the as-of date: the version with the
    latest effective_from on or before D (W13: the policy changes from time to time). Every
    version is a complete set of rows, so no row is inherited from an older version. -#}
{% macro policy_in_force(seed_name) -%}
    select *
    from {{ ref(seed_name) }}
    where effective_from = (
        select max(effective_from)
        from {{ ref(seed_name) }}
        where effective_from <= {{ as_of_date() }}
    )
{%- endmacro %}
