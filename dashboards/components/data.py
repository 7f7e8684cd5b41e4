"""Cached data access for the pages: thin wrappers around the :mod:`gcrm` query layer.

Every cached function takes ``db`` (the warehouse path) and ``version`` (the warehouse's
``data_version`` meta value, which changes at each load) as its first arguments, so a reload
of the warehouse invalidates the cache without a restart. Each call opens a short read-only
connection and closes it, so the dashboard never holds a lock that blocks ``gcrm etl``.

Every wrapper also takes ``scope``: the signed-in user's region ids as a tuple, or None for
everywhere (``auth.principal().scope``). It is part of the cache key, so two users never share
a result computed for another scope, and it is passed to the :mod:`gcrm` call (regions outside
the scope are dropped from maps and names).

The cube wrappers also take ``min_cell`` (:func:`dashboards.components.disclosure.min_cell_for`
of the user: None for a role with ``read_pii``), part of the cache key too: a role without
``read_pii`` gets results whose small cells the cube hid (:func:`gcrm.cube.query`).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboards.components.session import Scope, scope_list  # Scope: re-exported for pages
from gcrm import config, cube
from gcrm.storage import regions, warehouse


@dataclass(frozen=True)
class WarehouseInfo:
    """Where the warehouse is and which load it holds (the cache key of every page query)."""

    path: str
    version: str
    loaded_at: str | None


#: The connection of the script run in this thread (see :func:`run_connection`).
_RUN = threading.local()


@contextmanager
def run_connection(db: str) -> Iterator[None]:
    """One read-only connection for a whole run of a page, used by every :func:`connection`
    of that run in this thread.

    A page makes ten or more queries; each on its own connection paid ~20 ms to open and started
    with DuckDB's buffer cache empty (it belongs to the open database and goes with the last
    connection): a drill step's queries took 0.24 s instead of 0.13 s. The connection is closed
    when the run ends, so between runs nothing holds the file and ``gcrm etl`` can write."""
    con = warehouse.connect(db, read_only=True)
    _RUN.db, _RUN.con = db, con
    try:
        yield
    finally:
        _RUN.db = _RUN.con = None
        con.close()


def fragment(func: Callable) -> Callable:
    """``st.fragment`` whose reruns share one connection like a whole run of the page.

    A fragment's rerun (a click on the Outages map, its event view, its notice) runs only the
    fragment, outside the app's :func:`run_connection`: each of its queries opened a
    connection of its own (with an empty buffer cache, and the spatial extension loaded again
    where boundaries are read: ~0.45 s each under load). Within a whole run it uses the run's
    connection as before."""
    @functools.wraps(func)
    def body(*args, **kwargs):
        if getattr(_RUN, "con", None) is not None:
            return func(*args, **kwargs)
        with run_connection(str(config.db_path().resolve())):
            return func(*args, **kwargs)

    return st.fragment(body)


@contextmanager
def connection(db: str) -> Iterator:
    """A read-only connection to ``db``: the run's (not closed here) or a new one."""
    if getattr(_RUN, "con", None) is not None and _RUN.db == db:
        yield _RUN.con
        return
    con = warehouse.connect(db, read_only=True)
    try:
        yield con
    finally:
        con.close()


@contextmanager
def store(db: str) -> Iterator:
    """A connection to the operational store beside ``db`` (accounts, records, audit), closed
    after the block."""
    from gcrm.storage.store import connect_store

    con = connect_store(db)
    try:
        yield con
    finally:
        con.close()


def warehouse_info() -> WarehouseInfo:
    """The configured warehouse (``$GCRM_DB``); raises FileNotFoundError when it is missing."""
    path = config.db_path().resolve()
    with connection(str(path)) as con:
        if problems := warehouse.schema_problems(con):  # say what to do, not a query's error
            raise ValueError("; ".join(problems))
        version = warehouse.get_meta(con, "data_version", "0") or "0"
        loaded_at = warehouse.get_meta(con, "loaded_at")
    return WarehouseInfo(str(path), version, loaded_at)


@st.cache_data(show_spinner=False, max_entries=64)
def month_range(db: str, version: str, last: int = 12,
                scope: Scope = None) -> tuple[str, str]:
    """The last ``last`` months of the time dimension (the calendar is the same for every
    scope; ``scope`` only keeps cache entries apart)."""
    with connection(db) as con:
        return cube.month_range(con, last)


