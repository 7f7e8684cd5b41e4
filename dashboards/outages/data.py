"""Data and access for the outage page: cached wrappers around
:mod:`gcrm.outages.reliability` and
:mod:`gcrm.outages.queries`, and the one place the page learns who is looking (:func:`access`).

Every cached function takes ``db`` and ``version`` first (see :mod:`dashboards.components.data`)
and the user's region scope as a tuple (None = everywhere), so two users never share a result
computed for another scope. Contact fields come back unmasked; the page masks them with
:func:`gcrm.security.masking.mask_frame` unless the user may read PII.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboards.components.data import connection
from gcrm.outages import queries as outages
from gcrm.outages import reliability
from gcrm.outages.indices import MedResult

Scope = tuple[str, ...] | None


@dataclass(frozen=True)
class Access:
    """What the current user may see and do on the outage page."""

    user: str | None
    scope: Scope
    read_customers: bool
    read_pii: bool
    prepare_notice: bool


def access() -> Access:
    """The current user's scope and permissions.

    Uses ``dashboards.components.auth.principal()`` when the login module exists; without it
    (a dashboard without login) the user sees everything, masked, and may prepare notices.
    """
    if importlib.util.find_spec("dashboards.components.auth") is None:
        return Access(user=None, scope=None, read_customers=True, read_pii=False,
                      prepare_notice=True)
    from dashboards.components import auth

    p = auth.principal()  # stops the page when nobody is signed in
    return Access(user=p.name, scope=None if p.scope is None else tuple(p.scope),
                  read_customers=p.can("read_customers"), read_pii=p.can("read_pii"),
                  prepare_notice=p.can("prepare_notice"))


def still_signed_in() -> bool:
    """Whether the browser session is still valid (checked against the store, as the app shell
    does on every full run); True for a dashboard without login."""
    if importlib.util.find_spec("dashboards.components.auth") is None:
        return True
    from dashboards.components import auth

    return auth.current() is not None


def _scope(scope: Scope) -> list[str] | None:
    return None if scope is None else list(scope)


@st.cache_data(show_spinner=False, max_entries=16)
def years(db: str, version: str) -> list[int]:
    with connection(db) as con:
        return [int(y) for y in reliability.years(con)]


@st.cache_data(show_spinner=False, max_entries=128)
def indices(db: str, version: str, year: int, by: str, exclude_planned: bool,
            exclude_med: bool, scope: Scope, within: str | None = None) -> pd.DataFrame:
    """:func:`gcrm.outages.reliability.indices`; ``within`` drills into one region (e.g. a
    district's
    H3 cells with ``by="h3"``)."""
    with connection(db) as con:
        return reliability.indices(con, year, by, exclude_planned=exclude_planned,
                                   exclude_med=exclude_med, scope=_scope(scope), within=within)


@st.cache_data(show_spinner=False, max_entries=64)
def med(db: str, version: str, year: int, exclude_planned: bool, scope: Scope) -> MedResult:
    with connection(db) as con:
        return reliability.med(con, year, exclude_planned=exclude_planned, scope=_scope(scope))


@st.cache_data(show_spinner=False, max_entries=64)
def events(db: str, version: str, year: int, scope: Scope) -> pd.DataFrame:
    with connection(db) as con:
        return outages.events(con, year, scope=_scope(scope))


@st.cache_data(show_spinner=False, max_entries=16)
def feeders(db: str, version: str, scope: Scope) -> pd.DataFrame:
    with connection(db) as con:
        return outages.feeders(con, scope=_scope(scope))


@st.cache_data(show_spinner=False, max_entries=64)
def worst_feeders(db: str, version: str, year: int, n: int, exclude_planned: bool,
                  scope: Scope) -> pd.DataFrame:
    with connection(db) as con:
        return outages.worst_feeders(con, year, n, exclude_planned=exclude_planned,
                                     scope=_scope(scope))


@st.cache_data(show_spinner=False, max_entries=64)
def most_interrupted(db: str, version: str, year: int, more_than: int,
                     scope: Scope) -> pd.DataFrame:
    with connection(db) as con:
        return outages.most_interrupted(con, year, more_than, scope=_scope(scope))


@st.cache_data(show_spinner=False, max_entries=128)
def event_detail(db: str, version: str, outage_id: str,
                 scope: Scope) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(affected customers by class, affected customers) of one event."""
    with connection(db) as con:
        return (outages.affected_by_class(con, outage_id, scope=_scope(scope)),
                outages.affected_customers(con, outage_id, scope=_scope(scope)))


@st.cache_data(show_spinner=False, max_entries=128)
def event_cells(db: str, version: str, outage_id: str, scope: Scope) -> pd.DataFrame:
    """The H3 cells an event interrupted (:func:`gcrm.outages.queries.affected_cells`)."""
    with connection(db) as con:
        return outages.affected_cells(con, outage_id, scope=_scope(scope))


@st.cache_data(show_spinner=False, max_entries=64)
def feeder_reach(db: str, version: str, by: str, scope: Scope,
                 within: str | None = None) -> pd.DataFrame:
    with connection(db) as con:
        return outages.feeder_reach(con, by, scope=_scope(scope), within=within)


@st.cache_data(show_spinner=False, max_entries=64)
def customer_cells(db: str, version: str, scope: Scope,
                   within: str | None = None) -> pd.DataFrame:
    with connection(db) as con:
        return outages.customer_cells(con, scope=_scope(scope), within=within)


def notice_list(db: str, feeder_ids: Sequence[str], scope: Scope) -> pd.DataFrame:
    """The notification list (not cached: it is an export, always read fresh)."""
    with connection(db) as con:
        return outages.notice_list(con, list(feeder_ids), scope=_scope(scope))


def notice_list_area(db: str, area: outages.Area, window: tuple, scope: Scope) -> pd.DataFrame:
    """The notification list for an area (not cached, like :func:`notice_list`)."""
    with connection(db) as con:
        return outages.notice_list_area(con, area, window, scope=_scope(scope))
