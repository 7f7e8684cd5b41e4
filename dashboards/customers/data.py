"""Data access for the Customers page (customer 360): who is asking, search, card, records,
load-profile segments, risk lists, duplicates and merges.

Warehouse reads use short read-only connections (:func:`dashboards.components.data.connection`);
service records and the audit log go to the operational store
(:func:`gcrm.storage.store.connect_store`),
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
from gcrm.customers import anniversaries, records
from gcrm.customers import merge as crm_merge
from gcrm.customers import risk_queries as crm_risk
from gcrm.customers import segment_queries as crm_segments
from gcrm.customers.card import Card, card, customer_exists
from gcrm.customers.duplicates import suspects as crm_suspects
from gcrm.customers.search import search
from gcrm.customers.segments import Segmentation
from gcrm.security import audit
from gcrm.security.accounts import Principal
from gcrm.security.masking import mask_frame
from gcrm.security.roles import require
from gcrm.storage.store import connect_store


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
    """:func:`gcrm.customers.search.search` (raises SearchError for empty / over-long text)."""
    with connection(db) as con:
        return search(con, text, scope=_scope_key(scope), limit=limit)


def load_card(db: str, customer_id: str, who: Principal) -> Card:
    """The card as ``who`` may see it (scope, masking). Not cached: the timeline changes."""
    with connection(db) as con, store(db) as ops:
        return card(con, customer_id, store=ops, scope=who.scope,
                    show_pii=who.can("read_pii"))


def audit_list(db: str, who: Principal, action: str, **detail: object) -> None:
    """Audit that ``who`` looked at a list of customers (risk list, duplicates)."""
    with store(db) as ops:
        audit.record(ops, who.name, action, None, masked=not who.can("read_pii"), **detail)


def audit_view(db: str, customer_id: str, who: Principal, masked: bool) -> None:
    with store(db) as ops:
        audit.record(ops, who.name, "card.view", customer_id, masked=masked)


def add_record(db: str, rec: records.NewRecord, who: Principal) -> int:
    """Create a record (RecordError: nothing written). The customer must be in scope and not
    merged into another customer (records go to the survivor)."""
    with connection(db) as con, store(db) as ops:
        if survivor := crm_merge.merged_into(ops, rec.customer_id):
            raise records.RecordError(f"customer {rec.customer_id!r} was merged into "
                                      f"{survivor!r}: record it on {survivor!r}")
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
    """A naive local wall-clock time as naive UTC (how :mod:`gcrm.customers.records` compares)."""
    return value.astimezone(UTC).replace(tzinfo=None)


# ------------------------------------------------------------------ segments, risk, merges
def store_stamp(db: str) -> tuple:
    """Changes whenever a record or a merge changes: part of the cache key of what reads them."""
    from gcrm.customers.merge import store_stamp as stamp

    with store(db) as ops:
        return stamp(ops)


@st.cache_data(show_spinner=False, max_entries=16)
def segments(db: str, version: str, scope: tuple[str, ...] | None, k: int,
             lang: str) -> Segmentation:
    """:func:`gcrm.customers.segment_queries.segments` (cached per data version, scope, k and
    language)."""
    with connection(db) as con:
        return crm_segments.segments(con, scope=_scope_key(scope), k=k, lang=lang)


@st.cache_data(show_spinner=False, max_entries=32)
def segment_members(db: str, version: str, scope: tuple[str, ...] | None, k: int, lang: str,
                    segment_no: int, limit: int = 50) -> pd.DataFrame:
    seg = segments(db, version, scope, k, lang)
    with connection(db) as con:
        return crm_segments.members(con, seg, segment_no, scope=_scope_key(scope), limit=limit)


@st.cache_data(show_spinner=False, max_entries=32)
def risk_list(db: str, version: str, stamp: tuple, scope: tuple[str, ...] | None, by: str,
              as_of: date, lang: str, show_pii: bool, limit: int = 100) -> pd.DataFrame:
    """:func:`gcrm.customers.risk_queries.ranked` — the same list as ``gcrm customers risk``."""
    with connection(db) as con, store(db) as ops:
        return crm_risk.ranked(con, ops, _scope_key(scope), by=by, limit=limit,
                               as_of=pd.Timestamp(as_of), lang=lang, show_pii=show_pii)


@st.cache_data(show_spinner=False, max_entries=16)
def duplicate_groups(db: str, version: str, stamp: tuple, scope: tuple[str, ...] | None,
                     show_pii: bool) -> pd.DataFrame:
    """:func:`gcrm.customers.duplicates.suspects` (masked unless ``show_pii``)."""
    with connection(db) as con, store(db) as ops:
        df = crm_suspects(con, ops, _scope_key(scope))
    return df if show_pii else mask_frame(df)


def merges(db: str, who: Principal) -> pd.DataFrame:
    """Merges the user may see (both customers in scope), newest first."""
    with store(db) as ops:
        df = crm_merge.merges(ops)
    if who.scope is None or df.empty:
        return df
    with connection(db) as con:
        ok = [customer_exists(con, a, who.scope) and customer_exists(con, b, who.scope)
              for a, b in zip(df["survivor_id"], df["merged_id"], strict=True)]
    return df[ok]


def merge(db: str, survivor: str, merged: str, reason: str,
          who: Principal) -> crm_merge.MergeResult:
    """Merge (PermissionDenied without ``merge_customers``; MergeError: nothing written)."""
    require(who.role_name, "merge_customers")
    with connection(db) as con, store(db) as ops:
        return crm_merge.merge(con, ops, survivor, merged, user=who.name, reason=reason,
                               scope=who.scope)


def unmerge(db: str, merge_id: int, reason: str, who: Principal) -> crm_merge.MergeResult:
    require(who.role_name, "merge_customers")
    with connection(db) as con, store(db) as ops:
        return crm_merge.unmerge(con, ops, merge_id, user=who.name, reason=reason,
                                 scope=who.scope)
