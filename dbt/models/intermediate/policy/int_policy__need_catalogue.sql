-- The need_catalogue rows in force on the as-of date (W13).
{{ policy_in_force('need_catalogue') }}
