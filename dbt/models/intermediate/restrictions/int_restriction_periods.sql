-- Every restriction row (policy-rules.md, Restrictions) for applications of any status, on each
-- of their evaluation dates (int_evaluation_dates; marts.bidding_restrictions keeps D's): the
-- shortlist needs the restrictions of bidders who are no longer active. The published mart
-- keeps the active applications only. Applications registered after D are not on the register
-- yet (staging leaves them out), so their debts, findings and offers give no rows.
{%- set parts = [
    'int_housing_debt_restrictions',
    'int_refusal_suspensions',
    'int_behaviour_exclusions',
    'int_twelve_month_bars',
] %}
with periods as (
{%- for part in parts %}
    select
        application_ref,
        evaluated_on,
        restriction,
        starts_on,
        ends_on,
        active,
        reason,
        lifted_by,
        source_id
    from {{ ref(part) }}
    {% if not loop.last %}union all{% endif %}
{%- endfor %}
)

select p.*
from periods as p
where p.application_ref in (
    select application_ref from {{ ref('stg_register__applications') }}
)
