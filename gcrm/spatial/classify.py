"""Class breaks for choropleth maps: quantile, equal interval and natural breaks (Fisher-Jenks).

Pure functions over a list of numbers. :func:`breaks` returns the class edges
``(b0, b1, ..., bk)`` with ``b0`` the minimum and ``bk`` the maximum: class ``i`` holds the values
``v`` with ``b(i) < v <= b(i+1)`` (the first class also holds ``b0``). Null and NaN values are
ignored; fewer classes come back when there are fewer distinct values than asked for.

*Natural breaks* is the exact Fisher-Jenks optimum: the partition of the sorted values into ``k``
contiguous groups with the least total within-class sum of squared deviations, found by dynamic
programming (Fisher 1958; the classification ArcGIS and ``mapclassify`` call "natural breaks").
Above :data:`JENKS_MAX` values the optimum is computed on that many evenly spaced order
statistics (the approach ``mapclassify.FisherJenksSampled`` takes, deterministic here).

>>> breaks([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "equal_interval", 3)
(1.0, 4.0, 7.0, 10.0)
>>> breaks([1, 2, 3, 10, 11, 12, 30, 31, 32], "natural", 3)
(1.0, 3.0, 12.0, 32.0)
>>> breaks([1, 2, 3, 4, 5, 6, 7, 8], "quantile", 4)
(1.0, 2.0, 4.0, 6.0, 8.0)
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

METHODS: tuple[str, ...] = ("quantile", "natural", "equal_interval")
JENKS_MAX = 2000


def _clean(values: Iterable[float | None]) -> np.ndarray:
    out = []
    for v in values:
        if v is None:
            continue
        f = float(v)
        if not math.isnan(f):
            out.append(f)
    return np.sort(np.asarray(out, dtype=float))


def breaks(values: Iterable[float | None], method: str = "quantile",
           k: int = 5) -> tuple[float, ...]:
    """Class edges of ``values`` by ``method`` (one of :data:`METHODS`), at most ``k`` classes.

    No values give ``(0.0, 0.0)``; a single distinct value ``(v, v)``.
    """
    if method not in METHODS:
        raise ValueError(f"unknown classification {method!r}; expected one of "
                         f"{', '.join(METHODS)}")
    if k < 1:
        raise ValueError(f"the number of classes must be at least 1, got {k}")
    x = _clean(values)
    if x.size == 0:
        return (0.0, 0.0)
    lo, hi = float(x[0]), float(x[-1])
    if lo == hi:
        return (lo, hi)
    if method == "equal_interval":
        step = (hi - lo) / k
        return (lo, *(lo + step * i for i in range(1, k)), hi)
    inner = _quantile_cuts(x, k) if method == "quantile" else _jenks_cuts(x, k)
    cuts: list[float] = []
    for c in inner:  # a cut equal to the minimum is a class of the minimum alone
        if lo <= c < hi and (not cuts or c > cuts[-1]):
            cuts.append(float(c))
    return (lo, *cuts, hi)


def _quantile_cuts(x: np.ndarray, k: int) -> list[float]:
    """Upper edges of classes holding (about) equal counts: the ceil(i*n/k)-th order statistic."""
    n = x.size
    return [float(x[min(n - 1, math.ceil(i * n / k) - 1)]) for i in range(1, k)]


def _jenks_cuts(x: np.ndarray, k: int) -> list[float]:
    """Upper edges of the first k-1 classes of the Fisher-Jenks optimum of the sorted ``x``."""
    if x.size > JENKS_MAX:  # evenly spaced order statistics, ends included
        x = x[np.linspace(0, x.size - 1, JENKS_MAX).round().astype(int)]
    n = x.size
    k = min(k, int(np.unique(x).size))
    if k <= 1:
        return []
    s1 = np.concatenate([[0.0], np.cumsum(x)])
    s2 = np.concatenate([[0.0], np.cumsum(x * x)])

    def ssd(i: np.ndarray, j: int) -> np.ndarray:
        """Sum of squared deviations of x[i..j] (inclusive) for every start i in ``i``."""
        cnt = j - i + 1
        tot = s1[j + 1] - s1[i]
        return (s2[j + 1] - s2[i]) - tot * tot / cnt

    # cost[c][j]: least SSD of x[0..j] in c+1 classes; start[c][j]: first index of the last one
    cost = np.full((k, n), np.inf)
    start = np.zeros((k, n), dtype=int)
    ends = np.arange(n)
    cost[0] = s2[ends + 1] - s1[ends + 1] ** 2 / (ends + 1)
    for c in range(1, k):
        for j in range(c, n):
            i = np.arange(c, j + 1)  # the last class is x[i..j]
            total = cost[c - 1][i - 1] + ssd(i, j)
            best = int(np.argmin(total))
            cost[c][j] = total[best]
            start[c][j] = i[best]
    cuts = []
    j = n - 1
    for c in range(k - 1, 0, -1):
        i = start[c][j]
        cuts.append(float(x[i - 1]))
        j = i - 1
    return sorted(cuts)


def class_of(value: float | None, edges: tuple[float, ...]) -> int | None:
    """Index of the class of ``value`` in ``edges`` (None for null/NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    for i in range(len(edges) - 1):
        if value <= edges[i + 1]:
            return i
    return len(edges) - 2
