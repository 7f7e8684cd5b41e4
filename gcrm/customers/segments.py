"""Load-profile segmentation: cluster customers by the shape of their year, then describe
each cluster (message keys with fields; :mod:`gcrm.customers.words` puts them in words).

Pure functions over one long DataFrame (``consumption``: ``customer_id``, ``month`` YYYY-MM,
``kwh``, optionally ``peak_kwh`` and ``valley_kwh``) and an optional ``classes`` Series
(customer_id -> customer_class). No database, no randomness beyond the given ``seed``.

Features per customer (docs/customers.md)

* **Shape** — 12 numbers, January..December: kWh of the calendar month divided by the mean
  month of the last 12 months (so a flat customer is 1.0 everywhere). When the 12 months
  before are complete too, the shape is the average of both years' shapes (less noise).
* **Time of use** — peak and valley shares of the last 12 months' kWh (weight
  :data:`TOU_WEIGHT`); missing where the meter has no time-of-use registers (then the
  population mean is used, which leaves distances unchanged).
* **Trend** — ``log(kWh of the last L months / kWh of the same L months a year earlier)``,
  ``L = min(12, months of history - 12)`` (weight :data:`TREND_WEIGHT`); 0 when unknown.

Customers need the 12 last months complete with a positive total; the others are counted in
``Segmentation.excluded``. Clustering is k-means (k-means++ start, ``n_init`` seeded restarts,
the lowest inertia wins); segments are numbered by size, largest first.

The words come from the **centroid** (never from single customers) with the rules in
:func:`centroid_phrases`, e.g. "winter-peaking residential, 2.1x heating-season ratio" once
:func:`gcrm.customers.words.name_segments` renders them. No translated text here.

>>> import pandas as pd
>>> months = [f"2025-{m:02d}" for m in range(1, 13)]
>>> flat = [100.0] * 12
>>> winter = [230, 200, 145, 90, 70, 72, 85, 85, 72, 95, 160, 230]
>>> rows = [(f"F{i}", m, v * (1 + i / 100)) for i in range(3) for m, v in zip(months, flat)]
>>> rows += [(f"W{i}", m, v * (1 + i / 100)) for i in range(3) for m, v in zip(months, winter)]
>>> cons = pd.DataFrame(rows, columns=["customer_id", "month", "kwh"])
>>> s = segment(cons, k=2, seed=0)
>>> sorted(s.segments["pattern"])
['flat', 'winter']
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gcrm.vocab import CUSTOMER_CLASSES

#: weight of the peak and valley shares in the distance (the shape's 12 numbers weigh 1 each)
TOU_WEIGHT = 2.0
#: weight of the year-over-year log trend in the distance
TREND_WEIGHT = 2.0
MONTHS = 12
#: above this many customers k-means is fitted on a seeded sample of this size, then every
#: customer is assigned to the nearest centroid (the centroids of a 50,000 sample are stable)
MAX_FIT = 50_000
CLASSES = CUSTOMER_CLASSES

# Rule thresholds for the words (on the centroid). Month indices: 0 = January.
HEATING_MONTHS = (10, 11, 0, 1, 2)  # Nov..Mar, the northern heating season
NON_HEATING_MONTHS = (4, 5, 6, 7, 8)  # May..Sep
SUMMER_MONTHS = (5, 6, 7)  # Jun..Aug
GROWING_MONTHS = (3, 4, 5, 6, 7)  # Apr..Aug
DEEP_WINTER_MONTHS = (10, 11, 0, 1)  # Nov..Feb
HOLIDAY_MONTHS = (1, 6, 7)  # Feb (Spring Festival / winter break), Jul..Aug (summer break)
GROWING_RATIO_MIN = 2.0  # growing season vs deep winter
HOLIDAY_RATIO_MAX = 0.7  # holiday months vs the other months
HEATING_RATIO_MIN = 1.6  # heating season vs May..Sep: winter-peaking
MILD_HEATING_RATIO_MIN = 1.15
SUMMER_RATIO_MIN = 1.08  # Jun..Aug vs the annual mean
FLAT_DEVIATION_MAX = 0.08  # mean absolute deviation of the shape from 1
DECLINE_TREND_MAX = math.log(0.85)  # -15 % year over year
GROWTH_TREND_MIN = math.log(1.15)
VALLEY_SHARE_MIN = 0.35
PEAK_SHARE_MIN = 0.42
MAIN_CLASS_SHARE_MIN = 0.6

#: columns of ``Segmentation.segments`` (:mod:`gcrm.customers.words` adds ``name`` and
#: ``words`` after ``share``)
SEGMENT_COLUMNS = ("segment", "customers", "share", "pattern", "heating_ratio", "summer_ratio",
                   "winter_ratio", "growing_ratio", "holiday_ratio", "deviation", "peak_share",
                   "valley_share", "trend_pct", "main_class", "main_class_share",
                   "median_kwh_month")
PATTERNS = ("growing", "holiday", "winter", "summer", "flat", "mild_winter", "mixed")


@dataclass
class Segmentation:
    """The result of :func:`segment`.

    ``segments``: one row per segment (``segment`` 1..k by size) with ``customers``, ``share``,
    ``pattern``, the centroid's indicators (``heating_ratio``, ``summer_ratio``,
    ``growing_ratio``, ``holiday_ratio``, ``deviation``, ``peak_share``, ``valley_share``,
    ``trend_pct``), ``main_class``/``main_class_share`` and ``median_kwh_month``; ``name`` and
    ``words`` once :func:`gcrm.customers.words.name_segments` has put ``phrases`` (segment ->
    message keys with fields, the name first) into words. ``centroids``: segment x month
    (``Jan``..``Dec``) profile. ``members``: ``customer_id``, ``segment``, ``distance`` to its
    centroid.
    """

    segments: pd.DataFrame
    centroids: pd.DataFrame
    members: pd.DataFrame
    excluded: int
    window: tuple[str, str] | None
    trend_months: int
    inertia: float
    phrases: dict[int, list[tuple[str, dict]]] = field(default_factory=dict)


MONTH_LABELS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                "Dec")


# ------------------------------------------------------------------------------ features
SHAPE_COLUMNS = tuple(f"m{i + 1:02d}" for i in range(MONTHS))
FEATURE_COLUMNS = (*SHAPE_COLUMNS, "peak_share", "valley_share", "trend", "trend_known",
                   "kwh_month")


def _window(last: str, n: int) -> list[str]:
    end = pd.Period(last, "M")
    return [str(end - i) for i in range(n - 1, -1, -1)]


@dataclass(frozen=True)
class _Grid:
    """Where each consumption row goes in a customer x month matrix (the last ``n_hist``
    months, oldest first; customers sorted by id)."""

    codes: np.ndarray  # row of each consumption row
    col: np.ndarray  # column of each consumption row (-1: before the window)
    ids: pd.Index
    months: list[str]

    @classmethod
    def of(cls, consumption: pd.DataFrame) -> _Grid:
        month = consumption["month"].astype(str)
        last = pd.Period(month.max(), "M")
        span = (last - pd.Period(month.min(), "M")).n + 1
        months = _window(str(last), min(span, 2 * MONTHS))
        codes, ids = pd.factorize(consumption["customer_id"], sort=True)
        return cls(codes, pd.Index(months).get_indexer(month), ids, months)

    def matrix(self, values: pd.Series) -> np.ndarray:
        """Customer x month sums of ``values`` (NaN where a month has no value)."""
        n_cust, n_hist = len(self.ids), len(self.months)
        keep = self.col >= 0
        m = np.full((n_cust, n_hist), np.nan)
        v = values.to_numpy(float)[keep]
        r, c = self.codes[keep], self.col[keep]
        m[r, c] = 0.0
        np.add.at(m, (r, c), np.nan_to_num(v))
        has = np.zeros((n_cust, n_hist), bool)
        np.logical_or.at(has, (r, c), ~np.isnan(v))
        m[~has] = np.nan
        return m


def _shape(kwh: np.ndarray, a: np.ndarray, a_total: np.ndarray,
           a_cols: list[str]) -> np.ndarray:
    """The 12-month shape in calendar order, averaged with the year before when complete."""
    shape = a / a_total[:, None] * MONTHS
    if kwh.shape[1] == 2 * MONTHS:
        b = kwh[:, :MONTHS]
        b_total = np.nansum(b, axis=1)
        full_b = ~np.isnan(b).any(axis=1) & (b_total > 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            shape_b = b / b_total[:, None] * MONTHS
        shape = np.where(full_b[:, None], (shape + shape_b) / 2, shape)
    # calendar order: column j of the window is month a_cols[j]
    cal = np.array([pd.Period(m, "M").month - 1 for m in a_cols])
    shaped = np.empty_like(shape)
    shaped[:, cal] = shape
    return shaped


def _trend(kwh: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """(log year-over-year trend, whether it is known, months it compares) per customer."""
    n_hist = kwh.shape[1]
    trend_n = max(0, min(MONTHS, n_hist - MONTHS))
    trend = np.zeros(len(kwh))
    known = np.zeros(len(kwh), bool)
    if trend_n:
        recent = kwh[:, -trend_n:]
        before = kwh[:, -MONTHS - trend_n:n_hist - MONTHS]
        r_sum, b_sum = recent.sum(axis=1), before.sum(axis=1)
        known = ~np.isnan(r_sum) & ~np.isnan(b_sum) & (b_sum > 0) & (r_sum > 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            trend = np.where(known, np.log(r_sum / b_sum), 0.0)
    return trend, known, trend_n


def _tou_share(consumption: pd.DataFrame, column: str, grid: _Grid, ok: np.ndarray,
               a: np.ndarray) -> np.ndarray:
    """Share of the last 12 months' kWh in ``column`` (peak_kwh, valley_kwh), over the months
    that have the register (NaN when none has)."""
    if column not in consumption.columns:
        return np.full(len(a), np.nan)
    p = grid.matrix(consumption[column])[ok][:, -MONTHS:]
    with np.errstate(invalid="ignore", divide="ignore"):
        reg = ~np.isnan(p)
        return np.where(reg.any(axis=1), np.nansum(p, axis=1)
                        / np.where(reg, a, 0).sum(axis=1), np.nan)


def features(consumption: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Per-customer features (index ``customer_id``): ``m01``..``m12`` (shape, calendar
    months), ``peak_share``, ``valley_share``, ``trend``, ``trend_known``, ``kwh_month``;
    plus facts about the window (``window``, ``trend_months``, ``excluded``)."""
    need = {"customer_id", "month", "kwh"}
    if missing := need - set(consumption.columns):
        raise ValueError(f"consumption needs columns {sorted(need)}; missing {sorted(missing)}")
    empty = pd.DataFrame(columns=list(FEATURE_COLUMNS), dtype=float)
    empty.index.name = "customer_id"
    if consumption.empty:
        return empty, {"window": None, "trend_months": 0, "excluded": 0}
    grid = _Grid.of(consumption)
    n_cust = len(grid.ids)
    if len(grid.months) < MONTHS:
        return empty, {"window": None, "trend_months": 0, "excluded": int(n_cust)}
    kwh = grid.matrix(consumption["kwh"])
    a = kwh[:, -MONTHS:]
    a_cols = grid.months[-MONTHS:]
    window = (a_cols[0], a_cols[-1])
    a_total = np.nansum(a, axis=1)
    ok = ~np.isnan(a).any(axis=1) & (a_total > 0)
    if not ok.any():
        return empty, {"window": window, "trend_months": 0, "excluded": int(n_cust)}
    kwh, a, a_total = kwh[ok], a[ok], a_total[ok]
    out = pd.DataFrame(_shape(kwh, a, a_total, a_cols),
                       index=pd.Index(grid.ids[ok], name="customer_id"),
                       columns=list(SHAPE_COLUMNS))
    for part in ("peak", "valley"):
        out[f"{part}_share"] = _tou_share(consumption, f"{part}_kwh", grid, ok, a)
    trend, known, trend_n = _trend(kwh)
    out["trend"] = trend
    out["trend_known"] = known
    out["kwh_month"] = a_total / MONTHS
    return out, {"window": window, "trend_months": trend_n,
                 "excluded": int(n_cust - int(ok.sum()))}


