"""Alert rules for key accounts (pure: pandas; thresholds passed in, words elsewhere).

Each rule takes the facts of the watched customers and returns rows of :data:`COLUMNS`:
``customer_id``, ``kind``, ``month`` or ``date``, ``value``, ``threshold`` and ``key`` (the
alert's identity, ``customer_id|kind|month-or-date``, under which a user acknowledges or
snoozes it). :mod:`gcrm.accounts.alert_words` adds the reason in words.

Rules (the thresholds are settings, :mod:`gcrm.config`):

* ``consumption_drop`` / ``consumption_jump``: kWh of the month against the same month a year
  before (so a seasonal dip that also happened last year raises nothing); value = change in %.
* ``arrears_age``: the oldest overdue bill is overdue more than N days, arrears as
  :func:`gcrm.customers.risk.arrears_of` defines them (bills past their due date, payments
  settling the oldest bills first); value = days overdue, ``amount`` = the arrears.
* ``outage_hit``: an outage on the customer's feeder in the month lasting at least N minutes;
  one alert per outage, dated by its start; value = minutes.
* ``complaint_open``: a complaint still open (not resolved or closed) N days or more after it
  was received, at the as-of date; value = days open.
* ``anniversary``: the account's opening anniversary within N days of the as-of date (29
  February opens celebrate on 28 February in common years); value = days to go.
* ``contract_end``: the supply contract ends within N days of the as-of date (optional
  ``contract_end`` column of ``customers.csv``, kept with the customer); value = days to go.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from gcrm.customers.risk import arrears_of, overdue

COLUMNS = ("customer_id", "kind", "month", "date", "value", "threshold", "key")
KINDS = ("consumption_drop", "consumption_jump", "arrears_age", "outage_hit", "complaint_open",
         "anniversary", "contract_end")
OPEN_STATUSES = ("open", "in_progress")


@dataclass(frozen=True)
class Thresholds:
    drop_pct: float = 30.0  # consumption down more than this % against last year
    jump_pct: float = 100.0  # consumption up more than this %
    arrears_days: int = 60  # oldest unpaid bill overdue more than this many days
    outage_minutes: float = 30.0  # outages at least this long
    complaint_days: int = 7  # complaints open this many days or more
    anniversary_days: int = 14  # anniversaries within this many days
    contract_days: int = 30  # contracts ending within this many days


def _frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=list(COLUMNS[:-1]))
    df["key"] = [f"{c}|{k}|{m if isinstance(m, str) else d}"
                 for c, k, m, d in zip(df["customer_id"], df["kind"], df["month"], df["date"],
                                       strict=True)]
    return df


def consumption(cons: pd.DataFrame, month: str, th: Thresholds) -> pd.DataFrame:
    """Drops and jumps of ``month`` against the same month last year (``cons``: customer_id,
    month, kwh). Customers without last year's month, or with 0 kWh then, raise nothing."""
    last_year = str(pd.Period(month, "M") - 12)
    now = cons[cons["month"] == month].groupby("customer_id")["kwh"].sum()
    before = cons[cons["month"] == last_year].groupby("customer_id")["kwh"].sum()
    both = pd.concat({"now": now, "before": before}, axis=1).dropna()
    both = both[both["before"] > 0]
    change = ((both["now"] / both["before"] - 1) * 100).round(6)  # 70/100 is -30 %, not less
    rows = []
    for cid, pct in change.sort_index().items():
        if pct < -th.drop_pct:
            rows.append(dict(customer_id=cid, kind="consumption_drop", month=month, date=None,
                             value=round(float(pct), 1), threshold=-th.drop_pct))
        elif pct > th.jump_pct:
            rows.append(dict(customer_id=cid, kind="consumption_jump", month=month, date=None,
                             value=round(float(pct), 1), threshold=th.jump_pct))
    return _frame(rows)


def arrears(bills: pd.DataFrame, payments: pd.DataFrame, as_of: date,
            th: Thresholds) -> pd.DataFrame:
    """Customers whose oldest overdue bill is overdue more than ``th.arrears_days`` days;
    value = its days overdue, ``amount`` = the customer's arrears.

    Arrears are what :func:`gcrm.customers.risk.arrears_of` defines (the one definition: the
    card, the risk list, the portfolio): the outstanding amount of bills past their due date,
    payments settling the oldest bills first; a bill not yet due is not arrears. ``bills``:
    customer_id, month, amount (billed up to the as-of month); ``payments``: customer_id,
    paid_at, amount (those up to the end of the as-of day count)."""
    end = pd.Timestamp(as_of) + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
    per = arrears_of(overdue(bills, payments, end))
    per = per[(per["overdue_amount"] > 0) & (per["days_overdue"] > th.arrears_days)]
    per = per.sort_index()
    rows = [dict(customer_id=cid, kind="arrears_age", month=None, date=as_of.isoformat(),
                 value=int(r.days_overdue), threshold=th.arrears_days)
            for cid, r in per.iterrows()]
    df = _frame(rows)
    df["amount"] = [round(float(a), 2) for a in per["overdue_amount"]]
    return df


