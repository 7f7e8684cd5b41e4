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
#: :func:`gcrm.cube.dialect.to_spark`, on Spark. Beside the sums, what a load needs to move
#: the period by a month without reading the others again (:func:`build`): how many months
#: the customer has, and with a billed amount (``months``, ``billed_months``), and when its
#: ``last_point`` was paid (``last_at``: ``arg_max`` skips a payment without a service point)
SQL = {
    "consumption": (
        "SELECT c.customer_id, x.kwh, x.amount, x.months, x.billed_months FROM (SELECT "
        "f.customer_key, sum(CAST(f.kwh AS {D})) AS kwh, sum(CAST(f.amount AS {D})) AS amount, "
        "count(*) AS months, count(f.amount) AS billed_months FROM "
        "fact_consumption f JOIN dim_time t ON t.month = f.month WHERE t.month BETWEEN ? AND ? "
        "GROUP BY 1) x JOIN dim_customer c USING (customer_key)"),
    "payments": (
        "SELECT c.customer_id, x.channel, x.payments, x.paid, x.last_point, x.last_at FROM "
        "(SELECT f.customer_key, f.channel, count(*) AS payments, sum(CAST(f.amount AS {D})) "
        "AS paid, arg_max(f.service_point_id, f.paid_at) AS last_point, max(f.paid_at) FILTER "
        "(WHERE f.service_point_id IS NOT NULL) AS last_at FROM fact_payment f "
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


def _next(month: str, step: int) -> str:
    """The month ``step`` months after ``month`` (YYYY-MM; negative: before)."""
    idx = int(month[:4]) * 12 + int(month[5:]) - 1 + step
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}"


#: the columns a stored table needs for :func:`_update` (tables built before them lack them)
_UPDATE_COLUMNS = {"consumption": ("months", "billed_months"), "payments": ("last_at",)}


def _updatable(con: duckdb.DuckDBPyConnection) -> bool:
    have = {(t, c) for t, c in con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = "
        "current_database()").fetchall()}
    return all((TABLES[name], col) in have for name, cols in _UPDATE_COLUMNS.items()
               for col in cols)


def plan(con: duckdb.DuckDBPyConnection,
         touched: set[str] | None) -> tuple[str, tuple[str, str] | None]:
    """What :func:`build` does now, and for which months: ``("none", None)`` (no
    consumption), ``("keep", months)``, ``("update", months)`` (the period moved on and the
    load changed no month of the old one: the months left behind are taken off the stored
    sums and the new ones added, :func:`_update`) or ``("rebuild", months)``."""
    months = _current(con)
    if months is None:
        return "none", None
    stored = stored_months(con)
    if touched is None or stored is None:
        return "rebuild", months
    if any(stored[0] <= m <= stored[1] for m in touched):  # a stored sum changed: rebuild
        return "rebuild", months
    if stored == months:
        return "keep", months
    if months[0] >= stored[0] and months[1] >= stored[1] and _updatable(con):
        return "update", months
    return "rebuild", months


def build(con: duckdb.DuckDBPyConnection, touched: set[str] | None = None) -> dict[str, int]:
    """(Re)build the stored tables for the warehouse's last 12 months and record them in
    ``meta``; return their row counts (empty when kept or when there is no consumption).

    ``touched``: the months a load changed (None: rebuild). The tables are kept when they
    already cover the current period and no touched month lies inside it; when the period
    moved on (a new month appended) and no month of the stored one changed, they are
    updated (:func:`_update`: the same rows, to the last bit, as a rebuild)."""
    kind, months = plan(con, touched)
    if kind in ("none", "keep") or months is None:
        return {}
    if kind == "update":
        _update(con, stored_months(con) or months, months)
    else:
        for name, table in TABLES.items():
            con.execute(f"CREATE OR REPLACE TABLE {table} AS {sql(name)}", list(months))
    sizes = {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
             for table in TABLES.values()}
    warehouse.set_meta(con, MONTHS_KEY, json.dumps(list(months)))
    return sizes


