-- The violence_band_one_agencies rows in force on each evaluation date, keyed by evaluated_on
-- (W13, W16).
{{ policy_in_force_on_dates('violence_band_one_agencies') }}
