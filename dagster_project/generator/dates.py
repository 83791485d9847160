"""Calendar helpers on numpy day arrays (datetime64[D]), so generation never loops over rows."""
from __future__ import annotations

import datetime as dt

import numpy as np

DAY = np.timedelta64(1, "D")
SECOND = np.timedelta64(1, "s")
NAT = np.datetime64("NaT", "D")
DAYS_PER_YEAR = 365.25


def to_day(value: dt.date) -> np.datetime64:
    return np.datetime64(value, "D")


def years_before(value: dt.date, years: int) -> dt.date:
    """The same calendar day `years` earlier (29 February falls back to the 28th)."""
    try:
        return value.replace(year=value.year - years)
    except ValueError:
        return value.replace(year=value.year - years, day=28)


def uniform_days(rng: np.random.Generator, start, end, size: int | None = None) -> np.ndarray:
    """A day drawn uniformly from start..end inclusive (start and end may be arrays)."""
    start = np.asarray(start, dtype="datetime64[D]")
    end = np.asarray(end, dtype="datetime64[D]")
    if size is None:
        size = np.broadcast(start, end).size
    span = np.maximum((end - start).astype(np.int64), 0) + 1
    return start + np.floor(rng.random(size) * span).astype(np.int64) * DAY


def monday_on_or_before(days: np.ndarray) -> np.ndarray:
    # 1970-01-01 (day 0) was a Thursday, so Monday-based weekday is (day + 3) % 7.
    as_int = np.asarray(days, dtype="datetime64[D]").astype(np.int64)
    return (as_int - (as_int + 3) % 7).astype("datetime64[D]")


def age_in_years(date_of_birth: np.ndarray, on: dt.date) -> np.ndarray:
    """Completed calendar years on `on` (the age a person has on that day)."""
    dob = np.asarray(date_of_birth, dtype="datetime64[D]")
    month_start = dob.astype("datetime64[M]")
    year = dob.astype("datetime64[Y]").astype(np.int64) + 1970
    month = month_start.astype(np.int64) % 12 + 1
    day = (dob - month_start.astype("datetime64[D]")).astype(np.int64) + 1
    birthday_still_to_come = (month > on.month) | ((month == on.month) & (day > on.day))
    return on.year - year - birthday_still_to_come.astype(np.int64)
