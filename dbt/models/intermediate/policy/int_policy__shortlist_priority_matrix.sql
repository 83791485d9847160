-- The shortlist_priority_matrix rows in force on the as-of date (W13).
{{ policy_in_force('shortlist_priority_matrix') }}
