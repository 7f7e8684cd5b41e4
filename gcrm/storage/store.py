"""The operational store: accounts, sessions, the audit log and CRM edits.

The warehouse (DuckDB) is analytical and read-mostly: the dashboard opens it read-only so a
load can run at any time. Everything users *write* — logins, audit entries, service visits,
complaints, customer merges — goes to this small SQLite file beside the warehouse
(``<warehouse>.ops.sqlite``), which handles many concurrent writers safely. Backups include
both files. The schema only ever adds tables, indexes, triggers and nullable columns, so an
existing store gains them the next time it is opened. A new store file is created with mode
0600 (SQLite gives its ``-wal`` and ``-shm`` files the same mode) and starts with a signed,
empty audit head, so wiping the audit log later is detected (:mod:`gcrm.security.audit`).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from gcrm import config
from gcrm.storage.files import create_private

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    regions TEXT NOT NULL DEFAULT '[]',      -- JSON list of region ids; [] = everywhere
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    password_changed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users(name),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY,
    ts TEXT NOT NULL,
    user TEXT,
    action TEXT NOT NULL,
    target TEXT,
    detail TEXT NOT NULL,                    -- canonical JSON
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
-- the search rate limit counts one user's recent searches (gcrm.customers.search.check_rate)
CREATE INDEX IF NOT EXISTS audit_log_user_action ON audit_log (user, action, ts);
CREATE TABLE IF NOT EXISTS audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_id INTEGER NOT NULL,
    last_hash TEXT NOT NULL,
    signature TEXT                           -- gcrm.security.audit.head_signature
);
CREATE TABLE IF NOT EXISTS crm_records (
    record_id INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL,
    kind TEXT NOT NULL,                      -- visit | complaint | request | note | contact
    status TEXT NOT NULL,                    -- open | in_progress | resolved | closed
    occurred_at TEXT NOT NULL,               -- visit date / complaint received
    topic TEXT,
    note TEXT,
    contact TEXT,                            -- for contacts: name / phone of the contact person
    resolved_at TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS crm_records_customer ON crm_records (customer_id);
CREATE TABLE IF NOT EXISTS crm_history (
    record_id INTEGER NOT NULL REFERENCES crm_records(record_id),
    ts TEXT NOT NULL,
    user TEXT NOT NULL,
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT
);
CREATE TRIGGER IF NOT EXISTS crm_history_no_update BEFORE UPDATE ON crm_history
BEGIN SELECT RAISE(ABORT, 'crm_history is append-only'); END;
CREATE TRIGGER IF NOT EXISTS crm_history_no_delete BEFORE DELETE ON crm_history
BEGIN SELECT RAISE(ABORT, 'crm_history is append-only'); END;
-- Customer merges (gcrm/customers/merge.py): the merged customer's CRM records are re-pointed
-- to the survivor (with crm_history rows); warehouse rows are never touched. A merge row is never
-- deleted; undoing it fills the undone_* columns, once.
CREATE TABLE IF NOT EXISTS crm_merges (
    merge_id INTEGER PRIMARY KEY,
    survivor_id TEXT NOT NULL,
    merged_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    merged_by TEXT NOT NULL,
    merged_at TEXT NOT NULL,
    undone_by TEXT,
    undone_at TEXT,
    undo_reason TEXT,
    CHECK (survivor_id <> merged_id)
);
CREATE UNIQUE INDEX IF NOT EXISTS crm_merges_active ON crm_merges (merged_id)
    WHERE undone_at IS NULL;
CREATE INDEX IF NOT EXISTS crm_merges_survivor ON crm_merges (survivor_id);
CREATE TABLE IF NOT EXISTS crm_merge_records (           -- records a merge re-pointed
    merge_id INTEGER NOT NULL REFERENCES crm_merges(merge_id),
    record_id INTEGER NOT NULL REFERENCES crm_records(record_id),
    PRIMARY KEY (merge_id, record_id)
);
CREATE TRIGGER IF NOT EXISTS crm_merges_no_delete BEFORE DELETE ON crm_merges
BEGIN SELECT RAISE(ABORT, 'crm_merges rows are never deleted; undo the merge'); END;
CREATE TRIGGER IF NOT EXISTS crm_merges_undo_once BEFORE UPDATE ON crm_merges
WHEN OLD.undone_at IS NOT NULL OR NEW.survivor_id IS NOT OLD.survivor_id
  OR NEW.merged_id IS NOT OLD.merged_id OR NEW.reason IS NOT OLD.reason
  OR NEW.merged_by IS NOT OLD.merged_by OR NEW.merged_at IS NOT OLD.merged_at
BEGIN SELECT RAISE(ABORT, 'a merge can only be undone, once'); END;
CREATE TRIGGER IF NOT EXISTS crm_merge_records_no_change BEFORE UPDATE ON crm_merge_records
BEGIN SELECT RAISE(ABORT, 'crm_merge_records is append-only'); END;
CREATE TRIGGER IF NOT EXISTS crm_merge_records_no_delete BEFORE DELETE ON crm_merge_records
BEGIN SELECT RAISE(ABORT, 'crm_merge_records is append-only'); END;
-- Revenue protection (gcrm/revenue/inspections.py): inspection orders (用电检查) and their
-- outcomes. Every change is audited; an order is never deleted (cancel it).
CREATE TABLE IF NOT EXISTS inspection_orders (
    order_id INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL,
    transformer_id TEXT,
    city_id TEXT,
    district_id TEXT,
    lon REAL,
    lat REAL,
    method TEXT NOT NULL,                    -- score | naive | manual: what proposed it
    score REAL,
    reason TEXT,
    status TEXT NOT NULL,                    -- open | assigned | done | cancelled
    inspector TEXT,
    planned_on TEXT,                         -- YYYY-MM-DD
    outcome TEXT,                            -- theft | meter_fault | normal
    recovered_kwh REAL,
    recovered_yuan REAL,
    note TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS inspection_orders_customer ON inspection_orders (customer_id);
CREATE TRIGGER IF NOT EXISTS inspection_orders_no_delete BEFORE DELETE ON inspection_orders
BEGIN SELECT RAISE(ABORT, 'inspection orders are never deleted; cancel them'); END;
-- Key accounts (gcrm/accounts): who manages a customer, every handover (append-only), watch-
-- lists, the state of alerts a user acknowledged or snoozed, relationships entered on the card
-- (added or removed on top of the loaded relations.csv), and customers' opinions.
CREATE TABLE IF NOT EXISTS acct_portfolio (
    customer_id TEXT PRIMARY KEY,
    manager TEXT NOT NULL,
    since TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS acct_portfolio_manager ON acct_portfolio (manager);
CREATE TABLE IF NOT EXISTS acct_handovers (
    handover_id INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL,
    from_manager TEXT,                       -- NULL: first assignment
    to_manager TEXT,                         -- NULL: released (no manager)
    at TEXT NOT NULL,
    reason TEXT NOT NULL,
    by_user TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS acct_handovers_customer ON acct_handovers (customer_id);
CREATE TRIGGER IF NOT EXISTS acct_handovers_no_update BEFORE UPDATE ON acct_handovers
BEGIN SELECT RAISE(ABORT, 'acct_handovers is append-only'); END;
CREATE TRIGGER IF NOT EXISTS acct_handovers_no_delete BEFORE DELETE ON acct_handovers
BEGIN SELECT RAISE(ABORT, 'acct_handovers is append-only'); END;
CREATE TABLE IF NOT EXISTS acct_watchlist (
    user TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (user, customer_id)
);
CREATE TABLE IF NOT EXISTS acct_alert_state (
    user TEXT NOT NULL,
    alert_key TEXT NOT NULL,                 -- customer_id|kind|month-or-date
    state TEXT NOT NULL,                     -- acknowledged | snoozed
    until TEXT,                              -- snoozed: hidden until this date
    at TEXT NOT NULL,
    PRIMARY KEY (user, alert_key)
);
CREATE TABLE IF NOT EXISTS acct_relation_edits (
    edit_id INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL,
    related_id TEXT NOT NULL,
    kind TEXT NOT NULL,                      -- parent_of | pays_for | same_owner
    action TEXT NOT NULL,                    -- add | remove
    at TEXT NOT NULL,
    by_user TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS acct_seen (       -- when a manager last opened their home view
    user TEXT PRIMARY KEY,
    seen_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS acct_opinions (
    opinion_id INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL,
    record_id INTEGER,                       -- the visit or complaint it was given on
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    topic TEXT,
    comment TEXT,
    at TEXT NOT NULL,
    by_user TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
"""


