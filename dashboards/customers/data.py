"""Data access for the Customers page (customer 360): search, card, records, load-profile
segments, risk lists, duplicates and merges.

Warehouse reads use short read-only connections (:func:`dashboards.components.data.connection`);
service records and the audit log go to the operational store
(:func:`gcrm.storage.store.connect_store`), opened per call and closed again.

Who is asking: an :class:`~dashboards.components.session.Access` (``session.access()``); its
region scope is part of the cache key of every cached read.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import streamlit as st

from dashboards.components.data import connection, store
from dashboards.components.session import Access, Scope, scope_list
from gcrm.customers import anniversaries, queries, records
from gcrm.customers import merge as crm_merge
from gcrm.customers.card import Card, card
from gcrm.customers.duplicates import suspects as crm_suspects
from gcrm.customers.queries import customer_exists
from gcrm.customers.search import audited_search
from gcrm.customers.segments import Segmentation
from gcrm.security import audit
from gcrm.security.masking import mask_frame
from gcrm.security.roles import require


def find(db: str, text: str, who: Access, limit: int = 50) -> pd.DataFrame:
    """:func:`gcrm.customers.search.audited_search` as ``who`` may search: masked roles match
    only what they see or whole values and are rate-limited; every call is audited, so it is
    not cached (the page calls it once per new search text). Raises SearchError for empty or
    over-long text, SearchLimitError (a SearchError) past the limit."""
    with connection(db) as con, store(db) as ops:
        return audited_search(con, ops, text, user=who.user, show_pii=who.can("read_pii"),
                              scope=scope_list(who.scope), limit=limit)


def load_card(db: str, customer_id: str, who: Access) -> Card:
    """The card as ``who`` may see it (scope, masking). Not cached: the timeline changes."""
    with connection(db) as con, store(db) as ops:
        return card(con, customer_id, store=ops, scope=scope_list(who.scope),
                    show_pii=who.can("read_pii"))


def key_account(db: str, customer_id: str, who: Access) -> dict:
    """Manager, handover history (with merged customers'), group and relationships of one
    customer (:func:`gcrm.accounts.queries.card_accounts`): the customers domain does not
    depend on key accounts, the page puts both on the card."""
    from gcrm.accounts.queries import Viewer, card_accounts

    with connection(db) as con, store(db) as ops:
        return card_accounts(con, ops, Viewer(who.user, who.scope, who.can("read_pii")),
                             customer_id)


def edit_relation(db: str, who: Access, customer_id: str, related_id: str, kind: str,
                  action: str) -> None:
    """Add or remove a relationship from the card (audited; ValueError: nothing written)."""
    from gcrm.accounts.queries import Viewer
    from gcrm.accounts.queries import edit_relation as edit

    require(who.role or "", "edit_service")
    with connection(db) as con, store(db) as ops:
        edit(con, ops, Viewer(who.user, who.scope, who.can("read_pii")), customer_id,
             related_id.strip(), kind, action, who.user or "")


def audit_list(db: str, who: Access, action: str, **detail: object) -> None:
    """Audit that ``who`` looked at a list of customers (risk list, duplicates)."""
    with store(db) as ops:
        audit.record(ops, who.user, action, None, masked=not who.can("read_pii"), **detail)


def audit_view(db: str, customer_id: str, who: Access, masked: bool) -> None:
    with store(db) as ops:
        audit.record(ops, who.user, "card.view", customer_id, masked=masked)


def add_record(db: str, rec: records.NewRecord, who: Access) -> int:
    """Create a record (RecordError: nothing written). The customer must be in scope and not
    merged into another customer (records go to the survivor)."""
    scope = scope_list(who.scope)
    with connection(db) as con, store(db) as ops:
        if survivor := crm_merge.merged_into(ops, rec.customer_id):
            raise records.RecordError(f"customer {rec.customer_id!r} was merged into "
                                      f"{survivor!r}: record it on {survivor!r}")
        return records.create(ops, rec, who.user,
                              lambda cid: customer_exists(con, cid, scope))


def set_status(db: str, record_id: int, status: str, who: Access) -> None:
    with store(db) as ops:
        records.update(ops, record_id, who.user, status=status)


def customer_records(db: str, customer_id: str) -> pd.DataFrame:
    with store(db) as ops:
        return records.records(ops, customer_id)


def record_history(db: str, record_id: int) -> pd.DataFrame:
    with store(db) as ops:
        return records.history(ops, record_id)


@st.cache_data(show_spinner=False, max_entries=32)
def upcoming(db: str, version: str, days: int, today: date, scope: Scope) -> pd.DataFrame:
    with connection(db) as con:
        return anniversaries.upcoming(con, days, today=today, big_only=True,
                                      scope=scope_list(scope))


def local_to_utc(value: datetime) -> datetime:
    """A naive local wall-clock time as naive UTC (how :mod:`gcrm.customers.records` compares)."""
    return value.astimezone(UTC).replace(tzinfo=None)


# ------------------------------------------------------------------ segments, risk, merges
def store_stamp(db: str) -> tuple:
    """Changes whenever a record or a merge changes: part of the cache key of what reads them."""
    with store(db) as ops:
        return crm_merge.store_stamp(ops)


@st.cache_data(show_spinner=False, max_entries=16)
def segments(db: str, version: str, scope: Scope, k: int, lang: str) -> Segmentation:
    """:func:`gcrm.customers.queries.segments` (cached per data version, scope, k and
    language)."""
    with connection(db) as con:
        return queries.segments(con, scope=scope_list(scope), k=k, lang=lang)


@st.cache_data(show_spinner=False, max_entries=32)
def segment_members(db: str, version: str, scope: Scope, k: int, lang: str,
                    segment_no: int, limit: int = 50) -> pd.DataFrame:
    seg = segments(db, version, scope, k, lang)
    with connection(db) as con:
        return queries.members(con, seg, segment_no, scope=scope_list(scope), limit=limit)


@st.cache_data(show_spinner=False, max_entries=32)
def risk_list(db: str, version: str, stamp: tuple, scope: Scope, by: str,
              as_of: date, lang: str, show_pii: bool, limit: int = 100) -> pd.DataFrame:
    """:func:`gcrm.customers.queries.ranked` — the same list as ``gcrm customers risk``."""
    with connection(db) as con, store(db) as ops:
        return queries.ranked(con, ops, scope_list(scope), by=by, limit=limit,
                              as_of=pd.Timestamp(as_of), lang=lang, show_pii=show_pii)


@st.cache_data(show_spinner=False, max_entries=16)
def duplicate_groups(db: str, version: str, stamp: tuple, scope: Scope,
                     show_pii: bool) -> pd.DataFrame:
    """:func:`gcrm.customers.duplicates.suspects` (masked unless ``show_pii``)."""
    with connection(db) as con, store(db) as ops:
        df = crm_suspects(con, ops, scope_list(scope))
    return df if show_pii else mask_frame(df)


def merges(db: str, who: Access) -> pd.DataFrame:
    """Merges the user may see (both customers in scope), newest first."""
    with store(db) as ops:
        df = crm_merge.merges(ops)
    if who.scope is None or df.empty:
        return df
    scope = scope_list(who.scope)
    with connection(db) as con:
        ok = [customer_exists(con, a, scope) and customer_exists(con, b, scope)
              for a, b in zip(df["survivor_id"], df["merged_id"], strict=True)]
    return df[ok]


def _require(who: Access, permission: str) -> None:
    """PermissionDenied unless ``who``'s role has ``permission`` (the page offers the action
    only then; this is the second check, with the role's own message)."""
    require(who.role or "", permission)


def merge(db: str, survivor: str, merged: str, reason: str,
          who: Access) -> crm_merge.MergeResult:
    """Merge (PermissionDenied without ``merge_customers``; MergeError: nothing written)."""
    _require(who, "merge_customers")
    with connection(db) as con, store(db) as ops:
        return crm_merge.merge(con, ops, survivor, merged, user=who.user, reason=reason,
                               scope=scope_list(who.scope))


def unmerge(db: str, merge_id: int, reason: str, who: Access) -> crm_merge.MergeResult:
    _require(who, "merge_customers")
    with connection(db) as con, store(db) as ops:
        return crm_merge.unmerge(con, ops, merge_id, user=who.user, reason=reason,
                                 scope=scope_list(who.scope))