@st.cache_data(show_spinner=False, max_entries=256)
def cube_query(db: str, version: str, measures: Sequence[str], by: Sequence[str] = (),
               months: tuple[str, str] | None = None, order_by: str | None = None,
               limit: int | None = None, scope: Scope = None,
               min_cell: int | None = None) -> pd.DataFrame:
    """:func:`gcrm.cube.query` on the warehouse ``db`` (cached per data version, scope and
    ``min_cell``)."""
    with connection(db) as con:
        return cube.query(con, list(measures), by=list(by), months=months, order_by=order_by,
                          limit=limit, scope=scope_list(scope), min_cell=min_cell)


@st.cache_data(show_spinner=False, max_entries=16)
def regions_geojson(db: str, version: str, level: str = "district",
                    scope: Scope = None, simplified: bool = True) -> dict:
    """District (or other level) boundaries as GeoJSON, simplified for maps (unless
    ``simplified`` is False); with a scope only the regions in it (a city id covers its
    districts), taken from the cached boundaries of every region (read once per load, with
    DuckDB's spatial extension: 0.1-0.4 s cold; warmed during a sign-in, see
    :func:`dashboards.tradearea.data.warm`)."""
    if scope is not None:
        geo, keep = regions_geojson(db, version, level, None, simplified), set(scope)
        return {**geo, "features": [f for f in geo["features"]
                                    if f["properties"]["region_id"] in keep
                                    or f["properties"]["parent_id"] in keep]}
    with connection(db) as con:
        return regions.regions_geojson(con, level=level, simplified=simplified)


# --------------------------------------------------------------------------- cube explorer
@st.cache_data(show_spinner=False, max_entries=16)
def cube_months(db: str, version: str, scope: Scope = None) -> list[str]:
    """Every month of the time dimension, ascending (:func:`gcrm.cube.months`; the calendar
    is the same for every scope)."""
    with connection(db) as con:
        return cube.months(con)


@st.cache_data(show_spinner=False, max_entries=128)
def cube_members(db: str, version: str, dim: str, scope: Scope = None) -> list:
    """The members of dimension ``dim`` within ``scope`` (:func:`gcrm.cube.members`;
    None = empty member)."""
    with connection(db) as con:
        return cube.members(con, dim, scope=scope_list(scope))


@st.cache_data(show_spinner=False, max_entries=16)
def region_names(db: str, version: str, scope: Scope = None) -> dict[str, str]:
    """region_id -> Chinese name (:func:`gcrm.storage.regions.region_names`); with a scope only the
    regions in it, their sub-regions and the regions above them."""
    with connection(db) as con:
        names = regions.region_names(con)
        if scope is None:
            return names
        parent = regions.parents(con)
    keep = set(scope)

    def visible(rid: str) -> bool:
        up, seen = rid, set()
        while up is not None and up not in seen:  # itself or an ancestor is in scope
            if up in keep:
                return True
            seen.add(up)
            up = parent.get(up)
        return False

    above = set()
    for rid in keep:  # the regions above the scope (e.g. the city of a district)
        up = parent.get(rid)
        while up is not None and up not in above:
            above.add(up)
            up = parent.get(up)
    return {rid: n for rid, n in names.items() if rid in above or visible(rid)}


@st.cache_data(show_spinner=False, max_entries=256)
def cube_explore(db: str, version: str, measures: Sequence[str], by: Sequence[str] = (),
                 where: tuple[tuple[str, tuple[str, ...]], ...] = (),
                 months: tuple[str, str] | None = None, order_by: str | None = None,
                 limit: int | None = None, totals: bool = False,
                 compare: str | None = None, scope: Scope = None,
                 min_cell: int | None = None) -> pd.DataFrame:
    """One explorer result, as ``gcrm query`` computes it: :func:`gcrm.cube.compare` when
    ``compare``, else :func:`gcrm.cube.with_totals` when ``totals``, else
    :func:`gcrm.cube.query` (the only one that orders and limits). Raises CubeError, and
    DisclosureError for a personal dimension with ``min_cell``."""
    filters = {d: list(v) for d, v in where}
    sc = scope_list(scope)
    with connection(db) as con:
        if compare:
            return cube.compare(con, list(measures), by=list(by), where=filters, months=months,
                                kind=compare, scope=sc, min_cell=min_cell)
        if totals:
            return cube.with_totals(con, list(measures), list(by), where=filters, months=months,
                                    scope=sc, min_cell=min_cell)
        return cube.query(con, list(measures), by=list(by), where=filters, months=months,
                          order_by=order_by, limit=limit, scope=sc, min_cell=min_cell)
