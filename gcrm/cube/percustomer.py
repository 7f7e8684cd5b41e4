"""Every customer's facts summed over the warehouse's last 12 months, stored by the load.

Two tables beside the rollups, at the customer grain: ``rollup_customer_consumption``
(customer_id, kwh, amount) and ``rollup_customer_payment`` (customer_id, channel, payments,
paid, ``last_point``: the service point of the customer's last payment in that channel), over
the months recorded in ``meta`` (``customer_rollup_months``: ``["YYYY-MM", "YYYY-MM"]``), the
default period of the Trading-area page (:func:`gcrm.cube.engine.month_range`, 12 months).
An area's facts are then a join of its customers with them
(:class:`gcrm.tradearea.queries.CustomerFacts`), not scans of the facts.

Built by every load (``gcrm etl``, both engines), ``gcrm rollup`` and ``gcrm upgrade`` with
:data:`SQL`, the very query a reader uses for other months, so the numbers are the same to
the last bit (kWh and money summed exactly, as ``DECIMAL(38, 10)``). A load rebuilds them
when the period moves or a month inside it changed, and keeps them otherwise. They are
optional: a warehouse without them (built before them) stays readable and the readers fall
back to reading the facts.
"""

from __future__ import annotations

import json

import duckdb

from gcrm.storage import warehouse

#: money and kWh are summed exactly (as decimals, rounded once to a float by the reader): an
#: area's sums are then the same to the last bit whichever way its rows are grouped (customer
#: by customer, or all at once), and whatever order DuckDB's threads add them in
DECIMAL = "DECIMAL(38, 10)"
#: one row per customer (consumption) and per customer and channel (payments) over the months
#: ``?`` .. ``?`` (``{D}``: :data:`DECIMAL`), summed by the facts' integer key and named by the
#: customer's id; the same text on DuckDB and, carried by
#: :func:`gcrm.cube.dialect.to_spark`, on Spark
SQL = {
    "consumption": (
        "SELECT c.customer_id, x.kwh, x.amount FROM (SELECT f.customer_key, "
        "sum(CAST(f.kwh AS {D})) AS kwh, sum(CAST(f.amount AS {D})) AS amount FROM "
        "fact_consumption f JOIN dim_time t ON t.month = f.month WHERE t.month BETWEEN ? AND ? "
        "GROUP BY 1) x JOIN dim_customer c USING (customer_key)"),
    "payments": (
        "SELECT c.customer_id, x.channel, x.payments, x.paid, x.last_point FROM (SELECT "
        "f.customer_key, f.channel, count(*) AS payments, sum(CAST(f.amount AS {D})) AS paid, "
        "arg_max(f.service_point_id, f.paid_at) AS last_point FROM fact_payment f "
        "JOIN dim_time t ON t.month = f.month WHERE t.month BETWEEN ? AND ? GROUP BY ALL) x "
        "JOIN dim_customer c USING (customer_key)"),
}
#: the stored table of each of :data:`SQL`
TABLES = {"consumption": "rollup_customer_consumption", "payments": "rollup_customer_payment"}
#: the ``meta`` key holding the stored tables' months (JSON ``[first, last]``)
MONTHS_KEY = "customer_rollup_months"
#: how many months the stored tables cover (the Trading-area page's default period)
LAST_MONTHS = 12


def sql(name: str) -> str:
    """The statement of :data:`SQL` ``name`` (two parameters: the first and last month)."""
    return SQL[name].format(D=DECIMAL)


def window(first: str, end: str, last: int = LAST_MONTHS) -> tuple[str, str]:
    """The last ``last`` months of data running from ``first`` to ``end`` (YYYY-MM), as an
    inclusive range that never starts before ``first``."""
    y, m = int(end[:4]), int(end[5:])
    idx = y * 12 + (m - 1) - (last - 1)
    return max(f"{idx // 12:04d}-{idx % 12 + 1:02d}", first), end


def _current(con: duckdb.DuckDBPyConnection) -> tuple[str, str] | None:
    """The period the stored tables should cover now (None: no consumption yet)."""
    from gcrm.cube.engine import CubeError, month_range

    try:
        return month_range(con, LAST_MONTHS)
    except CubeError:
        return None


def stored_months(con: duckdb.DuckDBPyConnection) -> tuple[str, str] | None:
    """The months the warehouse's stored tables cover; None when it has none (built before
    them, or by a load without consumption)."""
    raw = warehouse.get_meta(con, MONTHS_KEY)
    if not raw or not warehouse.has_tables(con, tuple(TABLES.values())):
        return None
    first, last = json.loads(raw)
    return str(first), str(last)


def build(con: duckdb.DuckDBPyConnection, touched: set[str] | None = None) -> dict[str, int]:
    """(Re)build the stored tables for the warehouse's last 12 months and record them in
    ``meta``; return their row counts (empty when kept or when there is no consumption).

    ``touched``: the months a load changed (None: rebuild). The tables are kept when they
    already cover the current period and no touched month lies inside it."""
    months = _current(con)
    if months is None:
        return {}
    if (touched is not None and stored_months(con) == months
            and not any(months[0] <= m <= months[1] for m in touched)):
        return {}
    sizes = {}
    for name, table in TABLES.items():
        con.execute(f"CREATE OR REPLACE TABLE {table} AS {sql(name)}", list(months))
        sizes[table] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    warehouse.set_meta(con, MONTHS_KEY, json.dumps(list(months)))
    return sizes
