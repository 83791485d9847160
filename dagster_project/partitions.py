"""The as-of date of the nightly job is its partition: one partition per day, London time.

The partitions start on the day the first policy version comes into force (no rule can be
evaluated before it). `end_offset=1` makes today's partition exist from midnight, so the
02:00 schedule, `allocations run --as-of <today>` and the demo can compute as of today: the
extract the council's system writes overnight holds everything recorded up to the end of
yesterday, which is what "as at today" means for every rule (a restriction ending yesterday is
no longer active today).
"""
from dagster import BackfillPolicy, DailyPartitionsDefinition

from .policy_dates import first_policy_date

TIMEZONE = "Europe/London"

as_of_partitions = DailyPartitionsDefinition(
    start_date=first_policy_date().isoformat(), timezone=TIMEZONE, end_offset=1)

# A backfill launches one run per date, so each night is computed, checked and published as the
# schedule would have (and, queued by the database tag, in date order: jobs.py).
ONE_DATE_PER_RUN = BackfillPolicy.multi_run(max_partitions_per_run=1)
