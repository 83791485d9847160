"""Lettings of advertised homes: offers to bidders, recorded pass-overs, and who was housed.

For most closed adverts the home is offered down a rough shortlist (see priority.py) until
someone accepts; some hold a group viewing instead, offering the home to several bidders on one
day, the refusals recorded in the days after the winner's offer; now and then the first offer skips bidders near the top, and only some of those
pass-overs are recorded (shortlist_bypasses.csv).  A few applicants refuse three or more suitable
offers within six months (W11).  Who accepted is housed, with the offer date as the start of their
last tenancy through the scheme (W4).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from . import ids
from .adverts import Adverts
from .applications import ACTIVE, Applications
from .bids import Bids
from .dates import DAY, NAT, to_day
from .offers import ACCEPTED, PENDING, REFUSED, WITHDRAWN, OfferRows
from .priority import priority_groups
from .sampling import chance, choose, group_cumsum, group_positions, keys_of, labels
from .staff import Staff

LET_SHARE = 0.92  # closed adverts let (or being let) through offers; the rest were withdrawn
DAYS_AFTER_CLOSING_BEFORE_OFFERS = 3
OFFERS_PER_LETTING_SHARES = {1: 0.70, 2: 0.20, 3: 0.07, 4: 0.03}
FIRST_OFFER_DAYS = (4, 13)  # after closing; serial refusers' offers come before, 1-3 days after
NEXT_OFFER_DAYS = (3, 13)
DECISION_DAYS = (1, 8)
EARLIER_OFFER_OUTCOME_SHARES = {REFUSED: 0.80, WITHDRAWN: 0.20}
DEEMED_SUITABLE_SHARES = {1: 0.60, 0: 0.30, -1: 0.10}
HOUSED_AFTER_ACCEPTANCE_SHARE = 0.90  # the rest are active again (e.g. applied for a transfer)
GROUP_VIEWING_SHARE = 0.15  # lettings whose offers are all made on one day

PASSED_OVER_SHARE = 0.12  # lettings whose first offer skips bidders ranked above
MAX_PASSED_OVER = 8
BYPASS_RECORDED_SHARE = 0.70  # of those skipped: the rest are unexplained pass-overs
LATE_BYPASS_SHARE = 0.10  # recorded only after the offer, which does not explain it
BYPASS_REASONS = (
    "Applicant could not be contacted within 48 hours",
    "Property not suitable for applicant's medical needs",
    "Verification of income and savings outstanding",
    "Applicant has rent arrears, checking arrangement",
    "Household too large for property",
    "Support needs cannot be met at this property, per support worker",
    "Applicant needs ground floor access",
)
BYPASS_RECORDERS = ("housing_options_officer", "housing_management_officer", "senior_allocations_officer")

SERIAL_REFUSER_SHARE = 0.004
MIN_SERIAL_REFUSERS = 3
REFUSAL_SPAN_DAYS = 150  # three refusals within this span fall inside six calendar months
REFUSAL_OFFER_DAYS = (1, 4)
REFUSAL_DECISION_DAYS = (1, 5)
FOURTH_REFUSAL_SHARE = 0.40
SAME_WEEK_ROUNDS = 3


@dataclass
class Lettings:
    offers: OfferRows
    bypasses: dict
    serial_refusers: np.ndarray


def _offer_rows(adverts: Adverts, advert, app, offered_on, outcome, outcome_on, deemed) -> OfferRows:
    return OfferRows(advert, ids.by_index(ids.PROPERTY, adverts.property_no[advert] - 1), app, offered_on, outcome, outcome_on, deemed,
                     np.full(len(app), -1))


def _serial_refusals(rng, as_of_day, adverts: Adverts, bids: Bids, candidate: np.ndarray, n_apps: int):
    """Three or four refused suitable offers within 150 days for a few keen bidders."""
    closes = adverts.closes_on[bids.advert]
    pool = np.flatnonzero(candidate & (closes <= as_of_day - 10 * DAY))
    pool = pool[np.argsort(bids.app[pool] * (1 << 20) + closes[pool].astype(np.int64))]  # by applicant, then closing
    app, closed = bids.app[pool], closes[pool]
    span_ok = np.flatnonzero((app[:-2] == app[2:]) & (closed[2:] - closed[:-2] <= REFUSAL_SPAN_DAYS * DAY))
    _, first = np.unique(app[span_ok], return_index=True)
    starts = span_ok[first]
    count = min(len(starts), max(MIN_SERIAL_REFUSERS, round(n_apps * SERIAL_REFUSER_SHARE)))
    starts = np.sort(rng.choice(starts, size=count, replace=False))
    fourth = starts + 3
    fourth = fourth[(fourth < len(pool)) & chance(rng, FOURTH_REFUSAL_SHARE, len(fourth))]
    fourth = fourth[(app[fourth] == app[fourth - 3]) & (closed[fourth] - closed[fourth - 3] <= REFUSAL_SPAN_DAYS * DAY)]
    chosen = pool[np.sort(np.concatenate([starts, starts + 1, starts + 2, fourth]))]

    r = len(chosen)
    offered_on = adverts.closes_on[bids.advert[chosen]] + rng.integers(*REFUSAL_OFFER_DAYS, size=r) * DAY
    outcome_on = offered_on + rng.integers(*REFUSAL_DECISION_DAYS, size=r) * DAY
    rows = _offer_rows(adverts, bids.advert[chosen], bids.app[chosen], offered_on, np.full(r, REFUSED), outcome_on,
                       np.ones(r, dtype=np.int64))
    return rows, np.unique(bids.app[chosen])


def _rank_candidates(apps: Applications, adverts: Adverts, bids: Bids, candidate: np.ndarray, bands: np.ndarray):
    """Candidate bids grouped by advert, best first on the rough shortlist."""
    idx = np.flatnonzero(candidate)
    group = priority_groups(bands, adverts, bids.app[idx], bids.advert[idx])
    registered_day = (apps.registration[bids.app[idx]] - apps.registration.min()).astype(np.int64)
    # Bids are in placed order, so a stable sort leaves placed_at as the last tie-break.
    key = (bids.advert[idx] * 8 + group) * (1 << 17) + registered_day
    return idx[np.argsort(key, kind="stable")]


@dataclass
class _LettingDraws:
    """Each advert's random choices, drawn once, so that a letting re-run after its first choice
    of tenant was housed elsewhere comes out the same apart from who gets the offers."""

    offers_wanted: np.ndarray
    skip_fraction: np.ndarray  # how far down the shortlist the first offer goes; 0 for most
    gap: np.ndarray  # [advert, offer]: days after closing (first) or after the previous offer
    decision: np.ndarray  # [advert, offer]: days to the outcome
    earlier_outcome: np.ndarray  # [advert, offer]: outcome of an offer that is not the last
    deemed: np.ndarray  # [advert, offer]: deemed_suitable of a refusal
    group_viewing: np.ndarray  # every offer on the day of the first

    @classmethod
    def draw(cls, rng, n_adverts: int) -> "_LettingDraws":
        most = max(OFFERS_PER_LETTING_SHARES)
        shape = (n_adverts, most)
        gap = rng.integers(*NEXT_OFFER_DAYS, size=shape)
        gap[:, 0] = rng.integers(*FIRST_OFFER_DAYS, size=n_adverts)
        draws = cls(
            offers_wanted=keys_of(OFFERS_PER_LETTING_SHARES)[choose(rng, OFFERS_PER_LETTING_SHARES, n_adverts)],
            skip_fraction=np.where(chance(rng, PASSED_OVER_SHARE, n_adverts), rng.random(n_adverts), 0.0),
            gap=gap,
            decision=rng.integers(*DECISION_DAYS, size=shape),
            earlier_outcome=keys_of(EARLIER_OFFER_OUTCOME_SHARES)[choose(rng, EARLIER_OFFER_OUTCOME_SHARES, shape[0] * most)].reshape(shape),
            deemed=keys_of(DEEMED_SUITABLE_SHARES)[choose(rng, DEEMED_SUITABLE_SHARES, shape[0] * most)].reshape(shape),
            group_viewing=chance(rng, GROUP_VIEWING_SHARE, n_adverts),
        )
        # A group viewing: every offer on the day of the first; each refusal is then recorded
        # days after the winner's offer, which is made the same day.
        draws.gap[draws.group_viewing, 1:] = 0
        return draws


def _chains(adverts: Adverts, bids: Bids, ranked: np.ndarray, draws: _LettingDraws):
    """Offers down each advert's shortlist (`ranked`: bid indices grouped by advert, best first).

    Returns the offers and the bidders skipped by the first offer (advert, application).
    """
    advert_of, first = np.unique(bids.advert[ranked], return_index=True)
    count = np.diff(np.append(first, len(ranked)))
    skipped = np.minimum(np.floor(draws.skip_fraction[advert_of] * np.minimum(count, MAX_PASSED_OVER + 1)).astype(np.int64),
                         count - 1)
    wanted = draws.offers_wanted[advert_of]

    chain = np.repeat(np.arange(len(advert_of)), wanted)
    step = group_positions(wanted)
    rank = skipped[chain] + step
    real = rank < count[chain]
    chain, step, rank = chain[real], step[real], rank[real]
    advert = advert_of[chain]
    app = bids.app[ranked[first[chain] + rank]]

    gap = draws.gap[advert, step]
    offered_on = adverts.closes_on[advert] + group_cumsum(gap, np.bincount(chain, minlength=len(advert_of))) * DAY
    outcome_on = offered_on + draws.decision[advert, step] * DAY
    last = np.append(chain[1:] != chain[:-1], True)
    outcome = np.where(last, ACCEPTED, draws.earlier_outcome[advert, step])
    deemed = np.where(outcome == REFUSED, draws.deemed[advert, step], -1)
    offers = _offer_rows(adverts, advert, app, offered_on, outcome, outcome_on, deemed)

    passed = np.repeat(np.arange(len(advert_of)), skipped)
    passed_app = bids.app[ranked[first[passed] + group_positions(skipped)]]
    return offers, advert_of[passed], passed_app


def _let_week_by_week(as_of_day, adverts: Adverts, bids: Bids, ranked: np.ndarray, draws: _LettingDraws, n_apps: int):
    """Let adverts in order of their closing week; who accepted a home drops off later shortlists.

    Within a week an applicant may top several shortlists: they keep the earliest offer and are
    taken off the others, for a few rounds; any clash left is withdrawn afterwards.
    """
    week = (adverts.closes_on[bids.advert[ranked]] - adverts.closes_on.min()).astype(np.int64) // 7
    order = np.argsort(week, kind="stable")  # keeps each advert's shortlist order
    ranked, week = ranked[order], week[order]
    bounds = np.flatnonzero(np.diff(week)) + 1
    housed = np.zeros(n_apps, dtype=bool)
    parts, passed_adverts, passed_apps = [], [], []
    for shortlist in np.split(ranked, bounds):
        shortlist = shortlist[~housed[bids.app[shortlist]]]
        for _ in range(SAME_WEEK_ROUNDS):
            offers, passed_advert, passed_app = _chains(adverts, bids, shortlist, draws)
            offers = _as_of_the_extract(as_of_day, offers)
            accepted = np.flatnonzero(offers.outcome == ACCEPTED)
            by_app = accepted[np.lexsort((offers.advert[accepted], offers.offered_on[accepted], offers.app[accepted]))]
            repeat = by_app[1:][offers.app[by_app[1:]] == offers.app[by_app[:-1]]]
            if len(repeat) == 0:
                break
            clash = offers.advert[repeat] * n_apps + offers.app[repeat]
            shortlist = shortlist[~np.isin(bids.advert[shortlist] * n_apps + bids.app[shortlist], clash)]
        housed[offers.app[offers.outcome == ACCEPTED]] = True
        parts.append(offers)
        passed_adverts.append(passed_advert)
        passed_apps.append(passed_app)
    if not parts:
        return OfferRows.empty(), np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    return OfferRows.concat(parts), np.concatenate(passed_adverts), np.concatenate(passed_apps)


def _as_of_the_extract(as_of_day, offers: OfferRows) -> OfferRows:
    """Offers not yet made are left out; decisions not yet taken are pending."""
    offers = offers.subset(np.flatnonzero(offers.offered_on <= as_of_day))
    undecided = offers.outcome_on > as_of_day
    offers.outcome[undecided] = PENDING
    offers.outcome_on[undecided] = NAT
    offers.deemed_suitable[undecided] = -1
    return offers


def _withdraw_after_acceptance(as_of_day, offers: OfferRows) -> None:
    """Once an applicant accepts a home, any later (or second same-day) offer to them is withdrawn."""
    accepted = np.flatnonzero(offers.outcome == ACCEPTED)
    order = accepted[np.lexsort((accepted, offers.offered_on[accepted], offers.app[accepted]))]
    _, first = np.unique(offers.app[order], return_index=True)
    kept = order[first]
    first_acceptance = np.full(offers.app.max() + 1 if len(offers) else 1, np.datetime64("9999-12-31"), dtype="datetime64[D]")
    first_acceptance[offers.app[kept]] = offers.offered_on[kept]
    later = offers.offered_on >= first_acceptance[offers.app]
    later[kept] = False
    offers.outcome[later] = WITHDRAWN
    offers.outcome_on[later] = np.minimum(offers.offered_on[later] + DAY, as_of_day)
    offers.deemed_suitable[later] = -1


def _bypasses(rng, adverts: Adverts, offers: OfferRows, passed_advert, passed_app,
              staff: Staff) -> dict:
    """Some of the skipped bidders get a recorded reason, nearly always before the offer."""
    never = np.iinfo(np.int64).max
    first_day = np.full(len(adverts), never)
    let = offers.advert >= 0
    np.minimum.at(first_day, offers.advert[let], offers.offered_on[let].astype(np.int64))
    offered = first_day[passed_advert] != never
    first_offer = np.where(first_day == never, 0, first_day).astype("datetime64[D]")
    recorded = offered & chance(rng, BYPASS_RECORDED_SHARE, len(passed_advert))
    advert, app = passed_advert[recorded], passed_app[recorded]
    b = len(advert)
    on_time = first_offer[advert] - rng.integers(0, 4, size=b) * DAY
    late = first_offer[advert] + rng.integers(15, 40, size=b) * DAY
    recorded_on = np.where(chance(rng, LATE_BYPASS_SHARE, b), late, on_time)
    return {
        "advert_id": ids.by_index(ids.ADVERT, advert),
        "application_ref": ids.by_index(ids.APPLICATION, app),
        "reason": labels(BYPASS_REASONS, rng.integers(len(BYPASS_REASONS), size=b)),
        "recorded_by": pa.array(staff.pick_many(rng, b, *BYPASS_RECORDERS)),
        "recorded_on": recorded_on,
    }


def generate_lettings(rng: np.random.Generator, as_of: dt.date, apps: Applications, adverts: Adverts, bids: Bids,
                      bands: np.ndarray, staff: Staff) -> Lettings:
    as_of_day = to_day(as_of)
    let_advert = (adverts.closes_on <= as_of_day - DAYS_AFTER_CLOSING_BEFORE_OFFERS * DAY) & chance(rng, LET_SHARE, len(adverts))
    in_window = (bids.placed_at.astype("datetime64[D]") >= adverts.opens_on[bids.advert]) & (
        bids.placed_at.astype("datetime64[D]") <= adverts.closes_on[bids.advert])
    candidate = let_advert[bids.advert] & ~bids.withdrawn & in_window & (apps.status[bids.app] == ACTIVE)

    refusals, serial_refusers = _serial_refusals(rng, as_of_day, adverts, bids, candidate, len(apps))
    candidate &= ~np.isin(bids.app, serial_refusers)
    ranked = _rank_candidates(apps, adverts, bids, candidate, bands)
    draws = _LettingDraws.draw(rng, len(adverts))
    chains, passed_advert, passed_app = _let_week_by_week(as_of_day, adverts, bids, ranked, draws, len(apps))

    offers = _as_of_the_extract(as_of_day, OfferRows.concat([refusals, chains]))
    _withdraw_after_acceptance(as_of_day, offers)
    accepted = offers.outcome == ACCEPTED
    apps.record_tenancy(rng, offers.app[accepted], offers.offered_on[accepted], HOUSED_AFTER_ACCEPTANCE_SHARE)

    bypasses = _bypasses(rng, adverts, offers, passed_advert, passed_app, staff)
    return Lettings(offers, bypasses, serial_refusers)
