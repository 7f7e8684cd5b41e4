"""Coherent forecasts of a hierarchy of monthly series.

1. Every series of every level (:mod:`gcrm.forecast.hierarchy`) is forecast by each candidate
   model (:mod:`gcrm.forecast.models`; :func:`candidates`, once); the selection rule keeps one
   forecast per series (by default the median of AutoETS, Theta and MSTL; ``best``: the
   lowest error in a rolling-origin backtest), and the backtest gives the kept forecast's
   MASE and interval coverage (:func:`finish`).
2. The chosen base forecasts are reconciled (``hierarchicalforecast``; by default MinT with a
   shrunk covariance of the in-sample errors, Wickramasuriya, Athanasopoulos & Hyndman 2019),
   so every level adds up; structural weights when the history is too short for a
   covariance.
3. Bottom forecasts below 0 become 0 and the levels above are summed again from the bottom:
   no negative kWh and exact coherence.

Pure: no connection, no text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gcrm.forecast import festival, hierarchy, models
from gcrm.forecast.hierarchy import Hierarchy

CHOSEN = "gcrm"
_SELECTION = models.DEFAULT_SELECTION
_RECONCILE = models.DEFAULT_RECONCILE
#: reconciliation methods (``hierarchicalforecast``), each with the methods tried after it
#: when it fails (a covariance too short or singular): MinT with a shrunk covariance of the
#: in-sample errors, weighted least squares with structural or in-sample variance weights,
#: ordinary least squares, bottom-up
RECONCILERS: dict[str, tuple[str, ...]] = {
    "mint_shrink": ("mint_shrink", "wls_struct"),
    "wls_var": ("wls_var", "wls_struct"),
    "wls_struct": ("wls_struct",),
    "ols": ("ols",),
    "bottom_up": ("bottom_up",),
}


@dataclass(frozen=True)
class Options:
    """What to forecast and how: ``horizon`` months, the ``level`` % interval, backtest
    ``windows``, the shortest history accepted, the candidate ``models``, the Spring Festival
    regressor, the ``selection`` rule (:data:`gcrm.forecast.models.SELECTIONS`) and the
    ``reconcile`` method (:data:`RECONCILERS`)."""

    horizon: int = 12
    level: int = 80
    windows: int = 3
    min_months: int = 14
    models: tuple[str, ...] = models.DEFAULT_MODELS
    festival: bool = False
    selection: str = _SELECTION
    reconcile: str = _RECONCILE


@dataclass
class Result:
    """``forecasts``: unique_id, ds, forecast, lo, hi (reconciled, coherent);
    ``quality``: unique_id, model, mase, wape, coverage, backtest_months; ``base``: every
    candidate's own forecast (unique_id, ds, model columns); ``history``: unique_id, ds, y."""

    hierarchy: Hierarchy
    forecasts: pd.DataFrame
    quality: pd.DataFrame
    base: pd.DataFrame
    history: pd.DataFrame
    method: str


def check(opts: Options) -> None:
    """Refuse options that cannot make a forecast (ValueError naming the option)."""
    if not 1 <= opts.horizon <= 60:
        raise ValueError(f"horizon must be 1 to 60 months (got {opts.horizon})")
    if not 50 <= opts.level < 100:
        raise ValueError(f"interval level must be at least 50 and below 100 (got {opts.level})")
    for name in opts.models:
        models._model(name, 0)
    if opts.selection not in models.SELECTIONS:
        raise ValueError(f"unknown forecast selection {opts.selection!r}; valid: "
                         f"{', '.join(models.SELECTIONS)}")
    if opts.selection in models.COMBINED and len(models.members(opts.models)) < 2:
        raise ValueError(f"forecast selection {opts.selection!r} combines at least two of "
                         f"{', '.join(models.ENSEMBLE_OF)}; the candidate models "
                         f"(setting forecast_models) are {', '.join(opts.models)}")
    if opts.reconcile not in RECONCILERS:
        raise ValueError(f"unknown reconciliation {opts.reconcile!r}; valid: "
                         f"{', '.join(RECONCILERS)}")


def series_matrix(history: pd.DataFrame, dims: Sequence[str], h: Hierarchy,
                  months: pd.DatetimeIndex) -> pd.DataFrame:
    """The long history of every series (unique_id, ds, y) from the bottom history
    (``dims`` columns, ``ds``, ``y``); months without data count 0."""
    keys = history[list(dims)].astype(object).fillna("").astype(str)
    wide = (history.assign(**{d: keys[d] for d in dims})
            .pivot_table(index=list(dims), columns="ds", values="y", aggfunc="sum")
            .reindex(columns=months).fillna(0.0))
    wide = wide.reindex(pd.MultiIndex.from_frame(h.bottom)).fillna(0.0)
    y = h.S @ wide.to_numpy()
    ids = h.series["unique_id"].to_numpy()
    return pd.DataFrame({"unique_id": np.repeat(ids, len(months)),
                         "ds": np.tile(months, len(ids)), "y": y.ravel()})


