"""Where consumption is going: the next 12 forecast months against the last 12 months.

Like with like: twelve whole months of history against the twelve forecast months that
follow them, per series, and each series' share of its parent total's change (a district's
share of the city's growth; a district x class cell's share of the city's growth).

Pure: no connection, no text.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gcrm.forecast.predict import Result

MONTHS = 12


def growth(result: Result, level: str) -> pd.DataFrame:
    """Per series of ``level``: its dimension columns, ``last_12`` (actual, the 12 months to
    the training end), ``next_12`` (forecast, the 12 months after), ``change``,
    ``change_pct`` (fraction; NaN when ``last_12`` is 0), ``share_of_growth`` (its change
    over the total change of every series of the level: NaN when that is 0), ``lo_12`` and
    ``hi_12`` (the sums of the monthly interval bounds: a wide, conservative band)."""
    series = result.hierarchy.series
    series = series[series["level"] == level]
    dims = [d for d in result.hierarchy.dims if series[d].notna().any()]
    hist = result.history
    last = hist[hist["ds"] > hist["ds"].max() - pd.DateOffset(months=MONTHS)]
    fc = result.forecasts.sort_values("ds").groupby("unique_id").head(MONTHS)
    sums = pd.DataFrame({
        "last_12": last.groupby("unique_id")["y"].sum(),
        "next_12": fc.groupby("unique_id")["forecast"].sum(),
        "lo_12": fc.groupby("unique_id")["lo"].sum(),
        "hi_12": fc.groupby("unique_id")["hi"].sum(),
        "months": fc.groupby("unique_id")["ds"].nunique(),
    })
    out = series[["unique_id", *dims]].merge(sums, left_on="unique_id", right_index=True)
    out["change"] = out["next_12"] - out["last_12"]
    out["change_pct"] = out["change"] / out["last_12"].where(out["last_12"] != 0)
    total = out["change"].sum()
    out["share_of_growth"] = out["change"] / total if total != 0 else np.nan
    return out.drop(columns="unique_id").reset_index(drop=True)


def targets(by_district: pd.DataFrame, entry: dict[str, str], top: int = 5) -> pd.DataFrame:
    """Target markets: the ``top`` districts of ``by_district`` (:func:`growth` by district)
    that grow most (``change`` > 0, largest first), with ``service_point``, the point a
    trading-area study of the district starts from (``entry``: district -> service point;
    None when the district has none)."""
    grow = by_district[by_district["change"].fillna(0) > 0]
    grow = grow[grow["district"].fillna("") != ""]
    out = grow.sort_values("change", ascending=False, kind="stable").head(top)
    out = out[["district", "change", "change_pct", "share_of_growth"]].reset_index(drop=True)
    out["service_point"] = out["district"].map(entry)
    return out
