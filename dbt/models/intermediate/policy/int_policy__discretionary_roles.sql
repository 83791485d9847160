-- The discretionary_roles rows in force on the as-of date (W13).
{{ policy_in_force('discretionary_roles') }}