@dataclass
class Candidates:
    """Every candidate model run once over the long history of every series: the
    rolling-origin backtest ``cv`` (None when no window fits), the ``base`` forecasts and the
    in-sample ``fitted`` values, with ``n`` months of history. A selection rule and a
    reconciliation method are then applied by :func:`finish` (several of them cheaply)."""

    hierarchy: Hierarchy
    long: pd.DataFrame
    cv: pd.DataFrame | None
    base: pd.DataFrame
    fitted: pd.DataFrame
    n: int


def forecast(history: pd.DataFrame, chains: Sequence[tuple[str, ...]],
             opts: Options) -> Result:
    """Forecast every level of the hierarchy ``chains`` over ``history`` (the bottom series:
    one column per dimension of ``chains``, ``ds`` month starts, ``y``)."""
    return finish(candidates(history, chains, opts), opts)


def candidates(history: pd.DataFrame, chains: Sequence[tuple[str, ...]],
               opts: Options) -> Candidates:
    """Run the models :func:`needed` by ``opts`` over every series of the hierarchy."""
    check(opts)
    dims = [d for c in chains for d in c]
    if history.empty:
        raise ValueError("no history to forecast (nothing in the selection)")
    months = pd.date_range(history["ds"].min(), history["ds"].max(), freq="MS")
    if len(months) < opts.min_months:
        raise ValueError(f"too little history: {len(months)} months, a forecast needs at least "
                         f"{opts.min_months}")
    h = hierarchy.build(history[dims].drop_duplicates(), chains)
    long = series_matrix(history, dims, h, months)
    names = needed(opts)
    n = len(months)
    cv = _cross_validation(long, opts, names, n)
    sf = models.engine(names, n)
    x_df = None
    if opts.festival:
        future = pd.date_range(long["ds"].max(), periods=opts.horizon + 1, freq="MS")[1:]
        ids = long["unique_id"].unique()
        x_df = _with_festival(pd.DataFrame({"unique_id": np.repeat(ids, len(future)),
                                            "ds": np.tile(future, len(ids))}), True)
    with models.quiet():
        base = sf.forecast(df=_with_festival(long, opts.festival), h=opts.horizon,
                           level=[opts.level], fitted=True, X_df=x_df)
        fitted = sf.forecast_fitted_values()
    return Candidates(h, long, cv, base, fitted, n)


def needed(opts: Options) -> tuple[str, ...]:
    """The models to run: seasonal naive (benchmark and fallback) and, for a one-model
    selection, that model only; otherwise every model of ``opts.models``."""
    if opts.selection in models.MODELS:
        return tuple(dict.fromkeys(("SeasonalNaive", opts.selection)))
    return tuple(dict.fromkeys(("SeasonalNaive", *opts.models)))


def finish(cands: Candidates, opts: Options) -> Result:
    """Select (``opts.selection`` among ``opts.models``), measure and reconcile (``opts.reconcile``)
    the candidates' forecasts into a :class:`Result` (``cands`` is left unchanged)."""
    names = [m for m in needed(opts) if m in cands.base.columns]
    quality = _quality(cands, names, opts)
    base, fitted = (_only(df, names, opts.level) for df in (cands.base, cands.fitted))
    for df in (base, fitted):
        models.add_ensemble(df, opts.level)
        _pick(df, quality, opts.level)
    fc, method = _reconcile(base, fitted, cands.hierarchy, opts.level, opts.reconcile)
    return Result(cands.hierarchy, fc, quality, base, cands.long, method)


def _only(df: pd.DataFrame, names: Sequence[str], level: int) -> pd.DataFrame:
    """A copy of ``df`` with the columns of the models ``names`` only (and the keys, ``y``)."""
    keep = [c for c in df.columns if c in ("unique_id", "ds", "cutoff", "y", "festival")
            or c.split("-lo-")[0].split("-hi-")[0] in names]
    return df[keep].copy()


def _with_festival(df: pd.DataFrame, on: bool) -> pd.DataFrame:
    return df.assign(festival=festival.festival_share(df["ds"])) if on else df


def _cross_validation(long: pd.DataFrame, opts: Options, names: Sequence[str],
                      n: int) -> pd.DataFrame | None:
    """The rolling-origin backtest of the models ``names`` (None when no window fits)."""
    bt = models.plan(n, opts.horizon, opts.windows)
    if bt is None:
        return None
    sf = models.engine(names, n - bt.months)
    with models.quiet():
        return sf.cross_validation(df=_with_festival(long, opts.festival), h=bt.h,
                                   n_windows=bt.windows, step_size=bt.step,
                                   level=[opts.level], refit=False)


