"""Homes advertised for bidding (adverts.csv), with how many bids each tends to attract."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from . import ids
from .dates import DAY, to_day, uniform_days
from .sampling import chance, choose, group_positions, keys_of, labels, masked

ADVERTS_PER_APPLICATION = 263_000 / 1_340_000
MIN_ADVERTS = 20

PROPERTY_TYPES = ("flat", "maisonette", "house", "bungalow")
# (property type, bedrooms, share of adverts, bids an advert of this kind typically attracts):
# one-bed flats draw by far the most bids; larger houses 25-40.
PROPERTY_MIX = (
    ("flat", 1, 0.220, 140),
    ("flat", 2, 0.180, 15),
    ("flat", 3, 0.010, 20),
    ("maisonette", 2, 0.040, 15),
    ("maisonette", 3, 0.030, 25),
    ("house", 2, 0.130, 30),
    ("house", 3, 0.170, 30),
    ("house", 4, 0.040, 35),
    ("house", 5, 0.005, 25),
    ("bungalow", 1, 0.100, 12),
    ("bungalow", 2, 0.075, 10),
)
FLAT_FLOOR_SHARES = {0: 0.30, 1: 0.28, 2: 0.20, 3: 0.10, 4: 0.07, 5: 0.03, 6: 0.01, 8: 0.01}
MAISONETTE_FLOOR_SHARES = {0: 0.50, 1: 0.30, 2: 0.20}
LANDLORDS = ("council", "registered_provider")
LANDLORD_SHARES = {0: 0.70, 1: 0.30}

ADVERTISED_BANDS = ("transfer", "band_one", "band_two", "band_three")
ADVERTISED_BAND_SHARES = {0: 0.20, 1: 0.20, 2: 0.35, 3: 0.25}
# Age-designated homes (no advertised band, a minimum age instead): mostly bungalows; about 5%
# of all adverts.  They attract fewer bids.
AGE_DESIGNATED_SHARE = {"bungalow": 0.20, "flat_one_bed": 0.07}
MIN_AGE_SHARES = {55: 0.6, 60: 0.4}
AGE_DESIGNATED_DEMAND_FACTOR = 0.4

OPENED_IN_LAST_YEAR_SHARE = 0.90  # the rest opened in the year before that
WINDOW_DAYS_SHARES = {6: 0.75, 13: 0.25}  # closes_on - opens_on
RELET_SHARE = 0.03  # the same property advertised again
# Adverts open on the as-of date whose window is shortened to close on it: their shortlists are
# assessed on the day of the nightly slice, so the two evaluations can be compared.
CLOSING_ON_AS_OF = 2


@dataclass
class Adverts:
    property_no: np.ndarray  # relets share the number of the property's earlier advert
    opens_on: np.ndarray
    closes_on: np.ndarray
    bedrooms: np.ndarray
    band: np.ndarray  # index into ADVERTISED_BANDS, -1 when age-designated
    min_age: np.ndarray  # -1 when not age-designated
    expected_bids: np.ndarray
    table: dict

    def __len__(self) -> int:
        return len(self.opens_on)


def generate_adverts(rng: np.random.Generator, as_of: dt.date, applications: int) -> Adverts:
    as_of_day = to_day(as_of)
    n = max(MIN_ADVERTS, round(applications * ADVERTS_PER_APPLICATION))
    kind = choose(rng, {i: share for i, (_, _, share, _) in enumerate(PROPERTY_MIX)}, n)
    property_type = np.array([PROPERTY_TYPES.index(m[0]) for m in PROPERTY_MIX])[kind]
    bedrooms = np.array([m[1] for m in PROPERTY_MIX])[kind]
    expected_bids = np.array([m[3] for m in PROPERTY_MIX], dtype=float)[kind]

    floor = np.zeros(n, dtype=np.int64)
    flats = property_type == PROPERTY_TYPES.index("flat")
    maisonettes = property_type == PROPERTY_TYPES.index("maisonette")
    floor[flats] = keys_of(FLAT_FLOOR_SHARES)[choose(rng, FLAT_FLOOR_SHARES, int(flats.sum()))]
    floor[maisonettes] = keys_of(MAISONETTE_FLOOR_SHARES)[choose(rng, MAISONETTE_FLOOR_SHARES, int(maisonettes.sum()))]

    designation_share = np.where(property_type == PROPERTY_TYPES.index("bungalow"), AGE_DESIGNATED_SHARE["bungalow"],
                                 np.where(flats & (bedrooms == 1), AGE_DESIGNATED_SHARE["flat_one_bed"], 0.0))
    age_designated = rng.random(n) < designation_share
    min_age = np.where(age_designated, keys_of(MIN_AGE_SHARES)[choose(rng, MIN_AGE_SHARES, n)], -1)
    band = np.where(age_designated, -1, choose(rng, ADVERTISED_BAND_SHARES, n))
    expected_bids = np.where(age_designated, expected_bids * AGE_DESIGNATED_DEMAND_FACTOR, expected_bids)

    last_year = chance(rng, OPENED_IN_LAST_YEAR_SHARE, n)
    opens_on = np.where(last_year, uniform_days(rng, as_of_day - 365 * DAY, as_of_day, n),
                        uniform_days(rng, as_of_day - 730 * DAY, as_of_day - 366 * DAY, n))
    closes_on = opens_on + keys_of(WINDOW_DAYS_SHARES)[choose(rng, WINDOW_DAYS_SHARES, n)] * DAY
    open_on_as_of = np.flatnonzero((opens_on < as_of_day) & (closes_on > as_of_day))
    closes_on[open_on_as_of[:CLOSING_ON_AS_OF]] = as_of_day

    # Advert ids run in opening order, like the council's system issues them.
    order = np.argsort(opens_on, kind="stable")
    kind, property_type, bedrooms, expected_bids = kind[order], property_type[order], bedrooms[order], expected_bids[order]
    floor, min_age, band = floor[order], min_age[order], band[order]
    opens_on, closes_on = opens_on[order], closes_on[order]
    landlord = choose(rng, LANDLORD_SHARES, n)

    # A relet advertises again the property of an earlier advert of the same kind (same floor
    # and landlord too).
    property_no = np.arange(1, n + 1)
    by_kind = np.lexsort((np.arange(n), kind))
    rank_in_kind = group_positions(np.bincount(kind, minlength=len(PROPERTY_MIX)))
    relet = chance(rng, RELET_SHARE, n) & (rank_in_kind > 0)
    later = by_kind[relet]
    earlier = by_kind[np.flatnonzero(relet) - rank_in_kind[relet] + np.floor(rng.random(len(later)) * rank_in_kind[relet]).astype(np.int64)]
    property_no[later], floor[later], landlord[later] = property_no[earlier], floor[earlier], landlord[earlier]
    table = {
        "advert_id": ids.sequence_ids(ids.ADVERT, n),
        "property_ref": ids.format_ids(ids.PROPERTY, property_no),
        "landlord_type": labels(LANDLORDS, landlord),
        "property_type": labels(PROPERTY_TYPES, property_type),
        "bedrooms": bedrooms,
        "floor_level": floor,
        "advertised_band": labels(ADVERTISED_BANDS, band),
        "min_age": masked(min_age, min_age < 0),
        "opens_on": opens_on,
        "closes_on": closes_on,
    }
    return Adverts(property_no, opens_on, closes_on, bedrooms, band, min_age, expected_bids, table)
