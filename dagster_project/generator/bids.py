"""Bids on adverts (bids.csv): about ten per application, most on one-bed homes.

Bidders are drawn for each advert from applications registered by the time of the bid, weighted
by how keen a bidder each application is, and mostly from households whose bedroom need fits
the home (or older households for age-designated homes), so shortlists look like real ones:
mostly eligible bids, with some for the wrong size, some withdrawn, some outside the window.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from . import ids
from .adverts import Adverts
from .applications import CANCELLED, Applications
from .dates import DAY, SECOND
from .households import Households
from .sampling import chance, choose, labels

BIDS_PER_APPLICATION = 13_000_000 / 1_340_000
ADVERT_DEMAND_SHAPE = 4.0  # gamma shape of the advert-to-advert spread around the typical count
TOP_UP_ROUNDS = 2  # re-draw bidders lost to duplicate picks, which matter at small sizes

ANYONE, NEEDS_ONE, NEEDS_TWO, NEEDS_THREE, NEEDS_FOUR_PLUS, OLDER = range(6)
MATCHING_SIZE_SHARE = 0.80  # bids from households whose bedroom need is the advert's size
OLDER_BIDDER_SHARE = 0.85  # on age-designated adverts

# How keen a bidder each application is: a long tail of frequent bidders, many rare ones.
ACTIVITY_SHAPE = 0.6
ACTIVITY_FLOOR = 0.02
CANCELLED_ACTIVITY_FACTOR = 0.4  # cancelled applications bid too, before or after cancelling

WITHDRAWN_SHARE = 0.04
EARLY_BIDDING_BETA = (1.0, 2.5)  # bids come early in the advert window
DAYTIME_SECONDS = (7 * 3600, 23 * 3600 + 45 * 60)
DAYTIME_SHARE = 0.95
EARLIEST_BID_DAYS = 3  # bids placed before the window come at most this many days early
INSIDE, BEFORE_OPENING, AFTER_CLOSING, CLOSING_DAY_2330 = range(4)
PLACEMENT_SHARES = {INSIDE: 0.994, BEFORE_OPENING: 0.003, AFTER_CLOSING: 0.002, CLOSING_DAY_2330: 0.001}
DAY_SECONDS = 86_400


@dataclass
class Bids:
    advert: np.ndarray
    app: np.ndarray
    placed_at: np.ndarray  # datetime64[s]
    withdrawn: np.ndarray
    table: dict


@dataclass
class _BidderPools:
    """Applications of every bidder group, sorted by (group, registration day), with cumulative
    weights, and for every advert and group the slice of the pool registered in time to bid."""

    app: np.ndarray
    cumulative_weight: np.ndarray  # 0 first, then running totals: weight of pool[a:b] = cw[b] - cw[a]
    start: np.ndarray  # [advert, group] -> first pool position
    end: np.ndarray  # [advert, group] -> one past the last pool position

    KEY_STRIDE = 1 << 20  # days per group in the key: far more than any registration span

    @classmethod
    def build(cls, apps: Applications, households: Households, adverts: Adverts, weight: np.ndarray) -> "_BidderPools":
        need = np.clip(households.bedroom_need, 1, 4)
        members = [np.arange(len(apps))] + [np.flatnonzero(need == k) for k in (1, 2, 3, 4)] + [np.flatnonzero(households.older)]
        group = np.concatenate([np.full(len(m), g) for g, m in enumerate(members)])
        app = np.concatenate(members)
        first_day = min(apps.registration.min(), adverts.opens_on.min() - EARLIEST_BID_DAYS * DAY)
        key = group * cls.KEY_STRIDE + (apps.registration[app] - first_day).astype(np.int64)
        order = np.argsort(key, kind="stable")
        key, app = key[order], app[order]
        cumulative_weight = np.concatenate([[0.0], np.cumsum(weight[app])])

        # Bidders registered by the advert's earliest possible bid day (a few days before it opens).
        groups = np.arange(len(members))
        cutoff = (adverts.opens_on - EARLIEST_BID_DAYS * DAY - first_day).astype(np.int64)
        start = np.broadcast_to(np.searchsorted(key, groups * cls.KEY_STRIDE), (len(adverts), len(members)))
        end = np.searchsorted(key, groups[None, :] * cls.KEY_STRIDE + cutoff[:, None], side="right")
        # Where nobody of a group had registered yet, anyone registered will do.
        empty = end <= start
        start = np.where(empty, start[:, [ANYONE]], start)
        end = np.where(empty, end[:, [ANYONE]], end)
        return cls(app, cumulative_weight, start, end)

    def draw(self, rng: np.random.Generator, advert: np.ndarray, group: np.ndarray) -> np.ndarray:
        """A pick weighted by keenness among the group's applications able to bid; -1 if none."""
        start, end = self.start[advert, group], self.end[advert, group]
        low, high = self.cumulative_weight[start], self.cumulative_weight[end]
        target = low + rng.random(len(advert)) * (high - low)
        position = np.searchsorted(self.cumulative_weight, target, side="right") - 1
        position = np.clip(position, start, np.maximum(end - 1, start))
        return np.where(end > start, self.app[np.minimum(position, len(self.app) - 1)], -1)


