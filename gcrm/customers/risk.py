"""Arrears risk and churn (decline) risk per customer: transparent points scores, explained.

Pure functions over DataFrames (docs/customers.md has the same table for people):

``consumption``
    ``customer_id``, ``month`` (YYYY-MM), ``kwh``, ``amount`` (billed yuan).
``payments``
    ``customer_id``, ``paid_at`` (timestamp), ``amount``.
``complaints`` (optional)
    ``customer_id``, ``opened_at`` (timestamp).

Each score is logistic-style: ``score = 100 / (1 + exp(-(intercept + sum of points)))``,
where a factor's points are ``weight x min(value / full, 1)`` (never negative). With no
factor present a customer scores 100 / (1 + e^4) = 1.8. The points are the explanation: the
factors with the most points (``<model>_factors``), which :mod:`gcrm.customers.words` puts in
words ("95 days overdue (+1.6)"). No translated text here.

Arrears follow :mod:`gcrm.customers.arrears`: a bill is due :data:`DUE_DAYS_AFTER_MONTH_END`
days after its month ends (:func:`~gcrm.customers.arrears.due_date`) and payments settle the
oldest bills first (FIFO). :func:`overdue` is the vectorised form of
:func:`~gcrm.customers.arrears.ageing` for many customers at once (tests check that both give
the same outstanding amounts and days); it only adds when each bill was settled, to tell late
payers.

>>> import pandas as pd
>>> cons = pd.DataFrame({"customer_id": ["A", "A"], "month": ["2025-01", "2025-02"],
...                      "kwh": [100.0, 100.0], "amount": [50.0, 50.0]})
>>> pays = pd.DataFrame({"customer_id": ["A"], "paid_at": [pd.Timestamp("2025-02-10")],
...                      "amount": [50.0]})
>>> r = risk_scores(cons, pays, as_of=pd.Timestamp("2025-06-30"))
>>> int(r.loc[0, "days_overdue"]), r.loc[0, "arrears_top"]
(92, 'days_overdue')
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gcrm.customers.arrears import DUE_DAYS_AFTER_MONTH_END, due_date

__all__ = ["ARREARS", "CHURN", "DUE_DAYS_AFTER_MONTH_END", "Factor", "Model", "features",
           "overdue", "rank", "risk_scores", "score"]

CENT = 0.005  # amounts within half a cent count as settled


@dataclass(frozen=True)
class Factor:
    """One score factor: ``weight`` points at full strength, reached at value ``full``."""

    name: str
    weight: float
    full: float
    label: str  # for people (docs, CLI help)

    def points(self, value: np.ndarray | pd.Series) -> np.ndarray:
        v = np.nan_to_num(np.asarray(value, float), nan=0.0)
        return self.weight * np.clip(v / self.full, 0.0, 1.0)


@dataclass(frozen=True)
class Model:
    name: str
    intercept: float
    factors: tuple[Factor, ...]

    def score(self, feats: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
        pts = pd.DataFrame({f.name: f.points(feats[f.name]) for f in self.factors},
                           index=feats.index)
        z = self.intercept + pts.sum(axis=1).to_numpy(float)
        return 100.0 / (1.0 + np.exp(-z)), pts


ARREARS = Model("arrears", -4.0, (
    Factor("days_overdue", 3.0, 180.0, "days the oldest unpaid bill is overdue (full at 180)"),
    Factor("late_share", 2.0, 1.0, "share of the bills due in the last 12 months that were "
           "paid after their due date or are still unpaid"),
    Factor("overdue_months", 1.5, 6.0, "overdue amount in months of the average bill "
           "(full at 6)"),
    Factor("arrears_growth", 1.0, 3.0, "growth of the overdue amount over the last 90 days, "
           "in months of the average bill (full at 3)"),
))
CHURN = Model("churn", -4.0, (
    Factor("decline_12", 3.0, 0.5, "consumption drop of the last 12 months vs the same "
           "months a year earlier (full at -50 %)"),
    Factor("decline_3", 1.5, 0.5, "consumption drop of the last 3 months vs the same months "
           "a year earlier (full at -50 %)"),
    Factor("zero_months", 2.0, 6.0, "months with zero use in the last 12 (full at 6)"),
    Factor("complaints", 1.5, 3.0, "complaints in the last 12 months (full at 3)"),
))
MODELS = {"arrears": ARREARS, "churn": CHURN}
#: factors with fewer points than this are not named in the explanation
MIN_POINTS = 0.05


# ------------------------------------------------------------------------------ arrears
def _due_dates(months: pd.Series) -> pd.Series:
    uniq = pd.unique(months)
    due = months.map(dict(zip(uniq, [due_date(m) for m in uniq], strict=True)))
    return pd.to_datetime(due) if len(due) else pd.Series([], dtype="datetime64[ns]",
                                                          index=months.index)


def overdue(bills: pd.DataFrame, payments: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Every bill with FIFO ``outstanding``, ``due``, ``days_overdue`` and ``settled_at``.

    ``bills``: ``customer_id``, ``month``, ``amount``; ``payments``: ``customer_id``,
    ``paid_at``, ``amount`` (only payments up to ``as_of`` are counted). ``outstanding`` and
    ``days_overdue`` equal :func:`gcrm.customers.arrears.ageing` per customer; ``settled_at``
    is the time of the payment that settled the bill (NaT while unpaid).
    """
    as_of = pd.Timestamp(as_of)
    b = bills[["customer_id", "month", "amount"]].copy()
    b["customer_id"] = b["customer_id"].astype(str)
    b["month"] = b["month"].astype(str)
    b["amount"] = b["amount"].astype(float).fillna(0.0)
    b = b.sort_values(["customer_id", "month"], kind="stable").reset_index(drop=True)
    b["cum"] = b.groupby("customer_id")["amount"].cumsum()
    p = payments[["customer_id", "paid_at", "amount"]].copy()
    p["customer_id"] = p["customer_id"].astype(str)
    p["paid_at"] = pd.to_datetime(p["paid_at"])
    p["amount"] = p["amount"].astype(float)
    p = p[p["paid_at"] <= as_of]
    paid = p.groupby("customer_id")["amount"].sum()
    total = b["customer_id"].map(paid).fillna(0.0).to_numpy(float)
    cum, amount = b["cum"].to_numpy(float), b["amount"].to_numpy(float)
    b["outstanding"] = np.round(np.clip(cum - total, 0.0, amount), 2)
    b["due"] = _due_dates(b["month"])
    b["days_overdue"] = (as_of.normalize() - b["due"]).dt.days.clip(lower=0)
    # when was each bill settled: the first payment whose running total reaches the bill's
    p = p.sort_values(["customer_id", "paid_at"], kind="stable")
    p["cum_paid"] = p.groupby("customer_id")["amount"].cumsum()
    left = b[["customer_id", "cum"]].assign(key=b["cum"] - CENT, row=np.arange(len(b)))
    left = left.sort_values("key", kind="stable")
    right = p[["customer_id", "cum_paid", "paid_at"]].sort_values("cum_paid", kind="stable")
    m = pd.merge_asof(left, right, left_on="key", right_on="cum_paid", by="customer_id",
                      direction="forward")
    settled = pd.Series(pd.NaT, index=range(len(b)), dtype="datetime64[ns]")
    settled.iloc[m["row"].to_numpy()] = pd.to_datetime(m["paid_at"]).to_numpy()
    b["settled_at"] = settled.to_numpy()
    b.loc[b["amount"] <= CENT, "settled_at"] = b.loc[b["amount"] <= CENT, "due"]
    return b


