"""Debts (debts.csv) and weekly repayment arrangements (arrangement_payments.csv).

Balances cluster around the £500 threshold of W7 (exact 500.00 included); creditor and debt
types mix housing-related debts with ones the rule leaves out (council tax, utilities).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from . import ids
from .applications import Applications
from .dates import DAY, NAT, monday_on_or_before, to_day, uniform_days
from .sampling import chance, choose, group_positions, keys_of, labels, masked, money

DEBTOR_SHARE = 0.10
SECOND_DEBT_SHARE = 0.20

CREDITORS = ("council", "housing_association", "private_landlord", "building_society", "bank", "other_lender",
             "utility", "other")
CREDITOR_SHARES = {0: 0.30, 1: 0.20, 2: 0.20, 3: 0.04, 4: 0.04, 5: 0.04, 6: 0.10, 7: 0.08}
DEBT_TYPES = ("rent_arrears", "mortgage_arrears", "rechargeable_repairs", "housing_court_costs", "council_tax", "other")
DEBT_TYPE_SHARES_BY_CREDITOR = {
    "council": {"rent_arrears": 0.55, "council_tax": 0.30, "rechargeable_repairs": 0.10, "housing_court_costs": 0.05},
    "housing_association": {"rent_arrears": 0.75, "rechargeable_repairs": 0.15, "housing_court_costs": 0.10},
    "private_landlord": {"rent_arrears": 0.85, "housing_court_costs": 0.10, "other": 0.05},
    "building_society": {"mortgage_arrears": 0.70, "other": 0.30},
    "bank": {"mortgage_arrears": 0.70, "other": 0.30},
    "other_lender": {"mortgage_arrears": 0.40, "other": 0.60},
    "utility": {"other": 1.0},
    "other": {"other": 0.60, "rent_arrears": 0.20, "council_tax": 0.20},
}
# What W7 counts as housing-related debt (the pipeline keeps its own copy in policy data).
HOUSING_DEBT_TYPES = ("rent_arrears", "mortgage_arrears", "rechargeable_repairs", "housing_court_costs")
NON_HOUSING_CREDITORS = ("utility", "other")

EXACTLY_500, JUST_BELOW, JUST_ABOVE, CLEARED, TYPICAL = range(5)
BALANCE_KIND_SHARES = {EXACTLY_500: 0.12, JUST_BELOW: 0.10, JUST_ABOVE: 0.10, CLEARED: 0.08, TYPICAL: 0.60}
JUST_BELOW_RANGE = (400.0, 499.99)
JUST_ABOVE_RANGE = (500.01, 600.0)
TYPICAL_MEDIAN, TYPICAL_SIGMA, TYPICAL_RANGE = 900.0, 0.9, (20.0, 15_000.0)
ORIGINAL_OVER_BALANCE = (1.0, 2.5)
BALANCE_AT_APPLICATION_SHARE = 0.70
EVICTION_SHARE = 0.06  # of rent and mortgage arrears
EVICTION_LOOKBACK_DAYS = 5 * 365
KEPT_AT_APPLICATION_SHARES = {1: 0.40, 0: 0.30, -1: 0.30}

ARRANGEMENT_SHARE = 0.65  # of applications owing housing-related debt
PREVIOUS_ARRANGEMENT_SHARE = 0.10  # an earlier, abandoned arrangement as well: the latest one wins
ENDED_WEEKS_BANDS = {(1, 12): 0.30, (13, 30): 0.40, (31, 60): 0.30}  # weeks already run
FUTURE_WEEKS_SHARE = 0.15  # schedule rows for weeks still to come
PREVIOUS_WEEKS_RANGE = (4, 20)
PREVIOUS_GAP_WEEKS_RANGE = (1, 8)
# Probability of missing any one week, by kind of payer: reliable payers give kept streaks of
# 13 weeks and more, the others break them.
MISS_PROBABILITY_SHARES = {0.0: 0.45, 0.08: 0.35, 0.35: 0.20}
PREVIOUS_MISS_PROBABILITY = 0.40
MISSING_ROW_SHARE = 0.08  # arrangements with a week that has no row at all (a missed week)
AMOUNT_DUE_STEPS = (10, 60)  # in 50p steps: £5.00 to £30.00
OVERPAID_SHARE = 0.10
PAID_IN_ADVANCE_SHARE = 0.30  # of weeks not yet ended


def _debts(rng, as_of_day, apps: Applications) -> dict:
    n = len(apps)
    debtor = np.flatnonzero(chance(rng, DEBTOR_SHARE, n))
    second = debtor[chance(rng, SECOND_DEBT_SHARE, len(debtor))]
    app = np.sort(np.concatenate([debtor, second]))
    m = len(app)

    creditor = choose(rng, CREDITOR_SHARES, m)
    debt_type = np.empty(m, dtype=np.int64)
    for c, name in enumerate(CREDITORS):
        rows = np.flatnonzero(creditor == c)
        shares = DEBT_TYPE_SHARES_BY_CREDITOR[name]
        debt_type[rows] = np.array([DEBT_TYPES.index(t) for t in shares])[choose(rng, shares, len(rows))]

    kind = choose(rng, BALANCE_KIND_SHARES, m)
    balance = np.clip(rng.lognormal(np.log(TYPICAL_MEDIAN), TYPICAL_SIGMA, m), *TYPICAL_RANGE)
    balance = np.where(kind == EXACTLY_500, 500.0, balance)
    balance = np.where(kind == JUST_BELOW, rng.uniform(*JUST_BELOW_RANGE, m), balance)
    balance = np.where(kind == JUST_ABOVE, rng.uniform(*JUST_ABOVE_RANGE, m), balance)
    balance = money(np.where(kind == CLEARED, 0.0, balance))
    base = np.where(kind == CLEARED, rng.lognormal(np.log(TYPICAL_MEDIAN), TYPICAL_SIGMA, m), balance)
    original = money(np.maximum(base * rng.uniform(*ORIGINAL_OVER_BALANCE, m), balance))
    at_application = money(balance + rng.random(m) * (original - balance))
    has_at_application = chance(rng, BALANCE_AT_APPLICATION_SHARE, m)

    arrears = np.isin(debt_type, [DEBT_TYPES.index("rent_arrears"), DEBT_TYPES.index("mortgage_arrears")])
    housing_creditor = ~np.isin(creditor, [CREDITORS.index(c) for c in NON_HOUSING_CREDITORS])
    evicted = arrears & housing_creditor & chance(rng, EVICTION_SHARE, m)
    eviction_date = np.full(m, NAT)
    eviction_date[evicted] = uniform_days(rng, as_of_day - EVICTION_LOOKBACK_DAYS * DAY, as_of_day - 30 * DAY,
                                          int(evicted.sum()))
    kept = keys_of(KEPT_AT_APPLICATION_SHARES)[choose(rng, KEPT_AT_APPLICATION_SHARES, m)]

    return {
        "app": app,
        "housing_related": housing_creditor & np.isin(debt_type, [DEBT_TYPES.index(t) for t in HOUSING_DEBT_TYPES]),
        "table": {
            "debt_id": ids.sequence_ids(ids.DEBT, m),
            "application_ref": ids.by_index(ids.APPLICATION, app),
            "creditor_type": labels(CREDITORS, creditor),
            "debt_type": labels(DEBT_TYPES, debt_type),
            "original_amount": original,
            "balance": balance,
            "balance_at_application": masked(at_application, ~has_at_application),
            "resulted_in_eviction": evicted,
            "eviction_date": eviction_date,
            "arrangement_kept_at_application": masked(kept == 1, kept < 0),
        },
    }


def _weeks_run(rng, size) -> np.ndarray:
    bands = list(ENDED_WEEKS_BANDS)
    band = choose(rng, ENDED_WEEKS_BANDS, size)
    low = np.array([b[0] for b in bands])[band]
    high = np.array([b[1] for b in bands])[band]
    return rng.integers(low, high + 1)


def _arrangements(rng, as_of_day, apps: Applications, debtor_apps: np.ndarray) -> dict:
    app = debtor_apps[chance(rng, ARRANGEMENT_SHARE, len(debtor_apps))]
    a = len(app)
    this_monday = monday_on_or_before(as_of_day)
    ran = _weeks_run(rng, a)
    future = np.where(chance(rng, FUTURE_WEEKS_SHARE, a), rng.integers(1, 5, size=a), 0)
    first = this_monday - (ran - 1) * 7 * DAY
    miss = keys_of(MISS_PROBABILITY_SHARES)[choose(rng, MISS_PROBABILITY_SHARES, a)]

    prev_app = app[chance(rng, PREVIOUS_ARRANGEMENT_SHARE, a)]
    prev_first_of_current = first[np.searchsorted(app, prev_app)]
    prev_weeks = rng.integers(PREVIOUS_WEEKS_RANGE[0], PREVIOUS_WEEKS_RANGE[1] + 1, size=len(prev_app))
    prev_gap = rng.integers(PREVIOUS_GAP_WEEKS_RANGE[0], PREVIOUS_GAP_WEEKS_RANGE[1] + 1, size=len(prev_app))
    prev_first = prev_first_of_current - (prev_weeks + prev_gap) * 7 * DAY

    arr_app = np.concatenate([app, prev_app])
    arr_first = np.concatenate([first, prev_first])
    arr_weeks = np.concatenate([ran + future, prev_weeks])
    arr_miss = np.concatenate([miss, np.full(len(prev_app), PREVIOUS_MISS_PROBABILITY)])
    order = np.lexsort((arr_first, arr_app))  # arrangement ids run by application, then start
    arr_app, arr_first, arr_weeks, arr_miss = arr_app[order], arr_first[order], arr_weeks[order], arr_miss[order]

    arrangement = np.repeat(np.arange(len(arr_app)), arr_weeks)
    week = np.repeat(arr_first, arr_weeks) + group_positions(arr_weeks) * 7 * DAY
    r = len(week)
    due = money(rng.integers(*AMOUNT_DUE_STEPS, size=len(arr_app)) * 0.5)[arrangement]
    ended = week + 6 * DAY <= as_of_day
    missed = rng.random(r) < arr_miss[arrangement]
    partial = money(due * np.floor(rng.random(r) * 4) / 4)  # nothing, a quarter, a half or three quarters
    paid = np.where(missed, partial, due)
    paid = np.where(chance(rng, OVERPAID_SHARE, r), money(due * 1.5), paid)
    paid = np.where(ended, paid, np.where(chance(rng, PAID_IN_ADVANCE_SHARE, r), due, 0.0))

    # A week with no row counts as missed: drop one week (never the first) from a few arrangements.
    dropping = np.flatnonzero(chance(rng, MISSING_ROW_SHARE, len(arr_app)) & (arr_weeks >= 3))
    row_start = np.cumsum(arr_weeks) - arr_weeks
    dropped = row_start[dropping] + 1 + np.floor(rng.random(len(dropping)) * (arr_weeks[dropping] - 1)).astype(np.int64)
    keep = np.ones(r, dtype=bool)
    keep[dropped] = False

    return {
        "arrangement_id": ids.by_index(ids.ARRANGEMENT, arrangement[keep]),
        "application_ref": ids.by_index(ids.APPLICATION, arr_app[arrangement[keep]]),
        "week_starting": week[keep],
        "amount_due": due[keep],
        "amount_paid": money(paid[keep]),
    }


@dataclass
class Debts:
    debts: dict
    payments: dict
    housing_debtors: np.ndarray  # applications owing housing-related debt


def generate_debts(rng: np.random.Generator, as_of: dt.date, apps: Applications) -> Debts:
    """debts.csv and arrangement_payments.csv."""
    as_of_day = to_day(as_of)
    debts = _debts(rng, as_of_day, apps)
    housing_debtors = np.unique(debts["app"][debts["housing_related"] & (debts["table"]["balance"] > 0)])
    return Debts(debts["table"], _arrangements(rng, as_of_day, apps, housing_debtors), housing_debtors)
