"""Accuracy of forecasts against what happened: MASE, interval coverage, coherence.

MASE (Hyndman & Koehler 2006) divides the mean absolute error over the test months by the
mean absolute error of the seasonal naive forecast in the training history (lag 12), so 1.0
means "as good as last year's same month, in sample" and the ratio to the seasonal naive
forecast's own MASE on the same months says what the model adds.

Pure: no connection, no text.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gcrm.forecast import models
from gcrm.forecast.predict import Result


def score(result: Result, actual: pd.DataFrame, peers: tuple[str, ...] = ("SeasonalNaive",
                                                                          "AutoETS")
          ) -> pd.DataFrame:
    """Per series (with its ``level``): ``mase`` of the served forecast, ``mase_<peer>`` of
    each peer model's own base forecast, ``coverage`` of the interval, over the forecast
    months present in ``actual`` (unique_id, ds, y: the same series, the months after
    training)."""
    fc = result.forecasts.merge(actual, on=["unique_id", "ds"])
    base = result.base.merge(actual, on=["unique_id", "ds"])
    scales = {uid: models.scale(g["y"].to_numpy())
              for uid, g in result.history.groupby("unique_id", sort=False)}
    out = fc.groupby("unique_id", sort=False).apply(
        lambda g: pd.Series({"mae": np.abs(g["forecast"] - g["y"]).mean(),
                             "coverage": ((g["y"] >= g["lo"]) & (g["y"] <= g["hi"])).mean(),
                             "actual": g["y"].sum(), "forecast": g["forecast"].sum()}),
        include_groups=False).reset_index()
    out["scale"] = out["unique_id"].map(scales)
    out["mase"] = out["mae"] / out["scale"]
    for peer in (p for p in peers if p in base.columns):
        mae = (base[peer].clip(lower=0) - base["y"]).abs().groupby(base["unique_id"]).mean()
        out[f"mase_{peer}"] = out["unique_id"].map(mae) / out["scale"]
    levels = result.hierarchy.series.set_index("unique_id")["level"]
    out.insert(1, "level", out["unique_id"].map(levels))
    return out.drop(columns=["mae"])


def summary(per_series: pd.DataFrame) -> pd.DataFrame:
    """Per level: series, mean MASE of the served forecast and of each peer, MASE relative to
    seasonal naive, coverage."""
    peers = [c for c in per_series.columns if c.startswith("mase_")]
    g = per_series.groupby("level", sort=False)
    out = g.agg(series=("unique_id", "size"), mase=("mase", "mean"),
                **{c: (c, "mean") for c in peers}, coverage=("coverage", "mean")).reset_index()
    if "mase_SeasonalNaive" in out:
        out["relative_to_snaive"] = out["mase"] / out["mase_SeasonalNaive"]
    return out


def incoherence(result: Result) -> float:
    """The largest relative gap, over every series and month, between a series' forecast
    and the sum of its bottom series' forecasts (0 = exactly coherent)."""
    h = result.hierarchy
    ids = h.series["unique_id"].to_numpy()
    wide = result.forecasts.pivot(index="unique_id", columns="ds", values="forecast").reindex(ids)
    summed = h.S @ wide.loc[h.bottom_ids()].to_numpy()
    gap = np.abs(wide.to_numpy() - summed) / np.maximum(np.abs(summed), 1e-9)
    return float(np.nanmax(gap)) if gap.size else 0.0
