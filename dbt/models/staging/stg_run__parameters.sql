-- The run's as-of date D, one row, as ingestion wrote it (Terms: as-of date). Read through the
-- macro as_of_date(): a date held as data, not a dbt var, so the nightly run passes no --vars and
-- dbt keeps its partial parse from one night to the next.
select as_of_date
from {{ source('run', 'run_parameters') }}
