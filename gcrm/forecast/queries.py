"""Forecasts over the warehouse: the history from the cube, scoped, then the pure kernels.

The history of every series is a cube query (:func:`gcrm.cube.query`, by month and the
hierarchy's dimensions, the user's ``scope`` applied by the cube through
:func:`gcrm.security.scope.scope_sql`), so a forecast starts from the numbers every page
shows. For a role without ``read_pii`` (``min_cell`` given), a series describing fewer than
``min_cell`` customers in its last 12 months of history (and its complements, as in the cube)
has its forecast left empty: a forecast of a tiny series is an estimate of named customers'
consumption.

Method, settings and limits: docs/forecast.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

import duckdb
import numpy as np
import pandas as pd

from gcrm import config, cube
from gcrm.cube import disclosure
from gcrm.cube.model import MEASURES
from gcrm.forecast import accuracy, hierarchy, predict
from gcrm.forecast.predict import Result

#: measures that add up over customers and months, so can be forecast and reconciled
FORECASTABLE: tuple[str, ...] = ("kwh", "peak_kwh", "flat_kwh", "valley_kwh", "amount",
                                 "customers")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
QUALITY = ("model", "backtest_mase", "backtest_coverage")


def options(horizon: int = 12, level: int = 80) -> predict.Options:
    """Forecast options from the settings (``forecast_*``) and the request."""
    names = tuple(m.strip() for m in config.get("forecast_models").split(",") if m.strip())
    try:
        windows, min_months = (int(config.get("forecast_windows")),
                               int(config.get("forecast_min_months")))
    except ValueError as exc:
        raise ValueError(f"settings forecast_windows and forecast_min_months must be whole "
                         f"numbers ({exc})") from None
    if windows < 1 or min_months < 13:
        raise ValueError("setting forecast_windows must be at least 1 and forecast_min_months "
                         "at least 13")
    on = config.get("forecast_festival").strip().lower() in ("true", "1", "yes", "on")
    return predict.Options(horizon=horizon, level=level, windows=windows,
                           min_months=min_months, models=names, festival=on,
                           selection=config.get("forecast_selection").strip(),
                           reconcile=config.get("forecast_reconcile").strip())


def check_measure(measure: str) -> None:
    """ValueError unless ``measure`` can be forecast (a measure that adds up)."""
    if measure not in FORECASTABLE:
        what = "unknown measure" if measure not in MEASURES else "cannot forecast measure"
        raise ValueError(f"{what} {measure!r}: forecasts are made for measures that add up "
                         f"over customers and months: {', '.join(FORECASTABLE)}")


def history(con: duckdb.DuckDBPyConnection, measure: str, dims: Sequence[str],
            where: Mapping[str, Sequence] | None = None, train_to: str | None = None,
            scope: Sequence[str] | None = None) -> pd.DataFrame:
    """The bottom series: ``dims`` columns, ``ds`` (month start), ``y``, up to ``train_to``."""
    first, last = con.execute("SELECT min(month), max(month) FROM fact_consumption").fetchone()
    if last is None:
        raise ValueError("the warehouse holds no consumption data yet")
    if train_to is not None:
        if not _MONTH.match(train_to):
            raise ValueError(f"malformed --train-to {train_to!r}: expected YYYY-MM")
        if train_to > last:
            raise ValueError(f"--train-to {train_to} is after the last month with data "
                             f"({last})")
        last = train_to
    df = cube.query(con, [measure], by=[*dims, "month"], where=dict(where or {}),
                    months=(first, last), scope=scope)
    df = df.rename(columns={measure: "y"})
    df["ds"] = pd.to_datetime(df.pop("month") + "-01")
    df["y"] = df["y"].fillna(0.0)
    return df


def compute(con: duckdb.DuckDBPyConnection, measure: str, by: Sequence[str] = (),
            where: Mapping[str, Sequence] | None = None, horizon: int = 12, level: int = 80,
            train_to: str | None = None, scope: Sequence[str] | None = None) -> Result:
    """Forecast the whole hierarchy that answers ``by`` (every level, reconciled)."""
    check_measure(measure)
    opts = options(horizon, level)
    predict.check(opts)
    chains = hierarchy.chains_for(by)
    dims = [d for c in chains for d in c]
    hist = history(con, measure, dims, where, train_to, scope)
    key = _key(con, measure, chains, where, train_to, scope, opts)
    if key in _RESULTS:
        return _RESULTS[key]
    result = predict.forecast(hist, chains, opts)
    _RESULTS[key] = result
    while len(_RESULTS) > 16:
        _RESULTS.pop(next(iter(_RESULTS)))
    return result


#: results of this process, by warehouse file, data version and request (a page, a report
#: and the CLI ask for one hierarchy at several levels: it is forecast once)
_RESULTS: dict[str, Result] = {}


def _key(con, measure, chains, where, train_to, scope, opts) -> str:
    from gcrm.storage import warehouse

    db = con.execute("SELECT path FROM duckdb_databases() "
                     "WHERE database_name = current_database()").fetchone()
    version = warehouse.get_meta(con, "data_version", "0")
    return json.dumps([db, version, measure, chains, sorted((where or {}).items()), train_to,
                       sorted(scope) if scope is not None else None, repr(opts)], default=str)


def table(result: Result, by: Sequence[str]) -> pd.DataFrame:
    """The rows answering ``by``: the ``by`` columns, ``month``, ``forecast``, ``lo``, ``hi``,
    the chosen ``model``, its ``backtest_mase`` and ``backtest_coverage``."""
    name = hierarchy.level_of(by, [tuple(c) for c in _chains(result)])
    series = result.hierarchy.series
    series = series[series["level"] == name][["unique_id", *by]]
    q = result.quality.rename(columns={"mase": "backtest_mase",
                                       "coverage": "backtest_coverage"})
    out = (series.merge(result.forecasts, on="unique_id")
           .merge(q[["unique_id", *QUALITY]], on="unique_id"))
    out["month"] = out.pop("ds").dt.strftime("%Y-%m")
    out = out.sort_values([*by, "month"], kind="stable").reset_index(drop=True)
    return out[[*by, "month", "forecast", "lo", "hi", *QUALITY, "unique_id"]]


def _chains(result: Result) -> list[tuple[str, ...]]:
    dims = result.hierarchy.dims
    return [tuple(d for d in chain if d in dims) for chain in hierarchy.CHAINS
            if any(d in dims for d in chain)]


def protect(con: duckdb.DuckDBPyConnection, df: pd.DataFrame, by: Sequence[str],
            measure_cols: Sequence[str], where, train_end: str, scope,
            min_cell: int | None) -> pd.DataFrame:
    """Empty ``measure_cols`` of the series describing fewer than ``min_cell`` customers in
    the 12 months to ``train_end`` (and of their complements); ``attrs["suppressed"]``."""
    df.attrs["suppressed"] = 0
    if min_cell is None:
        return df
    months = (cube.shift_month(train_end, -11), train_end)
    counts = cube.query(con, ["customers"], by=list(by), where=dict(where or {}),
                        months=months, scope=scope)
    keys = df[list(by)].drop_duplicates().merge(counts, on=list(by), how="left") if by else \
        counts
    hidden = disclosure.hide(keys, list(by), keys["customers"].fillna(0), min_cell)
    bad = keys.loc[hidden, list(by)]
    mask = (df[list(by)].merge(bad.assign(_h=1), on=list(by), how="left")["_h"]
            .eq(1).to_numpy()) if by else np.full(len(df), bool(hidden.any()))
    df.loc[mask, list(measure_cols)] = np.nan
    df.attrs["suppressed"] = int(hidden.sum())
    return df


def train_end(result: Result) -> str:
    return result.history["ds"].max().strftime("%Y-%m")


def forecast(con: duckdb.DuckDBPyConnection, measure: str, by: Sequence[str] = (),
             where: Mapping[str, Sequence] | None = None, horizon: int = 12, level: int = 80,
             train_to: str | None = None, scope: Sequence[str] | None = None,
             min_cell: int | None = None) -> pd.DataFrame:
    """``gcrm forecast``: one row per ``by`` combination and forecast month (the forecast
    contract of DESIGN.md), coherent across levels, scoped, small series suppressed."""
    if min_cell is not None:
        disclosure.check_request(by, where)
    result = compute(con, measure, by, where, horizon, level, train_to, scope)
    df = table(result, by).drop(columns="unique_id")
    return protect(con, df, by, ["forecast", "lo", "hi"], where, train_end(result), scope,
                   min_cell)


def market(con: duckdb.DuckDBPyConnection, measure: str = "kwh",
           by: Sequence[str] = ("district", "customer_class"),
           where: Mapping[str, Sequence] | None = None, scope: Sequence[str] | None = None,
           min_cell: int | None = None) -> pd.DataFrame:
    """Growth for planners (:func:`gcrm.forecast.growth.growth`): next 12 forecast months
    against the last 12, per ``by`` cell, with each cell's share of the total change; cells
    describing fewer than ``min_cell`` customers (and their complements) left empty."""
    from gcrm.forecast import growth

    result = compute(con, measure, by, where, 12, 80, None, scope)
    level = hierarchy.level_of(by, _chains(result))
    df = growth.growth(result, level)
    df = df[[*by, *(c for c in df.columns if c not in by and c not in hierarchy.DIMENSIONS)]]
    values = ["last_12", "next_12", "lo_12", "hi_12", "change", "change_pct",
              "share_of_growth"]
    return protect(con, df, by, values, where, train_end(result), scope, min_cell)


def entry_points(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """District -> the service point a trading-area study of that district starts from: its
    business hall with the most counters, else its first located service point (facilities:
    the same for every scope; empty when none are loaded)."""
    from gcrm.tradearea.queries import service_points

    try:
        sp = service_points(con)
    except ValueError:  # no service points loaded
        return {}
    sp = sp[sp["district_id"].notna()].assign(
        _hall=lambda d: d["kind"].ne("business_hall"),
        _counters=lambda d: -d["counters"].fillna(0))
    sp = sp.sort_values(["district_id", "_hall", "_counters", "service_point_id"])
    return dict(sp.groupby("district_id", sort=False)["service_point_id"].first())


def evaluate(con: duckdb.DuckDBPyConnection, measure: str, by: Sequence[str] = (),
             where: Mapping[str, Sequence] | None = None, holdout: int = 12,
             level: int = 80, scope: Sequence[str] | None = None) -> tuple[pd.DataFrame,
                                                                          pd.DataFrame]:
    """Hold out the last ``holdout`` months, forecast them from the rest and score every
    level: (per level summary, per series scores). The per-level table has ``series``,
    ``mase``, ``mase_SeasonalNaive``, ``mase_AutoETS`` (when AutoETS is a candidate),
    ``coverage``, ``relative_to_snaive``."""
    _, last = cube.month_range(con, 1)
    cut = cube.shift_month(last, -holdout)
    result = compute(con, measure, by, where, holdout, level, cut, scope)
    chains = _chains(result)
    full = history(con, measure, [d for c in chains for d in c], where, None, scope)
    months = pd.date_range(result.history["ds"].min(), full["ds"].max(), freq="MS")
    actual = predict.series_matrix(full, result.hierarchy.dims, result.hierarchy, months)
    actual = actual[actual["ds"] > result.history["ds"].max()]
    per_series = accuracy.score(result, actual)
    return accuracy.summary(per_series), per_series