def _matrix(feat: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """The clustering matrix: shape, weighted TOU shares (mean-imputed), weighted trend."""
    cols = list(SHAPE_COLUMNS)
    parts = [feat[cols].to_numpy(float)]
    names = list(cols)
    for c in ("peak_share", "valley_share"):
        v = feat[c].to_numpy(float)
        if np.isnan(v).all():
            continue  # no time-of-use data at all: leave the feature out
        v = np.where(np.isnan(v), np.nanmean(v), v)
        parts.append(TOU_WEIGHT * v[:, None])
        names.append(c)
    if feat["trend_known"].any():
        parts.append(TREND_WEIGHT * feat["trend"].to_numpy(float)[:, None])
        names.append("trend")
    return np.hstack(parts), names


# ------------------------------------------------------------------------------ k-means
def _kmeans_pp(x: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    n = len(x)
    centers = [x[rng.integers(n)]]
    d2 = ((x - centers[0]) ** 2).sum(axis=1)
    for _ in range(1, k):
        total = d2.sum()
        i = int(rng.choice(n, p=d2 / total)) if total > 0 else int(rng.integers(n))
        centers.append(x[i])
        d2 = np.minimum(d2, ((x - x[i]) ** 2).sum(axis=1))
    return np.array(centers)


def _sqdist(x: np.ndarray, c: np.ndarray) -> np.ndarray:
    # one center at a time: exact, and no BLAS threads fighting over a few microseconds of work
    return np.stack([((x - cj) ** 2).sum(axis=1) for cj in c], axis=1)


def _means(x: np.ndarray, labels: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    counts = np.bincount(labels, minlength=k)
    sums = np.stack([np.bincount(labels, weights=x[:, f], minlength=k)
                     for f in range(x.shape[1])], axis=1)
    return sums / np.maximum(counts, 1)[:, None], counts


def kmeans(x: np.ndarray, k: int, seed: int = 0, n_init: int = 4, max_iter: int = 100,
           tol: float = 1e-5) -> tuple[np.ndarray, np.ndarray, float]:
    """Lloyd's k-means with k-means++ starts; the best of ``n_init`` seeded runs.

    Returns (labels 0..k-1, centroids k x d, inertia). Deterministic for a given ``seed``.
    A run stops when no label changes or the inertia improves by less than ``tol``
    (relative). An emptied cluster is restarted at the point farthest from its centroid.
    """
    x = np.asarray(x, float)
    n = len(x)
    if not 1 <= k <= n:
        raise ValueError(f"k must be between 1 and the number of customers ({n}), got {k}")
    rng = np.random.default_rng(seed)
    rows = np.arange(n)
    best: tuple[np.ndarray, np.ndarray, float] | None = None
    for _ in range(max(1, n_init)):
        c = _kmeans_pp(x, k, rng)
        labels = np.full(n, -1)
        inertia = np.inf
        for _ in range(max_iter):
            d = _sqdist(x, c)
            new = d.argmin(axis=1)
            now = float(d[rows, new].sum())
            done = np.array_equal(new, labels) or inertia - now <= tol * max(now, 1e-12)
            labels, inertia = new, now
            if done:
                break
            c, counts = _means(x, labels, k)
            for j in np.flatnonzero(counts == 0):  # restart an empty cluster
                far = int(d[rows, labels].argmax())
                c[j] = x[far]
                labels[far] = j
        inertia = float(_sqdist(x, c)[rows, labels].sum())
        if best is None or inertia < best[2] - 1e-9:
            best = (labels.copy(), c.copy(), inertia)
    assert best is not None
    return best


# ------------------------------------------------------------------------------ words
def _mean(shape: np.ndarray, idx: tuple[int, ...]) -> float:
    return float(np.mean(shape[list(idx)]))


def indicators(shape: np.ndarray) -> dict[str, float]:
    """The centroid's seasonal indicators from its 12-month shape (January first)."""
    shape = np.asarray(shape, float)
    others = tuple(i for i in range(MONTHS) if i not in HOLIDAY_MONTHS)
    return {
        "heating_ratio": _mean(shape, HEATING_MONTHS) / _mean(shape, NON_HEATING_MONTHS),
        "summer_ratio": _mean(shape, SUMMER_MONTHS) / float(np.mean(shape)),
        "winter_ratio": _mean(shape, HEATING_MONTHS) / float(np.mean(shape)),
        "growing_ratio": _mean(shape, GROWING_MONTHS) / _mean(shape, DEEP_WINTER_MONTHS),
        "holiday_ratio": _mean(shape, HOLIDAY_MONTHS) / _mean(shape, others),
        "deviation": float(np.mean(np.abs(shape / np.mean(shape) - 1))),
    }


def pattern_of(ind: dict[str, float]) -> str:
    """The primary pattern: the first rule that holds (order of :data:`PATTERNS`)."""
    if ind["growing_ratio"] >= GROWING_RATIO_MIN:
        return "growing"
    if ind["holiday_ratio"] <= HOLIDAY_RATIO_MAX:
        return "holiday"
    if ind["heating_ratio"] >= HEATING_RATIO_MIN:
        return "winter"
    if ind["summer_ratio"] >= SUMMER_RATIO_MIN and ind["summer_ratio"] >= ind["winter_ratio"]:
        return "summer"
    if ind["deviation"] <= FLAT_DEVIATION_MAX:
        return "flat"
    if ind["heating_ratio"] >= MILD_HEATING_RATIO_MIN:
        return "mild_winter"
    return "mixed"


def centroid_phrases(ind: dict[str, float], peak_share: float | None,
                     valley_share: float | None, trend: float | None,
                     main_class: str | None, main_share: float) -> list[tuple[str, dict]]:
    """The words of one segment as message keys with fields (rendered by
    :func:`gcrm.customers.words.render`).

    The first phrase is the name; then the numbers behind the pattern, the trend and time of
    use when they stand out.
    """
    pattern = pattern_of(ind)
    who_key = (f"cust.seg.class.{main_class}" if main_class and main_share >= MAIN_CLASS_SHARE_MIN
               else "cust.seg.class.mixed")
    declining = trend is not None and trend <= DECLINE_TREND_MAX
    name_key = "cust.seg.name.declining" if declining else "cust.seg.name"
    out: list[tuple[str, dict]] = [(name_key, {"pattern": f"cust.seg.pattern.{pattern}",
                                               "who": who_key})]
    detail = {
        "growing": ("cust.seg.why.growing", {"x": f"{ind['growing_ratio']:.1f}"}),
        "holiday": ("cust.seg.why.holiday", {"x": f"{ind['holiday_ratio']:.2f}"}),
        "winter": ("cust.seg.why.heating", {"x": f"{ind['heating_ratio']:.1f}"}),
        "mild_winter": ("cust.seg.why.heating", {"x": f"{ind['heating_ratio']:.1f}"}),
        "summer": ("cust.seg.why.summer", {"x": f"{ind['summer_ratio']:.2f}"}),
        "flat": ("cust.seg.why.flat", {"pct": f"{ind['deviation'] * 100:.0f}"}),
        "mixed": ("cust.seg.why.mixed", {"pct": f"{ind['deviation'] * 100:.0f}"}),
    }[pattern]
    out.append(detail)
    if main_class and main_share >= MAIN_CLASS_SHARE_MIN:
        out.append(("cust.seg.why.class", {"cls": f"cust.seg.class.{main_class}",
                                           "pct": f"{main_share * 100:.0f}"}))
    if trend is not None and trend <= DECLINE_TREND_MAX:
        out.append(("cust.seg.why.declining", {"pct": f"{(1 - math.exp(trend)) * 100:.0f}"}))
    elif trend is not None and trend >= GROWTH_TREND_MIN:
        out.append(("cust.seg.why.growing_trend", {"pct": f"{(math.exp(trend) - 1) * 100:.0f}"}))
    if valley_share is not None and not math.isnan(valley_share) \
            and valley_share >= VALLEY_SHARE_MIN:
        out.append(("cust.seg.why.valley", {"pct": f"{valley_share * 100:.0f}"}))
    if peak_share is not None and not math.isnan(peak_share) and peak_share >= PEAK_SHARE_MIN:
        out.append(("cust.seg.why.peak", {"pct": f"{peak_share * 100:.0f}"}))
    return out


# ------------------------------------------------------------------------------ segment
#: what :func:`_describe` gives for one cluster: (indicators row, phrases, centroid shape)
Described = tuple[dict, list[tuple[str, dict]], np.ndarray]


def _fit_labels(x: np.ndarray, k: int, seed: int, n_init: int) -> np.ndarray:
    """k-means labels of every row of ``x`` (fitted on a seeded sample above :data:`MAX_FIT`
    rows, then every row goes to the nearest centroid)."""
    if len(x) > MAX_FIT:
        fit = np.sort(np.random.default_rng(seed).choice(len(x), MAX_FIT, replace=False))
        _labels, centers, _inertia = kmeans(x[fit], k, seed=seed, n_init=n_init)
        return _sqdist(x, centers).argmin(axis=1)
    labels, _centers, _inertia = kmeans(x, k, seed=seed, n_init=n_init)
    return labels


def _describe(feat: pd.DataFrame, shapes: np.ndarray, cls: pd.Series | None,
              sel: np.ndarray) -> Described:
    """The centroid of the customers ``sel``: its indicators, main class and phrases."""
    sub = feat[sel]
    shape = shapes[sel].mean(axis=0)
    ind = indicators(shape)
    peak = float(sub["peak_share"].mean()) if sub["peak_share"].notna().any() else None
    valley = float(sub["valley_share"].mean()) if sub["valley_share"].notna().any() else None
    known = sub["trend_known"].to_numpy(bool)
    trend = float(sub["trend"].to_numpy(float)[known].mean()) if known.any() else None
    main, main_share = None, 0.0
    if cls is not None and cls[sel].notna().any():
        counts = cls[sel].value_counts()
        main, main_share = str(counts.index[0]), float(counts.iloc[0] / sel.sum())
    ph = centroid_phrases(ind, peak, valley, trend, main, main_share)
    row = {"pattern": pattern_of(ind), **{k: round(v, 4) for k, v in ind.items()},
           "peak_share": peak, "valley_share": valley,
           "trend_pct": None if trend is None else (math.exp(trend) - 1) * 100,
           "main_class": main, "main_class_share": main_share,
           "median_kwh_month": float(sub["kwh_month"].median())}
    return row, ph, shape


def _join_same_names(feat: pd.DataFrame, cls: pd.Series | None,
                     labels: np.ndarray) -> dict[int, Described]:
    """k-means may split one homogeneous group by noise: clusters whose phrases give the same
    name are one segment (so k is an upper bound). Relabels ``labels`` in place until every
    name is distinct; returns each remaining cluster's description."""
    shapes = feat[list(SHAPE_COLUMNS)].to_numpy(float)
    while True:
        described = {j: _describe(feat, shapes, cls, labels == j) for j in np.unique(labels)}
        by_name: dict[tuple, list[int]] = {}
        for j, (_row, ph, _shape) in described.items():
            key, fields = ph[0]
            by_name.setdefault((key, tuple(sorted(fields.items()))), []).append(int(j))
        groups = [g for g in by_name.values() if len(g) > 1]
        if not groups:
            return described
        for g in groups:
            labels[np.isin(labels, g)] = g[0]


def _typed_empty(columns: Sequence[str], text: Sequence[str] = (),
                 whole: Sequence[str] = ()) -> pd.DataFrame:
    """An empty frame whose columns have the dtypes a filled one has (numbers stay numbers)."""
    def dtype(c: str) -> str:
        return "object" if c in text else "int64" if c in whole else "float64"
    return pd.DataFrame({c: pd.Series(dtype=dtype(c)) for c in columns})


def _empty(info: dict) -> Segmentation:
    return Segmentation(_typed_empty(SEGMENT_COLUMNS, text=("pattern", "main_class"),
                                     whole=("segment", "customers")),
                        _typed_empty(MONTH_LABELS),
                        _typed_empty(("customer_id", "segment", "distance"),
                                     text=("customer_id",), whole=("segment",)),
                        info["excluded"], info["window"], info["trend_months"], 0.0)


def segment(consumption: pd.DataFrame, classes: pd.Series | None = None, k: int = 6,
            seed: int = 0, n_init: int = 4) -> Segmentation:
    """Cluster the customers' load profiles into ``k`` segments and describe each one.

    Parameters
    ----------
    consumption : DataFrame
        ``customer_id``, ``month`` (YYYY-MM), ``kwh``; optional ``peak_kwh``, ``valley_kwh``.
        The last 12 months (up to the latest month present) are the shape window; up to 12
        earlier months are used for the trend and to smooth the shape.
    classes : Series, optional
        customer_id -> customer class, for the segment's main class.
    k : int
        Number of k-means clusters, an upper bound on the segments: clusters whose phrases
        give the same name are reported as one segment (k-means splits a big homogeneous
        group by noise). Reduced to the number of eligible customers when fewer.
    seed, n_init : int
        Seed of the k-means++ starts and the number of restarts.

    Each segment's words are message keys with fields (``Segmentation.phrases``):
    :func:`gcrm.customers.words.name_segments` adds ``name`` and ``words`` in a language.
    """
    if not 1 <= int(k) <= 20:
        raise ValueError(f"k must be between 1 and 20, got {k}")
    feat, info = features(consumption)
    if feat.empty:
        return _empty(info)
    x, _names = _matrix(feat)
    labels = _fit_labels(x, min(int(k), len(x)), seed, n_init)
    cls = None if classes is None else pd.Series(classes).reindex(feat.index)
    described = _join_same_names(feat, cls, labels)
    return _numbered(feat, x, labels, described, info)


def _numbered(feat: pd.DataFrame, x: np.ndarray, labels: np.ndarray,
              described: dict[int, Described], info: dict) -> Segmentation:
    """The segmentation with segments numbered by size (largest first), ties by centroid."""
    sizes = {j: int((labels == j).sum()) for j in described}
    order = sorted(described, key=lambda j: (-sizes[j], *np.round(described[j][2], 9)))
    seg_no = np.zeros(len(labels), int)
    centers = np.zeros((len(order), x.shape[1]))
    for new, old in enumerate(order):
        seg_no[labels == old] = new + 1
        centers[new] = x[labels == old].mean(axis=0)
    dist = np.sqrt(((x - centers[seg_no - 1]) ** 2).sum(axis=1))
    members = pd.DataFrame({"customer_id": feat.index.to_numpy(), "segment": seg_no,
                            "distance": dist})
    n = len(feat)
    rows, prof, phrases = [], [], {}
    for s, old in enumerate(order, start=1):
        row, ph, shape = described[old]
        phrases[s] = ph
        rows.append({"segment": s, "customers": sizes[old], "share": sizes[old] / n, **row})
        prof.append(shape)
    centroids = pd.DataFrame(prof, columns=list(MONTH_LABELS),
                             index=pd.Index(range(1, len(order) + 1), name="segment"))
    inertia = float((dist ** 2).sum())
    return Segmentation(pd.DataFrame(rows, columns=list(SEGMENT_COLUMNS)), centroids, members,
                        info["excluded"], info["window"], info["trend_months"], inertia,
                        phrases)
