"""Data access for the Key accounts page: cached wrappers around :mod:`gcrm.accounts`.

Reads that depend on user-written state (portfolios, alert states, relation edits) take the
store's stamp (:func:`gcrm.accounts.portfolios.stamp`) as part of their cache key
(``store_stamp``: no leading underscore, Streamlit would leave it out of the key), so a
reassignment or an acknowledgement shows at once. Every list shown is audited once per view.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards.components.data import connection, store
from dashboards.components.session import Access
from gcrm.accounts import portfolios as pf
from gcrm.accounts import queries as Q
from gcrm.security import audit
from gcrm.security.accounts import list_users


def viewer(who: Access) -> Q.Viewer:
    return Q.Viewer(who.user, who.scope, who.read_pii)




def stamp(db: str) -> tuple:
    """Changes when a portfolio, watchlist, alert state, relation or opinion changes."""
    with store(db) as ops:
        return pf.stamp(ops)


@st.cache_data(show_spinner=False, max_entries=32)
def months(db: str, version: str) -> list[str]:
    """Months with consumption, newest first."""
    with connection(db) as con:
        return list(reversed(Q.months_with_data(con)))


@st.cache_data(show_spinner=False, max_entries=32)
def alerts(db: str, version: str, who: Access, month: str, lang: str, mine: bool,
           store_stamp: tuple) -> pd.DataFrame:
    with connection(db) as con, store(db) as ops:
        return Q.alerts(con, ops, viewer(who), month, lang=lang, mine_only=mine)


@st.cache_data(show_spinner=False, max_entries=32)
def portfolio(db: str, version: str, who: Access, manager: str | None, month: str,
              store_stamp: tuple) -> pd.DataFrame:
    with connection(db) as con, store(db) as ops:
        return Q.portfolio_view(con, ops, viewer(who), manager, month)


@st.cache_data(show_spinner=False, max_entries=32)
def groups(db: str, version: str, who: Access, store_stamp: tuple) -> pd.DataFrame:
    with connection(db) as con, store(db) as ops:
        return Q.groups_list(con, ops, viewer(who))


@st.cache_data(show_spinner=False, max_entries=32)
def group(db: str, version: str, who: Access, group_id: str, store_stamp: tuple) -> pd.DataFrame:
    with connection(db) as con, store(db) as ops:
        return Q.group_view(con, ops, viewer(who), group_id)


def managers(db: str) -> list[str]:
    """Enabled accounts that may see customers (who can manage a portfolio)."""
    from gcrm.security.roles import allowed

    with store(db) as ops:
        return sorted(u["name"] for u in list_users(ops)
                      if not u["disabled"] and allowed(u["role"], "read_customers"))


def reassign(db: str, who: Access, ids: list[str], manager: str | None,
             reason: str) -> list[pf.Handover]:
    """Assign (the caller checked ``assign_accounts``); raises ValueError with a message."""
    with connection(db) as con, store(db) as ops:
        return Q.reassign(con, ops, viewer(who), ids, manager, user=who.user or "",
                          reason=reason)


def handle_alert(db: str, who: Access, key: str, state: str | None,
                 until: str | None = None) -> None:
    with store(db) as ops:
        pf.handle_alert(ops, who.user or "", key, state, until)


def audit_list(db: str, who: Access, action: str, **detail: object) -> None:
    with store(db) as ops:
        audit.record(ops, who.user, action, None, masked=not who.read_pii, **detail)


def card_accounts(db: str, who: Access, customer_id: str) -> dict:
    """Manager, handovers, group and relations of one customer (for the customer card)."""
    with connection(db) as con, store(db) as ops:
        return Q.card_accounts(con, ops, viewer(who), customer_id)


def plan_visits(db: str, who: Access, ids: list[str], start: tuple[float, float],
                day_start: str, windows: dict[str, str]) -> tuple[pd.DataFrame, dict]:
    """The day's visiting order (straight lines: the page has no road-network upload)."""
    with connection(db) as con, store(db) as ops:
        return Q.plan_visits(con, ops, viewer(who), ids, start, day_start, windows)


def visit_defaults(db: str, who: Access, ids: list[str], area: str | None
                   ) -> tuple[list[str], tuple[float, float] | None]:
    """The customers the visit plan preselects (in ``who``'s regions and inside the area drawn
    on the page, GeoJSON text, when there is one) and the start point among them."""
    with connection(db) as con:
        polygon = Q.area_of(area) if area else None
        return Q.visit_defaults(con, viewer(who), ids, polygon)


def record_visit(db: str, who: Access, customer_id: str, when, topic: str | None,
                 note: str | None, score: int | None, comment: str | None) -> int:
    with connection(db) as con, store(db) as ops:
        return Q.record_visit(con, ops, viewer(who), customer_id, when, who.user or "", topic,
                              note, score, comment)


@st.cache_data(show_spinner=False, max_entries=32)
def opinions(db: str, version: str, who: Access, by: str, store_stamp: tuple) -> pd.DataFrame:
    with connection(db) as con, store(db) as ops:
        return Q.opinions(con, ops, viewer(who), by)


def visit_home(db: str, who: Access) -> str | None:
    """Record that ``who`` opens their home view now; return the previous time (or None)."""
    with store(db) as ops:
        before = pf.last_seen(ops, who.user or "")
        pf.mark_seen(ops, who.user or "")
        return before


def changes_since(db: str, who: Access, since: str) -> dict:
    with connection(db) as con, store(db) as ops:
        return Q.changes_since(con, ops, viewer(who), who.user or "", since)


def customers_in_area(db: str, who: Access, geojson: str, big_only: bool) -> list[str]:
    """Customers ``who`` may see inside an uploaded GeoJSON polygon (ValueError if none)."""
    with connection(db) as con, store(db) as ops:
        return Q.customers_in_area(con, ops, viewer(who), Q.area_of(geojson), big_only)


@st.cache_data(show_spinner=False, max_entries=16)
def customer_points(db: str, version: str, who: Access, store_stamp: tuple) -> pd.DataFrame:
    """Where the customers ``who`` may see are (the map an area is drawn on)."""
    with connection(db) as con, store(db) as ops:
        return Q.customer_points(con, ops, viewer(who))
