"""The Spring Festival (lunar new year) as a monthly regressor.

The festival moves between 22 January and 19 February; factories close for one to three weeks
around it, so January and February consumption swap places from one year to the next. The
regressor of a month is the share of the festival period (from 7 days before new year's day
to the Lantern Festival, day 15) that falls in that month: 0 in most months, split between
January and February (or February and March) in festival years.

Pure: no connection, no text.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

#: lunar new year's day (month, day), 2000-2035 (Hong Kong Observatory calendar)
NEW_YEAR: dict[int, tuple[int, int]] = {
    2000: (2, 5), 2001: (1, 24), 2002: (2, 12), 2003: (2, 1), 2004: (1, 22), 2005: (2, 9),
    2006: (1, 29), 2007: (2, 18), 2008: (2, 7), 2009: (1, 26), 2010: (2, 14), 2011: (2, 3),
    2012: (1, 23), 2013: (2, 10), 2014: (1, 31), 2015: (2, 19), 2016: (2, 8), 2017: (1, 28),
    2018: (2, 16), 2019: (2, 5), 2020: (1, 25), 2021: (2, 12), 2022: (2, 1), 2023: (1, 22),
    2024: (2, 10), 2025: (1, 29), 2026: (2, 17), 2027: (2, 6), 2028: (1, 26), 2029: (2, 13),
    2030: (2, 3), 2031: (1, 23), 2032: (2, 11), 2033: (1, 31), 2034: (2, 19), 2035: (2, 8),
}
#: days before new year's day and after it (to the Lantern Festival) counted as the festival
BEFORE, AFTER = 7, 14


def festival_days(year: int) -> pd.DatetimeIndex:
    """The days of ``year``'s festival period; empty for a year outside the table."""
    if year not in NEW_YEAR:
        return pd.DatetimeIndex([])
    day = dt.date(year, *NEW_YEAR[year])
    return pd.date_range(day - dt.timedelta(days=BEFORE), day + dt.timedelta(days=AFTER))


def festival_share(months: pd.DatetimeIndex | list) -> np.ndarray:
    """For each month (any timestamp in it), the share of that year's festival period that
    falls in the month (0..1).

    >>> festival_share(pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"])).round(2)
    array([0.  , 0.86, 0.14])
    """
    idx = pd.DatetimeIndex(pd.to_datetime(months)).to_period("M")
    share: dict = {}
    for year in {p.year for p in idx} | {p.year - 1 for p in idx}:
        days = festival_days(int(year))
        if len(days):
            share.update((days.to_period("M").value_counts() / len(days)).to_dict())
    return np.array([share.get(p, 0.0) for p in idx], dtype=float)
