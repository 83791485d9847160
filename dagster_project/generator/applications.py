"""One row per application (applications.csv): type, status, tenure, current home, money.

Households come first, because the current home is drawn relative to the household's bedroom
need (overcrowded / under-occupied) and registration can only follow the applicant's 16th year.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from . import ids

from ..ingest.contract import TENURES
from .dates import DAY, DAYS_PER_YEAR, NAT, to_day, uniform_days
from .households import Households
from .sampling import chance, choose, keys_of, labels, masked, money

APPLICATION_TYPES = ("register", "transfer")
TRANSFER_SHARE = 0.20
STATUSES = ("active", "cancelled", "housed")
ACTIVE, CANCELLED, HOUSED = range(3)
CANCELLED_SHARE = 0.05
# Housed through the scheme before the lettings of this extract (no offer rows of their own).
HOUSED_EARLIER_SHARE = 0.02
# Active again after a tenancy taken through the scheme within the last three years: the
# twelve-month rule (W4) applies to the recent ones.  Transfer tenants do this far more often.
RECENT_TENANCY_SHARE = {"register": 0.01, "transfer": 0.08}
RECENT_TENANCY_LOOKBACK_DAYS = 3 * 365

TENURE = {name: i for i, name in enumerate(TENURES)}
REGISTER_TENURE_SHARES = {
    "private_rented": 0.35, "living_with_family": 0.22, "temporary_accommodation": 0.12,
    "housing_association_tenant": 0.05, "council_tenant": 0.02, "owner_occupier": 0.04,
    "supported_housing": 0.05, "no_fixed_abode": 0.04, "other": 0.11,
}
TRANSFER_TENURE_SHARES = {"council_tenant": 0.60, "housing_association_tenant": 0.40}
# Transfer applicants are tenants inside the district, with a few exceptions kept on purpose;
# register applicants who rent socially mostly rent from a landlord elsewhere.
LANDLORD_IN_DISTRICT_SHARE = {"register": 0.10, "transfer": 0.94}
LOCAL_CONNECTIONS = ("yes", "no", "exempt")
LOCAL_CONNECTION_SHARES = {0: 0.85, 1: 0.08, 2: 0.07}

# Share of each tenure that has bedrooms of its own (the rest have current_bedrooms empty).
OWN_HOME_SHARE = {
    "private_rented": 1.0, "council_tenant": 1.0, "housing_association_tenant": 1.0, "owner_occupier": 1.0,
    "temporary_accommodation": 0.7, "supported_housing": 0.2, "other": 0.5,
    "living_with_family": 0.0, "no_fixed_abode": 0.0,
}
# Current bedrooms minus bedroom need: below zero is overcrowding (band two), above zero for a
# transfer tenant is under-occupation (transfer category 1).
BEDROOM_GAP_SHARES = {
    "register": {-2: 0.04, -1: 0.22, 0: 0.56, 1: 0.14, 2: 0.04},
    "transfer": {-2: 0.03, -1: 0.17, 0: 0.60, 1: 0.14, 2: 0.06},
}
FLOOR_SHARES = {0: 0.52, 1: 0.20, 2: 0.12, 3: 0.08, 4: 0.05, 5: 0.03}
# Would the home a transfer tenant leaves be in high demand? Larger homes more often are.
HIGH_DEMAND_SHARE = {"small": 0.25, "three_or_more": 0.50}
HIGH_DEMAND_UNKNOWN_SHARE = 0.10

INCOME_MEDIAN = 15_000
INCOME_SIGMA = 0.45
HIGH_INCOME_SHARE = 0.03  # above the single-person threshold of W5, some above the couple one
HIGH_INCOME_RANGE = (30_000, 90_000)
EXACT_INCOME_SHARES = {30_000.0: 0.003, 50_000.0: 0.002}  # exactly on a threshold (not above it)
NO_SAVINGS_SHARE = 0.20
SAVINGS_MEAN = 900
HIGH_SAVINGS_SHARE = 0.04
HIGH_SAVINGS_RANGE = (16_000.01, 90_000)
EXACT_SAVINGS_SHARE = 0.005  # exactly 16,000.00

HOMELESSNESS_DECISIONS = ("unintentionally_homeless", "intentionally_homeless", "not_homeless")
HOMELESS_TENURES = ("temporary_accommodation", "no_fixed_abode")
DECISION_SHARES_HOMELESS = {0: 0.60, 1: 0.10, 2: 0.10, -1: 0.20}
DECISION_SHARES_OTHERS = {0: 0.03, 1: 0.005, 2: 0.05, -1: 0.915}

REGISTRATION_MEAN_YEARS = 3.0
REGISTRATION_MAX_YEARS = 15
MIN_AGE_AT_REGISTRATION = 16
FUTURE_REGISTRATION_SHARE = 0.0005  # registered after the as-of date: ignored by the pipeline


@dataclass
class Applications:
    is_transfer: np.ndarray
    status: np.ndarray
    registration: np.ndarray
    tenure: np.ndarray
    landlord_in_district: np.ndarray  # -1 empty, 0 false, 1 true
    local_connection: np.ndarray
    current_bedrooms: np.ndarray  # -1 empty
    current_floor: np.ndarray  # -1 empty
    high_demand: np.ndarray  # -1 empty, 0 false, 1 true
    income: np.ndarray
    savings: np.ndarray
    homelessness_decision: np.ndarray  # -1 empty
    last_tenancy_start: np.ndarray  # NaT empty

    def __len__(self) -> int:
        return len(self.is_transfer)

    def record_tenancy(self, rng: np.random.Generator, app: np.ndarray, start: np.ndarray, housed_share: float) -> None:
        """An accepted offer: the tenancy starts on `start`; most such applications are then housed."""
        self.last_tenancy_start[app] = start
        housed = chance(rng, housed_share, len(app))
        self.status[app[housed]] = HOUSED

    def table(self) -> dict:
        def nullable_bool(values):
            return masked(values == 1, values < 0)

        return {
            "application_ref": ids.sequence_ids(ids.APPLICATION, len(self)),
            "application_type": labels(APPLICATION_TYPES, self.is_transfer.astype(np.int64)),
            "status": labels(STATUSES, self.status),
            "registration_date": self.registration,
            "current_tenure": labels(TENURES, self.tenure),
            "landlord_in_district": nullable_bool(self.landlord_in_district),
            "local_connection": labels(LOCAL_CONNECTIONS, self.local_connection),
            "current_bedrooms": masked(self.current_bedrooms, self.current_bedrooms < 0),
            "current_floor_level": masked(self.current_floor, self.current_floor < 0),
            "current_home_high_demand": nullable_bool(self.high_demand),
            "gross_annual_income": self.income,
            "savings_assets": self.savings,
            "homelessness_decision": labels(HOMELESSNESS_DECISIONS, self.homelessness_decision),
            "last_homechoice_tenancy_start": self.last_tenancy_start,
        }


def _by_type(rng, is_transfer, shares_by_type: dict) -> np.ndarray:
    """Draw from the register or transfer proportions, row by row type."""
    out = np.empty(len(is_transfer), dtype=np.int64)
    for transfer, name in ((False, "register"), (True, "transfer")):
        rows = np.flatnonzero(is_transfer == transfer)
        shares = shares_by_type[name]
        out[rows] = keys_of(shares)[choose(rng, shares, len(rows))]
    return out


def _income(rng, n) -> np.ndarray:
    income = rng.lognormal(np.log(INCOME_MEDIAN), INCOME_SIGMA, n)
    high = chance(rng, HIGH_INCOME_SHARE, n)
    income[high] = rng.uniform(*HIGH_INCOME_RANGE, int(high.sum()))
    for amount, share in EXACT_INCOME_SHARES.items():
        income[chance(rng, share, n)] = amount
    return money(income)


def _savings(rng, n) -> np.ndarray:
    savings = rng.exponential(SAVINGS_MEAN, n)
    savings[chance(rng, NO_SAVINGS_SHARE, n)] = 0.0
    high = chance(rng, HIGH_SAVINGS_SHARE, n)
    savings[high] = rng.uniform(*HIGH_SAVINGS_RANGE, int(high.sum()))
    savings[chance(rng, EXACT_SAVINGS_SHARE, n)] = 16_000.0
    return money(savings)


def generate_applications(rng: np.random.Generator, as_of: dt.date, households: Households) -> Applications:
    n = len(households.bedroom_need)
    as_of_day = to_day(as_of)
    is_transfer = chance(rng, TRANSFER_SHARE, n)

    tenure_shares = {
        "register": {TENURE[t]: s for t, s in REGISTER_TENURE_SHARES.items()},
        "transfer": {TENURE[t]: s for t, s in TRANSFER_TENURE_SHARES.items()},
    }
    tenure = _by_type(rng, is_transfer, tenure_shares)
    social_tenant = np.isin(tenure, [TENURE["council_tenant"], TENURE["housing_association_tenant"]])
    in_district_share = np.where(is_transfer, LANDLORD_IN_DISTRICT_SHARE["transfer"], LANDLORD_IN_DISTRICT_SHARE["register"])
    landlord_in_district = np.where(social_tenant, (rng.random(n) < in_district_share).astype(np.int64), -1)

    own_home_share = np.array([OWN_HOME_SHARE[t] for t in TENURES])[tenure]
    has_home = rng.random(n) < own_home_share
    gap = _by_type(rng, is_transfer, BEDROOM_GAP_SHARES)
    current_bedrooms = np.where(has_home, np.maximum(households.bedroom_need + gap, 1), -1)
    current_floor = np.where(has_home, keys_of(FLOOR_SHARES)[choose(rng, FLOOR_SHARES, n)], -1)
    high_demand_share = np.where(current_bedrooms >= 3, HIGH_DEMAND_SHARE["three_or_more"], HIGH_DEMAND_SHARE["small"])
    high_demand = (rng.random(n) < high_demand_share).astype(np.int64)
    high_demand = np.where(is_transfer & has_home & ~chance(rng, HIGH_DEMAND_UNKNOWN_SHARE, n), high_demand, -1)

    homeless = np.isin(tenure, [TENURE[t] for t in HOMELESS_TENURES])
    decision = np.where(homeless, keys_of(DECISION_SHARES_HOMELESS)[choose(rng, DECISION_SHARES_HOMELESS, n)],
                        keys_of(DECISION_SHARES_OTHERS)[choose(rng, DECISION_SHARES_OTHERS, n)])

    years_back = np.minimum(rng.exponential(REGISTRATION_MEAN_YEARS, n),
                            np.minimum(REGISTRATION_MAX_YEARS, households.applicant_age - MIN_AGE_AT_REGISTRATION))
    registration = as_of_day - np.round(np.maximum(years_back, 0) * DAYS_PER_YEAR).astype(np.int64) * DAY
    future = chance(rng, FUTURE_REGISTRATION_SHARE, n)
    registration[future] = as_of_day + rng.integers(1, 30, size=int(future.sum())) * DAY

    status = np.full(n, ACTIVE)
    status[chance(rng, CANCELLED_SHARE, n)] = CANCELLED
    last_tenancy = np.full(n, NAT)
    recent_share = np.where(is_transfer, RECENT_TENANCY_SHARE["transfer"], RECENT_TENANCY_SHARE["register"])
    recent = (rng.random(n) < recent_share) & (status == ACTIVE) & ~future
    k = int(recent.sum())
    last_tenancy[recent] = uniform_days(rng, as_of_day - RECENT_TENANCY_LOOKBACK_DAYS * DAY, as_of_day - 14 * DAY, k)
    registration[recent] = uniform_days(rng, last_tenancy[recent] + 7 * DAY, as_of_day, k)
    earlier = chance(rng, HOUSED_EARLIER_SHARE, n) & (status == ACTIVE) & ~recent & (registration < as_of_day - 60 * DAY)
    status[earlier] = HOUSED
    last_tenancy[earlier] = uniform_days(rng, registration[earlier] + 30 * DAY, as_of_day - DAY, int(earlier.sum()))

    return Applications(
        is_transfer=is_transfer,
        status=status,
        registration=registration,
        tenure=tenure,
        landlord_in_district=landlord_in_district,
        local_connection=choose(rng, LOCAL_CONNECTION_SHARES, n),
        current_bedrooms=current_bedrooms,
        current_floor=current_floor,
        high_demand=high_demand,
        income=_income(rng, n),
        savings=_savings(rng, n),
        homelessness_decision=decision,
        last_tenancy_start=last_tenancy,
    )
