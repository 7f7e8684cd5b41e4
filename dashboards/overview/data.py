"""Cached data access for the overview page: thin wrappers around :mod:`gcrm.overview.queries`.

Same conventions as :mod:`dashboards.components.data`: ``db`` and ``version`` first (a reload
of the warehouse invalidates the cache), ``scope`` last and part of the key, and for the
numbers ``min_cell`` (disclosure control for a role without ``read_pii``; None: none), also
part of the key. Places are passed as ``(district, grid)`` and filters as
``((dim, (values...)), ...)`` so they hash.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd
import streamlit as st

from dashboards.components.data import connection
from dashboards.components.session import Scope, scope_list
from gcrm.overview import bins
from gcrm.overview import queries as overview
from gcrm.spatial import h3cells
from gcrm.storage import regions

Where = tuple[tuple[str, tuple[str, ...]], ...]
PlaceKey = tuple[str | None, str | None]


def _place(p: PlaceKey) -> overview.Place:
    return overview.Place(*p)


def _where(where: Where) -> dict[str, list[str]]:
    return {d: list(v) for d, v in where}


def _at_place(query: Callable, db: str, what: str | list[str], place: PlaceKey,
              months: tuple[str, str], where: Where, scope: Scope, **kwargs):
    """``query(con, what, place, months, where, scope, **kwargs)``: one of the
    :mod:`gcrm.overview.queries` functions of a place, on one connection."""
    with connection(db) as con:
        return query(con, what, _place(place), months, _where(where), scope_list(scope),
                     **kwargs)


@st.cache_data(show_spinner=False, max_entries=256)
def child_values(db: str, version: str, measure: str, place: PlaceKey,
                 months: tuple[str, str], where: Where = (), scope: Scope = None,
                 min_cell: int | None = None) -> pd.DataFrame:
    return _at_place(overview.child_values, db, measure, place, months, where, scope,
                     min_cell=min_cell)


@st.cache_data(show_spinner=False, max_entries=64)
def monthly_child_values(db: str, version: str, measure: str, place: PlaceKey,
                         months: tuple[str, str], where: Where = (), scope: Scope = None,
                         min_cell: int | None = None) -> pd.DataFrame:
    return _at_place(overview.monthly_child_values, db, measure, place, months, where, scope,
                     min_cell=min_cell)


@st.cache_data(show_spinner=False, max_entries=256)
def place_value(db: str, version: str, measure: str, place: PlaceKey,
                months: tuple[str, str], where: Where = (), scope: Scope = None,
                min_cell: int | None = None) -> float:
    return _at_place(overview.place_value, db, measure, place, months, where, scope,
                     min_cell=min_cell)


@st.cache_data(show_spinner=False, max_entries=256)
def kpis(db: str, version: str, measures: Sequence[str], place: PlaceKey,
         months: tuple[str, str], where: Where = (), scope: Scope = None,
         min_cell: int | None = None) -> pd.DataFrame:
    return _at_place(overview.kpis, db, list(measures), place, months, where, scope,
                     min_cell=min_cell)


@st.cache_data(show_spinner=False, max_entries=128)
def trend(db: str, version: str, measures: Sequence[str], place: PlaceKey,
          months: tuple[str, str], where: Where = (), scope: Scope = None,
          min_cell: int | None = None) -> pd.DataFrame:
    return _at_place(overview.trend, db, list(measures), place, months, where, scope,
                     min_cell=min_cell)


@st.cache_data(show_spinner=False, max_entries=128)
def ranking(db: str, version: str, measure: str, place: PlaceKey, months: tuple[str, str],
            where: Where = (), scope: Scope = None, top: int | None = None,
            min_cell: int | None = None) -> pd.DataFrame:
    return _at_place(overview.ranking, db, measure, place, months, where, scope, top=top,
                     min_cell=min_cell)


@st.cache_data(show_spinner=False, max_entries=64)
def customer_points(db: str, version: str, place: PlaceKey, where: Where = (),
                    scope: Scope = None) -> tuple[pd.DataFrame, int]:
    with connection(db) as con:
        return overview.customer_points(con, _place(place), _where(where), scope_list(scope))


@st.cache_data(show_spinner=False, max_entries=64)
def bin_points(points: pd.DataFrame) -> pd.DataFrame:
    return bins.bin_points(points)


@st.cache_data(show_spinner=False, max_entries=32)
def recent_outages(db: str, version: str, months: tuple[str, str],
                   scope: Scope = None) -> pd.DataFrame:
    with connection(db) as con:
        return overview.recent_outages(con, months, scope_list(scope))


@st.cache_data(show_spinner=False, max_entries=16)
def feeder_lines(db: str, version: str, scope: Scope = None) -> pd.DataFrame:
    with connection(db) as con:
        return overview.feeder_lines(con, scope_list(scope))


@st.cache_data(show_spinner=False, max_entries=16)
def population(db: str, version: str, scope: Scope = None) -> pd.DataFrame:
    with connection(db) as con:
        return overview.population(con, scope_list(scope))


@st.cache_data(show_spinner=False, max_entries=16)
def service_points(db: str, version: str, scope: Scope = None) -> pd.DataFrame:
    """Located service points (facilities, not personal data); with a scope, those in it."""
    from gcrm.tradearea import queries as tradearea

    with connection(db) as con:
        try:
            df = tradearea.service_points(con)
        except ValueError:  # an empty service-point table: no layer
            return pd.DataFrame(columns=["service_point_id", "name", "kind", "lon", "lat",
                                         "district_id"])
    if scope is not None:
        df = df[df["district_id"].isin(scope) | df["district_id"].isna()]
    return df


@st.cache_data(show_spinner=False, max_entries=256)
def cells_geojson(cells: tuple[str, ...]) -> dict:
    """H3 cells as GeoJSON polygons (cached by the cell list)."""
    return {"type": "FeatureCollection", "features": h3cells.features(cells)}


@st.cache_data(show_spinner=False, max_entries=16)
def region_list(db: str, version: str, scope: Scope = None) -> list[tuple[str, str, str]]:
    """(region_id, name, level) of the cities and districts in scope."""
    with connection(db) as con:
        return regions.region_list(con, scope)
