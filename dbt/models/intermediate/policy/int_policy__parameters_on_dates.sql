{#- One row per evaluation date (int_evaluation_dates, and D): every policy parameter in force on
    that date, as a column (W13). Rules join it on evaluated_on and read `p.housing_debt_limit`
    instead of a literal. -#}
{%- set parameters = [
    'child_age_under', 'own_room_age_from', 'teen_age_from', 'forces_partner_min_months',
    'income_single_limit', 'income_couple_limit', 'savings_limit',
    'children_floor_from', 'children_floor_out_of_district_social', 'multiple_need_enabled',
    'under_occupier_min_bedrooms', 'under_occupier_extra_bedrooms',
    'housing_debt_limit', 'arrangement_kept_weeks', 'eviction_exclusion_years', 'eviction_debt_reduction_share',
    'refusals_count', 'refusals_window_months', 'refusals_suspension_months',
    'behaviour_exclusion_years', 'twelve_month_rule_months', 'appeal_review_days', 'quarantine_warning_share',
    'children_floor_lower_move_only', 'under_occupier_min_surplus_bedrooms',
] -%}
with in_force as (
    {{ policy_in_force_on_dates('policy_parameters') }}
)
select
    evaluated_on,
    max(effective_from) as policy_effective_from,
    {%- for p in parameters %}
    {%- if p in ['income_single_limit', 'income_couple_limit', 'savings_limit', 'housing_debt_limit', 'eviction_debt_reduction_share', 'quarantine_warning_share'] %}
    max(case when parameter = '{{ p }}' then value end) as {{ p }}{{ ',' if not loop.last }}
    {%- else %}
    cast(max(case when parameter = '{{ p }}' then value end) as integer) as {{ p }}{{ ',' if not loop.last }}
    {%- endif %}
    {%- endfor %}
from in_force
group by evaluated_on
