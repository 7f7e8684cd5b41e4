"""Pre-aggregated rollup tables, rebuilt inside every load's transaction.

The grains are chosen for the common dashboard slices (region x class x tariff x month, and
the same with payment channel). ``customers`` is a distinct count: it re-aggregates exactly
over customer attributes (a customer has one district, class and tariff) but not over months,
which the planner in :mod:`gcrm.cube.engine` respects.
"""

from __future__ import annotations

import duckdb

ROLLUPS: dict[str, str] = {
    "rollup_consumption_month": """
        SELECT c.city_id, c.district_id, c.customer_class, c.tariff, t.month, t.quarter, t.year,
               sum(f.kwh) AS kwh, sum(f.peak_kwh) AS peak_kwh, sum(f.flat_kwh) AS flat_kwh,
               sum(f.valley_kwh) AS valley_kwh, sum(f.amount) AS amount,
               count(DISTINCT f.customer_id) AS customers
        FROM fact_consumption f JOIN dim_customer c USING (customer_id)
        JOIN dim_time t ON t.month = f.month
        GROUP BY ALL""",
    "rollup_payment_month": """
        SELECT c.city_id, c.district_id, c.customer_class, c.tariff, f.channel, t.month,
               t.quarter, t.year, sum(f.amount) AS paid, count(*) AS payments,
               count(*) FILTER (WHERE f.channel IN ('online', 'app')) AS online_payments
        FROM fact_payment f JOIN dim_customer c USING (customer_id)
        JOIN dim_time t ON t.month = f.month
        GROUP BY ALL""",
}

#: rollup table -> (fact it summarises, columns it can group/filter by)
ROLLUP_GRAIN: dict[str, tuple[str, tuple[str, ...]]] = {
    "rollup_consumption_month": (
        "consumption", ("city_id", "district_id", "customer_class", "tariff", "month", "quarter",
                        "year")),
    "rollup_payment_month": (
        "payment", ("city_id", "district_id", "customer_class", "tariff", "channel", "month",
                    "quarter", "year")),
}


def build_rollups(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """(Re)build every rollup table; return row counts."""
    out = {}
    for name, sql in ROLLUPS.items():
        con.execute(f"CREATE OR REPLACE TABLE {name} AS {sql} ORDER BY ALL")
        out[name] = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
    return out
