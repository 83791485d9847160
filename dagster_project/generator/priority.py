"""A rough idea of who would top a shortlist, used only to choose plausible offer recipients.

The pipeline computes the real shortlist; this approximation (highest band of the active
assessed needs, overcrowding, the financial cap and the W3 matrix) only makes most lettings go
to bidders near the top, so that the lettings audit has mostly clean lets and a few pass-overs.
"""
from __future__ import annotations

import datetime as dt

import numpy as np

from .adverts import Adverts
from .applications import Applications
from .dates import to_day
from .households import Households
from .needs import NEED, Needs

TRANSFER_BAND, BAND_ONE, BAND_TWO, BAND_THREE, BAND_FOUR = range(5)
BAND_ONE_NEEDS = ("demolition_regeneration", "statutory_overcrowding", "medical_urgent")
BAND_TWO_NEEDS = ("homelessness_prevention_duty", "homelessness_relief_duty", "move_on", "welfare_need",
                  "medical_significant")
BAND_THREE_NEEDS = ("medical_low", "sharing_facilities")
SERIOUS_AGENCIES = (0, 1, 2, 3)  # police, mappa, marac, national_witness_support (needs.AGENCIES)
INCOME_CAP, SAVINGS_CAP = 30_000, 16_000

# Priority group by applicant band (rows: transfer, band one..four) and advertised band
# (columns: transfer, band one..three); age-designated adverts use the band one column (W3).
PRIORITY_MATRIX = np.array([
    [1, 4, 4, 4],
    [2, 1, 3, 2],
    [3, 2, 1, 3],
    [4, 3, 2, 1],
    [5, 5, 5, 5],
])


def approximate_bands(as_of: dt.date, apps: Applications, households: Households, needs: Needs) -> np.ndarray:
    as_of_day = to_day(as_of)
    n = len(apps)
    band_of_code = np.full(len(NEED), 9)
    for codes, band in ((BAND_ONE_NEEDS, BAND_ONE), (BAND_TWO_NEEDS, BAND_TWO), (BAND_THREE_NEEDS, BAND_THREE)):
        band_of_code[[NEED[c] for c in codes]] = band
    need_band = band_of_code[needs.code]
    violence = needs.code == NEED["violence_or_harassment"]
    serious = (needs.severity == 0) | np.isin(needs.agency, SERIOUS_AGENCIES)
    need_band = np.where(violence, np.where(serious, BAND_ONE, BAND_TWO), need_band)
    active = (needs.assessed_on <= as_of_day) & ~(needs.ends_on <= as_of_day)

    best = np.full(n, 9)
    np.minimum.at(best, needs.app[active], need_band[active])
    overcrowded = (apps.current_bedrooms >= 0) & (apps.current_bedrooms < households.bedroom_need)
    best = np.where(overcrowded, np.minimum(best, BAND_TWO), best)
    best = np.where(best == 9, np.where(apps.is_transfer, TRANSFER_BAND, BAND_FOUR), best)
    capped = (apps.income > INCOME_CAP) | (apps.savings > SAVINGS_CAP)
    return np.where(capped, BAND_FOUR, best)


def priority_groups(bands: np.ndarray, adverts: Adverts, bid_app: np.ndarray, bid_advert: np.ndarray) -> np.ndarray:
    column = np.where(adverts.band < 0, 1, adverts.band)  # age-designated: the band one column
    return PRIORITY_MATRIX[bands[bid_app], column[bid_advert]]
