"""generate_extract: a whole synthetic register extract, deterministic by seed.

Tables are generated in dependency order (households before applications, bids before offers,
offers before the housed status they cause) and written once at the end.  Each part draws from
its own random stream, keyed by its name, so a change in how one part draws does not shift the
random numbers every later part sees.
"""
from __future__ import annotations

import datetime as dt
import zlib
from pathlib import Path

import numpy as np

from .adverts import generate_adverts
from .applications import generate_applications
from .behaviour import generate_behaviour_findings
from .bids import generate_bids
from .dates import to_day
from .debts import generate_debts
from .discretionary import generate_discretionary
from .exceptions import generate_policy_exceptions
from .equality import equality_columns
from .households import generate_households
from .lettings import generate_lettings
from .needs import end_needs_at_housing, generate_needs
from .offers import OfferRows
from .priority import INCOME_CAP, SAVINGS_CAP, approximate_bands
from .staff import build_staff
from .writer import write_extract

TWELVE_MONTHS_DAYS = 365


def _stream(seed: int, part: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(part.encode())])


def generate_extract(out_dir: Path, applications: int, seed: int, as_of: dt.date) -> dict[str, int]:
    """Write a synthetic extract of `applications` applications to `out_dir`; returns {file name: rows}."""
    if applications < 1:
        raise ValueError("applications must be at least 1")
    as_of_day = to_day(as_of)
    staff = build_staff(applications)
    households = generate_households(_stream(seed, "households"), as_of, applications)
    apps = generate_applications(_stream(seed, "applications"), as_of, households)
    needs = generate_needs(_stream(seed, "needs"), as_of, apps)
    debts = generate_debts(_stream(seed, "debts"), as_of, apps)
    findings = generate_behaviour_findings(_stream(seed, "behaviour"), as_of, apps)
    adverts = generate_adverts(_stream(seed, "adverts"), as_of, applications)
    bids = generate_bids(_stream(seed, "bids"), as_of, apps, households, adverts)
    bands = approximate_bands(as_of, apps, households, needs)
    lettings = generate_lettings(_stream(seed, "lettings"), as_of, apps, adverts, bids, bands, staff)
    discretionary = generate_discretionary(_stream(seed, "discretionary"), as_of, apps, staff)
    end_needs_at_housing(_stream(seed, "needs at housing"), needs, apps)
    recently_housed = apps.last_tenancy_start > as_of_day - TWELVE_MONTHS_DAYS * np.timedelta64(1, "D")
    exceptions = generate_policy_exceptions(_stream(seed, "exceptions"), as_of, apps, staff, {
        "housing_debt": debts.housing_debtors,
        "financial_resources": np.flatnonzero((apps.income > INCOME_CAP) | (apps.savings > SAVINGS_CAP)),
        "twelve_month_rule": np.flatnonzero(recently_housed),
        "refusals": lettings.serial_refusers,
    })
    offers = OfferRows.concat([lettings.offers, discretionary.offers])

    return write_extract(out_dir, {
        "applications": apps.table(),
        "household_members": {**households.members, **equality_columns(
            _stream(seed, "equality"), len(households.members["application_ref"]))},
        "fostering_adoption_approvals": households.approvals,
        "assessed_needs": needs.table(),
        "debts": debts.debts,
        "arrangement_payments": debts.payments,
        "behaviour_findings": findings,
        "adverts": adverts.table,
        "bids": bids.table,
        "offers": offers.table(),
        "shortlist_bypasses": lettings.bypasses,
        "policy_exceptions": exceptions,
        "staff": staff.table(),
        "discretionary_requests": discretionary.requests,
        "discretionary_events": discretionary.events,
    })
