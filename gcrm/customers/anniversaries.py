"""Anniversary list: big customers whose opening anniversary falls in the next N days.

Pure date logic (:func:`next_anniversary`) plus the warehouse query. A customer opened on
29 February celebrates on 28 February in common years. The window wraps over the year end.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, timedelta

import duckdb
import pandas as pd

from gcrm.security.scope import scope_sql


def _on(year: int, month: int, day: int) -> date:
    if month == 2 and day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, month, day)


def next_anniversary(opened: date, today: date) -> date:
    """The first anniversary of ``opened`` on or after ``today`` (never the opening day)."""
    candidate = _on(today.year, opened.month, opened.day)
    if candidate < today:
        candidate = _on(today.year + 1, opened.month, opened.day)
    if candidate <= opened:
        candidate = _on(opened.year + 1, opened.month, opened.day)
    return candidate


def upcoming(con: duckdb.DuckDBPyConnection, days: int = 30, today: date | None = None,
             big_only: bool = True, scope: Sequence[str] | None = None) -> pd.DataFrame:
    """Customers with an anniversary within ``days`` days from ``today`` (inclusive)."""
    if days < 0 or days > 366:
        raise ValueError("days must be between 0 and 366")
    today = today or date.today()
    where, params = scope_sql(scope)
    big = "c.big_customer" if big_only else "TRUE"
    df = con.execute(
        f"SELECT c.customer_id, c.name, c.customer_class, c.phone, c.district_id, c.opened_on "
        f"FROM dim_customer c WHERE c.opened_on IS NOT NULL AND {big} AND {where}",
        params).df()
    if df.empty:
        return df.assign(anniversary=[], years=[], in_days=[])
    opened = pd.to_datetime(df["opened_on"]).dt.date
    nxt = [next_anniversary(o, today) for o in opened]
    df["anniversary"] = nxt
    df["years"] = [n.year - o.year for n, o in zip(nxt, opened, strict=True)]
    df["in_days"] = [(n - today).days for n in nxt]
    out = df[df["in_days"] <= days].sort_values(["in_days", "customer_id"])
    return out.reset_index(drop=True)


def window(today: date, days: int) -> tuple[date, date]:
    return today, today + timedelta(days=days)
