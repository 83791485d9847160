-- The housing_debt_scope rows in force on the as-of date (W13).
{{ policy_in_force('housing_debt_scope') }}
