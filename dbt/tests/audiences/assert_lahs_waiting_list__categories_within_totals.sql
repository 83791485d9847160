-- Within each application type and bedroom need group of the LAHS waiting list
-- (outputs-and-cli.md marts.lahs_waiting_list): households in any reasonable-preference category
-- are at most those on the register, each category at most those in any (a household in several
-- counts once there), and any at most the sum of the categories (each such household is in one).
with pivoted as (
    select
        application_type,
        bedroom_need,
        sum(households) filter (where measure = 'households_on_register') as on_register,
        sum(households) filter (where measure = 'any_reasonable_preference') as any_preference,
        max(households) filter (where measure not in ('households_on_register', 'any_reasonable_preference')) as largest_category,
        sum(households) filter (where measure not in ('households_on_register', 'any_reasonable_preference')) as category_sum
    from {{ ref('lahs_waiting_list') }}
    group by application_type, bedroom_need
)

select *
from pivoted
where any_preference > on_register
    or largest_category > any_preference
    or any_preference > category_sum
