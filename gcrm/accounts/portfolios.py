"""Account managers and their portfolios, with every handover kept.

A key account has at most one manager (``acct_portfolio``, in the operational store). Every
assignment, reassignment or release appends a row to ``acct_handovers`` (from, to, when, why,
who did it); that table is append-only (SQLite triggers), so the successor sees the whole
history. A customer merge (:mod:`gcrm.customers.merge`) never touches it: the survivor's
history is its own handovers plus those of the customers merged into it
(:func:`handovers` with ``merged``).

Any account may manage customers; the caller checks the ``assign_accounts`` permission and that
the customers exist in the assigner's scope. Each call is one transaction and one audit entry.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd

from gcrm.security import audit

MAX_REASON = 500


class PortfolioError(ValueError):
    """A bad assignment request: nothing was written."""


@dataclass(frozen=True)
class Handover:
    customer_id: str
    from_manager: str | None
    to_manager: str | None


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _reason(text: str | None) -> str:
    out = (text or "").strip()
    if not out:
        raise PortfolioError("a handover needs a reason (kept in the customer's history)")
    if len(out) > MAX_REASON:
        raise PortfolioError(f"reason too long ({len(out)} characters, at most {MAX_REASON})")
    return out


def known_manager(store: sqlite3.Connection, name: str) -> bool:
    """Whether ``name`` is an enabled account."""
    row = store.execute("SELECT disabled FROM users WHERE name = ?", (name,)).fetchone()
    return row is not None and not row[0]


def manager_of(store: sqlite3.Connection, customer_id: str) -> str | None:
    row = store.execute("SELECT manager FROM acct_portfolio WHERE customer_id = ?",
                        (customer_id,)).fetchone()
    return None if row is None else row[0]


def assign(store: sqlite3.Connection, customer_ids: Iterable[str], manager: str | None, *,
           user: str, reason: str | None, now: datetime | None = None) -> list[Handover]:
    """Give ``customer_ids`` to ``manager`` (None: release them); returns the handovers made.

    Customers already with ``manager`` are left alone (no handover row).
    """
    text = _reason(reason)
    ids = list(dict.fromkeys(c.strip() for c in customer_ids if c and c.strip()))
    if not ids:
        raise PortfolioError("no customer to assign")
    if manager is not None and not known_manager(store, manager):
        raise PortfolioError(f"unknown or disabled account {manager!r}")
    ts = (now or _now()).isoformat(timespec="seconds")
    done: list[Handover] = []
    store.execute("BEGIN IMMEDIATE")
    try:
        for cid in ids:
            old = manager_of(store, cid)
            if old == manager:
                continue
            if manager is None:
                store.execute("DELETE FROM acct_portfolio WHERE customer_id = ?", (cid,))
            else:
                store.execute("INSERT INTO acct_portfolio VALUES (?, ?, ?) ON CONFLICT "
                              "(customer_id) DO UPDATE SET manager = excluded.manager, "
                              "since = excluded.since", (cid, manager, ts))
            store.execute("INSERT INTO acct_handovers (customer_id, from_manager, to_manager, "
                          "at, reason, by_user) VALUES (?, ?, ?, ?, ?, ?)",
                          (cid, old, manager, ts, text, user))
            done.append(Handover(cid, old, manager))
        store.execute("COMMIT")
    except BaseException:
        store.execute("ROLLBACK")
        raise
    if done:
        audit.record(store, user, "accounts.assign", manager, reason=text,
                     customers=[h.customer_id for h in done])
    return done


def portfolio(store: sqlite3.Connection, manager: str | None = None) -> pd.DataFrame:
    """``customer_id``, ``manager``, ``since`` (one manager's, or everyone's)."""
    sql, params = "SELECT * FROM acct_portfolio", ()
    if manager is not None:
        sql, params = sql + " WHERE manager = ?", (manager,)
    return pd.read_sql_query(sql + " ORDER BY customer_id", store, params=params)


def portfolio_ids(store: sqlite3.Connection, manager: str) -> list[str]:
    return [r[0] for r in store.execute(
        "SELECT customer_id FROM acct_portfolio WHERE manager = ? ORDER BY customer_id",
        (manager,))]


def handovers(store: sqlite3.Connection, customer_id: str,
              merged: Sequence[str] = ()) -> pd.DataFrame:
    """The handover history of ``customer_id`` and of the customers ``merged`` into it,
    oldest first; ``merged_from`` names a merged customer's rows."""
    ids = [customer_id, *merged]
    marks = ", ".join("?" for _ in ids)
    df = pd.read_sql_query(
        f"SELECT * FROM acct_handovers WHERE customer_id IN ({marks}) "
        "ORDER BY at, handover_id", store, params=ids)
    df["merged_from"] = [None if c == customer_id else c for c in df["customer_id"]]
    return df


