"""The candidate models and the per-series choice among them by a rolling-origin backtest.

Candidates come from ``statsforecast``: seasonal naive (the benchmark), AutoETS, AutoARIMA,
Theta, AutoTheta and MSTL (only when the training part holds two full years), plus
``Ensemble`` and ``Median``, the mean and the median of those of AutoETS, AutoARIMA, Theta
and MSTL that ran (the M4 "comb" idea). The selection rule (setting ``forecast_selection``)
keeps the median (the default), the mean, one model for every series, or per series the
candidate with the lowest mean absolute error over the backtest windows; the backtest
measures what is kept either way. With the
Spring Festival regressor on, AutoARIMA sees the festival share of each month as an exogenous
regressor.

Pure: no connection, no text.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd

SEASON = 12
#: every model a forecast may use (setting ``forecast_models`` picks among them)
MODELS: tuple[str, ...] = ("SeasonalNaive", "AutoETS", "AutoARIMA", "Theta", "AutoTheta",
                           "MSTL")
ENSEMBLE = "Ensemble"
#: the median of the ensemble's members (selection ``median``)
MEDIAN = "Median"
#: the models used unless setting ``forecast_models`` says otherwise, and the selection rule
#: unless ``forecast_selection`` does: the median of AutoETS, Theta and MSTL for every series
#: (reconciled with MinT-shrink, :mod:`gcrm.forecast.predict`): of the 24 configurations
#: compared on validation windows BEFORE the benchmarks' held-out months, pooled over 300
#: series-windows of three real data sets (``python -m bench forecast_accuracy --validate 3``,
#: bench/README.md), the lowest mean MASE among those that pass the known-answer tests (the
#: means with MSTL scored lower but miss a multiplicative trend x season by 3.5-4 %); seasonal
#: naive runs as the benchmark and the fallback
DEFAULT_MODELS: tuple[str, ...] = ("SeasonalNaive", "AutoETS", "Theta", "MSTL")
DEFAULT_SELECTION = "median"
DEFAULT_RECONCILE = "mint_shrink"
#: members of the ensemble (those of them that run)
ENSEMBLE_OF: tuple[str, ...] = ("AutoETS", "AutoARIMA", "Theta", "MSTL")
#: a series must be at least this long for the training part to hold two years (MSTL)
MSTL_MIN = 2 * SEASON


def _model(name: str, n_train: int):
    from statsforecast import models as sm

    makers = {
        "SeasonalNaive": lambda: sm.SeasonalNaive(SEASON),
        "AutoETS": lambda: sm.AutoETS(season_length=SEASON),
        "AutoARIMA": lambda: sm.AutoARIMA(season_length=SEASON, max_p=3, max_q=3, max_P=1,
                                          max_Q=1),
        "Theta": lambda: sm.Theta(season_length=SEASON),
        "AutoTheta": lambda: sm.AutoTheta(season_length=SEASON),
        "MSTL": lambda: sm.MSTL(season_length=SEASON),
    }
    if name not in makers:
        raise ValueError(f"unknown forecast model {name!r}; valid models: {', '.join(MODELS)}")
    if name == "MSTL" and n_train < MSTL_MIN:
        return None
    return makers[name]()


def engine(names: Sequence[str], n_train: int):
    """A ``StatsForecast`` with the models of ``names`` that can fit ``n_train`` months
    (seasonal naive always, also as the fallback when a model fails on a series)."""
    from statsforecast import StatsForecast
    from statsforecast.models import SeasonalNaive

    wanted = ["SeasonalNaive", *[n for n in names if n != "SeasonalNaive"]]
    models = [m for m in (_model(n, n_train) for n in wanted) if m is not None]
    return StatsForecast(models=models, freq="MS", n_jobs=1,
                         fallback_model=SeasonalNaive(SEASON))


def add_ensemble(df: pd.DataFrame, level: int) -> list[str]:
    """Add the ``Ensemble`` (mean) and ``Median`` columns (forecast, lo, hi: the mean and the
    median of the members') in place when two or more members ran; return the model names
    present."""
    names = [m for m in (*MODELS, ENSEMBLE, MEDIAN) if m in df.columns]
    members = [m for m in ENSEMBLE_OF if m in df.columns]
    if len(members) >= 2:
        for suffix in ("", f"-lo-{level}", f"-hi-{level}"):
            cols = [m + suffix for m in members]
            if all(c in df.columns for c in cols):
                df[ENSEMBLE + suffix] = df[cols].mean(axis=1)
                df[MEDIAN + suffix] = df[cols].median(axis=1)
        names += [ENSEMBLE, MEDIAN]
    return list(dict.fromkeys(names))


def members(names: Sequence[str]) -> list[str]:
    """The ensemble members among the model ``names``."""
    return [m for m in ENSEMBLE_OF if m in names]


@contextmanager
def quiet() -> Iterator[None]:
    """Silence the numerical warnings of model fitting (short, flat or intermittent series)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


@dataclass(frozen=True)
class Backtest:
    """The backtest plan: ``h`` months ahead, ``windows`` origins ``step`` months apart."""

    h: int
    windows: int
    step: int

    @property
    def months(self) -> int:
        """Months covered by the windows (from the first origin to the last month)."""
        return self.h + (self.windows - 1) * self.step


def plan(n: int, horizon: int, windows: int, min_train: int = SEASON + 1) -> Backtest | None:
    """The rolling-origin plan for ``n`` months of history: horizon at most 24, as many
    windows (at most ``windows``) as leave ``min_train`` months to the first fit; None when
    no window fits."""
    h = min(horizon, 2 * SEASON, n - min_train)
    if h < 1:
        return None
    step = max(1, h // 2)
    w = max(1, min(windows, (n - min_train - h) // step + 1))
    return Backtest(h, w, step)


def scale(y: np.ndarray) -> float:
    """The MASE scale of a history: mean absolute seasonal difference (lag 12), or lag 1 when
    the history is shorter than 13 months; NaN when it is 0 (a flat series)."""
    lag = SEASON if len(y) > SEASON else 1
    if len(y) <= lag:
        return float("nan")
    d = np.abs(y[lag:] - y[:-lag]).mean()
    return float(d) if d > 0 else float("nan")


#: a series leaves the model that is best over all series only for one whose backtest error is
#: below this fraction of that model's (1.0: each series its own best; on the EIA benchmark,
#: bench/README.md, 1.0 gave MASE 1.192, 0.9 gave 1.198 and 0, one model for all, 1.21)
SWITCH = 1.0


def _errors(cv: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """Backtest MAE per series (rows) and model (columns), forecasts clipped at 0."""
    y = cv["y"].to_numpy()
    cols = {m: np.abs(np.clip(cv[m].to_numpy(), 0, None) - y) for m in names}
    err = pd.DataFrame(cols).assign(unique_id=cv["unique_id"].to_numpy())
    return err.groupby("unique_id", sort=False).mean()


#: how a series' model is picked: ``best``, the lowest backtest error (see :func:`choose`);
#: ``ensemble``, always the mean of the members that ran (the M4 "comb"); ``median``, their
#: median; or one model's name, always that model. The backtest then only measures the
#: forecast kept.
SELECTIONS: tuple[str, ...] = ("best", "ensemble", "median", *MODELS)
#: the column a combining selection keeps
COMBINED = {"ensemble": ENSEMBLE, "median": MEDIAN}


def choose(cv: pd.DataFrame, names: Sequence[str], level: int,
           selection: str = "best") -> pd.DataFrame:
    """Per series (``unique_id``) a candidate by its backtest MAE (forecasts clipped at 0, as
    they are served): the model best over all series (lowest mean MAE relative to each
    series' level), unless one is :data:`SWITCH` times better for that series. Columns
    ``model``, ``mae``, ``wape`` (mean absolute error over the mean actual: "about 4 % off"),
    ``coverage`` (share of actuals inside the interval), ``backtest_months``."""
    names = [m for m in names if cv[m].notna().all()]
    err = _errors(cv, names)
    scale = cv.groupby("unique_id", sort=False)["y"].apply(lambda v: np.abs(v).mean())
    rel = err.div(scale.where(scale > 0), axis=0)
    overall = rel.mean().sort_values(kind="stable")
    default = str(overall.index[0]) if overall.notna().any() else "SeasonalNaive"
    rows = []
    for uid, g in cv.groupby("unique_id", sort=False):
        e = err.loc[uid]
        best = str(e.idxmin())
        best = best if e[best] < SWITCH * e[default] else default
        forced = COMBINED.get(selection, selection)
        best = forced if forced in e.index else best
        y = g["y"].to_numpy()
        lo, hi = g[f"{best}-lo-{level}"].to_numpy(), g[f"{best}-hi-{level}"].to_numpy()
        inside = (y >= np.clip(lo, 0, None) - 1e-9) & (y <= hi + 1e-9)
        level_y = float(np.abs(y).mean())
        rows.append({"unique_id": uid, "model": best, "mae": float(e[best]),
                     "wape": float(e[best]) / level_y if level_y > 0 else float("nan"),
                     "coverage": float(inside.mean()), "backtest_months": g["ds"].nunique()})
    return pd.DataFrame(rows)
