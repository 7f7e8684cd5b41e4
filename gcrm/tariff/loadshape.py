"""How much load could move: seasonal swing and valley headroom, from monthly energy.

* **seasonal swing** of a group over a period: ``(max - min) / mean`` of its monthly kWh
  (0 = flat all year; 1.5 = a winter-heating home);
* **valley headroom**: the kWh that would have to move from peak to valley hours to make the
  two equal, ``max(0, (peak - valley) / 2)``; as a share of the group's kWh it says how
  lopsided towards the peak the consumption is.

Pure pandas over a frame with one row per group and month.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def swing(monthly: pd.DataFrame, keys: list[str], value: str = "kwh") -> pd.Series:
    """Seasonal swing per group of ``keys`` from rows (keys..., month, value)."""
    g = monthly.groupby(keys, dropna=False, sort=False)[value]
    mean = g.mean()
    return ((g.max() - g.min()) / mean.where(mean > 0)).rename("seasonal_swing")


def headroom(peak_kwh, valley_kwh) -> np.ndarray:
    """Valley headroom (kWh): half the excess of peak over valley energy, at least 0."""
    p = np.asarray(peak_kwh, dtype=float)
    v = np.asarray(valley_kwh, dtype=float)
    return np.maximum(0.0, (p - v) / 2)