#: how :func:`_update` merges the stored rows ``o`` with the sums of the months left behind
#: (``d``) and of the new months (``a``), both by :data:`SQL`: counts and exact sums
#: subtracted and added, a customer (and channel) whose count falls to 0 dropped; a billed
#: amount only while a billed month remains; the last service point the new months' when they
#: have one, else the stored one while it was paid within the new period (``?``: its first
#: month), else none (no payment with a service point remains)
_MERGE = {
    "consumption": (
        "SELECT * FROM (SELECT coalesce(o.customer_id, a.customer_id) AS customer_id, "
        "coalesce(o.kwh, 0) - coalesce(d.kwh, 0) + coalesce(a.kwh, 0) AS kwh, "
        "CASE WHEN coalesce(o.billed_months, 0) - coalesce(d.billed_months, 0) "
        "+ coalesce(a.billed_months, 0) > 0 THEN coalesce(o.amount, 0) - coalesce(d.amount, 0) "
        "+ coalesce(a.amount, 0) END AS amount, "
        "coalesce(o.months, 0) - coalesce(d.months, 0) + coalesce(a.months, 0) AS months, "
        "coalesce(o.billed_months, 0) - coalesce(d.billed_months, 0) "
        "+ coalesce(a.billed_months, 0) AS billed_months "
        "FROM {table} o LEFT JOIN {d} d ON d.customer_id = o.customer_id "
        "FULL JOIN {a} a ON a.customer_id = o.customer_id) WHERE months > 0"),
    "payments": (
        "SELECT * FROM (SELECT coalesce(o.customer_id, a.customer_id) AS customer_id, "
        "coalesce(o.channel, a.channel) AS channel, "
        "coalesce(o.payments, 0) - coalesce(d.payments, 0) + coalesce(a.payments, 0) "
        "AS payments, coalesce(o.paid, 0) - coalesce(d.paid, 0) + coalesce(a.paid, 0) AS paid, "
        "CASE WHEN a.last_at IS NOT NULL THEN a.last_point "
        "WHEN strftime(o.last_at, '%Y-%m') >= ? THEN o.last_point END AS last_point, "
        "CASE WHEN a.last_at IS NOT NULL THEN a.last_at "
        "WHEN strftime(o.last_at, '%Y-%m') >= ? THEN o.last_at END AS last_at "
        "FROM {table} o LEFT JOIN {d} d ON d.customer_id = o.customer_id "
        "AND d.channel = o.channel FULL JOIN {a} a ON a.customer_id = o.customer_id "
        "AND a.channel = o.channel) WHERE payments > 0"),
}


def _update(con: duckdb.DuckDBPyConnection, stored: tuple[str, str],
            months: tuple[str, str]) -> None:
    """Move the stored tables from the period ``stored`` to ``months`` (later, or as late):
    the months of ``stored`` before ``months`` taken off, those after ``stored`` added, each
    side summed by :data:`SQL` over its own months only (a month appended to 1M x 36: two
    months of facts read, not twelve). Exact: the sums are decimals."""
    left = (stored[0], _next(months[0], -1)) if months[0] > stored[0] else None
    new = (_next(stored[1], 1), months[1]) if months[1] > stored[1] else None
    for name, table in TABLES.items():
        parts = {}
        for side, span in (("d", left), ("a", new)):
            parts[side] = f"__pc_{side}"
            if span is None:  # nothing on that side: no rows, the stored columns
                con.execute(f"CREATE OR REPLACE TEMP TABLE __pc_{side} AS SELECT * FROM "
                            f"{table} LIMIT 0")
            else:
                con.execute(f"CREATE OR REPLACE TEMP TABLE __pc_{side} AS {sql(name)}",
                            list(span))
        merge = _MERGE[name].format(table=table, d=parts["d"], a=parts["a"])
        con.execute(f"CREATE OR REPLACE TABLE {table} AS {merge}",
                    [months[0], months[0]] if name == "payments" else [])
        for side in ("d", "a"):
            con.execute(f"DROP TABLE __pc_{side}")