def stamp(store: sqlite3.Connection) -> tuple:
    """Changes whenever a portfolio, a watchlist or an alert state changes (a cache key)."""
    return tuple(store.execute(
        "SELECT (SELECT max(handover_id) FROM acct_handovers), "
        "(SELECT count(*) FROM acct_watchlist), (SELECT max(at) FROM acct_alert_state), "
        "(SELECT max(edit_id) FROM acct_relation_edits), "
        "(SELECT max(opinion_id) FROM acct_opinions)").fetchone())


# ------------------------------------------------------------------------- watchlists
def watch(store: sqlite3.Connection, user: str, customer_id: str, on: bool = True,
          now: datetime | None = None) -> None:
    """Put ``customer_id`` on ``user``'s watchlist (``on``) or take it off; audited."""
    ts = (now or _now()).isoformat(timespec="seconds")
    if on:
        store.execute("INSERT OR IGNORE INTO acct_watchlist VALUES (?, ?, ?)",
                      (user, customer_id, ts))
    else:
        store.execute("DELETE FROM acct_watchlist WHERE user = ? AND customer_id = ?",
                      (user, customer_id))
    audit.record(store, user, "accounts.watch" if on else "accounts.unwatch", customer_id)


def watchlist(store: sqlite3.Connection, user: str | None = None) -> list[str]:
    """Customers on ``user``'s watchlist (None: on anyone's)."""
    if user is None:
        rows = store.execute("SELECT DISTINCT customer_id FROM acct_watchlist ORDER BY 1")
    else:
        rows = store.execute("SELECT customer_id FROM acct_watchlist WHERE user = ? ORDER BY 1",
                             (user,))
    return [r[0] for r in rows]


def managed_ids(store: sqlite3.Connection) -> list[str]:
    """Every customer in any portfolio."""
    return [r[0] for r in store.execute("SELECT customer_id FROM acct_portfolio ORDER BY 1")]


# ------------------------------------------------------------------------- alert handling
ALERT_STATES = ("acknowledged", "snoozed")


def handle_alert(store: sqlite3.Connection, user: str, key: str, state: str | None,
                 until: str | None = None, now: datetime | None = None) -> None:
    """Acknowledge an alert (``state`` acknowledged), snooze it until a date (snoozed,
    ``until`` YYYY-MM-DD) or bring it back (None); per user, audited."""
    if state not in (*ALERT_STATES, None):
        raise PortfolioError(f"unknown alert state {state!r}; expected one of "
                             f"{', '.join(ALERT_STATES)}")
    if not key or key.count("|") != 2:
        raise PortfolioError(f"malformed alert key {key!r}: expected customer|kind|when")
    if state == "snoozed":
        try:
            datetime.strptime(until or "", "%Y-%m-%d")
        except ValueError:
            raise PortfolioError(f"snoozing needs a date YYYY-MM-DD (got {until!r})") from None
    ts = (now or _now()).isoformat(timespec="seconds")
    if state is None:
        store.execute("DELETE FROM acct_alert_state WHERE user = ? AND alert_key = ?",
                      (user, key))
    else:
        store.execute("INSERT INTO acct_alert_state VALUES (?, ?, ?, ?, ?) ON CONFLICT "
                      "(user, alert_key) DO UPDATE SET state = excluded.state, "
                      "until = excluded.until, at = excluded.at",
                      (user, key, state, until if state == "snoozed" else None, ts))
    audit.record(store, user, "accounts.alert_state", key.split("|")[0], key=key,
                 state=state or "reopened", until=until)


def alert_states(store: sqlite3.Connection, user: str, keys: Iterable[str],
                 today) -> list[str | None]:
    """Per key: ``acknowledged``, ``snoozed`` (until a date after ``today``) or None."""
    rows = {r[0]: (r[1], r[2]) for r in store.execute(
        "SELECT alert_key, state, until FROM acct_alert_state WHERE user = ?", (user,))}
    out: list[str | None] = []
    day = str(today)
    for k in keys:
        state, until = rows.get(k, (None, None))
        out.append(None if state == "snoozed" and (until or "") <= day else state)
    return out


# ------------------------------------------------------------------------- last visit
def last_seen(store: sqlite3.Connection, user: str) -> str | None:
    """When ``user`` last opened their home view (ISO timestamp), or None."""
    row = store.execute("SELECT seen_at FROM acct_seen WHERE user = ?", (user,)).fetchone()
    return None if row is None else row[0]


def mark_seen(store: sqlite3.Connection, user: str, now: datetime | None = None) -> None:
    ts = (now or _now()).isoformat(timespec="seconds")
    store.execute("INSERT INTO acct_seen VALUES (?, ?) ON CONFLICT (user) DO UPDATE SET "
                  "seen_at = excluded.seen_at", (user, ts))
