"""Data-quality report: unlocated customers, suspected duplicates, rejects of the last load."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import pandas as pd

from gcrm.security.scope import scope_sql


@dataclass
class QualityReport:
    customers: int
    by_status: pd.DataFrame  # locate_status, customers
    unlocated: pd.DataFrame  # the worst rows: unlocated customers with the most consumption
    duplicates: pd.DataFrame  # groups sharing name + phone + address
    rejects: pd.DataFrame  # file, reason, rows (latest load)
    last_load: int | None
    #: customers naming a transformer area (台区) that is not loaded: kept, unattached
    unattached: int = 0


def quality_report(con: duckdb.DuckDBPyConnection, limit: int = 20,
                   scope: Sequence[str] | None = None) -> QualityReport:
    """The report; a region ``scope`` limits it to those regions' customers (unlocated
    customers belong to no region, so a scoped user sees none of them)."""
    where, params = scope_sql(scope, alias="")
    cust = f"(SELECT * FROM dim_customer WHERE {where})"
    total = con.execute(f"SELECT count(*) FROM {cust}", params).fetchone()[0]
    by_status = con.execute(
        f"SELECT locate_status, count(*) AS customers FROM {cust} GROUP BY 1 "
        "ORDER BY customers DESC", params).df()
    unlocated = con.execute(f"""
        SELECT c.customer_id, c.name, c.customer_class, c.locate_status, c.lon, c.lat,
               coalesce(sum(f.kwh), 0) AS kwh
        FROM {cust} c LEFT JOIN fact_consumption f ON f.customer_key = c.customer_key
        WHERE c.locate_status <> 'ok'
        GROUP BY ALL ORDER BY kwh DESC, c.customer_id LIMIT ?""", [*params, limit]).df()
    duplicates = con.execute(f"""
        SELECT name, phone, address, count(*) AS customers,
               string_agg(customer_id, ', ' ORDER BY customer_id) AS customer_ids
        FROM {cust}
        WHERE name IS NOT NULL AND phone IS NOT NULL AND address IS NOT NULL
        GROUP BY name, phone, address HAVING count(*) > 1
        ORDER BY customers DESC, name LIMIT ?""", [*params, limit]).df()
    last = con.execute("SELECT max(load_id) FROM etl_loads WHERE finished_at IS NOT NULL"
                       ).fetchone()[0]
    rejects = con.execute("""
        SELECT file, reason, count(*) AS rows FROM etl_rejects WHERE load_id = ?
        GROUP BY ALL ORDER BY file, rows DESC""", [last]).df()
    return QualityReport(total, by_status, unlocated, duplicates, rejects, last,
                         _unattached(con, cust, params))


def _unattached(con: duckdb.DuckDBPyConnection, cust: str, params: list) -> int:
    """Customers whose ``transformer_id`` names no loaded transformer (0 on warehouses
    without the revenue-protection tables)."""
    has = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = "
                      "'dim_transformer' AND database_name = current_database()").fetchone()[0]
    if not has:
        return 0
    return con.execute(f"""
        SELECT count(*) FROM {cust} c WHERE c.transformer_id IS NOT NULL AND NOT EXISTS
        (SELECT 1 FROM dim_transformer t WHERE t.transformer_id = c.transformer_id)""",
                       params).fetchone()[0]
