"""Tamper-evident, append-only audit log (hash chain in the operational store).

Each entry's hash covers its content and the previous entry's hash, so changing or deleting
any entry breaks the chain. ``audit_head`` records the entry count and the last hash with a
signature over both, so removing entries from the end, re-pointing the head or wiping the log
is detected too. With ``$GCRM_AUDIT_KEY`` set, hashes and signatures are HMAC-SHA256 under
that key, so someone with write access to the file but not the key can neither forge a
consistent chain nor sign a shortened one; without it they are plain SHA-256 and only catch
clumsy edits. A new store starts with a signed empty head (:func:`start`), and an entry added
on top of a head whose signature is wrong keeps the head unsigned (:data:`BROKEN`), so a
truncation stays visible after the next login. :func:`seal` (``gcrm audit seal``) is the
administrator's way to accept the current state after an investigation; it is logged.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

GENESIS = "0" * 64
#: the signature an entry leaves on the head when the head it extended was not validly signed
BROKEN = "broken"


def keyed() -> bool:
    """True when ``$GCRM_AUDIT_KEY`` is set (hashes and signatures are HMACs)."""
    return bool(os.environ.get("GCRM_AUDIT_KEY"))


def _digest(payload: str) -> str:
    key = os.environ.get("GCRM_AUDIT_KEY")
    if key:
        return hmac.new(key.encode(), payload.encode(), hashlib.sha256).hexdigest()
    return hashlib.sha256(payload.encode()).hexdigest()


def _canonical(values: list) -> str:
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def _payload(entry_id: int, ts: str, user: str | None, action: str, target: str | None,
             detail: str, prev_hash: str) -> str:
    return _canonical([entry_id, ts, user, action, target, detail, prev_hash])


def entry_hash(entry_id: int, ts: str, user: str | None, action: str, target: str | None,
               detail: str, prev_hash: str) -> str:
    """The hash (HMAC with the key) an entry with these fields must carry."""
    return _digest(_payload(entry_id, ts, user, action, target, detail, prev_hash))


def sign(name: str, *values: object) -> str:
    """Signature (HMAC with the key) of ``values`` for the purpose ``name``.

    The payload starts with the name, an entry's with its id, so none can stand for another.
    """
    return _digest(_canonical([name, *values]))


def head_signature(entries: int, last_hash: str) -> str:
    """Signature of a head saying the log holds ``entries`` entries ending in ``last_hash``."""
    return sign("gcrm-audit-head", entries, last_hash)


def _read_head(con: sqlite3.Connection) -> tuple[int, str, str | None] | None:
    row = con.execute("SELECT last_id, last_hash, signature FROM audit_head WHERE id = 1"
                      ).fetchone()
    return None if row is None else (row[0], row[1], row[2])


def _write_head(con: sqlite3.Connection, last_id: int, last_hash: str, signature: str) -> None:
    con.execute("INSERT INTO audit_head VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                "last_id = excluded.last_id, last_hash = excluded.last_hash, "
                "signature = excluded.signature", (last_id, last_hash, signature))


def _head_sound(head: tuple[int, str, str | None] | None) -> bool:
    """May an entry be added on top of ``head`` with a valid signature? Without the key there
    is nothing to protect; with it the head must exist and be signed."""
    if not keyed():
        return True
    return head is not None and head[2] == head_signature(head[0], head[1])


def start(con: sqlite3.Connection) -> None:
    """Give a new, empty store its signed empty head (``connect_store`` calls this once)."""
    con.execute("INSERT OR IGNORE INTO audit_head VALUES (1, 0, ?, ?)",
                (GENESIS, head_signature(0, GENESIS)))


def _append(con: sqlite3.Connection, user: str | None, action: str, target: str | None,
            text: str, reseal: bool = False) -> int:
    ts = datetime.now(UTC).isoformat(timespec="microseconds")
    con.execute("BEGIN IMMEDIATE")
    try:
        head = _read_head(con)
        last_id, prev = (head[0], head[1]) if head else (0, GENESIS)
        entry_id = last_id + 1
        h = entry_hash(entry_id, ts, user, action, target, text, prev)
        con.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (entry_id, ts, user, action, target, text, prev, h))
        sound = reseal or _head_sound(head)
        _write_head(con, entry_id, h, head_signature(entry_id, h) if sound else BROKEN)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return entry_id


def record(con: sqlite3.Connection, user: str | None, action: str, target: str | None = None,
           **detail: object) -> int:
    """Append one entry; returns its id. Serialised with BEGIN IMMEDIATE."""
    text = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
    return _append(con, user, action, target, text)


@dataclass
class Verification:
    ok: bool
    entries: int
    problems: list[str]


@dataclass
class Chain:
    """The result of walking entries in id order: problems, count and where it ends."""

    problems: list[str]
    entries: int = 0
    last_id: int = 0
    last_hash: str = GENESIS


def walk(rows: Iterable[tuple]) -> Chain:
    """Recompute the chain of ``rows`` (id, ts, user, action, target, detail, prev_hash,
    hash) in id order: every broken link, changed entry and gap."""
    chain = Chain([])
    for row in rows:
        entry_id, ts, user, action, target, detail, prev_hash, h = tuple(row)
        chain.entries += 1
        if entry_id != chain.last_id + 1:
            chain.problems.append(f"entries {chain.last_id + 1}..{entry_id - 1} are missing")
        if prev_hash != chain.last_hash:
            chain.problems.append(f"entry {entry_id}: does not follow the previous entry")
        if entry_hash(entry_id, ts, user, action, target, detail, prev_hash) != h:
            chain.problems.append(f"entry {entry_id}: content changed after it was written")
        chain.last_id, chain.last_hash = entry_id, h
    return chain


def rows(con: sqlite3.Connection, after: int = 0) -> Iterable[tuple]:
    """The entries after id ``after`` as tuples in the order :func:`walk` reads."""
    return con.execute("SELECT id, ts, user, action, target, detail, prev_hash, hash "
                       "FROM audit_log WHERE id > ? ORDER BY id", (after,))


def _head_problems(head: tuple[int, str, str | None] | None, chain: Chain) -> list[str]:
    if head is None:
        if chain.entries or keyed():
            return ["the head record is missing: the log was wiped or entries were removed"]
        return []
    last_id, last_hash, signature = head
    problems = []
    if last_id != chain.last_id or last_hash != chain.last_hash:
        problems.append(f"the log ends at entry {chain.last_id} but entry {last_id} was "
                        "written: entries were removed from the end")
    if signature == BROKEN:
        problems.append("entries were added on top of a head whose signature was wrong: "
                        "entries were removed or the head was rewritten before them")
    elif signature != head_signature(last_id, last_hash) and (keyed() or signature):
        problems.append("the head record's signature does not match its entry count and last "
                        "hash: entries were removed or the head was rewritten")
    return problems


def verify(con: sqlite3.Connection) -> Verification:
    """Recompute the chain and check the signed head; report every problem found."""
    chain = walk(rows(con))
    problems = chain.problems + _head_problems(_read_head(con), chain)
    return Verification(not problems, chain.entries, problems)


def seal(con: sqlite3.Connection, actor: str, reason: str) -> int:
    """Accept the log as it is: append an ``audit.seal`` entry naming the head problems found
    (and ``reason``) and sign the head over it. Changed or missing entries inside the chain
    stay visible to :func:`verify`; a removed tail or rewritten head is from then on only
    visible in this entry (and in an export made before, see ``gcrm audit export``)."""
    if not reason.strip():
        raise ValueError("give a --reason for sealing the audit log")
    chain = walk(rows(con))
    found = _head_problems(_read_head(con), chain)
    text = json.dumps({"reason": reason, "head_problems": found}, ensure_ascii=False,
                      sort_keys=True)
    return _append(con, actor, "audit.seal", None, text, reseal=True)


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