def arrears_of(aged: pd.DataFrame) -> pd.DataFrame:
    """Per customer of :func:`overdue`'s bills: ``overdue_amount``, what is outstanding on
    bills past their due date (a bill not yet due is not arrears), and ``days_overdue`` of the
    oldest; 0 for a customer who owes nothing overdue. The one definition of arrears (the
    card's ageing buckets, the risk list, the key accounts' portfolio)."""
    over = (aged["outstanding"] > 0) & (aged["days_overdue"] >= 1)
    g = aged.assign(over_amt=aged["outstanding"].where(over, 0.0),
                    over_days=aged["days_overdue"].where(over, 0))
    out = g.groupby("customer_id").agg(days_overdue=("over_days", "max"),
                                       overdue_amount=("over_amt", "sum"))
    return out


def _arrears_features(bills: pd.DataFrame, payments: pd.DataFrame,
                      as_of: pd.Timestamp) -> pd.DataFrame:
    b = overdue(bills, payments, as_of)
    today = as_of.normalize()
    out = arrears_of(b)
    # average bill: the last 12 bills with an amount
    recent = b[b["amount"] > 0].groupby("customer_id").tail(12)
    out["avg_bill"] = recent.groupby("customer_id")["amount"].mean()
    out["avg_bill"] = out["avg_bill"].fillna(0.0)
    # late share over bills due in the last 12 months
    due12 = b[(b["due"] < today) & (b["due"] >= today - pd.Timedelta(days=365))]
    late = due12["settled_at"].isna() | (due12["settled_at"].dt.normalize() > due12["due"])
    counts = due12.assign(late=late).groupby("customer_id")["late"].agg(["sum", "count"])
    out["bills_due_12m"] = counts["count"]
    out["late_bills_12m"] = counts["sum"]
    out[["bills_due_12m", "late_bills_12m"]] = out[["bills_due_12m", "late_bills_12m"]].fillna(0)
    out["late_share"] = np.where(out["bills_due_12m"] > 0,
                                 out["late_bills_12m"] / out["bills_due_12m"].clip(lower=1), 0.0)
    # overdue amount 90 days ago (FIFO: max(0, billed and due by then - paid by then))
    then = today - pd.Timedelta(days=90)
    billed_then = b[b["due"] < then].groupby("customer_id")["amount"].sum()
    p = payments[pd.to_datetime(payments["paid_at"]) <= then]
    paid_then = p.groupby("customer_id")["amount"].sum()
    before = (billed_then.reindex(out.index, fill_value=0.0)
              - paid_then.reindex(out.index, fill_value=0.0)).clip(lower=0.0)
    out["overdue_90d_ago"] = before.round(2)
    safe = out["avg_bill"].where(out["avg_bill"] > 0)
    out["overdue_months"] = (out["overdue_amount"] / safe).fillna(0.0)
    out["arrears_growth"] = ((out["overdue_amount"] - out["overdue_90d_ago"]) / safe
                             ).fillna(0.0).clip(lower=0.0)
    out["billed_12m"] = b[b["due"] >= today - pd.Timedelta(days=365 + 61)].groupby(
        "customer_id")["amount"].sum().reindex(out.index, fill_value=0.0)
    return out


