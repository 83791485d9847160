"""Out-of-turn allocation requests and their audit trail (discretionary_requests.csv,
discretionary_events.csv) with the direct offers they lead to.

There are few requests (about one per 2,000 applications), so each one's story is drawn in plain
Python: who initiated and approved it, which agreements were recorded and when, appeals, offers.
The first requests of every extract follow fixed stories, one per audit finding path (D1-D9), so
that even a small extract exercises them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from . import ids
from .applications import ACTIVE, Applications
from .dates import DAY, NAT, to_day
from .offers import ACCEPTED, PENDING, REFUSED, WITHDRAWN, OfferRows
from .staff import APPROVING_MANAGERS, EXECUTIVES, OFFICERS, Staff

REQUESTS_PER_APPLICATION = 1 / 2000
HOUSED_AFTER_ACCEPTANCE_SHARE = 0.90

REASON_SHARES = {
    "serious_risk_of_harm": 0.30, "recent_traumatic_event": 0.20, "tenancy_unsustainable": 0.20,
    "sustainable_communities": 0.08, "council_initiative": 0.07, "arrears_cleared_after_eviction": 0.05, "other": 0.10,
}
INITIATOR_SHARES = {"officer": 0.92, "allocations": 0.04, "manager": 0.04}  # allocations staff: D1
RELATED_PARTY_SHARES = {"none": 0.86, "staff": 0.04, "staff_relative": 0.04, "board_member": 0.02, "councillor": 0.04}
EXCEPTIONAL_SHARE = 0.08
LANDLORD_SHARES = {"council": 0.65, "registered_provider": 0.25, None: 0.10}
DECISION_SHARES = {"approved": 0.78, "rejected": 0.15, None: 0.07}
# Who approves: mostly one of the three managers; a few others (D2, D3), an empty staff_id, or
# the initiator (D8, when the initiator is a manager).
APPROVER_SHARES = {"manager": 0.85, "executive": 0.05, "other_role": 0.05, "empty": 0.03, "self": 0.02}
OTHER_APPROVER_ROLES = ("senior_allocations_officer", "head_of_housing_management")
LEGAL_SUPPORT_SHARE = 0.85  # of exceptional-circumstances requests
AGREEMENT_SHARES = {"before_offer": 0.80, "missing": 0.10, "after_offer": 0.10}  # head of housing management (D4)
INFORMED_SHARES = {"between": 0.75, "missing": 0.15, "before_approval": 0.10}  # managing director (D4)
APPEAL_SHARE = {"rejected": 0.40, "approved": 0.05}
APPEAL_REVIEW_SHARES = {"on_time": 0.50, "late": 0.30, "unreviewed": 0.20}  # review within 28 days (D9)
OFFER_COUNT_SHARES = {"approved": {1: 0.88, 2: 0.06, 0: 0.06}, "other": {0: 0.97, 1: 0.03}}  # D5, D6
OFFER_BEFORE_APPROVAL_SHARE = 0.04
LAST_OFFER_OUTCOME_SHARES = {ACCEPTED: 0.70, PENDING: 0.15, REFUSED: 0.10, WITHDRAWN: 0.05}

LOOKBACK_DAYS = (10, 720)
DECISION_DAYS = (1, 22)
OFFER_DAYS = (3, 61)
SECOND_OFFER_DAYS = (7, 41)
OUTCOME_DAYS = (1, 11)


@dataclass(frozen=True)
class Story:
    initiator: str = "officer"
    related_party: str = "none"
    exceptional: bool = False
    landlord: str | None = "council"
    decision: str | None = "approved"
    approver: str = "manager"
    legal_support: bool = False
    agreement: str = "before_offer"
    informed: str = "between"
    appeal: str | None = None
    offers: int = 1
    offer_before_approval: bool = False
    reason: str = "serious_risk_of_harm"


# One request per path through the audit, at the start of every extract.
FIXED_STORIES = (
    Story(),
    Story(related_party="staff_relative", reason="tenancy_unsustainable"),
    Story(exceptional=True, approver="executive", legal_support=True, reason="recent_traumatic_event"),
    Story(decision="rejected", appeal="late", offers=0),
    Story(approver="empty", offer_before_approval=True, reason="other"),
    Story(related_party="councillor", landlord="registered_provider", agreement="missing", informed="missing", offers=2,
          reason="sustainable_communities"),
    Story(initiator="manager", approver="self", decision="approved", appeal="on_time"),
)


MIN_REQUESTS = len(FIXED_STORIES)


def _pick(rng, shares: dict):
    keys = list(shares)
    p = np.array(list(shares.values()), dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def _random_story(rng) -> Story:
    decision = _pick(rng, DECISION_SHARES)
    initiator = _pick(rng, INITIATOR_SHARES)
    approver = _pick(rng, APPROVER_SHARES)
    if approver == "self" and initiator != "manager":
        approver = "manager"
    exceptional = rng.random() < EXCEPTIONAL_SHARE
    appeal_share = APPEAL_SHARE.get(decision, 0.0)
    return Story(
        initiator=initiator,
        related_party=_pick(rng, RELATED_PARTY_SHARES),
        exceptional=exceptional,
        landlord=_pick(rng, LANDLORD_SHARES),
        decision=decision,
        approver=approver,
        legal_support=exceptional and rng.random() < LEGAL_SUPPORT_SHARE,
        agreement=_pick(rng, AGREEMENT_SHARES),
        informed=_pick(rng, INFORMED_SHARES),
        appeal=_pick(rng, APPEAL_REVIEW_SHARES) if rng.random() < appeal_share else None,
        offers=_pick(rng, OFFER_COUNT_SHARES["approved" if decision == "approved" else "other"]),
        offer_before_approval=rng.random() < OFFER_BEFORE_APPROVAL_SHARE,
        reason=_pick(rng, REASON_SHARES),
    )


def _days(rng, low_high) -> np.timedelta64:
    return int(rng.integers(*low_high)) * DAY


def _between(rng, start, end) -> np.datetime64:
    span = max(int((end - start) / DAY), 0)
    return start + int(rng.integers(0, span + 1)) * DAY


@dataclass
class Discretionary:
    requests: dict
    events: dict
    offers: OfferRows


def generate_discretionary(rng: np.random.Generator, as_of: dt.date, apps: Applications, staff: Staff) -> Discretionary:
    as_of_day = to_day(as_of)
    candidates = np.flatnonzero((apps.status == ACTIVE) & (apps.registration <= as_of_day - 30 * DAY))
    count = min(len(candidates), max(MIN_REQUESTS, round(len(apps) * REQUESTS_PER_APPLICATION)))
    request_app = np.sort(rng.choice(candidates, size=count, replace=False))
    request_ids = ids.sequence_ids(ids.REQUEST, count).to_pylist()
    app_refs = ids.by_index(ids.APPLICATION, request_app).to_pylist()

    requests = {k: [] for k in ("request_id", "application_ref", "initiated_by", "initiated_on", "reason",
                                "related_party", "exceptional_circumstances", "property_landlord_type")}
    events = {k: [] for k in ("event_id", "request_id", "event_type", "event_on", "staff_id")}
    offers = {k: [] for k in ("app", "offered_on", "outcome", "outcome_on", "deemed", "request", "property")}

    for r, (request_id, app, app_ref) in enumerate(zip(request_ids, request_app, app_refs)):
        story = FIXED_STORIES[r] if r < len(FIXED_STORIES) else _random_story(rng)
        initiator_roles = {"officer": OFFICERS, "allocations": ("senior_allocations_officer",),
                           "manager": APPROVING_MANAGERS}[story.initiator]
        initiator = staff.pick(rng, *initiator_roles)
        initiated_on = as_of_day - _days(rng, LOOKBACK_DAYS)
        decided_on = initiated_on + _days(rng, DECISION_DAYS)
        for column, value in zip(requests, (request_id, app_ref, initiator, initiated_on,
                                            story.reason, story.related_party, story.exceptional, story.landlord)):
            requests[column].append(value)

        trail: list[tuple[str, np.datetime64, str | None]] = []
        if story.legal_support:
            trail.append(("legal_services_supported", _between(rng, initiated_on, decided_on), staff.pick(rng, "legal_services")))
        if story.decision == "approved":
            approver = {
                "manager": lambda: staff.pick(rng, *APPROVING_MANAGERS),
                "executive": lambda: staff.pick(rng, *EXECUTIVES),
                "other_role": lambda: staff.pick(rng, *OTHER_APPROVER_ROLES),
                "empty": lambda: None,
                "self": lambda: initiator,
            }[story.approver]()
            trail.append(("approved", decided_on, approver))
        elif story.decision == "rejected":
            trail.append(("rejected", decided_on, staff.pick(rng, *APPROVING_MANAGERS)))

        offer_dates = []
        if story.offers:
            first = decided_on - _days(rng, (1, 6)) if story.offer_before_approval else decided_on + _days(rng, OFFER_DAYS)
            offer_dates = [first] + ([first + _days(rng, SECOND_OFFER_DAYS)] if story.offers == 2 else [])
        first_offer = offer_dates[0] if offer_dates else decided_on + _days(rng, OFFER_DAYS)

        if story.related_party != "none":
            if story.agreement == "before_offer":
                trail.append(("head_of_housing_management_agreed", _between(rng, initiated_on, first_offer),
                              staff.pick(rng, "head_of_housing_management")))
            elif story.agreement == "after_offer":
                trail.append(("head_of_housing_management_agreed", first_offer + _days(rng, (1, 21)),
                              staff.pick(rng, "head_of_housing_management")))
            if story.informed == "between":
                trail.append(("managing_director_informed", _between(rng, decided_on, first_offer),
                              staff.pick(rng, "managing_director")))
            elif story.informed == "before_approval":
                trail.append(("managing_director_informed", initiated_on, staff.pick(rng, "managing_director")))

        if story.appeal and story.decision:
            received = decided_on + _days(rng, (3, 21))
            trail.append(("appeal_received", received, None))
            if story.appeal == "on_time":
                reviewed = _between(rng, received + DAY, max(decided_on + 28 * DAY, received + DAY))
            else:
                reviewed = decided_on + _days(rng, (29, 71))
            if story.appeal != "unreviewed":
                trail.append(("appeal_reviewed", reviewed, staff.pick(rng, "head_of_service", "director")))

        trail.sort(key=lambda event: event[1])
        for k, (event_type, event_on, staff_id) in enumerate(trail, start=1):
            for column, value in zip(events, (f"{request_id}-E{k}", request_id, event_type, event_on, staff_id)):
                events[column].append(value)

        for k, offered_on in enumerate(offer_dates):
            if offered_on > as_of_day:
                continue  # not made yet
            last = k == len(offer_dates) - 1
            outcome = _pick(rng, LAST_OFFER_OUTCOME_SHARES) if last else _pick(rng, {REFUSED: 0.7, WITHDRAWN: 0.3})
            outcome_on = offered_on + _days(rng, OUTCOME_DAYS)
            if outcome == PENDING or outcome_on > as_of_day:
                outcome, outcome_on = PENDING, NAT
            for column, value in zip(offers, (app, offered_on, outcome, outcome_on, 0 if outcome == REFUSED else -1, r,
                                              len(offers["property"]) + 1)):
                offers[column].append(value)

    direct = OfferRows(
        advert=np.full(len(offers["app"]), -1),
        property_ref=ids.format_ids(ids.DIRECT_PROPERTY, np.array(offers["property"], dtype=np.int64)),
        app=np.array(offers["app"], dtype=np.int64),
        offered_on=np.array(offers["offered_on"], dtype="datetime64[D]"),
        outcome=np.array(offers["outcome"], dtype=np.int64),
        outcome_on=np.array(offers["outcome_on"], dtype="datetime64[D]"),
        deemed_suitable=np.array(offers["deemed"], dtype=np.int64),
        request=np.array(offers["request"], dtype=np.int64),
    )
    accepted = direct.outcome == ACCEPTED
    apps.record_tenancy(rng, direct.app[accepted], direct.offered_on[accepted], HOUSED_AFTER_ACCEPTANCE_SHARE)
    requests["initiated_on"] = np.array(requests["initiated_on"], dtype="datetime64[D]")
    events["event_on"] = np.array(events["event_on"], dtype="datetime64[D]")
    return Discretionary(requests, events, direct)
