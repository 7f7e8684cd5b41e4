"""Data for the revenue-protection page: cached wrappers around :mod:`gcrm.revenue.queries`.

Every cached function takes ``db`` and ``version`` first and the user's region scope as a
tuple (part of the cache key). Suspects come back with names unmasked only for users who may
read PII (``pii`` is part of the key). Orders are written to the operational store, never
cached.
"""

from __future__ import annotations

import os

import streamlit as st

from dashboards.components.data import connection
from dashboards.components.session import Scope, scope_list
from gcrm.revenue import inspections, queries, reasons
from gcrm.storage.store import connect_store

#: environment variable naming the road network (as for ``gcrm inspect route --pbf``)
ROADS_ENV = "GCRM_ROADS_PBF"


@st.cache_data(show_spinner=False, max_entries=8)
def available(db: str, version: str) -> bool:
    with connection(db) as con:
        return queries.available(con)


@st.cache_data(show_spinner=False, max_entries=8)
def months(db: str, version: str) -> list[str]:
    with connection(db) as con:
        return queries.months(con)


@st.cache_data(show_spinner=False, max_entries=64)
def losses(db: str, version: str, by: str, first: str, last: str, scope: Scope,
           min_cell: int | None, by_month: bool = False):
    """:func:`gcrm.revenue.queries.losses` (``min_cell``: disclosure of the user's role)."""
    with connection(db) as con:
        return queries.losses(con, by, first, last, by_month=by_month, scope=scope_list(scope),
                              min_cell=min_cell)


@st.cache_data(show_spinner=False, max_entries=16)
def area_map(db: str, version: str, first: str, last: str, scope: Scope,
             min_cell: int | None) -> dict:
    rows = losses(db, version, "transformer", first, last, scope, min_cell)
    with connection(db) as con:
        return queries.area_map(con, rows, scope_list(scope))


@st.cache_data(show_spinner="…", max_entries=16)
def suspects(db: str, version: str, month: str, scope: Scope, pii: bool, lang: str,
             limit: int = 500):
    """Suspects of ``month`` with their reasons in ``lang``."""
    with connection(db) as con:
        df = queries.suspects(con, month, limit=limit, scope=scope_list(scope), pii=pii)
    return reasons.with_reasons(df, lang) if len(df) else df


def create_order(db: str, customer_id: str, user: str, scope: Scope, score: float | None,
                 reason: str | None) -> int:
    """Open an inspection order (audited); a ValueError says why not."""
    store = connect_store(db)
    try:
        with connection(db) as con:
            target = queries.inspection_target(con, customer_id, scope_list(scope))
        return inspections.create(store, target, user, "score", score, reason)
    finally:
        store.close()


def orders(db: str, scope: Scope, pii: bool):
    store = connect_store(db)
    try:
        with connection(db) as con:
            return queries.inspection_orders(con, store, scope_list(scope), pii)
    finally:
        store.close()


def assign_order(db: str, order_id: int, inspector: str, day, user: str) -> None:
    """Assign an order (audited); a ValueError says why not."""
    store = connect_store(db)
    try:
        inspections.assign(store, order_id, inspector, day, user)
    finally:
        store.close()


def record_outcome(db: str, order_id: int, outcome: str, user: str, kwh: float | None,
                   yuan: float | None) -> None:
    """Close an order with its outcome (audited); a ValueError says why not."""
    store = connect_store(db)
    try:
        inspections.record_outcome(store, order_id, outcome, user, kwh, yuan)
    finally:
        store.close()


def day_route(db: str, inspector: str, day, scope: Scope, pii: bool):
    """An inspector's day in visiting order and its route (:func:`queries.day_route`), on
    the roads of ``$GCRM_ROADS_PBF`` when it names one (as the CLI and the trade-area page)."""
    store = connect_store(db)
    try:
        with connection(db) as con:
            return queries.day_route(con, store, inspector, day, scope_list(scope), pii,
                                     pbf=os.environ.get(ROADS_ENV) or None)
    finally:
        store.close()
