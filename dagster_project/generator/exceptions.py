"""Individual exceptions granted under the policy (policy_exceptions.csv).

Each rule's exceptions mostly go to applicants the rule would otherwise bite (debtors, high
earners, the recently housed, serial refusers), so that lifting a restriction is exercised; some
have expired, some are still to expire, some never do.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from . import ids
from .applications import Applications
from .dates import DAY, NAT, to_day, uniform_days
from .sampling import choose
from .staff import APPROVING_MANAGERS, Staff

EXCEPTION_SHARE = 0.004
RULE_SHARES = {"housing_debt": 0.35, "financial_resources": 0.25, "twelve_month_rule": 0.20, "refusals": 0.20}
REASONS = {
    "housing_debt": "Arrears arose from benefit delay now resolved; arrangement agreed with landlord",
    "financial_resources": "Income is a one-off redundancy payment; household cannot afford to buy or rent privately",
    "twelve_month_rule": "Tenancy accepted through the scheme proved unsuitable after a change in medical needs",
    "refusals": "Refusals were of homes later found unsuitable for the household's support needs",
}
GRANTERS = APPROVING_MANAGERS + ("senior_allocations_officer",)
GRANTED_LOOKBACK_DAYS = 2 * 365
OPEN_ENDED, EXPIRED, STILL_RUNNING = range(3)
EXPIRY_SHARES = {OPEN_ENDED: 0.40, EXPIRED: 0.25, STILL_RUNNING: 0.35}
STILL_RUNNING_DAYS = (1, 366)


def generate_policy_exceptions(rng: np.random.Generator, as_of: dt.date, apps: Applications, staff: Staff,
                               targets: dict[str, np.ndarray]) -> dict:
    """`targets` holds, per rule, the applications that rule would restrict."""
    as_of_day = to_day(as_of)
    total = EXCEPTION_SHARE * len(apps)
    rule_of, app_of = [], []
    for rule, share in RULE_SHARES.items():
        pool = targets.get(rule, np.array([], dtype=np.int64))
        if len(pool) == 0:
            pool = np.arange(len(apps))
        count = max(1, round(total * share))  # every rule at least once, whatever the size
        app_of.append(np.sort(rng.choice(pool, size=count, replace=count > len(pool))))
        rule_of += [rule] * count
    app = np.concatenate(app_of)
    e = len(app)

    granted_on = uniform_days(rng, as_of_day - GRANTED_LOOKBACK_DAYS * DAY, as_of_day, e)
    expiry = choose(rng, EXPIRY_SHARES, e)
    expires_on = np.full(e, NAT)
    expired = expiry == EXPIRED
    expires_on[expired] = uniform_days(rng, granted_on[expired] + DAY, np.maximum(granted_on[expired] + DAY, as_of_day),
                                       int(expired.sum()))
    running = expiry == STILL_RUNNING
    expires_on[running] = as_of_day + rng.integers(*STILL_RUNNING_DAYS, size=int(running.sum())) * DAY
    return {
        "exception_id": ids.sequence_ids(ids.EXCEPTION, e),
        "application_ref": ids.by_index(ids.APPLICATION, app),
        "rule": pa.array(rule_of),
        "granted_by": pa.array(staff.pick_many(rng, e, *GRANTERS)),
        "granted_on": granted_on,
        "expires_on": expires_on,
        "reason": pa.array([REASONS[r] for r in rule_of]),
    }