def _placed_at(rng, adverts: Adverts, advert: np.ndarray) -> np.ndarray:
    b = len(advert)
    opens = adverts.opens_on[advert].astype("datetime64[s]")
    closes = adverts.closes_on[advert].astype("datetime64[s]")
    window_days = ((closes - opens) // np.timedelta64(DAY_SECONDS, "s")).astype(np.int64) + 1
    day = np.floor(window_days * rng.beta(*EARLY_BIDDING_BETA, b)).astype(np.int64)
    seconds = np.where(chance(rng, DAYTIME_SHARE, b), rng.integers(*DAYTIME_SECONDS, size=b), rng.integers(0, DAY_SECONDS, size=b))
    placed = opens + (day * DAY_SECONDS + seconds) * SECOND
    placement = choose(rng, PLACEMENT_SHARES, b)
    before = opens - rng.integers(1, EARLIEST_BID_DAYS + 1, size=b) * DAY_SECONDS * SECOND + seconds * SECOND
    after = closes + (DAY_SECONDS + rng.integers(0, 36 * 3600, size=b)) * SECOND
    at_2330 = closes + (23 * 3600 + 30 * 60) * SECOND  # inside: bids are taken to the end of closes_on
    placed = np.where(placement == BEFORE_OPENING, before, placed)
    placed = np.where(placement == AFTER_CLOSING, after, placed)
    return np.where(placement == CLOSING_DAY_2330, at_2330, placed)


def _bidder_group(rng, adverts: Adverts, advert: np.ndarray) -> np.ndarray:
    b = len(advert)
    size_group = np.clip(adverts.bedrooms[advert], 1, 4)  # NEEDS_ONE..NEEDS_FOUR_PLUS
    matching = np.where(chance(rng, MATCHING_SIZE_SHARE, b), size_group, ANYONE)
    older = np.where(chance(rng, OLDER_BIDDER_SHARE, b), OLDER, ANYONE)
    return np.where(adverts.min_age[advert] > 0, older, matching)


def _draw_round(rng, pools: _BidderPools, adverts: Adverts, advert: np.ndarray):
    app = pools.draw(rng, advert, _bidder_group(rng, adverts, advert))
    return advert, app, _placed_at(rng, adverts, advert)


def generate_bids(rng: np.random.Generator, as_of: dt.date, apps: Applications, households: Households,
                  adverts: Adverts) -> Bids:
    n_apps = len(apps)
    weight = rng.gamma(ACTIVITY_SHAPE, 1.0, n_apps) + ACTIVITY_FLOOR
    weight[apps.status == CANCELLED] *= CANCELLED_ACTIVITY_FACTOR
    pools = _BidderPools.build(apps, households, adverts, weight)

    # Bids per advert: the typical count for its kind, scaled so the extract has about
    # BIDS_PER_APPLICATION bids per application, with a gamma-Poisson spread.
    scale = BIDS_PER_APPLICATION * n_apps / adverts.expected_bids.sum()
    mean = adverts.expected_bids * scale * rng.gamma(ADVERT_DEMAND_SHAPE, 1 / ADVERT_DEMAND_SHAPE, len(adverts))
    wanted = rng.poisson(mean)

    advert = np.repeat(np.arange(len(adverts), dtype=np.int64), wanted)
    advert, app, placed = _draw_round(rng, pools, adverts, advert)
    for round_no in range(TOP_UP_ROUNDS + 1):
        # An application bids at most once per advert: keep the first pick of each pair.
        found = app >= 0
        advert, app, placed = advert[found], app[found], placed[found]
        _, first = np.unique(advert * n_apps + app, return_index=True)
        first.sort()
        advert, app, placed = advert[first], app[first], placed[first]
        missing = wanted - np.bincount(advert, minlength=len(adverts))
        if round_no == TOP_UP_ROUNDS or missing.sum() == 0:
            break
        more = _draw_round(rng, pools, adverts, np.repeat(np.arange(len(adverts), dtype=np.int64), missing))
        advert, app, placed = (np.concatenate([x, y]) for x, y in zip((advert, app, placed), more))

    # Bid ids run in the order bids were placed.
    order = np.argsort(placed.astype(np.int64) * len(adverts) + advert, kind="stable")
    advert, app, placed = advert[order], app[order], placed[order]
    withdrawn = chance(rng, WITHDRAWN_SHARE, len(advert))
    table = {
        "bid_id": ids.sequence_ids(ids.BID, len(advert)),
        "advert_id": ids.by_index(ids.ADVERT, advert),
        "application_ref": ids.by_index(ids.APPLICATION, app),
        "placed_at": placed,
        "status": labels(("active", "withdrawn"), withdrawn.astype(np.int64)),
    }
    return Bids(advert, app, placed, withdrawn, table)