# ------------------------------------------------------------------------------ churn
def _churn_features(consumption: pd.DataFrame, complaints: pd.DataFrame | None,
                    as_of: pd.Timestamp, ids: pd.Index) -> pd.DataFrame:
    c = consumption[["customer_id", "month", "kwh"]].copy()
    c["month"] = c["month"].astype(str)
    ended = (pd.Period(as_of, "M") - 1)  # the last month that has ended by as_of
    last = min(pd.Period(c["month"].max(), "M"), ended) if len(c) else ended
    first = pd.Period(c["month"].min(), "M") if len(c) else last
    n_hist = max(0, min((last - first).n + 1, 24))
    months = [str(last - i) for i in range(n_hist - 1, -1, -1)]
    out = pd.DataFrame(index=ids)
    out.index.name = "customer_id"
    for col in ("decline_12", "decline_3", "zero_months", "kwh_ratio_12", "kwh_ratio_3"):
        out[col] = 0.0 if not col.startswith("kwh_ratio") else np.nan
    if n_hist:
        c = c[c["month"].isin(months)]
        m = (c.groupby(["customer_id", "month"])["kwh"].sum().unstack()
             .reindex(index=ids, columns=months))
        # months after the first one with data count as zero when missing (closed, no read)
        started = m.notna().cumsum(axis=1) > 0
        m = m.where(~started, m.fillna(0.0))
        x = m.to_numpy(float)

        def ratio(n: int) -> np.ndarray:
            if n_hist < 12 + n:
                return np.full(len(ids), np.nan)
            recent, before = x[:, -n:], x[:, -12 - n:n_hist - 12]
            rs, bs = recent.sum(axis=1), before.sum(axis=1)
            ok = ~np.isnan(recent).any(axis=1) & ~np.isnan(before).any(axis=1) & (bs > 0)
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.where(ok, rs / bs, np.nan)

        n12 = min(12, max(0, n_hist - 12))
        r12 = ratio(n12) if n12 else np.full(len(ids), np.nan)
        r3 = ratio(3)
        out["kwh_ratio_12"], out["kwh_ratio_3"] = r12, r3
        out["decline_12"] = np.nan_to_num(1 - r12, nan=0.0).clip(0)
        out["decline_3"] = np.nan_to_num(1 - r3, nan=0.0).clip(0)
        last12 = x[:, -12:]
        out["zero_months"] = ((last12 == 0) & ~np.isnan(last12)).sum(axis=1).astype(float)
    out["complaints"] = 0.0
    if complaints is not None and len(complaints):
        when = pd.to_datetime(complaints["opened_at"])
        sel = (when <= as_of) & (when > as_of - pd.Timedelta(days=365))
        n = complaints[sel].groupby("customer_id").size()
        out["complaints"] = n.reindex(ids, fill_value=0).astype(float).to_numpy()
    return out


