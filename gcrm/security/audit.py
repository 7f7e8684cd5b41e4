"""Tamper-evident, append-only audit log (hash chain in the operational store).

Each entry's hash covers its content and the previous entry's hash, so changing or deleting
any entry breaks the chain; ``audit_head`` records the last id and hash, so removing entries
from the end is detected too. With ``$GCRM_AUDIT_KEY`` set, hashes are HMAC-SHA256 under that
key, so someone with write access to the file but not the key cannot forge a consistent chain.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

GENESIS = "0" * 64


def _digest(payload: str) -> str:
    key = os.environ.get("GCRM_AUDIT_KEY")
    if key:
        return hmac.new(key.encode(), payload.encode(), hashlib.sha256).hexdigest()
    return hashlib.sha256(payload.encode()).hexdigest()


def _payload(entry_id: int, ts: str, user: str | None, action: str, target: str | None,
             detail: str, prev_hash: str) -> str:
    return json.dumps([entry_id, ts, user, action, target, detail, prev_hash],
                      ensure_ascii=False, separators=(",", ":"))


def record(con: sqlite3.Connection, user: str | None, action: str, target: str | None = None,
           **detail: object) -> int:
    """Append one entry; returns its id. Serialised with BEGIN IMMEDIATE."""
    text = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
    ts = datetime.now(UTC).isoformat(timespec="microseconds")
    con.execute("BEGIN IMMEDIATE")
    try:
        head = con.execute("SELECT last_id, last_hash FROM audit_head WHERE id = 1").fetchone()
        last_id, prev = (head[0], head[1]) if head else (0, GENESIS)
        entry_id = last_id + 1
        h = _digest(_payload(entry_id, ts, user, action, target, text, prev))
        con.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (entry_id, ts, user, action, target, text, prev, h))
        con.execute("INSERT INTO audit_head VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                    "last_id = excluded.last_id, last_hash = excluded.last_hash", (entry_id, h))
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return entry_id


@dataclass
class Verification:
    ok: bool
    entries: int
    problems: list[str]


def verify(con: sqlite3.Connection) -> Verification:
    """Recompute the chain; report every broken link, changed entry and missing entry."""
    problems: list[str] = []
    prev, expected_id, n = GENESIS, 1, 0
    for row in con.execute("SELECT id, ts, user, action, target, detail, prev_hash, hash "
                           "FROM audit_log ORDER BY id"):
        n += 1
        entry_id, ts, user, action, target, detail, prev_hash, h = tuple(row)
        if entry_id != expected_id:
            problems.append(f"entries {expected_id}..{entry_id - 1} are missing")
        if prev_hash != prev:
            problems.append(f"entry {entry_id}: does not follow the previous entry")
        if _digest(_payload(entry_id, ts, user, action, target, detail, prev_hash)) != h:
            problems.append(f"entry {entry_id}: content changed after it was written")
        prev, expected_id = h, entry_id + 1
    head = con.execute("SELECT last_id, last_hash FROM audit_head WHERE id = 1").fetchone()
    if head is not None and (head[0] != expected_id - 1 or head[1] != prev):
        problems.append(f"the log ends at entry {expected_id - 1} but entry {head[0]} was "
                        "written: entries were removed from the end")
    if head is None and n:
        problems.append("the head record is missing")
    return Verification(not problems, n, problems)


def search(con: sqlite3.Connection, user: str | None = None, action: str | None = None,
           text: str | None = None, limit: int = 200) -> list[dict]:
    """Latest entries first, filtered by user, action and free text (bound parameters)."""
    sql = "SELECT id, ts, user, action, target, detail FROM audit_log WHERE 1 = 1"
    params: list = []
    if user:
        sql += " AND user = ?"
        params.append(user)
    if action:
        sql += " AND action = ?"
        params.append(action)
    if text:
        sql += " AND (target LIKE ? OR detail LIKE ?)"
        params += [f"%{text}%", f"%{text}%"]
    sql += " ORDER BY id DESC LIMIT ?"
    params.append(int(limit))
    return [dict(r) for r in con.execute(sql, params)]


def known_actions(con: sqlite3.Connection) -> list[str]:
    """Every action recorded so far, sorted (for the audit page's filter)."""
    return [r[0] for r in con.execute("SELECT DISTINCT action FROM audit_log ORDER BY 1")]


def known_users(con: sqlite3.Connection) -> list[str]:
    """Every user with an entry, sorted (for the audit page's filter)."""
    return [r[0] for r in con.execute(
        "SELECT DISTINCT user FROM audit_log WHERE user IS NOT NULL ORDER BY 1")]
