"""Arrears ageing: payments settle the oldest bills first (FIFO); what is left is aged.

>>> import pandas as pd
>>> bills = pd.DataFrame({"month": ["2025-01", "2025-02"], "amount": [100.0, 80.0]})
>>> ageing(bills, paid_total=120.0, as_of=pd.Timestamp("2025-04-15"))["outstanding"].tolist()
[0.0, 60.0]
"""

from __future__ import annotations

import pandas as pd

#: (label, lower bound in days, upper bound in days) of the ageing buckets
BUCKETS = (("0-30", 0, 30), ("31-90", 31, 90), ("91-180", 91, 180), (">180", 181, 10**9))
#: a bill is due at the end of the month after the billing month
DUE_DAYS_AFTER_MONTH_END = 30


def due_date(month: str) -> pd.Timestamp:
    return (pd.Period(month, "M").end_time.normalize()
            + pd.Timedelta(days=DUE_DAYS_AFTER_MONTH_END))


def ageing(bills: pd.DataFrame, paid_total: float, as_of: pd.Timestamp) -> pd.DataFrame:
    """Bills (``month``, ``amount``) with ``outstanding`` after FIFO settlement, ``days_overdue``
    and ``bucket`` (None when not overdue or settled)."""
    b = bills.sort_values("month").reset_index(drop=True).copy()
    remaining = float(paid_total)
    outstanding = []
    for amount in b["amount"].fillna(0.0):
        settle = min(amount, max(remaining, 0.0))
        remaining -= settle
        outstanding.append(round(amount - settle, 2))
    b["outstanding"] = outstanding
    b["due"] = b["month"].map(due_date)
    b["days_overdue"] = (as_of.normalize() - b["due"]).dt.days.clip(lower=0)
    b["bucket"] = None
    for label, lo, hi in BUCKETS:
        hit = (b["outstanding"] > 0) & (b["days_overdue"] >= max(lo, 1)) & (b["days_overdue"] <= hi)
        b.loc[hit, "bucket"] = label
    return b


def bucket_totals(aged: pd.DataFrame) -> dict[str, float]:
    return {label: float(aged.loc[aged["bucket"] == label, "outstanding"].sum())
            for label, _, _ in BUCKETS}
