"""The policy check of a scenario: China's time-of-use rules (NDRC 发改价格〔2021〕1093号).

Where the system's peak-valley gap exceeds 40 % the peak/valley price ratio should be at least
4:1, elsewhere at least 3:1; a critical-peak price should be at least 20 % above the peak
price. The gap of an area is estimated from its energy per period: the average load of the
peak hours against that of the valley hours, ``(L_peak - L_valley) / L_peak`` with
``L = kWh / hours of the period`` (a proxy: the warehouse has no load curves).

Pure: numbers in, a table of findings out (codes, no translated text).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gcrm.tariff.scenario import Scenario

#: the gap above which the higher ratio applies (NDRC 1093: 40 %)
GAP_THRESHOLD = 0.40
#: minimum peak/valley ratios above and below the threshold
RATIO_HIGH, RATIO_LOW = 4.0, 3.0
#: minimum uplift of the critical-peak price over the peak price (20 %)
CRITICAL_UPLIFT = 0.20


def load_gap(peak_kwh, valley_kwh, peak_hours: float, valley_hours: float) -> np.ndarray:
    """Estimated peak-valley gap (0..1) from energy per period and the periods' hours."""
    lp = np.asarray(peak_kwh, dtype=float) / peak_hours
    lv = np.asarray(valley_kwh, dtype=float) / valley_hours
    gap = np.divide(lp - lv, lp, out=np.full(lp.shape, np.nan), where=lp > 0)
    return np.clip(gap, 0.0, 1.0)


def required_ratio(gap, threshold: float = GAP_THRESHOLD, high: float = RATIO_HIGH,
                   low: float = RATIO_LOW) -> np.ndarray:
    """The minimum peak/valley ratio for each gap (NaN gap: the lower one)."""
    g = np.asarray(gap, dtype=float)
    return np.where(np.nan_to_num(g, nan=0.0) > threshold, high, low)


def check(s: Scenario, areas: pd.DataFrame, peak_hours: float, valley_hours: float,
          threshold: float = GAP_THRESHOLD, high: float = RATIO_HIGH, low: float = RATIO_LOW,
          uplift: float = CRITICAL_UPLIFT) -> pd.DataFrame:
    """One row per area (``areas``: ``area``, ``peak_kwh``, ``valley_kwh``) and season:
    ``gap``, ``required_ratio``, ``ratio`` (the season's peak/valley price ratio),
    ``critical_uplift`` (critical/peak - 1, NaN without a critical price) and ``status``:
    ``ok``, ``ratio_low``, ``critical_low`` or ``ratio_low+critical_low``."""
    gap = load_gap(areas["peak_kwh"], areas["valley_kwh"], peak_hours, valley_hours)
    need = required_ratio(gap, threshold, high, low)
    rows = []
    for i, area in enumerate(areas["area"]):
        for season in s.seasons:
            up = (season.critical / season.peak - 1 if season.critical is not None
                  and season.peak > 0 else np.nan)
            problems = [p for p, bad in (("ratio_low", season.ratio < need[i] - 1e-9),
                                         ("critical_low", up < uplift - 1e-9)) if bad]
            rows.append({"area": area, "season": season.name, "gap": gap[i],
                         "required_ratio": need[i], "ratio": season.ratio,
                         "critical_uplift": up, "status": "+".join(problems) or "ok"})
    return pd.DataFrame(rows, columns=["area", "season", "gap", "required_ratio", "ratio",
                                       "critical_uplift", "status"])
