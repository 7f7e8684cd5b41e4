"""Theft suspicion: a customer's drop that its transformer area's loss mirrors (pure kernel).

Explainable features per customer, computed for every customer at once (numpy):

1. **Change point against its own history and its peers.** Bills are divided by the peer
   index of the customer's class in its district (the seasonal shape of that group), then the
   month ``s`` that best splits the customer's adjusted history into a higher "before" (up to
   12 months) and a lower "after" (to the month assessed) is found by the mean-shift
   statistic (a two-sample t of the split). ``drop`` = 1 - after / before; ``drop_kwh`` = the
   kWh a month missing against the customer's own expectation.
2. **Energy balance** (同期线损): the rise of the transformer area's loss (supplied - billed)
   from month ``s`` against the months before, ``area_rise_kwh``; ``match`` = rise /
   drop_kwh (a thief's unbilled energy still flows through the area's supply meter, a
   move-out's does not) and ``z`` its significance against the area's month-to-month noise.
3. **Innocent explanations**: a vacancy recorded from about that month, the same months
   last year as low (seasonal use), or no rise of the area's loss (a move-out).

Evidence = 30 x strength of the drop + 70 x match x significance, times 0.2 when an innocent
explanation holds. Significance grows linearly with ``z`` up to z = 4 and keeps growing (by
the logarithm) beyond, so stronger evidence always counts; only the final score is bounded:
score = 100 x (1 - exp(-evidence / :data:`SCALE`)), in 0-100, never saturating (the top
suspects used to tie at 100). The naive baseline ranks by ``drop`` alone
(:func:`naive_rank`); ``bench/theft_precision.py`` measures both.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: fewest customers of a (class, district) group for its own peer index; else the class's
MIN_PEERS = 20
#: a drop smaller than this is not listed
MIN_DROP = 0.2
#: the "before" window of the change point, months
BEFORE = 12
#: months each side of a change in which the area's loss step is measured
STEP = 3
#: evidence at which the score reaches 1 - 1/e (63): full drop, match and z = 4 give 81
SCALE = 60.0
#: how much significance grows past z = 4, per e-fold of the excess
SIG_GROWTH = 0.3


@dataclass(frozen=True)
class Inputs:
    """What the kernel needs, already scoped: bills (customers x months, NaN = no bill),
    per-customer facts, area losses (transformers x months, NaN = no reading) and the
    month index of a recorded vacancy per customer (absent: none)."""

    bills: pd.DataFrame  # index customer_id, columns months (ascending)
    customers: pd.DataFrame  # index customer_id: customer_class, district_id, transformer_id
    area_loss: pd.DataFrame  # index transformer_id, columns the same months
    area_supply: pd.DataFrame  # the same shape: supplied kWh
    vacancy: pd.Series  # index customer_id -> first month (YYYY-MM) with a recorded vacancy


def _peer_index(b: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Seasonal index per customer-month: its group's mean bill that month / overall mean."""
    idx = np.ones_like(b)
    for g in np.unique(groups):
        rows = groups == g
        with np.errstate(invalid="ignore", divide="ignore"):
            per = np.nanmean(b[rows], axis=0)
            idx[rows] = per / np.nanmean(per)
    return np.where(np.isfinite(idx) & (idx > 0), idx, 1.0)


def _groups(cust: pd.DataFrame) -> np.ndarray:
    key = cust["customer_class"].astype(str) + "|" + cust["district_id"].fillna("").astype(str)
    small = key.map(key.value_counts()) < MIN_PEERS
    return np.where(small, cust["customer_class"].astype(str), key)