def _quality(cands: Candidates, names: Sequence[str], opts: Options) -> pd.DataFrame:
    """Per series the kept model (by ``opts.selection``) and its backtest MASE, WAPE and
    coverage; without a backtest the selection's model, quality unknown."""
    ids = cands.long["unique_id"].unique()
    if cands.cv is None:
        model = opts.selection if opts.selection in models.MODELS else models.ENSEMBLE
        model = models.MEDIAN if opts.selection == "median" else model
        return pd.DataFrame({"unique_id": ids, "model": model, "mase": np.nan,
                             "wape": np.nan, "coverage": np.nan, "backtest_months": 0})
    cv = _only(cands.cv, names, opts.level)
    present = models.add_ensemble(cv, opts.level)
    q = models.choose(cv, present, opts.level, opts.selection)
    first = cv["ds"].min()
    scales = {uid: models.scale(g.loc[g["ds"] < first, "y"].to_numpy())
              for uid, g in cands.long.groupby("unique_id", sort=False)}
    q["mase"] = q["mae"] / q["unique_id"].map(scales)
    return q.drop(columns="mae")


def _pick(df: pd.DataFrame, quality: pd.DataFrame, level: int) -> None:
    """Add the ``gcrm`` columns: each series' chosen model (the ensemble, or seasonal naive,
    when the chosen one did not run)."""
    chosen = df["unique_id"].map(quality.set_index("unique_id")["model"])
    for suffix in ("", f"-lo-{level}", f"-hi-{level}"):
        out = pd.Series(np.nan, index=df.index)
        for name in chosen.unique():
            col = name + suffix if name + suffix in df.columns else models.ENSEMBLE + suffix
            col = col if col in df.columns else "SeasonalNaive" + suffix
            rows = chosen == name
            out[rows] = df.loc[rows, col]
        df[CHOSEN + suffix] = out


def _reconcile(base: pd.DataFrame, fitted: pd.DataFrame, h: Hierarchy, level: int,
               how: str = "mint_shrink"):
    """Reconciliation by ``how`` (or the next of :data:`RECONCILERS` when it fails), then
    non-negative bottom, summed up again."""
    from hierarchicalforecast.core import HierarchicalReconciliation
    from hierarchicalforecast.methods import BottomUp, MinTrace

    cols = [CHOSEN, f"{CHOSEN}-lo-{level}", f"{CHOSEN}-hi-{level}"]
    y_hat = base[["unique_id", "ds", *cols]]
    y_fit = fitted[["unique_id", "ds", "y", CHOSEN]].dropna()
    ids = h.series["unique_id"].to_numpy()
    s_df = pd.DataFrame(h.S, columns=h.bottom_ids()).assign(unique_id=ids)
    rec = None
    for method in RECONCILERS[how]:
        method_obj = BottomUp() if method == "bottom_up" else MinTrace(method=method)
        try:
            with models.quiet():
                rec = HierarchicalReconciliation([method_obj]).reconcile(
                    Y_hat_df=y_hat, tags=h.tags, S_df=s_df, Y_df=y_fit, level=[level])
            break
        except Exception:  # too short or singular for a covariance: the next method
            continue
    if rec is None:
        raise RuntimeError("forecast reconciliation failed")
    name = next(c for c in rec.columns if c.startswith(CHOSEN + "/") and "-lo-" not in c
                and "-hi-" not in c)
    out = rec[["unique_id", "ds"]].copy()
    out["forecast"] = rec[name].to_numpy()
    out["lo"] = rec[f"{name}-lo-{level}"].to_numpy()
    out["hi"] = rec[f"{name}-hi-{level}"].to_numpy()
    return _nonnegative(out, h), method


def _nonnegative(fc: pd.DataFrame, h: Hierarchy) -> pd.DataFrame:
    """Bottom forecasts clipped at 0, every level summed from them; intervals clipped at 0 and
    kept around the forecast."""
    ids = h.series["unique_id"].to_numpy()
    wide = fc.pivot(index="unique_id", columns="ds", values="forecast").reindex(ids)
    bottom = np.clip(wide.loc[h.bottom_ids()].to_numpy(), 0, None)
    coherent = pd.DataFrame(h.S @ bottom, index=ids, columns=wide.columns)
    long = coherent.stack().rename("forecast").reset_index()
    long.columns = ["unique_id", "ds", "forecast"]
    out = long.merge(fc.drop(columns="forecast"), on=["unique_id", "ds"])
    out["lo"] = np.minimum(np.clip(out["lo"], 0, None), out["forecast"])
    out["hi"] = np.maximum(out["hi"], out["forecast"])
    return out
