-- The violence_band_one_agencies rows in force on the as-of date (W13, W16).
{{ policy_in_force('violence_band_one_agencies') }}
