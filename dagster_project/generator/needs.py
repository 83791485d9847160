"""Needs assessed by officers (assessed_needs.csv).

Proportions are set so that, with the needs the pipeline derives itself, about 5-8% of active
applications land in band one and most in bands two to four.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from . import ids
from ..ingest.contract import NEED_CODES
from .applications import HOUSED, Applications
from .dates import DAY, NAT, to_day, uniform_days
from .sampling import chance, choose, keys_of, labels

NEED = {code: i for i, code in enumerate(NEED_CODES)}
NEEDS_PER_APPLICATION_SHARES = {0: 0.42, 1: 0.33, 2: 0.16, 3: 0.07, 4: 0.02}
REGISTER_NEED_SHARES = {
    "demolition_regeneration": 0.010, "statutory_overcrowding": 0.010, "violence_or_harassment": 0.050,
    "medical_urgent": 0.025, "homelessness_prevention_duty": 0.100, "homelessness_relief_duty": 0.070,
    "move_on": 0.040, "welfare_need": 0.080, "medical_significant": 0.120, "medical_low": 0.250,
    "sharing_facilities": 0.245,
}
# Transfer tenants rarely have homelessness duties; the transfer-only needs are theirs alone.
TRANSFER_NEED_SHARES = {
    "demolition_regeneration": 0.030, "statutory_overcrowding": 0.010, "violence_or_harassment": 0.050,
    "medical_urgent": 0.025, "homelessness_prevention_duty": 0.010, "homelessness_relief_duty": 0.005,
    "move_on": 0.010, "welfare_need": 0.070, "medical_significant": 0.130, "medical_low": 0.200,
    "sharing_facilities": 0.020, "two_for_one": 0.100, "adapted_property_release": 0.080,
    "housing_management": 0.260,
}
# Most needs are assessed around registration; the rest at any time since.
ASSESSED_AT_REGISTRATION_SHARE = 0.5
ASSESSED_AT_REGISTRATION_WINDOW_DAYS = 30
ASSESSED_BEFORE_REGISTRATION_SHARE = 0.01  # band_date must still not precede registration
FUTURE_NEED_SHARE = 0.003  # assessed after the as-of date: ignored by the pipeline
ENDED_SHARE = 0.12
ENDS_AFTER_DAYS = (30, 900)  # some of those end dates are still to come
ENDS_AT_HOUSING_SHARE = 0.85

SEVERITIES = ("serious", "less_serious")
SEVERITY_SHARES = {0: 0.40, 1: 0.50, -1: 0.10}
AGENCIES = ("police", "mappa", "marac", "national_witness_support", "other")
AGENCY_SHARES = {0: 0.30, 1: 0.05, 2: 0.10, 3: 0.03, 4: 0.15, -1: 0.37}


@dataclass
class Needs:
    app: np.ndarray
    code: np.ndarray
    assessed_on: np.ndarray
    ends_on: np.ndarray
    severity: np.ndarray
    agency: np.ndarray

    def table(self) -> dict:
        return {
            "need_id": ids.sequence_ids(ids.NEED, len(self.app)),
            "application_ref": ids.by_index(ids.APPLICATION, self.app),
            "need_code": labels(NEED_CODES, self.code),
            "assessed_on": self.assessed_on,
            "ends_on": self.ends_on,
            "severity": labels(SEVERITIES, self.severity),
            "supporting_agency": labels(AGENCIES, self.agency),
        }


def end_needs_at_housing(rng: np.random.Generator, needs: Needs, apps: Applications) -> None:
    """Most needs of a housed applicant end on the day its tenancy starts (the new home meets
    them), so a letting audited later sees the winner's need at the close but not on the as-of date."""
    start = apps.last_tenancy_start[needs.app]
    open_then = ((apps.status[needs.app] == HOUSED) & ~np.isnat(start) & (needs.assessed_on < start)
                 & (np.isnat(needs.ends_on) | (needs.ends_on > start)))
    ending = open_then & chance(rng, ENDS_AT_HOUSING_SHARE, len(needs.app))
    needs.ends_on[ending] = start[ending]


def generate_needs(rng: np.random.Generator, as_of: dt.date, apps: Applications) -> Needs:
    as_of_day = to_day(as_of)
    per_app = keys_of(NEEDS_PER_APPLICATION_SHARES)[choose(rng, NEEDS_PER_APPLICATION_SHARES, len(apps))]
    app = np.repeat(np.arange(len(apps)), per_app)
    m = len(app)

    register_code = keys_of({NEED[c]: s for c, s in REGISTER_NEED_SHARES.items()})[choose(rng, REGISTER_NEED_SHARES, m)]
    transfer_code = keys_of({NEED[c]: s for c, s in TRANSFER_NEED_SHARES.items()})[choose(rng, TRANSFER_NEED_SHARES, m)]
    code = np.where(apps.is_transfer[app], transfer_code, register_code)

    registered = apps.registration[app]
    latest = np.maximum(registered, as_of_day)
    near_registration = uniform_days(rng, registered, registered + ASSESSED_AT_REGISTRATION_WINDOW_DAYS * DAY, m)
    assessed_on = np.where(chance(rng, ASSESSED_AT_REGISTRATION_SHARE, m), near_registration,
                           uniform_days(rng, registered, latest, m))
    assessed_on = np.minimum(assessed_on, latest)
    before = chance(rng, ASSESSED_BEFORE_REGISTRATION_SHARE, m)
    assessed_on[before] = registered[before] - rng.integers(1, 30, size=int(before.sum())) * DAY
    future = chance(rng, FUTURE_NEED_SHARE, m)
    assessed_on[future] = latest[future] + rng.integers(1, 45, size=int(future.sum())) * DAY

    ended = chance(rng, ENDED_SHARE, m)
    ends_on = np.full(m, NAT)
    ends_on[ended] = assessed_on[ended] + rng.integers(*ENDS_AFTER_DAYS, size=int(ended.sum())) * DAY

    violence = code == NEED["violence_or_harassment"]
    severity = np.where(violence, keys_of(SEVERITY_SHARES)[choose(rng, SEVERITY_SHARES, m)], -1)
    agency = np.where(violence, keys_of(AGENCY_SHARES)[choose(rng, AGENCY_SHARES, m)], -1)
    return Needs(app, code, assessed_on, ends_on, severity, agency)