def _change_point(r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Best split month and its statistic per row of the adjusted series ``r``."""
    n, t = r.shape
    best_s = np.full(n, -1)
    best = np.full(n, -np.inf)
    for s in range(2, t - 1):
        pre = r[:, max(0, s - BEFORE):s]
        post = r[:, s:]
        with np.errstate(invalid="ignore", divide="ignore"):
            mp, mq = np.nanmean(pre, 1), np.nanmean(post, 1)
            npre, npost = np.sum(~np.isnan(pre), 1), np.sum(~np.isnan(post), 1)
            sd = np.sqrt((np.nansum((pre - mp[:, None]) ** 2, 1)
                          + np.nansum((post - mq[:, None]) ** 2, 1)) / np.maximum(
                npre + npost - 2, 1))
            stat = (mp - mq) / (sd + 0.05 * np.abs(mp) + 1e-9) \
                * np.sqrt(npre * npost / np.maximum(npre + npost, 1))
        stat = np.where((npre >= 2) & (npost >= 2), stat, -np.inf)
        better = stat > best
        best_s[better], best[better] = s, stat[better]
    return best_s, best


def _split_means(x: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean of each row before (up to BEFORE months) and from its split ``s``."""
    t = x.shape[1]
    cols = np.arange(t)[None]
    pre_mask = (cols < s[:, None]) & (cols >= (s - BEFORE)[:, None])
    post_mask = cols >= s[:, None]
    with np.errstate(invalid="ignore"):
        pre = np.nanmean(np.where(pre_mask, x, np.nan), 1)
        post = np.nanmean(np.where(post_mask, x, np.nan), 1)
    return pre, post


def features(inp: Inputs) -> pd.DataFrame:
    """One row per customer with a drop: the change point and the balance features."""
    with warnings.catch_warnings():  # all-NaN slices (short histories) give NaN, on purpose
        warnings.simplefilter("ignore", RuntimeWarning)
        return _features(inp)


def _features(inp: Inputs) -> pd.DataFrame:
    bills = inp.bills
    cust = inp.customers.reindex(bills.index)
    b = bills.to_numpy(float)
    if b.shape[1] < 4 or not len(b):
        return pd.DataFrame()
    idx = _peer_index(b, _groups(cust))
    r = b / idx
    s, stat = _change_point(r)
    ok = s > 0
    s_safe = np.where(ok, s, 1)
    pre, post = _split_means(r, s_safe)
    with np.errstate(invalid="ignore", divide="ignore"):
        drop = np.where(pre > 0, 1 - post / pre, np.nan)
    months = list(bills.columns)
    expected_post = pre[:, None] * idx
    cols = np.arange(b.shape[1])[None]
    post_mask = cols >= s_safe[:, None]
    with np.errstate(invalid="ignore"):
        drop_kwh = np.nanmean(np.where(post_mask, expected_post - b, np.nan), 1)
    out = pd.DataFrame({
        "customer_id": bills.index, "change_index": s_safe, "change_month":
        [months[i] for i in s_safe], "drop": drop, "drop_kwh": drop_kwh, "stat": stat,
        "months_after": b.shape[1] - s_safe,
        "zero_months": np.sum(post_mask & (b <= 0), 1),
        "transformer_id": cust["transformer_id"].to_numpy(),
    })
    out = out[ok & (out["drop"] >= MIN_DROP) & (out["drop_kwh"] > 0)]
    out = _balance(out, inp.area_loss.reindex(columns=months),
                   inp.area_supply.reindex(columns=months))
    out = _innocent(out, bills.loc[out["customer_id"]].to_numpy(float), inp.vacancy, months)
    return out.reset_index(drop=True)


def _window(t: int, s: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Mask of the months ``s+lo <= month < s+hi`` of each row."""
    cols = np.arange(t)[None]
    return (cols >= (s + lo)[:, None]) & (cols < (s + hi)[:, None])


def _masked_mean(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nanmean(np.where(mask, x, np.nan), 1)


def _balance(out: pd.DataFrame, loss: pd.DataFrame, supply: pd.DataFrame) -> pd.DataFrame:
    """The step of the area's loss *rate* at the customer's change month (the months just
    before against just after, :data:`STEP` each), in kWh a month at the area's supply, and
    its significance against the area's month-to-month noise before the change."""
    tid = out["transformer_id"]
    lk = loss.reindex(tid).to_numpy(float)
    sk = supply.reindex(tid).to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(sk > 0, lk / sk, np.nan)
    s = out["change_index"].to_numpy()
    t = rate.shape[1]
    pre, post = _window(t, s, -STEP, 0), _window(t, s, 0, STEP)
    hist = _window(t, s, -BEFORE, 0)
    r_pre, r_post = _masked_mean(rate, pre), _masked_mean(rate, post)
    s_post = _masked_mean(sk, post)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(_masked_mean((rate - _masked_mean(rate, hist)[:, None]) ** 2, hist))
        npre = np.sum(pre & ~np.isnan(rate), 1)
        npost = np.sum(post & ~np.isnan(rate), 1)
        se = np.maximum(sd, 0.002) * np.sqrt(1 / np.maximum(npre, 1) + 1 / np.maximum(npost, 1))
        rise = (r_post - r_pre) * s_post
        out = out.assign(area_rise_kwh=rise, z=(r_post - r_pre) / se,
                         match=rise / out["drop_kwh"].to_numpy())
    known = (npre >= 1) & (npost >= 1)
    out.loc[~known, ["area_rise_kwh", "z", "match"]] = np.nan
    return out


def _innocent(out: pd.DataFrame, b: np.ndarray, vacancy: pd.Series,
              months: list[str]) -> pd.DataFrame:
    """Flags: a recorded vacancy, seasonal use (same months last year as low), a move-out."""
    s = out["change_index"].to_numpy()
    t = b.shape[1]
    cols = np.arange(t)[None]
    post = cols >= s[:, None]
    last = np.full_like(b, np.nan)
    if t > 12:
        last[:, 12:] = b[:, :-12]
    yoy_known = np.sum(post & ~np.isnan(last), 1) > 0
    # like for like: the months after the change that have a last year
    with np.errstate(invalid="ignore", divide="ignore"):
        num = np.nansum(np.where(post & ~np.isnan(last), b, 0), 1)
        den = np.nansum(np.where(post & ~np.isnan(last), last, 0), 1)
        yoy_drop = np.where(yoy_known & (den > 0), 1 - num / den, np.nan)
    vac = vacancy.reindex(out["customer_id"]).to_numpy(object)
    first_after = np.array([months[max(0, i - 1)] for i in s])
    vacant = np.array([isinstance(v, str) and v >= f for v, f in zip(vac, first_after,
                                                                     strict=True)])
    seasonal = yoy_known & (yoy_drop < np.minimum(0.2, out["drop"].to_numpy() / 2))
    move_out = (out["drop"].to_numpy() > 0.85) & ~(out["z"].to_numpy() > 2)
    return out.assign(yoy_drop=yoy_drop, vacancy_month=vac, vacancy=vacant,
                      seasonal=seasonal, move_out=move_out)


def significance(z: np.ndarray) -> np.ndarray:
    """0 up to z = 1.5, linear to 1 at z = 4, then 1 + :data:`SIG_GROWTH` x ln of the excess
    (continuous and increasing: no cap).

    >>> significance(np.array([0.0, 2.75, 4.0, 1.5 + 2.5 * np.e])).round(2).tolist()
    [0.0, 0.5, 1.0, 1.3]
    """
    x = np.clip((np.nan_to_num(np.asarray(z, float)) - 1.5) / 2.5, 0, None)
    return np.where(x <= 1, x, 1 + SIG_GROWTH * np.log(np.maximum(x, 1)))


def score(f: pd.DataFrame) -> pd.Series:
    """0-100 from the features (see the module docstring): continuous in the evidence,
    bounded only at the end."""
    if f.empty:
        return pd.Series(dtype=float)
    strength = np.sqrt(np.clip(f["drop"] / 0.6, 0, 1))
    m = f["match"].fillna(0)
    # the area rose far more than this customer explains: something else did it
    match = np.where(m > 2, 2 / m, np.clip(m, 0, 1))
    evidence = 30 * strength + 70 * match * significance(f["z"].to_numpy(float))
    innocent = f["vacancy"] | f["seasonal"]
    evidence = evidence * np.where(innocent, 0.2, 1.0)
    return pd.Series(100 * (1 - np.exp(-evidence / SCALE)), index=f.index).round(1)


def rank(f: pd.DataFrame) -> pd.DataFrame:
    """Features with ``score``, highest first (ties: larger missing kWh first)."""
    if f.empty:
        return f.assign(score=pd.Series(dtype=float))
    return f.assign(score=score(f)).sort_values(["score", "drop_kwh"],
                                                ascending=False, kind="stable")


def naive_rank(f: pd.DataFrame) -> pd.DataFrame:
    """The naive baseline: biggest relative drop first."""
    return f.sort_values(["drop", "drop_kwh"], ascending=False, kind="stable")
