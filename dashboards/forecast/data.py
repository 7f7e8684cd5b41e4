"""What the Forecast page reads: stored forecasts, cached by data version, scope and role.

A forecast of the whole hierarchy (every district x class, reconciled) is computed once per
warehouse load, scope and measure and kept by ``st.cache_data`` (key: ``db``, ``version``:
the warehouse's ``data_version``, which changes at each load); every later view of the page
answers from it. Calls only :mod:`gcrm.forecast.queries`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboards.components.data import connection
from dashboards.components.session import Scope, scope_list
from gcrm.forecast import queries


@dataclass(frozen=True)
class Series:
    """One series of the page: its history, forecast and backtest quality."""

    history: pd.DataFrame  # month, actual
    forecast: pd.DataFrame  # month, forecast, lo, hi
    model: str
    mase: float
    wape: float
    coverage: float
    backtest_months: int
    hidden: bool


@st.cache_data(show_spinner=False, max_entries=32)
def series(db: str, version: str, measure: str, district: str | None, klass: str | None,
           scope: Scope, min_cell: int | None) -> Series:
    """The series of one area (``district``; None = the whole scope) and class (None =
    every class)."""
    by = [d for d, v in (("district", district), ("customer_class", klass)) if v is not None]
    with connection(db) as con:
        result = queries.compute(con, measure, ["district", "customer_class"], None, 12, 80,
                                 None, scope_list(scope))
        table = queries.table(result, by)
        where = {d: [v] for d, v in (("district", district), ("customer_class", klass))
                 if v is not None}
        table = queries.protect(con, table, by, ["forecast", "lo", "hi"], where,
                                queries.train_end(result), scope_list(scope), min_cell)
    for d, v in (("district", district), ("customer_class", klass)):
        if v is not None:
            table = table[table[d] == v]
    uid = table["unique_id"].iloc[0]
    hist = result.history[result.history["unique_id"] == uid]
    q = result.quality.set_index("unique_id").loc[uid]
    hidden = bool(table["forecast"].isna().all())
    return Series(
        history=pd.DataFrame({"month": hist["ds"].dt.strftime("%Y-%m"),
                              "actual": hist["y"] if not hidden else float("nan")}),
        forecast=table[["month", "forecast", "lo", "hi"]].reset_index(drop=True),
        model=str(q["model"]), mase=float(q["mase"]), wape=float(q["wape"]),
        coverage=float(q["coverage"]), backtest_months=int(q["backtest_months"]),
        hidden=hidden)


@st.cache_data(show_spinner=False, max_entries=32)
def market(db: str, version: str, measure: str, by: tuple[str, ...], scope: Scope,
           min_cell: int | None) -> pd.DataFrame:
    """Growth (next 12 months vs last 12) per ``by`` cell: :func:`queries.market`."""
    with connection(db) as con:
        return queries.market(con, measure, list(by), None, scope_list(scope), min_cell)


@st.cache_data(show_spinner=False, max_entries=8)
def entry_points(db: str, version: str) -> dict[str, str]:
    """District -> service point for the trading-area link: :func:`queries.entry_points`."""
    with connection(db) as con:
        return queries.entry_points(con)


@st.cache_data(show_spinner=False, max_entries=8)
def members(db: str, version: str, scope: Scope) -> tuple[list[str], list[str]]:
    """(districts with data in the scope, classes)."""
    from gcrm import cube

    with connection(db) as con:
        districts = [d for d in cube.members(con, "district", scope_list(scope)) if d]
        classes = [c for c in cube.members(con, "customer_class", scope_list(scope)) if c]
    return districts, classes
