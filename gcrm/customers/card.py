"""The customer card (customer 360): everything about one customer, in one call.

Consumption and payment figures come from :func:`gcrm.cube.query` filtered on the ``customer``
dimension, so the card agrees with the cube, the CLI and the reports. Masking is applied here
from the viewer's role; unmasking is a separate, audited action. The account manager is not
part of the archive: key accounts (:mod:`gcrm.accounts.portfolios`) are its one source, and
the page shows theirs.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from gcrm import cube
from gcrm.customers import merge as crm_merge
from gcrm.customers import records as crm_records
from gcrm.customers.arrears import ageing, bucket_totals
from gcrm.customers.queries import customer_exists
from gcrm.security.masking import MASKERS, PII_COLUMNS
from gcrm.security.scope import scope_sql


class CardError(LookupError):
    """Unknown customer, or a customer outside the viewer's regions."""


@dataclass
class Card:
    archive: dict
    consumption: pd.DataFrame  # month, kwh, peak/flat/valley, amount
    billing: pd.DataFrame  # month, amount (billed), paid, cumulative arrears
    ageing: pd.DataFrame  # bills with outstanding amount and ageing bucket
    ageing_totals: dict[str, float]
    channels: pd.DataFrame  # channel, payments, paid
    outages: pd.DataFrame  # outages on the customer's feeder since opening
    timeline: pd.DataFrame  # service history: loaded records + records entered in GCRM
    masked: bool
    merged_ids: list[str] = field(default_factory=list)  # customers merged into this one
    merged_into: str | None = None  # the survivor, when this customer was merged away


def archive(con: duckdb.DuckDBPyConnection, customer_id: str,
            scope: Sequence[str] | None = None) -> dict:
    where, params = scope_sql(scope)
    df = con.execute(f"""
        SELECT c.*, d.name AS district_name, ci.name AS city_name, fd.name AS feeder_name,
               fd.substation_id, fd.substation_name, sp.name AS service_point_name
        FROM dim_customer c
        LEFT JOIN dim_region d ON d.region_id = c.district_id
        LEFT JOIN dim_region ci ON ci.region_id = c.city_id
        LEFT JOIN dim_feeder fd ON fd.feeder_id = c.feeder_id
        LEFT JOIN dim_service_point sp ON sp.service_point_id = c.service_point_id
        WHERE c.customer_id = ? AND {where}""", [customer_id, *params]).df()
    if df.empty:
        raise CardError(f"unknown customer {customer_id!r}")
    row = df.iloc[0].to_dict()
    return {k: (None if (not isinstance(v, str | bytes) and pd.isna(v)) else v)
            for k, v in row.items() if not isinstance(v, list | dict)}


def card(con: duckdb.DuckDBPyConnection, customer_id: str, *, store: sqlite3.Connection | None,
         scope: Sequence[str] | None = None, show_pii: bool = True,
         as_of: pd.Timestamp | None = None) -> Card:
    """The card of ``customer_id`` as the viewer may see it (scope, masking)."""
    arch = archive(con, customer_id, scope)
    where = {"customer": [customer_id]}
    cons = cube.query(con, ["kwh", "peak_kwh", "flat_kwh", "valley_kwh", "amount"],
                      by=["month"], where=where)
    billing = cube.query(con, ["amount", "paid"], by=["month"], where=where)
    billing["arrears"] = (billing["amount"].fillna(0) - billing["paid"].fillna(0)).cumsum()
    channels = cube.query(con, ["payments", "paid"], by=["channel"], where=where)
    as_of = as_of or pd.Timestamp.now().normalize()
    bills = cons[["month", "amount"]]
    aged = ageing(bills, float(billing["paid"].fillna(0).sum()), as_of)
    outages = con.execute("""
        SELECT o.outage_id, o.start_at, o.end_at, o.duration_min, o.cause, o.planned
        FROM fact_outage o JOIN dim_customer c ON c.feeder_id = o.feeder_id
        WHERE c.customer_id = ? AND (c.opened_on IS NULL OR o.start_at >= c.opened_on)
        ORDER BY o.start_at DESC""", [customer_id]).df()
    # a merge (gcrm.customers.merge) adds the merged customers' loaded service records (those the
    # viewer may see); their GCRM records were re-pointed to this customer. ``merged_from``
    # names where a row came from.
    merged = [m for m in crm_merge.merged_ids(store, customer_id)
              if customer_exists(con, m, scope)] if store is not None else []
    into = crm_merge.merged_into(store, customer_id) if store is not None else None
    ids = [customer_id, *merged]
    marks = ", ".join("?" for _ in ids)
    loaded = con.execute(f"""
        SELECT opened_at AS "when", kind, topic, status, note, 'loaded' AS source,
               CAST(NULL AS BIGINT) AS record_id,
               CASE WHEN customer_id = ? THEN NULL ELSE customer_id END AS merged_from
        FROM fact_service WHERE customer_id IN ({marks})""", [customer_id, *ids]).df()
    parts = [loaded]
    if store is not None:
        own = crm_records.records(store, customer_id)
        if len(own):
            moved = crm_merge.moved_records(store, customer_id) if merged else {}
            parts.append(pd.DataFrame({
                "when": pd.to_datetime(own["occurred_at"]), "kind": own["kind"],
                "topic": own["topic"], "status": own["status"], "note": own["note"],
                "source": "gcrm", "record_id": own["record_id"],
                "merged_from": [moved.get(int(r)) for r in own["record_id"]]}))
    timeline = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(
        len(p) for p in parts) else loaded
    timeline = timeline.sort_values("when", ascending=False, kind="stable").reset_index(drop=True)
    if not show_pii:
        for col in PII_COLUMNS:
            if col in arch:
                arch[col] = MASKERS[col](arch[col])
    return Card(arch, cons, billing, aged, bucket_totals(aged), channels, outages, timeline,
                masked=not show_pii, merged_ids=merged, merged_into=into)