# ------------------------------------------------------------------------------ scores
def features(consumption: pd.DataFrame, payments: pd.DataFrame,
             complaints: pd.DataFrame | None = None,
             as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """One row per customer of ``consumption`` with every factor's value (and context)."""
    as_of = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp.now().normalize()
    need = {"customer_id", "month", "kwh", "amount"}
    if missing := need - set(consumption.columns):
        raise ValueError(f"consumption needs columns {sorted(need)}; missing {sorted(missing)}")
    need_p = {"customer_id", "paid_at", "amount"}
    if missing := need_p - set(payments.columns):
        raise ValueError(f"payments need columns {sorted(need_p)}; missing {sorted(missing)}")
    cons = consumption.copy()
    cons["month"] = cons["month"].astype(str)
    # a bill exists once its month has ended
    uniq = pd.unique(cons["month"])
    ended = {m: pd.Period(m, "M").end_time < as_of for m in uniq}
    bills = cons[cons["month"].map(ended).astype(bool)] if len(cons) else cons
    ids = pd.Index(sorted(cons["customer_id"].unique()), name="customer_id")
    arr = _arrears_features(bills, payments, as_of).reindex(ids)
    for col in arr.columns:
        arr[col] = arr[col].fillna(0.0)
    churn = _churn_features(cons, complaints, as_of, ids)
    return arr.join(churn)


def score(feats: pd.DataFrame, top: int = 3) -> pd.DataFrame:
    """Add ``<model>_score`` (0-100), ``<model>_top`` (the dominant factor or ''),
    ``<model>_factors`` (the top factors with their points, most first: a tuple of
    ``(factor, points)``, empty without a warning sign) and ``<model>_pts_<factor>`` (each
    factor's points, rounded) per model. :func:`gcrm.customers.words.explain_scores` puts the
    factors into words."""
    out = feats.copy()
    for name, model in MODELS.items():
        s, pts = model.score(feats)
        out[f"{name}_score"] = np.round(s, 1)
        names = list(pts.columns)
        p = pts.to_numpy(float)
        # most points first; ties in the order of the model's factors
        order = np.argsort(-p, axis=1, kind="stable")[:, :top]
        ranked_pts = np.take_along_axis(p, order, axis=1)
        shown = ranked_pts >= MIN_POINTS
        tops: list[str] = [""] * len(p)
        factors: list[tuple[tuple[str, float], ...]] = [()] * len(p)
        for i in np.flatnonzero(shown[:, 0]):  # only customers with a warning sign
            picked = order[i, shown[i]]
            tops[i] = names[picked[0]]
            factors[i] = tuple(zip([names[j] for j in picked],
                                   ranked_pts[i, shown[i]].tolist(), strict=True))
        out[f"{name}_top"] = tops
        out[f"{name}_factors"] = pd.Series(factors, index=out.index, dtype=object)
        for j, factor in enumerate(names):
            out[f"{name}_pts_{factor}"] = np.round(p[:, j], 3)
    return out


def risk_scores(consumption: pd.DataFrame, payments: pd.DataFrame,
                complaints: pd.DataFrame | None = None, as_of: pd.Timestamp | None = None,
                top: int = 3) -> pd.DataFrame:
    """Features, both scores and their top factors, one row per customer (column
    ``customer_id``), in customer order. See :func:`rank` for a list to act on and
    :func:`gcrm.customers.words.risk_scores` for the same with the factors in words."""
    feats = features(consumption, payments, complaints, as_of)
    return score(feats, top).reset_index()


def rank(scores: pd.DataFrame, by: str = "arrears", limit: int | None = None) -> pd.DataFrame:
    """The customers to act on first: highest ``<by>_score``; ties by the money involved
    (overdue amount for arrears, 12 months' bills for churn), then customer id."""
    if by not in MODELS:
        raise ValueError(f"unknown risk {by!r}; expected one of {', '.join(MODELS)}")
    money = "overdue_amount" if by == "arrears" else "billed_12m"
    out = scores.sort_values([f"{by}_score", money, "customer_id"],
                             ascending=[False, False, True], kind="stable")
    out = out.reset_index(drop=True)
    out.insert(0, "rank", range(1, len(out) + 1))
    return out.head(limit) if limit else out


def base_score(model: Model) -> float:
    """The score of a customer with no factor present."""
    return 100.0 / (1.0 + math.exp(-model.intercept))
