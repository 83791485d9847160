"""Who lives with each applicant: household_members.csv and fostering_adoption_approvals.csv.

Also works out each household's bedroom need under the bedroom standard (policy W17/W20), so that
applications can be given homes that are too small (overcrowding) or too big (under-occupation)
on purpose rather than by accident.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from . import ids
from .dates import DAY, DAYS_PER_YEAR, age_in_years, to_day, uniform_days, years_before
from .sampling import chance, choose, group_positions, keys_of, labels, masked

SINGLE, COUPLE, LONE_PARENT, COUPLE_WITH_CHILDREN, WITH_OTHER_ADULTS = range(5)
HOUSEHOLD_SHARES = {SINGLE: 0.45, COUPLE: 0.12, LONE_PARENT: 0.20, COUPLE_WITH_CHILDREN: 0.15, WITH_OTHER_ADULTS: 0.08}

# Applicant's age in years: (from, to, share) bands per household type.
APPLICANT_AGE_BANDS = {
    SINGLE: ((18, 40, 0.55), (40, 65, 0.30), (65, 92, 0.15)),
    COUPLE: ((20, 40, 0.40), (40, 65, 0.35), (65, 90, 0.25)),
    LONE_PARENT: ((18, 52, 1.0),),
    COUPLE_WITH_CHILDREN: ((20, 55, 1.0),),
    WITH_OTHER_ADULTS: ((22, 80, 1.0),),
}
APPLICANT_FEMALE_SHARE = {SINGLE: 0.50, COUPLE: 0.55, LONE_PARENT: 0.90, COUPLE_WITH_CHILDREN: 0.60, WITH_OTHER_ADULTS: 0.55}

RELATIONSHIPS = ("applicant", "joint_applicant", "partner", "child", "other_relative", "other_adult",
                 "foster_child", "former_forces_partner")
REL = {name: i for i, name in enumerate(RELATIONSHIPS)}
SEXES = ("female", "male")

PARTNER_SHARE_WITH_OTHER_ADULTS = 0.30
PARTNER_RELATIONSHIP_SHARES = {REL["partner"]: 0.82, REL["joint_applicant"]: 0.13, REL["former_forces_partner"]: 0.05}
PARTNER_AGE_GAP_SD_YEARS = 4.0
SAME_SEX_PARTNER_SHARE = 0.05
# Months lived with a former forces partner while they served: clustered around the 6-month
# threshold at which the partner starts to count (W18).
FORCES_MONTHS_CHOICES = np.array([1, 3, 4, 5, 5, 6, 6, 7, 9, 12, 24, 48])

CHILDREN_COUNT_SHARES = {1: 0.40, 2: 0.34, 3: 0.17, 4: 0.06, 5: 0.03}
CHILDREN_WITH_OTHER_ADULTS_SHARE = 0.25  # multi-generation households with one or two children
OLDEST_CHILD_YEARS = 23
MIN_PARENT_AGE_AT_BIRTH = 16
# Some children are born within a day of a bedroom-standard age boundary on the as-of date,
# so that the 10 / 16 / 21 boundaries are exercised in every extract.
BOUNDARY_CHILD_SHARE = 0.05
BEDROOM_AGE_BOUNDARIES = (10, 16, 21)
BOUNDARY_OFFSET_DAYS = (-1, 0, 1)

OTHER_ADULT_COUNT_SHARES = {1: 0.70, 2: 0.25, 3: 0.05}
OTHER_ADULT_RELATIONSHIP_SHARES = {REL["other_relative"]: 0.60, REL["other_adult"]: 0.40}
OTHER_ADULT_AGES = (18, 85)
FOSTER_CHILD_SHARE = 0.02  # of couples and families
FOSTER_CHILD_MAX_YEARS = 17

APPROVAL_SHARE = 0.005  # fostering / adoption approvals, per application
APPROVAL_KIND_SHARES = {"fostering": 0.8, "adoption": 0.2}
APPROVAL_EXTRA_BEDROOM_SHARES = {1: 0.85, 2: 0.15}
APPROVAL_VERIFIED_SHARE = 0.8
APPROVAL_LOOKBACK_DAYS = 3 * 365
APPROVAL_FUTURE_SHARE = 0.03  # approvals dated after the as-of date, which the pipeline ignores

OLDER_PERSON_AGE = 55  # age-designated adverts ask for 55 or 60


@dataclass
class Households:
    members: dict
    approvals: dict
    bedroom_need: np.ndarray  # bedroom standard on the as-of date, approvals included
    applicant_age: np.ndarray  # completed years on the as-of date
    older: np.ndarray  # applicant or partner aged OLDER_PERSON_AGE or over


@dataclass
class _Members:
    """Rows of household_members.csv as arrays (sex: 0 female, 1 male; months -1 when empty)."""

    app: np.ndarray
    relationship: np.ndarray
    dob: np.ndarray
    sex: np.ndarray
    months: np.ndarray

    @classmethod
    def of(cls, app, relationship, dob, sex, months=None) -> "_Members":
        app = np.asarray(app, dtype=np.int64)
        relationship = np.broadcast_to(relationship, app.shape).astype(np.int64)
        months = np.full(len(app), -1) if months is None else months
        return cls(app, relationship, dob, np.asarray(sex, dtype=np.int64), months)

    @classmethod
    def household_order(cls, blocks: list["_Members"]) -> "_Members":
        """All members grouped by application, in block order (the applicant's block first)."""
        app = np.concatenate([b.app for b in blocks])
        order = np.argsort(app, kind="stable")
        return cls(app[order], *(np.concatenate([getattr(b, f) for b in blocks])[order]
                                 for f in ("relationship", "dob", "sex", "months")))


def _years_from_bands(rng, bands, size) -> np.ndarray:
    band = choose(rng, {i: share for i, (_, _, share) in enumerate(bands)}, size)
    low = np.array([b[0] for b in bands])[band]
    high = np.array([b[1] for b in bands])[band]
    return low + rng.random(size) * (high - low)


def _dob(as_of_day, years) -> np.ndarray:
    return as_of_day - np.round(np.asarray(years) * DAYS_PER_YEAR).astype(np.int64) * DAY


def _counts_from(rng, shares, size) -> np.ndarray:
    return keys_of(shares)[choose(rng, shares, size)]


def _applicants(rng, as_of_day, kind) -> tuple[_Members, np.ndarray]:
    """One applicant per application, with their age in (fractional) years."""
    n = len(kind)
    years = np.empty(n)
    female = np.empty(n, dtype=bool)
    for k, bands in APPLICANT_AGE_BANDS.items():
        rows = np.flatnonzero(kind == k)
        years[rows] = _years_from_bands(rng, bands, len(rows))
        female[rows] = chance(rng, APPLICANT_FEMALE_SHARE[k], len(rows))
    return _Members.of(np.arange(n), REL["applicant"], _dob(as_of_day, years), np.where(female, 0, 1)), years


def _partners(rng, as_of_day, kind, applicants: _Members, applicant_years) -> _Members:
    n = len(kind)
    has_partner = np.isin(kind, [COUPLE, COUPLE_WITH_CHILDREN]) | (
        (kind == WITH_OTHER_ADULTS) & chance(rng, PARTNER_SHARE_WITH_OTHER_ADULTS, n))
    app = np.flatnonzero(has_partner)
    p = len(app)
    relationship = _counts_from(rng, PARTNER_RELATIONSHIP_SHARES, p)
    years = np.maximum(applicant_years[app] + rng.normal(0, PARTNER_AGE_GAP_SD_YEARS, p), 18.1)
    sex = np.where(chance(rng, SAME_SEX_PARTNER_SHARE, p), applicants.sex[app], 1 - applicants.sex[app])
    months = np.where(relationship == REL["former_forces_partner"],
                      FORCES_MONTHS_CHOICES[rng.integers(len(FORCES_MONTHS_CHOICES), size=p)], -1)
    return _Members.of(app, relationship, _dob(as_of_day, years), sex, months)


def _children(rng, as_of: dt.date, kind, applicant_years) -> _Members:
    n = len(kind)
    count = np.zeros(n, dtype=np.int64)
    families = np.isin(kind, [LONE_PARENT, COUPLE_WITH_CHILDREN])
    count[families] = _counts_from(rng, CHILDREN_COUNT_SHARES, int(families.sum()))
    multi_generation = (kind == WITH_OTHER_ADULTS) & chance(rng, CHILDREN_WITH_OTHER_ADULTS_SHARE, n)
    count[multi_generation] = rng.integers(1, 3, size=int(multi_generation.sum()))
    app = np.repeat(np.arange(n), count)
    c = len(app)

    max_years = np.clip(applicant_years[app] - MIN_PARENT_AGE_AT_BIRTH, 0.5, OLDEST_CHILD_YEARS)
    dob = _dob(to_day(as_of), rng.random(c) * max_years)
    boundary_dates = np.array([to_day(years_before(as_of, b)) for b in BEDROOM_AGE_BOUNDARIES])
    pick = rng.integers(len(boundary_dates), size=c)
    offset = np.array(BOUNDARY_OFFSET_DAYS)[rng.integers(len(BOUNDARY_OFFSET_DAYS), size=c)]
    on_boundary = chance(rng, BOUNDARY_CHILD_SHARE, c) & (np.array(BEDROOM_AGE_BOUNDARIES)[pick] <= max_years)
    dob = np.where(on_boundary, boundary_dates[pick] + offset * DAY, dob)
    return _Members.of(app, REL["child"], dob, rng.integers(2, size=c))


def _other_adults(rng, as_of_day, kind) -> _Members:
    count = np.zeros(len(kind), dtype=np.int64)
    with_others = kind == WITH_OTHER_ADULTS
    count[with_others] = _counts_from(rng, OTHER_ADULT_COUNT_SHARES, int(with_others.sum()))
    app = np.repeat(np.arange(len(kind)), count)
    o = len(app)
    low, high = OTHER_ADULT_AGES
    years = low + 0.1 + rng.random(o) * (high - low)
    relationship = _counts_from(rng, OTHER_ADULT_RELATIONSHIP_SHARES, o)
    return _Members.of(app, relationship, _dob(as_of_day, years), rng.integers(2, size=o))


def _foster_children(rng, as_of_day, kind) -> _Members:
    fostering = np.isin(kind, [COUPLE, LONE_PARENT, COUPLE_WITH_CHILDREN]) & chance(rng, FOSTER_CHILD_SHARE, len(kind))
    app = np.flatnonzero(fostering)
    f = len(app)
    return _Members.of(app, REL["foster_child"], _dob(as_of_day, rng.random(f) * FOSTER_CHILD_MAX_YEARS),
                       rng.integers(2, size=f))


def _bedroom_need(app, relationship, age, sex, months, n) -> np.ndarray:
    """Bedroom standard as the policy computes it (pair same-sex 10-20s, then under-10s)."""
    shares_with_applicant = np.isin(relationship, [REL["partner"], REL["joint_applicant"]]) | (
        (relationship == REL["former_forces_partner"]) & (months >= 6))
    excluded = (relationship == REL["former_forces_partner"]) & (months < 6)
    others = (relationship != REL["applicant"]) & ~shares_with_applicant & ~excluded
    female = sex == 0

    def count(mask):
        return np.bincount(app[others & mask], minlength=n)

    adults = count(age >= 21)
    teen_f, teen_m = count((age >= 10) & (age < 21) & female), count((age >= 10) & (age < 21) & ~female)
    kid_f, kid_m = count((age < 10) & female), count((age < 10) & ~female)
    lone_teen_f, lone_teen_m = teen_f % 2, teen_m % 2
    # A teenager left without a same-sex teen shares with a same-sex child under 10, if any.
    kids_left = kid_f - np.minimum(lone_teen_f, kid_f) + kid_m - np.minimum(lone_teen_m, kid_m)
    return 1 + adults + teen_f // 2 + teen_m // 2 + lone_teen_f + lone_teen_m + (kids_left + 1) // 2


def _approvals(rng, as_of: dt.date, kind) -> tuple[dict, np.ndarray, np.ndarray]:
    as_of_day = to_day(as_of)
    families = np.flatnonzero(np.isin(kind, [COUPLE, LONE_PARENT, COUPLE_WITH_CHILDREN]))
    count = min(len(families), max(1, round(len(kind) * APPROVAL_SHARE)))
    app = np.sort(rng.choice(families, size=count, replace=False))
    approved_on = uniform_days(rng, as_of_day - APPROVAL_LOOKBACK_DAYS * DAY, as_of_day, count)
    future = chance(rng, APPROVAL_FUTURE_SHARE, count)
    approved_on = np.where(future, as_of_day + rng.integers(1, 60, size=count) * DAY, approved_on)
    extra = _counts_from(rng, APPROVAL_EXTRA_BEDROOM_SHARES, count)
    verified = chance(rng, APPROVAL_VERIFIED_SHARE, count)
    table = {
        "approval_id": ids.sequence_ids(ids.APPROVAL, count),
        "application_ref": ids.by_index(ids.APPLICATION, app),
        "approved_on": approved_on,
        "kind": labels(list(APPROVAL_KIND_SHARES), choose(rng, APPROVAL_KIND_SHARES, count)),
        "additional_bedrooms": extra,
        "evidence_verified": verified,
    }
    counted = verified & (approved_on <= as_of_day)
    return table, app[counted], extra[counted]


def generate_households(rng: np.random.Generator, as_of: dt.date, n: int) -> Households:
    as_of_day = to_day(as_of)
    kind = choose(rng, HOUSEHOLD_SHARES, n)
    applicants, applicant_years = _applicants(rng, as_of_day, kind)
    m = _Members.household_order([
        applicants,
        _partners(rng, as_of_day, kind, applicants, applicant_years),
        _children(rng, as_of, kind, applicant_years),
        _other_adults(rng, as_of_day, kind),
        _foster_children(rng, as_of_day, kind),
    ])

    age = age_in_years(m.dob, as_of)
    approvals, approval_app, approval_bedrooms = _approvals(rng, as_of, kind)
    bedroom_need = _bedroom_need(m.app, m.relationship, age, m.sex, m.months, n)
    np.add.at(bedroom_need, approval_app, approval_bedrooms)

    couple_member = np.isin(m.relationship, [REL["applicant"], REL["partner"], REL["joint_applicant"]])
    older = np.bincount(m.app[couple_member & (age >= OLDER_PERSON_AGE)], minlength=n) > 0
    members = {
        "application_ref": ids.by_index(ids.APPLICATION, m.app),
        "member_id": ids.member_ids(m.app, group_positions(np.bincount(m.app, minlength=n))),
        "relationship": labels(RELATIONSHIPS, m.relationship),
        "date_of_birth": m.dob,
        "sex": labels(SEXES, m.sex),
        "months_lived_with_while_serving": masked(m.months, m.months < 0),
    }
    return Households(members, approvals, bedroom_need, age[m.relationship == REL["applicant"]], older)