def store_path(db: str | os.PathLike | None = None) -> Path:
    """``$GCRM_STORE``, else ``<warehouse>.ops.sqlite`` beside the warehouse."""
    if explicit := os.environ.get("GCRM_STORE"):
        return Path(explicit)
    wh = config.db_path(db)
    return wh.with_name(wh.name + ".ops.sqlite")


def connect_store(db: str | os.PathLike | None = None) -> sqlite3.Connection:
    """Open (and create or upgrade) the operational store of the warehouse ``db``."""
    from gcrm.security import audit

    path = store_path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = create_private(path) or path.stat().st_size == 0
    con = sqlite3.connect(path, timeout=30, isolation_level=None)
    con.row_factory = sqlite3.Row
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA foreign_keys=ON")
    con.executescript(SCHEMA)
    _add_columns(con)
    if fresh:
        audit.start(con)
    return con


#: columns added after the first release: (table, column, declaration)
ADDED_COLUMNS = (("audit_head", "signature", "TEXT"),)


def _add_columns(con: sqlite3.Connection) -> None:
    for table, column, decl in ADDED_COLUMNS:
        have = {r[1] for r in con.execute(f"PRAGMA table_info({table})")}
        if column in have:
            continue
        try:
            con.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl}")
        except sqlite3.OperationalError as exc:  # another process added it meanwhile
            if "duplicate column" not in str(exc):
                raise
