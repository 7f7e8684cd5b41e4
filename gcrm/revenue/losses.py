"""Synchronous line loss (同期线损) of an area over a period: a pure kernel (pandas).

Loss = energy supplied into the area minus energy billed to its customers over the *same*
months; loss rate = loss / supplied. An area-period is ``not_computable`` when a month of it
has no supply reading (a partial supply against a full bill would fake a negative loss) or
when no customer was billed; otherwise ``high`` above its level's high threshold,
``negative`` below its negative threshold, else ``normal``.

>>> import pandas as pd
>>> m = pd.DataFrame({"transformer": ["T1", "T1"], "month": ["2026-01", "2026-02"],
...                   "supplied_kwh": [1000.0, 1200.0], "billed_kwh": [950.0, 1000.0],
...                   "billed_yuan": [500.0, 520.0], "customers": [3, 3]})
>>> out = loss_table(m, ["transformer"], Thresholds(0.10, -0.01))
>>> out[["supplied_kwh", "billed_kwh", "loss_kwh", "status"]].values.tolist()
[[2200.0, 1950.0, 250.0, 'normal']]
>>> round(float(out["loss_rate"].iloc[0]), 4)
0.1136
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

OUT_COLUMNS = ("supplied_kwh", "billed_kwh", "loss_kwh", "loss_rate", "status", "customers",
               "avg_price", "loss_yuan", "trend", "loss_rate_last_year", "change")


@dataclass(frozen=True)
class Thresholds:
    """Loss-rate thresholds of one level (fractions): above ``high`` is high, below
    ``negative`` is negative."""

    high: float
    negative: float


def status(rate: pd.Series, computable: pd.Series, th: Thresholds) -> pd.Series:
    """The status of each area-period from its loss rate."""
    out = np.where(rate > th.high, "high", np.where(rate < th.negative, "negative", "normal"))
    return pd.Series(np.where(computable, out, "not_computable"), index=rate.index)


def _aggregate(monthly: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    m = monthly.assign(
        has_supply=monthly["supplied_kwh"].notna(),
        billed_kwh=monthly["billed_kwh"].fillna(0.0),
        billed_yuan=monthly["billed_yuan"].fillna(0.0),
        customers=monthly["customers"].fillna(0).astype(int))
    g = m.groupby(keys, dropna=False, sort=True)
    return pd.DataFrame({
        "supplied_kwh": g["supplied_kwh"].sum(min_count=1),
        "billed_kwh": g["billed_kwh"].sum(),
        "billed_yuan": g["billed_yuan"].sum(),
        "customers": g["customers"].max(),
        "months": g["month"].nunique(),
        "months_supplied": g["has_supply"].sum(),
    }).reset_index()


def _trend(monthly: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Least-squares slope of the monthly loss rate (fraction per month) of each area."""
    m = monthly.dropna(subset=["supplied_kwh"])
    m = m[(m["supplied_kwh"] > 0) & (m["customers"].fillna(0) > 0)]
    rate = (m["supplied_kwh"] - m["billed_kwh"].fillna(0)) / m["supplied_kwh"]
    t = pd.to_datetime(m["month"] + "-01")
    x = (t.dt.year * 12 + t.dt.month).astype(float)
    frame = m[keys].assign(x=x, y=rate)

    def slope(d: pd.DataFrame) -> float:
        if len(d) < 3 or d["x"].nunique() < 3:
            return np.nan
        return float(np.polyfit(d["x"], d["y"], 1)[0])

    if frame.empty:
        return pd.DataFrame(columns=[*keys, "trend"])
    return frame.groupby(keys, dropna=False)[["x", "y"]].apply(slope).rename(
        "trend").reset_index()


def loss_table(monthly: pd.DataFrame, keys: list[str], th: Thresholds,
               last_year: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per ``keys`` combination (include ``"month"`` for one row per month).

    ``monthly`` holds one row per area-month: ``keys`` (without month), ``month``,
    ``supplied_kwh`` (NaN: no reading), ``billed_kwh``, ``billed_yuan``, ``customers``.
    ``last_year`` is the same frame twelve months earlier: it gives ``loss_rate_last_year``
    and ``change`` (this rate minus last year's, in fractions).
    """
    agg = _aggregate(monthly, keys)
    computable = (agg["months_supplied"] == agg["months"]) & (agg["customers"] > 0) \
        & (agg["supplied_kwh"] > 0)
    sup = agg["supplied_kwh"].where(computable)
    agg["loss_kwh"] = (sup - agg["billed_kwh"]).where(computable)
    agg["loss_rate"] = agg["loss_kwh"] / sup
    agg["status"] = status(agg["loss_rate"], computable, th)
    agg["avg_price"] = (agg["billed_yuan"] / agg["billed_kwh"].where(agg["billed_kwh"] > 0))
    agg["loss_yuan"] = agg["loss_kwh"] * agg["avg_price"]
    area = [k for k in keys if k != "month"]
    if "month" in keys or not area:
        agg["trend"] = np.nan
    else:
        agg = agg.merge(_trend(monthly, area), on=area, how="left")
    agg["loss_rate_last_year"] = _last_year_rates(last_year, keys, th, agg,
                                                  monthly["month"].nunique())
    agg["change"] = agg["loss_rate"] - agg["loss_rate_last_year"]
    return agg[[*keys, *OUT_COLUMNS]]


def _last_year_rates(last_year: pd.DataFrame | None, keys: list[str], th: Thresholds,
                     agg: pd.DataFrame, n_months: int) -> pd.Series:
    if last_year is None or last_year.empty:
        return pd.Series(np.nan, index=agg.index)
    ly = last_year
    if "month" not in keys and ly["month"].nunique() < n_months:
        return pd.Series(np.nan, index=agg.index)  # last year only partly covered
    if "month" in keys:
        shifted = (pd.PeriodIndex(ly["month"], freq="M") + 12).astype(str)
        ly = ly.assign(month=list(shifted))
    prev = loss_table(ly, keys, th)[[*keys, "loss_rate"]]
    return agg[keys].merge(prev, on=keys, how="left")["loss_rate"].set_axis(agg.index)


def worst(table: pd.DataFrame, n: int = 20) -> pd.DataFrame:
    """The ``n`` areas losing the most energy (computable ones, largest loss kWh first)."""
    ok = table[table["status"] != "not_computable"]
    return ok.sort_values(["loss_kwh", "loss_rate"], ascending=False).head(n)
