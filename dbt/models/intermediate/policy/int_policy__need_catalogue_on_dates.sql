-- The need_catalogue rows in force on each evaluation date (int_evaluation_dates, and D), keyed by
-- evaluated_on (W13).
{{ policy_in_force_on_dates('need_catalogue') }}
