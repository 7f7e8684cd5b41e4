"""Merging duplicate customers without losing history, and undoing a merge.

A merge says "customer M is the same as customer S; S survives". It is recorded in the
operational store (``crm_merges``: survivor, merged id, reason, who, when) and

* moves M's CRM records (visits, complaints, notes entered in GCRM) to S, each with a
  ``customer_id`` row in its history (old and new value), listed in ``crm_merge_records``;
* never changes the warehouse: M's consumption, payments and loaded service records stay
  under M; the card of S shows M's loaded service records too (column ``merged_from``);
* is audited (``crm.merge``) and can be undone (``crm.unmerge``): exactly the records the
  merge moved go back to M, again with history rows; records entered on S after the merge
  stay with S. The merge row is kept, marked undone (who, when, why).

Rules (a :class:`MergeError` names the problem and nothing is written): both ids must exist
in the user's regions and differ; M must not be merged already, S must not be merged into
someone else, and M must not be the survivor of other merges (no chains: merge those into S
directly). A reason is required. The permission ``merge_customers`` is checked by the caller
(page, CLI), like ``edit_service`` for records.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import pandas as pd

from gcrm.customers import records as crm_records
from gcrm.customers.queries import customer_exists
from gcrm.security import audit

MAX_REASON = 500


class MergeError(ValueError):
    """Invalid merge or unmerge request: nothing was written."""


@dataclass(frozen=True)
class MergeResult:
    merge_id: int
    survivor_id: str
    merged_id: str
    records: tuple[int, ...]  # record ids moved


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def store_stamp(store: sqlite3.Connection) -> tuple:
    """Changes whenever a CRM record or a merge changes (a cache key for what reads them)."""
    rec = store.execute("SELECT count(*), max(updated_at) FROM crm_records").fetchone()
    mrg = store.execute("SELECT count(*), max(undone_at) FROM crm_merges").fetchone()
    return (*tuple(rec), *tuple(mrg))


def active_merge(store: sqlite3.Connection, merged_id: str) -> sqlite3.Row | None:
    """The active merge that absorbed ``merged_id``, or None."""
    return store.execute("SELECT * FROM crm_merges WHERE merged_id = ? AND undone_at IS NULL",
                         (merged_id,)).fetchone()


def merged_into(store: sqlite3.Connection, customer_id: str) -> str | None:
    """The survivor ``customer_id`` is merged into (active merges only), or None."""
    row = active_merge(store, customer_id)
    return None if row is None else row["survivor_id"]


def merged_ids(store: sqlite3.Connection, survivor_id: str) -> list[str]:
    """Customers currently merged into ``survivor_id``."""
    return [r[0] for r in store.execute(
        "SELECT merged_id FROM crm_merges WHERE survivor_id = ? AND undone_at IS NULL "
        "ORDER BY merge_id", (survivor_id,))]


def moved_records(store: sqlite3.Connection, survivor_id: str) -> dict[int, str]:
    """record id -> the merged customer it came from, for records now on ``survivor_id``
    because of an active merge."""
    return {int(r[0]): r[1] for r in store.execute(
        "SELECT mr.record_id, m.merged_id FROM crm_merge_records mr "
        "JOIN crm_merges m USING (merge_id) JOIN crm_records r USING (record_id) "
        "WHERE m.survivor_id = ? AND m.undone_at IS NULL AND r.customer_id = ?",
        (survivor_id, survivor_id))}


def merges(store: sqlite3.Connection, customer_id: str | None = None,
           active_only: bool = False) -> pd.DataFrame:
    """Merges, newest first (optionally those involving ``customer_id``), with the number of
    records each moved."""
    sql = ("SELECT m.*, (SELECT count(*) FROM crm_merge_records r WHERE r.merge_id = m.merge_id)"
           " AS records FROM crm_merges m WHERE 1 = 1")
    params: list = []
    if customer_id:
        sql += " AND (m.survivor_id = ? OR m.merged_id = ?)"
        params += [customer_id, customer_id]
    if active_only:
        sql += " AND m.undone_at IS NULL"
    return pd.read_sql_query(sql + " ORDER BY m.merge_id DESC", store, params=params)


def _check_reason(reason: str | None, what: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise MergeError(f"{what} needs a reason")
    if len(text) > MAX_REASON:
        raise MergeError(f"reason too long ({len(text)} characters, at most {MAX_REASON})")
    return text


def check_merge(con: duckdb.DuckDBPyConnection, store: sqlite3.Connection, survivor_id: str,
                merged_id: str, reason: str | None,
                scope: Sequence[str] | None = None) -> tuple[str, str, str]:
    """Validate a merge request; returns the cleaned (survivor, merged, reason)."""
    s, m = (survivor_id or "").strip(), (merged_id or "").strip()
    if not s or not m:
        raise MergeError("give the surviving customer id and the id to merge into it")
    if s == m:
        raise MergeError(f"cannot merge customer {s!r} into itself: pick two different "
                         "customers")
    text = _check_reason(reason, "a merge")
    for cid in (s, m):
        if not customer_exists(con, cid, scope):
            raise MergeError(f"unknown customer {cid!r}")
    if (row := active_merge(store, m)) is not None:
        raise MergeError(f"customer {m!r} is already merged into {row['survivor_id']!r} "
                         f"(merge #{row['merge_id']})")
    if (row := active_merge(store, s)) is not None:
        raise MergeError(f"customer {s!r} is itself merged into {row['survivor_id']!r} "
                         f"(merge #{row['merge_id']}); merge into {row['survivor_id']!r} "
                         "instead")
    if absorbed := merged_ids(store, m):
        raise MergeError(f"customer {m!r} is the survivor of merges ({', '.join(absorbed)}); "
                         f"undo those or merge them into {s!r} directly")
    return s, m, text


def merge(con: duckdb.DuckDBPyConnection, store: sqlite3.Connection, survivor_id: str,
          merged_id: str, *, user: str, reason: str | None,
          scope: Sequence[str] | None = None, now: datetime | None = None) -> MergeResult:
    """Merge ``merged_id`` into ``survivor_id`` (see the module docstring)."""
    s, m, text = check_merge(con, store, survivor_id, merged_id, reason, scope)
    ts = (now or _now()).isoformat(timespec="seconds")
    store.execute("BEGIN IMMEDIATE")
    try:
        cur = store.execute(
            "INSERT INTO crm_merges (survivor_id, merged_id, reason, merged_by, merged_at) "
            "VALUES (?, ?, ?, ?, ?)", (s, m, text, user, ts))
        merge_id = int(cur.lastrowid)
        ids = [int(r[0]) for r in store.execute(
            "SELECT record_id FROM crm_records WHERE customer_id = ? ORDER BY record_id", (m,))]
        moved = crm_records.reassign(store, ids, s, user, ts)
        store.executemany("INSERT INTO crm_merge_records VALUES (?, ?)",
                          [(merge_id, rid) for rid in moved])
        store.execute("COMMIT")
    except sqlite3.IntegrityError as exc:  # a concurrent merge of the same customer
        store.execute("ROLLBACK")
        raise MergeError(f"customer {m!r} was merged by someone else just now") from exc
    except BaseException:
        store.execute("ROLLBACK")
        raise
    audit.record(store, user, "crm.merge", s, merge_id=merge_id, merged_id=m, reason=text,
                 records=moved)
    return MergeResult(merge_id, s, m, tuple(moved))


def unmerge(con: duckdb.DuckDBPyConnection, store: sqlite3.Connection, merge_id: int, *,
            user: str, reason: str | None, scope: Sequence[str] | None = None,
            now: datetime | None = None) -> MergeResult:
    """Undo merge ``merge_id``: the records it moved go back to the merged customer."""
    try:
        mid = int(merge_id)
    except (TypeError, ValueError):
        raise MergeError(f"unknown merge {merge_id!r}") from None
    row = store.execute("SELECT * FROM crm_merges WHERE merge_id = ?", (mid,)).fetchone()
    if row is None or not all(customer_exists(con, c, scope)
                              for c in (row["survivor_id"], row["merged_id"])):
        raise MergeError(f"unknown merge {merge_id!r}")
    if row["undone_at"] is not None:
        raise MergeError(f"merge #{mid} was already undone by {row['undone_by']} on "
                         f"{row['undone_at']}")
    text = _check_reason(reason, "undoing a merge")
    ts = (now or _now()).isoformat(timespec="seconds")
    s, m = row["survivor_id"], row["merged_id"]
    store.execute("BEGIN IMMEDIATE")
    try:
        ids = [int(r[0]) for r in store.execute(
            "SELECT mr.record_id FROM crm_merge_records mr JOIN crm_records r USING (record_id) "
            "WHERE mr.merge_id = ? AND r.customer_id = ? ORDER BY mr.record_id", (mid, s))]
        moved = crm_records.reassign(store, ids, m, user, ts)
        store.execute("UPDATE crm_merges SET undone_by = ?, undone_at = ?, undo_reason = ? "
                      "WHERE merge_id = ?", (user, ts, text, mid))
        store.execute("COMMIT")
    except BaseException:
        store.execute("ROLLBACK")
        raise
    audit.record(store, user, "crm.unmerge", s, merge_id=mid, merged_id=m, reason=text,
                 records=moved)
    return MergeResult(mid, s, m, tuple(moved))
