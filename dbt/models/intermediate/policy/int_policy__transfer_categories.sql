-- The transfer_categories rows in force on the as-of date (W13).
{{ policy_in_force('transfer_categories') }}
