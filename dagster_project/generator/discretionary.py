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
# Approved requests closed without an offer (the applicant housed another way, circumstances
# changed): a `withdrawn` event, after which the approval no longer stands (D6, D7).
WITHDRAWN_SHARE = 0.10
WITHDRAWN_DAYS = (5, 60)
# Outcome of a request's last offer; it is pending instead while its decision date is still to come.
LAST_OFFER_OUTCOME_SHARES = {ACCEPTED: 0.80, REFUSED: 0.12, WITHDRAWN: 0.08}
EARLIER_OFFER_OUTCOME_SHARES = {REFUSED: 0.70, WITHDRAWN: 0.30}  # of the first of two offers

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
    withdrawn: bool = False


# One request per path through the audit, at the start of every extract (the findings each
# is built to produce, where the rest of the extract does not add others).
FIXED_STORIES = (
    Story(),  # compliant
    Story(related_party="staff_relative", reason="tenancy_unsustainable"),  # D4 satisfied
    Story(exceptional=True, approver="executive", legal_support=True, reason="recent_traumatic_event"),  # D3 satisfied
    Story(decision="rejected", appeal="late", offers=0),  # D9
    Story(approver="empty", offer_before_approval=True, reason="other"),  # D2, D6
    Story(related_party="councillor", landlord="registered_provider", agreement="missing", informed="missing", offers=2,
          reason="sustainable_communities"),  # D4 twice, D5; outside the D7 queue
    Story(initiator="manager", approver="self", appeal="on_time"),  # D8, appeal reviewed in time
    Story(initiator="allocations", reason="council_initiative"),  # D1
    Story(approver="executive", reason="other"),  # D3: no exceptional circumstances, no legal support
    Story(offers=0, withdrawn=True, reason="tenancy_unsustainable"),  # closed without an offer: compliant
    Story(withdrawn=True, reason="recent_traumatic_event"),  # D6: offered after the request was withdrawn
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
    offers = _pick(rng, OFFER_COUNT_SHARES["approved" if decision == "approved" else "other"])
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
        offers=offers,
        offer_before_approval=rng.random() < OFFER_BEFORE_APPROVAL_SHARE,
        reason=_pick(rng, REASON_SHARES),
        withdrawn=decision == "approved" and offers == 0 and rng.random() < WITHDRAWN_SHARE,
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


Event = tuple[str, np.datetime64, "str | None"]  # (event_type, event_on, staff_id)


def _decision(rng, story: Story, staff: Staff, initiator: str, initiated_on, decided_on) -> list[Event]:
    events: list[Event] = []
    if story.legal_support:
        events.append(("legal_services_supported", _between(rng, initiated_on, decided_on), staff.pick(rng, "legal_services")))
    if story.decision == "approved":
        approver = {
            "manager": lambda: staff.pick(rng, *APPROVING_MANAGERS),
            "executive": lambda: staff.pick(rng, *EXECUTIVES),
            "other_role": lambda: staff.pick(rng, *OTHER_APPROVER_ROLES),
            "empty": lambda: None,
            "self": lambda: initiator,
        }[story.approver]()
        events.append(("approved", decided_on, approver))
    elif story.decision == "rejected":
        events.append(("rejected", decided_on, staff.pick(rng, *APPROVING_MANAGERS)))
    return events


def _withdrawal(rng, story: Story, staff: Staff, decided_on, first_offer) -> list[Event]:
    """The request closed after its approval, before any offer it still received."""
    if not (story.withdrawn and story.decision == "approved"):
        return []
    closed = decided_on + _days(rng, WITHDRAWN_DAYS)
    if story.offers:
        closed = _between(rng, decided_on + DAY, max(first_offer - DAY, decided_on + DAY))
    return [("withdrawn", closed, staff.pick(rng, *APPROVING_MANAGERS))]


def _related_party(rng, story: Story, staff: Staff, initiated_on, decided_on, first_offer) -> list[Event]:
    """Agreement of the head of housing management and notice to the managing director (D4)."""
    if story.related_party == "none":
        return []
    events: list[Event] = []
    head = staff.pick(rng, "head_of_housing_management")
    if story.agreement == "before_offer":
        events.append(("head_of_housing_management_agreed", _between(rng, initiated_on, first_offer), head))
    elif story.agreement == "after_offer":
        events.append(("head_of_housing_management_agreed", first_offer + _days(rng, (1, 21)), head))
    director = staff.pick(rng, "managing_director")
    if story.informed == "between":
        events.append(("managing_director_informed", _between(rng, decided_on, first_offer), director))
    elif story.informed == "before_approval":
        events.append(("managing_director_informed", initiated_on, director))
    return events


def _appeal(rng, story: Story, staff: Staff, decided_on) -> list[Event]:
    """An appeal against the decision, reviewed within 28 days of it, late, or not at all (D9)."""
    if not (story.appeal and story.decision):
        return []
    received = decided_on + _days(rng, (3, 21))
    events: list[Event] = [("appeal_received", received, None)]
    if story.appeal == "on_time":
        reviewed = _between(rng, received + DAY, max(decided_on + 28 * DAY, received + DAY))
    else:
        reviewed = decided_on + _days(rng, (29, 71))
    if story.appeal != "unreviewed":
        events.append(("appeal_reviewed", reviewed, staff.pick(rng, "head_of_service", "director")))
    return events


def _offer_dates(rng, story: Story, decided_on) -> list[np.datetime64]:
    if not story.offers:
        return []
    first = decided_on - _days(rng, (1, 6)) if story.offer_before_approval else decided_on + _days(rng, OFFER_DAYS)
    return [first] + ([first + _days(rng, SECOND_OFFER_DAYS)] if story.offers == 2 else [])


def _offer_outcomes(rng, as_of_day, offer_dates) -> list[tuple]:
    """(offered_on, outcome, outcome_on, deemed_suitable) of the offers made by the as-of date."""
    made = []
    for k, offered_on in enumerate(offer_dates):
        if offered_on > as_of_day:
            continue
        last = k == len(offer_dates) - 1
        outcome = _pick(rng, LAST_OFFER_OUTCOME_SHARES) if last else _pick(rng, EARLIER_OFFER_OUTCOME_SHARES)
        outcome_on = offered_on + _days(rng, OUTCOME_DAYS)
        if outcome_on > as_of_day:
            outcome, outcome_on = PENDING, NAT
        made.append((offered_on, outcome, outcome_on, 0 if outcome == REFUSED else -1))
    return made


def generate_discretionary(rng: np.random.Generator, as_of: dt.date, apps: Applications, staff: Staff) -> Discretionary:
    as_of_day = to_day(as_of)
    candidates = np.flatnonzero((apps.status == ACTIVE) & (apps.registration <= as_of_day - 30 * DAY))
    count = min(len(candidates), max(MIN_REQUESTS, round(len(apps) * REQUESTS_PER_APPLICATION)))
    request_app = np.sort(rng.choice(candidates, size=count, replace=False))
    request_ids = ids.sequence_ids(ids.REQUEST, count).to_pylist()

    requests = {k: [] for k in ("initiated_by", "initiated_on", "reason", "related_party", "exceptional_circumstances",
                                "property_landlord_type")}
    events = {k: [] for k in ("event_id", "request_id", "event_type", "event_on", "staff_id")}
    offers = {k: [] for k in ("app", "request", "offered_on", "outcome", "outcome_on", "deemed")}
    for r, (request_id, app) in enumerate(zip(request_ids, request_app)):
        story = FIXED_STORIES[r] if r < len(FIXED_STORIES) else _random_story(rng)
        initiator_roles = {"officer": OFFICERS, "allocations": ("senior_allocations_officer",),
                           "manager": APPROVING_MANAGERS}[story.initiator]
        initiator = staff.pick(rng, *initiator_roles)
        # Requested while on the register: never before the application was registered.
        earliest = max(apps.registration[app], as_of_day - LOOKBACK_DAYS[1] * DAY)
        initiated_on = _between(rng, earliest, max(earliest, as_of_day - LOOKBACK_DAYS[0] * DAY))
        decided_on = initiated_on + _days(rng, DECISION_DAYS)
        offer_dates = _offer_dates(rng, story, decided_on)
        first_offer = offer_dates[0] if offer_dates else decided_on + _days(rng, OFFER_DAYS)

        for column, value in zip(requests, (initiator, initiated_on, story.reason, story.related_party,
                                            story.exceptional, story.landlord)):
            requests[column].append(value)
        trail = (_decision(rng, story, staff, initiator, initiated_on, decided_on)
                 + _related_party(rng, story, staff, initiated_on, decided_on, first_offer)
                 + _appeal(rng, story, staff, decided_on)
                 + _withdrawal(rng, story, staff, decided_on, first_offer))
        trail.sort(key=lambda event: event[1])
        for k, event in enumerate(trail, start=1):
            for column, value in zip(events, (f"{request_id}-E{k}", request_id, *event)):
                events[column].append(value)
        for offer in _offer_outcomes(rng, as_of_day, offer_dates):
            for column, value in zip(offers, (app, r, *offer)):
                offers[column].append(value)

    direct = OfferRows(
        advert=np.full(len(offers["app"]), -1),
        property_ref=ids.sequence_ids(ids.DIRECT_PROPERTY, len(offers["app"])),
        app=np.array(offers["app"], dtype=np.int64),
        offered_on=np.array(offers["offered_on"], dtype="datetime64[D]"),
        outcome=np.array(offers["outcome"], dtype=np.int64),
        outcome_on=np.array(offers["outcome_on"], dtype="datetime64[D]"),
        deemed_suitable=np.array(offers["deemed"], dtype=np.int64),
        request=np.array(offers["request"], dtype=np.int64),
    )
    accepted = direct.outcome == ACCEPTED
    apps.record_tenancy(rng, direct.app[accepted], direct.offered_on[accepted], HOUSED_AFTER_ACCEPTANCE_SHARE)
    requests = {
        "request_id": request_ids,
        "application_ref": ids.by_index(ids.APPLICATION, request_app),
        **requests,
        "initiated_on": np.array(requests["initiated_on"], dtype="datetime64[D]"),
    }
    events["event_on"] = np.array(events["event_on"], dtype="datetime64[D]")
    return Discretionary(requests, events, direct)
