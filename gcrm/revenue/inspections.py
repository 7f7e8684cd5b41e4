"""Inspection orders (用电检查): from a suspect to an outcome, in the operational store.

An order names a customer (with its transformer area, region and position copied from the
warehouse when it is created), the method that proposed it (``score``: GCRM's ranking,
``naive``: biggest drop, ``manual``), then is assigned to an inspector for a day and closed
with an outcome: ``theft`` (with recovered kWh and yuan), ``meter_fault`` or ``normal``.
Every change is audited (:func:`gcrm.security.audit.record`); orders are never deleted.
The hit rate by method and area (:func:`hit_rate`) is how confirmed outcomes feed back into
the evaluation of the ranking.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pandas as pd

from gcrm.security import audit
from gcrm.vocab import INSPECTION_OUTCOMES

METHODS = ("score", "naive", "manual")
STATUSES = ("open", "assigned", "done", "cancelled")
MAX_TEXT = 2000


class InspectionError(ValueError):
    """An order that cannot be created or changed: nothing was written."""


@dataclass(frozen=True)
class Target:
    """Where the order's customer is (read from the warehouse by the caller)."""

    customer_id: str
    transformer_id: str | None = None
    city_id: str | None = None
    district_id: str | None = None
    lon: float | None = None
    lat: float | None = None


def _now() -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds")


def create(store: sqlite3.Connection, target: Target, user: str, method: str = "score",
           score: float | None = None, reason: str | None = None) -> int:
    """A new open order for ``target``; refused while the customer has an open one."""
    if method not in METHODS:
        raise InspectionError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    if reason is not None and len(reason) > MAX_TEXT:
        raise InspectionError(f"reason too long ({len(reason)} characters, at most {MAX_TEXT})")
    open_ = store.execute(
        "SELECT order_id FROM inspection_orders WHERE customer_id = ? AND status IN "
        "('open', 'assigned')", (target.customer_id,)).fetchone()
    if open_:
        raise InspectionError(f"customer {target.customer_id} already has open inspection "
                              f"order {open_[0]}")
    ts = _now()
    cur = store.execute(
        "INSERT INTO inspection_orders (customer_id, transformer_id, city_id, district_id, lon, "
        "lat, method, score, reason, status, created_by, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)",
        (target.customer_id, target.transformer_id, target.city_id, target.district_id,
         target.lon, target.lat, method, score, reason, user, ts, ts))
    oid = int(cur.lastrowid)
    audit.record(store, user, "inspection.create", target.customer_id, order_id=oid,
                 method=method, score=score)
    return oid


def _order(store: sqlite3.Connection, order_id: int) -> sqlite3.Row:
    row = store.execute("SELECT * FROM inspection_orders WHERE order_id = ?",
                        (order_id,)).fetchone()
    if row is None:
        raise InspectionError(f"no inspection order {order_id}")
    return row


def assign(store: sqlite3.Connection, order_id: int, inspector: str, planned_on: date,
           user: str) -> None:
    """Give an open (or re-plan an assigned) order to ``inspector`` for ``planned_on``."""
    row = _order(store, order_id)
    if row["status"] not in ("open", "assigned"):
        raise InspectionError(f"order {order_id} is {row['status']}: it cannot be assigned")
    if not inspector.strip():
        raise InspectionError("an assignment needs an inspector")
    store.execute("UPDATE inspection_orders SET status = 'assigned', inspector = ?, "
                  "planned_on = ?, updated_at = ? WHERE order_id = ?",
                  (inspector.strip(), planned_on.isoformat(), _now(), order_id))
    audit.record(store, user, "inspection.assign", row["customer_id"], order_id=order_id,
                 inspector=inspector.strip(), planned_on=planned_on.isoformat())


def record_outcome(store: sqlite3.Connection, order_id: int, outcome: str, user: str,
                   recovered_kwh: float | None = None, recovered_yuan: float | None = None,
                   note: str | None = None) -> None:
    """Close an order with its ``outcome`` (theft: with the recovered kWh and yuan)."""
    row = _order(store, order_id)
    if row["status"] not in ("open", "assigned"):
        raise InspectionError(f"order {order_id} is {row['status']}: it has an outcome already")
    if outcome not in INSPECTION_OUTCOMES:
        raise InspectionError(f"unknown outcome {outcome!r}; expected one of "
                              f"{', '.join(INSPECTION_OUTCOMES)}")
    for name, v in (("recovered kWh", recovered_kwh), ("recovered yuan", recovered_yuan)):
        if v is not None and not (v >= 0):
            raise InspectionError(f"{name} must be a number >= 0, not {v}")
    if outcome != "theft" and (recovered_kwh or recovered_yuan):
        raise InspectionError("recovered kWh and yuan belong to a confirmed theft")
    if note is not None and len(note) > MAX_TEXT:
        raise InspectionError(f"note too long ({len(note)} characters, at most {MAX_TEXT})")
    store.execute("UPDATE inspection_orders SET status = 'done', outcome = ?, recovered_kwh = ?, "
                  "recovered_yuan = ?, note = ?, updated_at = ? WHERE order_id = ?",
                  (outcome, recovered_kwh, recovered_yuan, note, _now(), order_id))
    audit.record(store, user, "inspection.outcome", row["customer_id"], order_id=order_id,
                 outcome=outcome, recovered_kwh=recovered_kwh, recovered_yuan=recovered_yuan)


def orders(store: sqlite3.Connection, scope: Sequence[str] | None = None,
           status: str | None = None, inspector: str | None = None,
           planned_on: date | None = None) -> pd.DataFrame:
    """Orders in the user's region ``scope`` (None: all), newest first, optionally filtered."""
    sql, params = "SELECT * FROM inspection_orders WHERE 1 = 1", []
    if scope is not None:
        marks = ", ".join("?" for _ in scope) or "NULL"
        sql += f" AND (city_id IN ({marks}) OR district_id IN ({marks}))"
        params += [*scope, *scope]
    for col, value in (("status", status), ("inspector", inspector),
                       ("planned_on", planned_on.isoformat() if planned_on else None)):
        if value is not None:
            sql += f" AND {col} = ?"
            params.append(value)
    rows = store.execute(sql + " ORDER BY order_id DESC", params).fetchall()
    cols = [d[1] for d in store.execute("PRAGMA table_info(inspection_orders)")]
    return pd.DataFrame([tuple(r) for r in rows], columns=cols)


def hit_rate(df: pd.DataFrame, by: Sequence[str] = ("method",)) -> pd.DataFrame:
    """Per group: orders done, thefts, meter faults, normal, hit rate (theft / done), rate of
    any finding ((theft + meter fault) / done), recovered kWh and yuan."""
    cols = [*by, "done", "theft", "meter_fault", "normal", "hit_rate", "finding_rate",
            "recovered_kwh", "recovered_yuan"]
    done = df[df["status"] == "done"] if len(df) else df
    if done.empty:
        return pd.DataFrame(columns=cols)
    g = done.assign(**{o: (done["outcome"] == o).astype(int) for o in INSPECTION_OUTCOMES})
    out = g.groupby(list(by), dropna=False).agg(
        done=("order_id", "count"), theft=("theft", "sum"), meter_fault=("meter_fault", "sum"),
        normal=("normal", "sum"), recovered_kwh=("recovered_kwh", "sum"),
        recovered_yuan=("recovered_yuan", "sum")).reset_index()
    out["hit_rate"] = out["theft"] / out["done"]
    out["finding_rate"] = (out["theft"] + out["meter_fault"]) / out["done"]
    return out[cols]
