"""Outage analysis from the warehouse: events, who was affected, who must be notified.

The functions return DataFrames for the outage page, the reports and the CLI. Region scope
(``scope``: region ids a user may see) limits affected customers to those regions; an event is
visible when it affected at least one customer in scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import duckdb
import pandas as pd

from gcrm import reliability as rel
from gcrm.analytics.reliability import MOMENTARY_MAX_MIN
from gcrm.security.scope import scope_sql

CONTACT_COLUMNS = ("customer_id", "name", "customer_class", "big_customer", "phone", "address",
                   "district_id", "feeder_id")


def events(con: duckdb.DuckDBPyConnection, year: int | None = None,
           scope: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per outage event with the customers it interrupted (within scope)."""
    where, params = scope_sql(scope)
    year_sql = "TRUE" if year is None else "year(o.start_at) = ?"
    sql = f"""
        SELECT o.outage_id, o.feeder_id, fd.substation_id, fd.substation_name, o.start_at,
               o.end_at, o.duration_min, o.cause, o.planned,
               o.duration_min <= {MOMENTARY_MAX_MIN} AS momentary,
               count(c.customer_id) AS customers_affected,
               count(c.customer_id) FILTER (WHERE c.big_customer) AS big_customers_affected,
               sum(o.duration_min) FILTER (WHERE c.customer_id IS NOT NULL)
                   AS customer_minutes,
               string_agg(DISTINCT c.district_id, ',' ORDER BY c.district_id) AS districts
        FROM fact_outage o
        LEFT JOIN dim_feeder fd ON fd.feeder_id = o.feeder_id
        LEFT JOIN dim_customer c ON c.feeder_id = o.feeder_id AND {where}
        WHERE {year_sql}
        GROUP BY ALL
        HAVING {'TRUE' if scope is None else 'count(c.customer_id) > 0'}
        ORDER BY o.start_at, o.outage_id"""
    return con.execute(sql, [*params, *([] if year is None else [year])]).df()


def affected_customers(con: duckdb.DuckDBPyConnection, outage_id: str,
                       scope: Sequence[str] | None = None) -> pd.DataFrame:
    """Customers interrupted by one event (contact fields unmasked: the caller masks)."""
    where, params = scope_sql(scope)
    cols = ", ".join(f"c.{c}" for c in CONTACT_COLUMNS)
    return con.execute(
        f"SELECT {cols}, c.lon, c.lat FROM fact_outage o JOIN dim_customer c "
        f"ON c.feeder_id = o.feeder_id WHERE o.outage_id = ? AND {where} "
        "ORDER BY c.big_customer DESC, c.customer_class, c.customer_id",
        [outage_id, *params]).df()


def affected_by_class(con: duckdb.DuckDBPyConnection, outage_id: str,
                      scope: Sequence[str] | None = None) -> pd.DataFrame:
    where, params = scope_sql(scope)
    return con.execute(
        f"SELECT c.customer_class, count(*) AS customers, "
        f"count(*) FILTER (WHERE c.big_customer) AS big_customers "
        f"FROM fact_outage o JOIN dim_customer c ON c.feeder_id = o.feeder_id "
        f"WHERE o.outage_id = ? AND {where} GROUP BY 1 ORDER BY customers DESC",
        [outage_id, *params]).df()


def worst_feeders(con: duckdb.DuckDBPyConnection, year: int, n: int = 10,
                  exclude_planned: bool = False,
                  scope: Sequence[str] | None = None) -> pd.DataFrame:
    """Feeders ranked by their customer-minutes of interruption (their SAIDI contribution)."""
    df = rel.indices(con, year, "feeder", exclude_planned=exclude_planned, scope=scope)
    df = df[df["customer_minutes"] > 0]
    return df.sort_values(["customer_minutes", "feeder"], ascending=[False, True]).head(n)


def most_interrupted(con: duckdb.DuckDBPyConnection, year: int, more_than: int = 3,
                     scope: Sequence[str] | None = None) -> pd.DataFrame:
    """Customers with more than ``more_than`` sustained interruptions in ``year`` (CEMI-n)."""
    where, params = scope_sql(scope)
    cols = ", ".join(f"c.{c}" for c in CONTACT_COLUMNS)
    return con.execute(f"""
        SELECT {cols}, k.interruptions, k.minutes
        FROM (SELECT feeder_id, count(*) AS interruptions, sum(duration_min) AS minutes
              FROM fact_outage WHERE year(start_at) = ? AND duration_min > ?
              GROUP BY 1 HAVING count(*) > ?) k
        JOIN dim_customer c USING (feeder_id)
        WHERE {where}
        ORDER BY k.interruptions DESC, k.minutes DESC, c.customer_id""",
        [year, MOMENTARY_MAX_MIN, more_than, *params]).df()


def notice_list(con: duckdb.DuckDBPyConnection, feeders: Sequence[str],
                scope: Sequence[str] | None = None) -> pd.DataFrame:
    """Every customer on ``feeders`` (within scope): the planned-outage notification list."""
    if not feeders:
        raise ValueError("choose at least one feeder")
    known = {r[0] for r in con.execute("SELECT feeder_id FROM dim_feeder").fetchall()}
    unknown = [f for f in feeders if f not in known]
    if unknown:
        raise ValueError(f"unknown feeder(s): {', '.join(unknown)}")
    where, params = scope_sql(scope)
    marks = ", ".join("?" for _ in feeders)
    cols = ", ".join(f"c.{c}" for c in CONTACT_COLUMNS)
    return con.execute(
        f"SELECT {cols} FROM dim_customer c WHERE c.feeder_id IN ({marks}) AND {where} "
        "ORDER BY c.big_customer DESC, c.feeder_id, c.customer_id",
        [*feeders, *params]).df()


def check_window(start: datetime, end: datetime) -> None:
    if end <= start:
        raise ValueError("the maintenance window must end after it starts")


def feeders(con: duckdb.DuckDBPyConnection,
            scope: Sequence[str] | None = None) -> pd.DataFrame:
    """Feeders with their substation's location (lon/lat, may be null) and customers in scope.

    A scoped user sees only the feeders that serve at least one customer in their regions.
    """
    where, params = scope_sql(scope)
    return con.execute(
        f"SELECT fd.feeder_id, fd.name, fd.substation_id, fd.substation_name, fd.lon, fd.lat, "
        f"count(c.customer_id) AS customers FROM dim_feeder fd "
        f"LEFT JOIN dim_customer c ON c.feeder_id = fd.feeder_id AND {where} "
        f"GROUP BY ALL HAVING {'TRUE' if scope is None else 'count(c.customer_id) > 0'} "
        "ORDER BY fd.feeder_id", params).df()
