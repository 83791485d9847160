-- Leaves out applications registered after the as-of date (not yet on the register) (Terms: rows dated after D are ignored).
select
    application_ref,
    application_type,
    status,
    registration_date,
    current_tenure,
    landlord_in_district,
    local_connection,
    current_bedrooms,
    current_floor_level,
    current_home_high_demand,
    gross_annual_income,
    savings_assets,
    homelessness_decision,
    last_homechoice_tenancy_start,
    source_line
from {{ source('register', 'applications') }}
where registration_date <= {{ as_of_date() }}
