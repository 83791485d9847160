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

{#- The same for every date a rule is evaluated for (int_evaluation_dates, and D itself): one copy
    of the version in force on each date, keyed by evaluated_on, so a rule joins its policy on the
    date it answers for (W13; policy-rules.md Shortlisting: "the policy version in force on C"). -#}
{% macro policy_in_force_on_dates(seed_name) -%}
    with dates as (
        select distinct evaluated_on from {{ ref('int_evaluation_dates') }}
        union
        select {{ as_of_date() }}
    ),

    versions as (
        select d.evaluated_on, max(v.effective_from) as effective_from
        from dates as d
        inner join (select distinct effective_from from {{ ref(seed_name) }}) as v
            on v.effective_from <= d.evaluated_on
        group by d.evaluated_on
    )

    select v.evaluated_on, s.*
    from versions as v
    inner join {{ ref(seed_name) }} as s on s.effective_from = v.effective_from
{%- endmacro %}
