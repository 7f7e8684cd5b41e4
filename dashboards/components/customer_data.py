"""Data access for the Customers page (customer 360): who is asking, search, card, records.

Warehouse reads use short read-only connections (:func:`dashboards.components.data.connection`);
service records and the audit log go to the operational store (:func:`gcrm.store.connect_store`),
opened per call and closed again.

Who is asking: :func:`principal`, the signed-in user of the login page (``auth.principal``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

import pandas as pd
import streamlit as st

from dashboards.components.data import connection
from gcrm.crm import anniversaries, records
from gcrm.crm.card import Card, card, customer_exists
from gcrm.crm.search import search
from gcrm.security import audit
from gcrm.security.accounts import Principal
from gcrm.store import connect_store


def principal() -> Principal:
    """The signed-in user (the shell guarantees one before a page runs)."""
    from dashboards.components import auth

    return auth.principal()


def _scope_key(scope) -> tuple[str, ...] | None:
    return None if scope is None else tuple(scope)


@contextmanager
def store(db: str) -> Iterator[sqlite3.Connection]:
    con = connect_store(db)
    try:
        yield con
    finally:
        con.close()


@st.cache_data(show_spinner=False, max_entries=128)
def find(db: str, version: str, text: str, scope: tuple[str, ...] | None,
         limit: int = 50) -> pd.DataFrame:
    """:func:`gcrm.crm.search.search` (raises SearchError for empty / over-long text)."""
    with connection(db) as con:
        return search(con, text, scope=_scope_key(scope), limit=limit)


def load_card(db: str, customer_id: str, who: Principal) -> Card:
    """The card as ``who`` may see it (scope, masking). Not cached: the timeline changes."""
    with connection(db) as con, store(db) as ops:
        return card(con, customer_id, store=ops, scope=who.scope,
                    show_pii=who.can("read_pii"))


def audit_view(db: str, customer_id: str, who: Principal, masked: bool) -> None:
    with store(db) as ops:
        audit.record(ops, who.name, "card.view", customer_id, masked=masked)


def add_record(db: str, rec: records.NewRecord, who: Principal) -> int:
    """Create a record (RecordError: nothing written). The customer must be in scope."""
    with connection(db) as con, store(db) as ops:
        return records.create(ops, rec, who.name,
                              lambda cid: customer_exists(con, cid, who.scope))


def set_status(db: str, record_id: int, status: str, who: Principal) -> None:
    with store(db) as ops:
        records.update(ops, record_id, who.name, status=status)


def customer_records(db: str, customer_id: str) -> pd.DataFrame:
    with store(db) as ops:
        return records.records(ops, customer_id)


def record_history(db: str, record_id: int) -> pd.DataFrame:
    with store(db) as ops:
        return records.history(ops, record_id)


@st.cache_data(show_spinner=False, max_entries=32)
def upcoming(db: str, version: str, days: int, today: date,
             scope: tuple[str, ...] | None) -> pd.DataFrame:
    with connection(db) as con:
        return anniversaries.upcoming(con, days, today=today, big_only=True,
                                      scope=_scope_key(scope))


def local_to_utc(value: datetime) -> datetime:
    """A naive local wall-clock time as naive UTC (how :mod:`gcrm.crm.records` compares)."""
    return value.astimezone(UTC).replace(tzinfo=None)
