"""Service records users create: visits, complaints, requests, notes, contacts.

They live in the operational store (SQLite) and every change keeps its history — who, when,
field, old value, new value — in the append-only ``crm_history`` table ("modification leaves
traces"). Complaints follow a workflow: open -> in_progress -> resolved -> closed (a resolved
complaint may be re-opened to in_progress); time to resolve is measured. A customer merge
moves records to the surviving customer through :func:`reassign`, which keeps the old and new
``customer_id`` in the history too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd

from gcrm.security import audit
from gcrm.vocab import RECORD_KINDS, RECORD_STATUSES

KINDS = RECORD_KINDS
STATUSES = RECORD_STATUSES
TRANSITIONS = {
    "open": ("in_progress", "resolved", "closed"),
    "in_progress": ("resolved", "closed"),
    "resolved": ("closed", "in_progress"),
    "closed": (),
}
EDITABLE = ("topic", "note", "contact", "occurred_at")
MAX_TEXT = 2000


class RecordError(ValueError):
    """Invalid record: nothing was written."""


@dataclass(frozen=True)
class NewRecord:
    customer_id: str
    kind: str
    occurred_at: datetime
    topic: str | None = None
    note: str | None = None
    contact: str | None = None


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _check_text(field: str, value: str | None) -> None:
    if value is not None and len(value) > MAX_TEXT:
        raise RecordError(f"{field} too long ({len(value)} characters, at most {MAX_TEXT})")


def create(store: sqlite3.Connection, rec: NewRecord, user: str,
           customer_exists: Callable[[str], bool], now: datetime | None = None) -> int:
    """Validate and insert a record; returns its id. ``customer_exists`` checks the warehouse."""
    now = now or _now()
    if not rec.customer_id:
        raise RecordError(f"a {rec.kind} needs a customer")
    if rec.kind not in KINDS:
        raise RecordError(f"unknown kind {rec.kind!r}; expected one of {', '.join(KINDS)}")
    if not customer_exists(rec.customer_id):
        raise RecordError(f"unknown customer {rec.customer_id!r}")
    if rec.occurred_at > now:
        raise RecordError(f"a {rec.kind} cannot be dated in the future "
                          f"({rec.occurred_at:%Y-%m-%d %H:%M})")
    if rec.kind in ("complaint", "request") and not (rec.topic or rec.note):
        raise RecordError(f"a {rec.kind} needs a topic or a note")
    for field in ("topic", "note", "contact"):
        _check_text(field, getattr(rec, field))
    status = "open" if rec.kind in ("complaint", "request") else "closed"
    ts = now.isoformat(timespec="seconds")
    cur = store.execute(
        "INSERT INTO crm_records (customer_id, kind, status, occurred_at, topic, note, contact, "
        "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (rec.customer_id, rec.kind, status, rec.occurred_at.isoformat(timespec="seconds"),
         rec.topic, rec.note, rec.contact, user, ts, ts))
    rid = int(cur.lastrowid)
    store.execute("INSERT INTO crm_history VALUES (?, ?, ?, 'created', NULL, ?)",
                  (rid, ts, user, rec.kind))
    audit.record(store, user, "crm.create", rec.customer_id, record_id=rid, kind=rec.kind)
    return rid


def _get(store: sqlite3.Connection, record_id: int) -> sqlite3.Row:
    row = store.execute("SELECT * FROM crm_records WHERE record_id = ?", (record_id,)).fetchone()
    if row is None:
        raise RecordError(f"unknown record {record_id}")
    return row


def update(store: sqlite3.Connection, record_id: int, user: str,
           now: datetime | None = None, **changes: object) -> None:
    """Change fields (and/or ``status``); each change is kept in the history."""
    now = now or _now()
    row = _get(store, record_id)
    unknown = set(changes) - {*EDITABLE, "status"}
    if unknown:
        raise RecordError(f"cannot edit {', '.join(sorted(unknown))}; editable: "
                          f"{', '.join((*EDITABLE, 'status'))}")
    sets: dict[str, object] = {}
    if "status" in changes:
        new = changes["status"]
        if new not in STATUSES:
            raise RecordError(f"unknown status {new!r}; expected one of {', '.join(STATUSES)}")
        if new != row["status"] and new not in TRANSITIONS[row["status"]]:
            raise RecordError(f"a record cannot go from {row['status']} to {new}")
        sets["status"] = new
        if new == "resolved":
            sets["resolved_at"] = now.isoformat(timespec="seconds")
    for field in EDITABLE:
        if field in changes:
            value = changes[field]
            if field == "occurred_at":
                if not isinstance(value, datetime) or value > now:
                    raise RecordError("occurred_at must be a date/time not in the future")
                value = value.isoformat(timespec="seconds")
            else:
                _check_text(field, value)  # type: ignore[arg-type]
            sets[field] = value
    ts = now.isoformat(timespec="seconds")
    changed = {k: v for k, v in sets.items() if row[k] != v}
    if not changed:
        return
    store.execute("BEGIN IMMEDIATE")
    try:
        for k, v in changed.items():
            store.execute("INSERT INTO crm_history VALUES (?, ?, ?, ?, ?, ?)",
                          (record_id, ts, user, k, None if row[k] is None else str(row[k]),
                           None if v is None else str(v)))
        assignments = ", ".join(f"{k} = ?" for k in changed)
        store.execute(f"UPDATE crm_records SET {assignments}, updated_at = ? WHERE record_id = ?",
                      (*changed.values(), ts, record_id))
        store.execute("COMMIT")
    except BaseException:
        store.execute("ROLLBACK")
        raise
    audit.record(store, user, "crm.update", row["customer_id"], record_id=record_id,
                 fields=sorted(changed))


def reassign(store: sqlite3.Connection, record_ids: list[int], customer_id: str, user: str,
             ts: str) -> list[int]:
    """Re-point records to ``customer_id``, one ``customer_id`` history row per record moved.

    Used by customer merges (:mod:`gcrm.customers.merge`). Runs inside the caller's transaction
    (no BEGIN/COMMIT here, no audit entry: the caller audits the whole operation). Returns the
    ids actually moved (records already on ``customer_id`` are left alone).
    """
    moved = []
    for rid in record_ids:
        row = _get(store, rid)
        if row["customer_id"] == customer_id:
            continue
        store.execute("INSERT INTO crm_history VALUES (?, ?, ?, 'customer_id', ?, ?)",
                      (rid, ts, user, row["customer_id"], customer_id))
        store.execute("UPDATE crm_records SET customer_id = ?, updated_at = ? WHERE record_id = ?",
                      (customer_id, ts, rid))
        moved.append(int(rid))
    return moved


def records(store: sqlite3.Connection, customer_id: str) -> pd.DataFrame:
    df = pd.read_sql_query("SELECT * FROM crm_records WHERE customer_id = ? "
                           "ORDER BY occurred_at DESC, record_id DESC", store,
                           params=(customer_id,))
    resolved = pd.to_datetime(df["resolved_at"])
    elapsed = resolved - pd.to_datetime(df["occurred_at"])
    df["hours_to_resolve"] = elapsed.dt.total_seconds() / 3600
    return df


def history(store: sqlite3.Connection, record_id: int) -> pd.DataFrame:
    return pd.read_sql_query("SELECT * FROM crm_history WHERE record_id = ? ORDER BY rowid",
                             store, params=(record_id,))
