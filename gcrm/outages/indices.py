"""Distribution reliability indices (IEEE 1366) and the Chinese DL/T 836 figures.

Pure functions over two DataFrames:

``outages``
    ``outage_id``, ``feeder_id``, ``start_at``, ``end_at`` (timestamps), ``duration_min``,
    ``planned`` (bool), optionally ``cause``.
``customers``
    ``feeder_id``, ``group`` (the reporting group: district, feeder, ...; NaN for customers
    outside every group), optionally ``opened_on`` and ``n``: one row per customer, or with
    ``n`` one row per (feeder, group, opened_on) standing for ``n`` customers (what the
    warehouse query counts in SQL: the same results, without 1M rows in pandas).

Conventions (docs/reliability.md):

* An outage interrupts every customer on its feeder (per group: those of the feeder in the
  group). Customers served = customers existing at the end of the year (``opened_on`` empty
  or on/before 31 December).
* Sustained interruption: duration > 5 minutes; momentary: <= 5 minutes (MAIFI only).
  An interruption belongs to the day and year in which it starts.
* Major event days (2.5 beta method): daily system SAIDI over the (up to) five years before
  the reporting year; days with zero SAIDI are left out of the log-normal fit, as the standard
  says; T_MED = exp(alpha + 2.5 beta); a day whose SAIDI exceeds T_MED is a MED. Without
  earlier history the reporting year's own days are used (stated in the result).
* DL/T 836: average interruption hours per customer AIHC = SAIDI / 60 and reliability rate
  RS = (1 - AIHC / hours in the year) x 100 %. With planned outages included this is RS-1;
  ``exclude_planned`` gives the figure without pre-arranged outages.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

MOMENTARY_MAX_MIN = 5.0


@dataclass(frozen=True)
class Options:
    year: int
    exclude_planned: bool = False
    exclude_med: bool = False
    momentary_max_min: float = MOMENTARY_MAX_MIN
    cemi_n: int = 3  # CEMI-n: share of customers with more than n sustained interruptions
    celid_hours: float = 6.0  # CELID-t: share with total interruption time above t hours
    med_history_years: int = 5
    month: int | None = None  # 1-12: report one month of ``year`` instead of the whole year
    #: ("YYYY-MM", "YYYY-MM"): report these months (inclusive) instead; ``year`` is then the
    #: year of the last month. May cross a year boundary (major event days of each year).
    span: tuple[str, str] | None = None

    def period(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """[start, end) of the reporting period."""
        if self.span is not None:
            start = pd.Timestamp(f"{self.span[0]}-01")
            end = pd.Timestamp(f"{self.span[1]}-01") + pd.offsets.MonthBegin(1)
            if end <= start:
                raise ValueError(f"empty reporting period {self.span[0]}..{self.span[1]}")
            return start, end
        if self.month is None:
            return pd.Timestamp(self.year, 1, 1), pd.Timestamp(self.year + 1, 1, 1)
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1..12, got {self.month}")
        start = pd.Timestamp(self.year, self.month, 1)
        return start, start + pd.offsets.MonthBegin(1)

    def minutes(self) -> float:
        start, end = self.period()
        return (end - start).total_seconds() / 60

    def years(self) -> list[int]:
        """The calendar years the reporting period touches."""
        start, end = self.period()
        return list(range(start.year, (end - pd.Timedelta(seconds=1)).year + 1))


@dataclass
class MedResult:
    threshold_min: float | None  # T_MED in customer-minutes per customer (SAIDI/day)
    days: list[pd.Timestamp]  # major event days of the reporting year
    basis: str  # which days the threshold was fitted on
    daily: pd.Series  # daily system SAIDI of the reporting year (minutes), indexed by day


def minutes_in_year(year: int) -> int:
    return (366 if calendar.isleap(year) else 365) * 24 * 60


def _n(customers: pd.DataFrame) -> pd.Series:
    """How many customers each row stands for (its ``n``; 1 without that column)."""
    if "n" in customers.columns:
        return customers["n"].astype("int64").rename("n")
    return pd.Series(1, index=customers.index, dtype="int64", name="n")


def _datetimes(s: pd.Series) -> pd.Series:
    """``s`` as datetimes: as it is when it holds them already (``pd.to_datetime`` walked
    every value of a datetime column to decide whether to cache: ~15 ms per call on a
    year's 26k outages, four calls per page run)."""
    return s if pd.api.types.is_datetime64_any_dtype(s) else pd.to_datetime(s)


def _served(customers: pd.DataFrame, opts: Options) -> pd.DataFrame:
    """Customers existing at the end of the reporting period."""
    if "opened_on" in customers.columns:
        opened = _datetimes(customers["opened_on"])
        customers = customers[opened.isna() | (opened < opts.period()[1])]
    return customers


def _events(outages: pd.DataFrame, opts: Options, in_period: bool) -> pd.DataFrame:
    ev = outages.copy()
    ev["start_at"] = _datetimes(ev["start_at"])
    ev["day"] = ev["start_at"].dt.normalize()
    if in_period:
        start, end = opts.period()
        ev = ev[(ev["start_at"] >= start) & (ev["start_at"] < end)]
    if opts.exclude_planned:
        ev = ev[~ev["planned"].astype(bool)]
    ev = ev.assign(sustained=ev["duration_min"] > opts.momentary_max_min)
    return ev


def daily_saidi(outages: pd.DataFrame, customers: pd.DataFrame, opts: Options) -> pd.Series:
    """System SAIDI per day (minutes), from sustained interruptions, over all years given."""
    n = _n(customers)
    per_feeder = n.groupby(customers["feeder_id"]).sum()
    total = int(n.sum())
    ev = _events(outages, opts, False)
    ev = ev[ev["sustained"]]
    if ev.empty or total == 0:
        return pd.Series(dtype=float, index=pd.DatetimeIndex([], name="day"))
    cmi = ev["duration_min"] * ev["feeder_id"].map(per_feeder).fillna(0)
    return (cmi.groupby(ev["day"]).sum() / total).sort_index()


def med_threshold(daily: pd.Series) -> float | None:
    """T_MED = exp(alpha + 2.5 beta) over the non-zero daily SAIDI values (None if < 2)."""
    vals = daily[daily > 0].to_numpy(dtype=float)
    if len(vals) < 2:
        return None
    logs = np.log(vals)
    return float(math.exp(logs.mean() + 2.5 * logs.std(ddof=1)))


def major_event_days(outages: pd.DataFrame, customers: pd.DataFrame, opts: Options) -> MedResult:
    customers = _served(customers, opts)
    daily = daily_saidi(outages, customers, opts)
    first = pd.Timestamp(opts.year - opts.med_history_years, 1, 1)
    start = pd.Timestamp(opts.year, 1, 1)
    end = pd.Timestamp(opts.year + 1, 1, 1)
    history = daily[(daily.index >= first) & (daily.index < start)]
    this_year = daily[(daily.index >= start) & (daily.index < end)]
    # every day of the history period counts, zero days included in the count but not the fit
    if len(history[history > 0]) >= 2:
        basis = f"{history.index.min().year}-{opts.year - 1}"
        t = med_threshold(history)
    else:
        basis = f"{opts.year} (no earlier history)"
        t = med_threshold(this_year)
    p0, p1 = opts.period()
    days = [] if t is None else [d for d in this_year[this_year > t].index if p0 <= d < p1]
    return MedResult(t, days, basis, this_year)


def reliability(outages: pd.DataFrame, customers: pd.DataFrame, opts: Options,
                system: pd.DataFrame | None = None) -> pd.DataFrame:
    """Indices per ``group`` for ``opts.year``: one row per group with customers served.

    Columns: group, customers_served, saifi, saidi, caidi, asai, maifi, caifi, cemi_<n>,
    celid_<t>h, aihc_hours, rs_pct, customer_interruptions, customer_minutes.

    ``system`` (default: ``customers``) is the customer set whose daily SAIDI decides the major
    event days. Pass the whole system when ``customers`` is only part of it (a drill-down into
    one district's H3 cells), so that the part leaves out the same days as the whole and its
    groups, weighted by customers served, still reproduce the whole's row.
    """
    served = _served(customers, opts)
    ev = _events(outages, opts, True)
    if opts.exclude_med:  # each year's major event days (a span may cross a year boundary)
        base = customers if system is None else system
        days: set = set()
        for y in opts.years():
            yopts = opts if opts.span is None else replace(opts, year=y, span=None)
            days |= set(major_event_days(outages, base, yopts).days)
        ev = ev[~ev["day"].isin(days)]
    n = _n(served)
    n_fg = n.groupby([served["feeder_id"], served["group"]], dropna=False).sum().reset_index()
    n_g = n.groupby(served["group"], dropna=False).sum().rename("customers_served")
    sus = ev[ev["sustained"]]
    mom = ev[~ev["sustained"]]
    per_feeder = pd.DataFrame({
        "k": sus.groupby("feeder_id").size(),
        "minutes": sus.groupby("feeder_id")["duration_min"].sum(),
        "momentary": mom.groupby("feeder_id").size(),
    }).astype(float).fillna(0)  # float even with no events (no object columns to downcast)
    x = n_fg.join(per_feeder, on="feeder_id").fillna({"k": 0, "minutes": 0, "momentary": 0})
    x["ci"] = x["n"] * x["k"]
    x["cmi"] = x["n"] * x["minutes"]
    x["mi"] = x["n"] * x["momentary"]
    x["cn"] = x["n"] * (x["k"] >= 1)
    x["cemi"] = x["n"] * (x["k"] > opts.cemi_n)
    x["celid"] = x["n"] * (x["minutes"] > opts.celid_hours * 60)
    g = x.groupby("group", dropna=False)[["ci", "cmi", "mi", "cn", "cemi", "celid"]].sum()
    out = pd.concat([n_g, g], axis=1).fillna(0)
    nt = out["customers_served"]
    minutes = opts.minutes()
    res = pd.DataFrame({
        "group": out.index,
        "customers_served": nt.astype(int).to_numpy(),
        "saifi": (out["ci"] / nt).to_numpy(),
        "saidi": (out["cmi"] / nt).to_numpy(),
    })
    res["caidi"] = np.where(res["saifi"] > 0, res["saidi"] / res["saifi"].where(
        res["saifi"] > 0), np.nan)
    res["asai"] = 1 - (out["cmi"] / (nt * minutes)).to_numpy()
    res["maifi"] = (out["mi"] / nt).to_numpy()
    res["caifi"] = (out["ci"] / out["cn"].where(out["cn"] > 0)).to_numpy()
    res[f"cemi_{opts.cemi_n}"] = (out["cemi"] / nt).to_numpy()
    res[f"celid_{opts.celid_hours:g}h"] = (out["celid"] / nt).to_numpy()
    res["aihc_hours"] = res["saidi"] / 60
    res["rs_pct"] = (1 - res["aihc_hours"] / (minutes / 60)) * 100
    res["customer_interruptions"] = out["ci"].to_numpy()
    res["customer_minutes"] = out["cmi"].to_numpy()
    return res.sort_values("group", na_position="last").reset_index(drop=True)
