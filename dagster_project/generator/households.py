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
CHILD_AGE_LIMIT = 16  # policy 'child' (W9)


@dataclass
class Households:
    members: dict
    approvals: dict
    bedroom_need: np.ndarray  # bedroom standard on the as-of date, approvals included
    applicant_age: np.ndarray  # completed years on the as-of date
    older: np.ndarray  # applicant or partner aged OLDER_PERSON_AGE or over
    has_child: np.ndarray  # a member younger than 16


def _years_from_bands(rng, bands, size) -> np.ndarray:
    band = choose(rng, {i: share for i, (_, _, share) in enumerate(bands)}, size)
    low = np.array([b[0] for b in bands])[band]
    high = np.array([b[1] for b in bands])[band]
    return low + rng.random(size) * (high - low)


def _dob(as_of_day, years) -> np.ndarray:
    return as_of_day - np.round(np.asarray(years) * DAYS_PER_YEAR).astype(np.int64) * DAY


def _counts_from(rng, shares, size) -> np.ndarray:
    return keys_of(shares)[choose(rng, shares, size)]


def _children(rng, as_of: dt.date, parent_app, parent_years):
    """Date of birth and sex for children of the given parents (one row per child)."""
    as_of_day = to_day(as_of)
    max_years = np.clip(parent_years - MIN_PARENT_AGE_AT_BIRTH, 0.5, OLDEST_CHILD_YEARS)
    dob = _dob(as_of_day, rng.random(len(parent_app)) * max_years)
    boundary = np.array([to_day(years_before(as_of, b)) for b in BEDROOM_AGE_BOUNDARIES])
    pick = rng.integers(len(boundary), size=len(parent_app))
    offset = np.array(BOUNDARY_OFFSET_DAYS)[rng.integers(len(BOUNDARY_OFFSET_DAYS), size=len(parent_app))]
    on_boundary = chance(rng, BOUNDARY_CHILD_SHARE, len(parent_app)) & (np.array(BEDROOM_AGE_BOUNDARIES)[pick] <= max_years)
    dob = np.where(on_boundary, boundary[pick] + offset * DAY, dob)
    return dob, rng.integers(2, size=len(parent_app))


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

    applicant_years = np.empty(n)
    female = np.empty(n, dtype=bool)
    for k, bands in APPLICANT_AGE_BANDS.items():
        rows = np.flatnonzero(kind == k)
        applicant_years[rows] = _years_from_bands(rng, bands, len(rows))
        female[rows] = chance(rng, APPLICANT_FEMALE_SHARE[k], len(rows))
    applicant_sex = np.where(female, 0, 1)

    has_partner = np.isin(kind, [COUPLE, COUPLE_WITH_CHILDREN]) | (
        (kind == WITH_OTHER_ADULTS) & chance(rng, PARTNER_SHARE_WITH_OTHER_ADULTS, n))
    partner_app = np.flatnonzero(has_partner)
    p = len(partner_app)
    partner_rel = keys_of(PARTNER_RELATIONSHIP_SHARES)[choose(rng, PARTNER_RELATIONSHIP_SHARES, p)]
    partner_years = np.maximum(applicant_years[partner_app] + rng.normal(0, PARTNER_AGE_GAP_SD_YEARS, p), 18.1)
    same_sex = chance(rng, SAME_SEX_PARTNER_SHARE, p)
    partner_sex = np.where(same_sex, applicant_sex[partner_app], 1 - applicant_sex[partner_app])
    partner_months = np.where(partner_rel == REL["former_forces_partner"],
                              FORCES_MONTHS_CHOICES[rng.integers(len(FORCES_MONTHS_CHOICES), size=p)], -1)

    n_children = np.zeros(n, dtype=np.int64)
    families = np.isin(kind, [LONE_PARENT, COUPLE_WITH_CHILDREN])
    n_children[families] = _counts_from(rng, CHILDREN_COUNT_SHARES, int(families.sum()))
    multi_generation = (kind == WITH_OTHER_ADULTS) & chance(rng, CHILDREN_WITH_OTHER_ADULTS_SHARE, n)
    n_children[multi_generation] = rng.integers(1, 3, size=int(multi_generation.sum()))
    child_app = np.repeat(np.arange(n), n_children)
    child_dob, child_sex = _children(rng, as_of, child_app, applicant_years[child_app])

    n_other = np.zeros(n, dtype=np.int64)
    with_others = kind == WITH_OTHER_ADULTS
    n_other[with_others] = _counts_from(rng, OTHER_ADULT_COUNT_SHARES, int(with_others.sum()))
    other_app = np.repeat(np.arange(n), n_other)
    o = len(other_app)
    other_rel = keys_of(OTHER_ADULT_RELATIONSHIP_SHARES)[choose(rng, OTHER_ADULT_RELATIONSHIP_SHARES, o)]
    other_dob = _dob(as_of_day, OTHER_ADULT_AGES[0] + 0.1 + rng.random(o) * (OTHER_ADULT_AGES[1] - OTHER_ADULT_AGES[0]))

    fosters = np.isin(kind, [COUPLE, LONE_PARENT, COUPLE_WITH_CHILDREN]) & chance(rng, FOSTER_CHILD_SHARE, n)
    foster_app = np.flatnonzero(fosters)
    f = len(foster_app)
    foster_dob = _dob(as_of_day, rng.random(f) * FOSTER_CHILD_MAX_YEARS)

    # Blocks in member order: applicant first, so it is member 0 of every household.
    app = np.concatenate([np.arange(n), partner_app, child_app, other_app, foster_app])
    relationship = np.concatenate([np.full(n, REL["applicant"]), partner_rel, np.full(len(child_app), REL["child"]),
                                   other_rel, np.full(f, REL["foster_child"])])
    dob = np.concatenate([_dob(as_of_day, applicant_years), _dob(as_of_day, partner_years), child_dob, other_dob,
                          foster_dob])
    sex = np.concatenate([applicant_sex, partner_sex, child_sex, rng.integers(2, size=o), rng.integers(2, size=f)])
    months = np.concatenate([np.full(n, -1), partner_months, np.full(len(child_app) + o + f, -1)])
    order = np.argsort(app, kind="stable")
    app, relationship, dob, sex, months = app[order], relationship[order], dob[order], sex[order], months[order]
    member_no = group_positions(np.bincount(app, minlength=n))

    age = age_in_years(dob, as_of)
    approvals, approval_app, approval_bedrooms = _approvals(rng, as_of, kind)
    bedroom_need = _bedroom_need(app, relationship, age, sex, months, n)
    np.add.at(bedroom_need, approval_app, approval_bedrooms)

    couple_member = np.isin(relationship, [REL["applicant"], REL["partner"], REL["joint_applicant"]])
    older = np.bincount(app[couple_member & (age >= OLDER_PERSON_AGE)], minlength=n) > 0
    has_child = np.bincount(app[(relationship != REL["applicant"]) & (age < CHILD_AGE_LIMIT)], minlength=n) > 0
    members = {
        "application_ref": ids.by_index(ids.APPLICATION, app),
        "member_id": ids.member_ids(app, member_no),
        "relationship": labels(RELATIONSHIPS, relationship),
        "date_of_birth": dob,
        "sex": labels(SEXES, sex),
        "months_lived_with_while_serving": masked(months, months < 0),
    }
    return Households(members, approvals, bedroom_need, age[relationship == REL["applicant"]], older, has_child)
