"""Data for the outage page: cached wrappers around :mod:`gcrm.outages.queries`.

Every cached function takes ``db`` and ``version`` first (see :mod:`dashboards.components.data`)
and the user's region scope as a tuple (None = everywhere), part of the cache key, so two users
never share a result computed for another scope (who may see what:
:mod:`dashboards.components.session`). Contact fields come back unmasked; the page masks them
with :func:`gcrm.security.masking.mask_frame` unless the user may read PII.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from dashboards.components.data import connection
from dashboards.components.session import Scope, scope_list
from gcrm.outages import queries
from gcrm.outages.areas import Area
from gcrm.outages.indices import MedResult


@st.cache_data(show_spinner=False, max_entries=16)
def years(db: str, version: str) -> list[int]:
    with connection(db) as con:
        return [int(y) for y in queries.years(con)]


@st.cache_data(show_spinner=False, max_entries=16)
def base(db: str, version: str, year: int, scope: Scope) -> queries.Base:
    """:func:`gcrm.outages.queries.base` from 1 January of ``year``: the customers counted
    once per feeder, district and opening month, and the outages, shared by every index of
    the year below (district, feeder, substation, a drilled district's feeders and cells,
    major event days): one scan of the customers instead of one per grouping."""
    with connection(db) as con:
        return queries.base(con, year, scope=scope_list(scope))


@st.cache_data(show_spinner=False, max_entries=128)
def indices(db: str, version: str, year: int, by: str, exclude_planned: bool,
            exclude_med: bool, scope: Scope, within: str | None = None) -> pd.DataFrame:
    """:func:`gcrm.outages.queries.indices` from the year's :func:`base`; ``within`` drills
    into one region (e.g. a district's H3 cells with ``by="h3"``)."""
    shared = base(db, version, year, scope)
    with connection(db) as con:
        return queries.indices(con, year, by, exclude_planned=exclude_planned,
                               exclude_med=exclude_med, scope=scope_list(scope), within=within,
                               shared=shared)


@st.cache_data(show_spinner=False, max_entries=64)
def med(db: str, version: str, year: int, exclude_planned: bool, scope: Scope) -> MedResult:
    shared = base(db, version, year, scope)
    with connection(db) as con:
        return queries.med(con, year, exclude_planned=exclude_planned, scope=scope_list(scope),
                           shared=shared)


@st.cache_data(show_spinner=False, max_entries=64)
def events(db: str, version: str, year: int, scope: Scope) -> pd.DataFrame:
    with connection(db) as con:
        return queries.events(con, year, scope=scope_list(scope))


@st.cache_data(show_spinner=False, max_entries=16)
def feeders(db: str, version: str, scope: Scope) -> pd.DataFrame:
    with connection(db) as con:
        return queries.feeders(con, scope=scope_list(scope))


def worst_feeders(db: str, version: str, year: int, n: int, exclude_planned: bool,
                  scope: Scope) -> pd.DataFrame:
    """:func:`gcrm.outages.queries.worst_feeders` from the cached feeder indices (which the
    map's feeder lines use too: computed once, not twice)."""
    return queries.worst_of(indices(db, version, year, "feeder", exclude_planned, False, scope),
                            n)


@st.cache_data(show_spinner=False, max_entries=64)
def most_interrupted(db: str, version: str, year: int, more_than: int, scope: Scope,
                     limit: int) -> tuple[int, pd.DataFrame]:
    """(how many customers, the ``limit`` most interrupted of them): on the 1M-customer
    warehouse the whole list (377k rows, 59 MB to the browser) took seconds to send."""
    with connection(db) as con:
        return (queries.count_interrupted(con, year, more_than, scope=scope_list(scope)),
                queries.most_interrupted(con, year, more_than, scope=scope_list(scope),
                                         limit=limit))


def all_interrupted(db: str, year: int, more_than: int, scope: Scope) -> pd.DataFrame:
    """Every customer interrupted more than ``more_than`` times (the page's CSV export; not
    cached: read fresh on the click, like the notice list)."""
    with connection(db) as con:
        return queries.most_interrupted(con, year, more_than, scope=scope_list(scope))


@st.cache_data(show_spinner=False, max_entries=128)
def event_detail(db: str, version: str, outage_id: str,
                 scope: Scope) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(affected customers by class, affected customers) of one event."""
    with connection(db) as con:
        return (queries.affected_by_class(con, outage_id, scope=scope_list(scope)),
                queries.affected_customers(con, outage_id, scope=scope_list(scope)))


@st.cache_data(show_spinner=False, max_entries=128)
def event_cells(db: str, version: str, outage_id: str, scope: Scope) -> pd.DataFrame:
    """The H3 cells an event interrupted (:func:`gcrm.outages.queries.affected_cells`)."""
    with connection(db) as con:
        return queries.affected_cells(con, outage_id, scope=scope_list(scope))


@st.cache_data(show_spinner=False, max_entries=64)
def feeder_reach(db: str, version: str, by: str, scope: Scope,
                 within: str | None = None) -> pd.DataFrame:
    with connection(db) as con:
        return queries.feeder_reach(con, by, scope=scope_list(scope), within=within)


@st.cache_data(show_spinner=False, max_entries=64)
def customer_cells(db: str, version: str, scope: Scope,
                   within: str | None = None) -> pd.DataFrame:
    with connection(db) as con:
        return queries.customer_cells(con, scope=scope_list(scope), within=within)


def notice_list(db: str, feeder_ids: Sequence[str], scope: Scope) -> pd.DataFrame:
    """The notification list (not cached: it is an export, always read fresh)."""
    with connection(db) as con:
        return queries.notice_list(con, list(feeder_ids), scope=scope_list(scope))


def notice_list_area(db: str, area: Area, window: tuple, scope: Scope) -> pd.DataFrame:
    """The notification list for an area (not cached, like :func:`notice_list`)."""
    with connection(db) as con:
        return queries.notice_list_area(con, area, window, scope=scope_list(scope))