def outages(hits: pd.DataFrame, month: str, th: Thresholds) -> pd.DataFrame:
    """One alert per outage of ``month`` at least ``th.outage_minutes`` long (``hits``:
    customer_id, outage_id, start_at, duration_min, planned)."""
    start = pd.to_datetime(hits["start_at"])
    sel = hits[(start.dt.strftime("%Y-%m") == month)
               & (hits["duration_min"] >= th.outage_minutes)].copy()
    sel = sel.sort_values(["customer_id", "start_at", "outage_id"])
    rows = [dict(customer_id=r.customer_id, kind="outage_hit", month=None,
                 date=pd.Timestamp(r.start_at).isoformat(timespec="minutes"),
                 value=round(float(r.duration_min), 1), threshold=th.outage_minutes)
            for r in sel.itertuples()]
    df = _frame(rows)
    df["planned"] = list(sel["planned"].astype(bool))
    return df


def complaints(open_rows: pd.DataFrame, as_of: date, th: Thresholds) -> pd.DataFrame:
    """Complaints received before ``as_of`` and still open at it, open ``th.complaint_days``
    days or more (``open_rows``: customer_id, opened_at, status, closed_at)."""
    c = open_rows.copy()
    opened = pd.to_datetime(c["opened_at"])
    closed = pd.to_datetime(c["closed_at"])
    end = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    still = (closed.isna() & c["status"].isin(OPEN_STATUSES)) | (closed >= end)
    days = (end - opened).dt.days
    keep = still & (opened < end) & (days >= th.complaint_days)
    sel = c[keep].assign(days=days[keep], opened=opened[keep]).sort_values(
        ["customer_id", "opened"])
    rows = [dict(customer_id=r.customer_id, kind="complaint_open", month=None,
                 date=r.opened.date().isoformat(), value=int(r.days),
                 threshold=th.complaint_days) for r in sel.itertuples()]
    return _frame(rows)


def anniversaries(upcoming: pd.DataFrame, as_of: date, th: Thresholds) -> pd.DataFrame:
    """Opening anniversaries within ``th.anniversary_days`` of ``as_of`` (``upcoming``:
    customer_id, opened_on, anniversary = the next one on or after ``as_of``)."""
    rows = []
    for r in upcoming.dropna(subset=["anniversary"]).sort_values("customer_id").itertuples():
        nxt, on = pd.Timestamp(r.anniversary).date(), pd.Timestamp(r.opened_on).date()
        days = (nxt - as_of).days
        if 0 <= days <= th.anniversary_days:
            rows.append(dict(customer_id=r.customer_id, kind="anniversary", month=None,
                             date=nxt.isoformat(), value=days, threshold=th.anniversary_days,
                             years=nxt.year - on.year))
    df = _frame(rows)
    df["years"] = [r["years"] for r in rows]
    return df


def contracts(ends: pd.DataFrame, as_of: date, th: Thresholds) -> pd.DataFrame:
    """Contracts ending within ``th.contract_days`` of ``as_of`` (``ends``: customer_id,
    contract_end as text YYYY-MM-DD; unparseable dates are ignored)."""
    when = pd.to_datetime(ends["contract_end"], errors="coerce", format="%Y-%m-%d")
    days = (when - pd.Timestamp(as_of)).dt.days
    sel = ends.assign(days=days, when=when)[(days >= 0) & (days <= th.contract_days)]
    rows = [dict(customer_id=r.customer_id, kind="contract_end", month=None,
                 date=r.when.date().isoformat(), value=int(r.days), threshold=th.contract_days)
            for r in sel.sort_values("customer_id").itertuples()]
    return _frame(rows)


def combine(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """All alerts, in a stable order: by customer, then kind (in :data:`KINDS` order), then
    date/month."""
    df = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(
        len(p) for p in parts) else _frame([])
    order = {k: i for i, k in enumerate(KINDS)}
    df["_k"] = df["kind"].map(order)
    df["_t"] = df["month"].fillna("").astype(str) + df["date"].fillna("").astype(str)
    return df.sort_values(["customer_id", "_k", "_t"], ignore_index=True).drop(
        columns=["_k", "_t"])
