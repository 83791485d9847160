"""Findings of unacceptable behaviour (behaviour_findings.csv), each excluding for two years (W12)."""
from __future__ import annotations

import datetime as dt

import numpy as np

from . import ids
from .applications import Applications
from .dates import DAY, NAT, to_day, uniform_days
from .sampling import chance, choose, labels

FINDING_SHARE = 0.01
FINDING_TYPES = ("antisocial_behaviour", "violence_towards_staff", "tenancy_fraud", "criminal_behaviour", "other")
FINDING_TYPE_SHARES = {0: 0.45, 1: 0.10, 2: 0.15, 3: 0.20, 4: 0.10}
BEHAVIOUR_LOOKBACK_DAYS = 4 * 365  # so that some two-year exclusions have already run out
DECISION_DELAY_DAYS = (7, 150)  # decisions near the as-of date sometimes fall after it
EXTENDED_SHARE = 0.15
EXTENSION_BEYOND_TWO_YEARS_DAYS = (60, 400)


def generate_behaviour_findings(rng: np.random.Generator, as_of: dt.date, apps: Applications) -> dict:
    as_of_day = to_day(as_of)
    app = np.flatnonzero(chance(rng, FINDING_SHARE, len(apps)))
    f = len(app)
    behaviour_date = uniform_days(rng, as_of_day - BEHAVIOUR_LOOKBACK_DAYS * DAY, as_of_day - DAY, f)
    decided_on = behaviour_date + rng.integers(*DECISION_DELAY_DAYS, size=f) * DAY
    extended = chance(rng, EXTENDED_SHARE, f)
    extended_until = np.full(f, NAT)
    extended_until[extended] = decided_on[extended] + (2 * 365 + rng.integers(*EXTENSION_BEYOND_TWO_YEARS_DAYS,
                                                                             size=int(extended.sum()))) * DAY
    return {
        "finding_id": ids.sequence_ids(ids.FINDING, f),
        "application_ref": ids.by_index(ids.APPLICATION, app),
        "finding_type": labels(FINDING_TYPES, choose(rng, FINDING_TYPE_SHARES, f)),
        "behaviour_date": behaviour_date,
        "decided_on": decided_on,
        "extended_until": extended_until,
    }
