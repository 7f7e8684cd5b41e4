"""Pre-aggregated rollup tables, declared as data and compiled from the semantic model.

A rollup stores every base measure of one fact at the grain of some dimensions; its columns are
named after the dimensions and measures. They are rebuilt inside every load's transaction
(``build_rollups``) and their sizes recorded in ``meta`` so the planner can pick the smallest
rollup that answers a query. ``customers`` is a distinct count: it re-aggregates exactly over
customer attributes (a customer has one district, class, feeder ...) but not over months, which
the planner respects.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb

from gcrm.cube.model import DIMENSIONS, MEASURES

TIME = ("month", "quarter", "year")
#: the feeder join of :data:`SOURCES`, left out of a fact query that names no ``fd.`` column
#: (a left join on the feeder's key: it adds columns, never rows)
FEEDER_JOIN = " LEFT JOIN dim_feeder fd ON fd.feeder_id = c.feeder_id"
SOURCES = {
    "consumption": "fact_consumption f JOIN dim_customer c USING (customer_id) "
                   "JOIN dim_time t ON t.month = f.month" + FEEDER_JOIN,
    "payment": "fact_payment f JOIN dim_customer c USING (customer_id) "
               "JOIN dim_time t ON t.month = f.month" + FEEDER_JOIN,
}


@dataclass(frozen=True)
class Rollup:
    name: str
    fact: str
    dims: tuple[str, ...]

    def sql(self, source: str | None = None) -> str:
        """Build query: from the star join, or from a finer pre-aggregate ``source``."""
        if source is None:
            return _aggregate(self.fact, self.dims)
        cols = [f'"{d}"' for d in self.dims]
        cols += [f'{m.rollup_agg} AS "{m.name}"' for m in _measures(self.fact)]
        return f"SELECT {', '.join(cols)} FROM {source} GROUP BY ALL"


def _measures(fact: str) -> list:
    """The base measures of ``fact`` that a rollup can hold (re-aggregable ones)."""
    return [m for m in MEASURES.values() if m.fact == fact and m.rollup_agg is not None]


def _aggregate(fact: str, dims: tuple[str, ...]) -> str:
    """Base measures of ``fact`` grouped by ``dims`` (which must include month)."""
    cols = [f'{DIMENSIONS[d].expr} AS "{d}"' for d in dims]
    cols += [f'{m.month_agg or m.agg} AS "{m.name}"' for m in _measures(fact)]
    return f"SELECT {', '.join(cols)} FROM {SOURCES[fact]} GROUP BY ALL"


_REGION = ("city", "district", "customer_class", "segment", "tariff", "big_customer")
ROLLUPS: tuple[Rollup, ...] = (
    Rollup("rollup_consumption_month", "consumption", (*_REGION, *TIME)),
    Rollup("rollup_consumption_feeder_month", "consumption",
           ("city", "district", "substation", "feeder", "customer_class", "tariff", *TIME)),
    Rollup("rollup_consumption_grid_month", "consumption",
           ("city", "district", "grid", "customer_class", *TIME)),
    Rollup("rollup_payment_month", "payment", (*_REGION, "channel", *TIME)),
    # payments by H3 cell: the overview's KPI tiles of one cell (online share, arrears)
    Rollup("rollup_payment_grid_month", "payment",
           ("city", "district", "grid", "customer_class", "channel", *TIME)),
    # payments by district and channel: the channel mix (issue #22: p95 72-86 ms from
    # rollup_payment_month, whose customer attributes it summed away on every query)
    Rollup("rollup_payment_channel_month", "payment", ("city", "district", "channel", *TIME)),
)


def activity_name(rollup: Rollup) -> str:
    return rollup.name.replace("_month", "_activity")


#: Activity rollups answer "distinct customers with consumption in a set of months" without
#: the facts: one row per (customer attributes, month bitmap) with the number of customers.
#: The bitmap is a row of BIGINT words ``bits_0``, ``bits_1`` ... (:data:`WORD_BITS` months
#: each): bit ``i % 63`` of word ``i // 63`` is set when the customer has consumption in month
#: i of dim_time (the order is stored in meta ``activity_months``); a query counts the rows
#: whose bitmap intersects the mask of its months. Exact, and small: customers share few
#: distinct bitmaps. Plain integers (``bit_or``, ``&``) mean the same on DuckDB and Spark,
#: unlike DuckDB's BIT type.
ACTIVITY: tuple[Rollup, ...] = tuple(
    Rollup(activity_name(r), "activity", tuple(d for d in r.dims if d not in TIME))
    for r in ROLLUPS if r.fact == "consumption")


#: months per BIGINT word of an activity bitmap (the sign bit stays clear)
WORD_BITS = 63


def activity_words(n_months: int) -> int:
    """How many BIGINT words hold a bitmap of ``n_months`` months (at least one)."""
    return max(1, -(-n_months // WORD_BITS))


def activity_bits_sql(n_months: int, source: str = "fact_consumption") -> str:
    """Per customer of ``source``, its month bitmap as ``bits_0`` ... (shared with Spark)."""
    words = ", ".join(
        f"bit_or(CASE WHEN m.idx >= {w * WORD_BITS} AND m.idx < {(w + 1) * WORD_BITS} "
        f"THEN CAST(1 AS BIGINT) << (m.idx - {w * WORD_BITS}) ELSE CAST(0 AS BIGINT) END) "
        f"AS bits_{w}"
        for w in range(activity_words(n_months)))
    return (f"SELECT f.customer_id, {words} FROM {source} f "
            "JOIN (SELECT month, CAST(row_number() OVER (ORDER BY month) - 1 AS INTEGER) AS idx "
            "FROM dim_time) m ON m.month = f.month GROUP BY f.customer_id")


def activity_sql(rollup: Rollup, n_months: int, bits: str = "rollup__bits") -> str:
    """The activity rollup ``rollup`` from the per-customer bitmaps ``bits``."""
    dims = ", ".join(f'{DIMENSIONS[d].expr} AS "{d}"' for d in rollup.dims)
    words = ", ".join(f"b.bits_{w}" for w in range(activity_words(n_months)))
    return (f"SELECT {dims}, {words}, count(*) AS customers "
            f"FROM {bits} b JOIN dim_customer c USING (customer_id) "
            "LEFT JOIN dim_feeder fd ON fd.feeder_id = c.feeder_id GROUP BY ALL")


def _build_activity(con: duckdb.DuckDBPyConnection, sizes: dict[str, int]) -> None:
    months = [r[0] for r in con.execute("SELECT month FROM dim_time ORDER BY month").fetchall()]
    con.execute(f"CREATE OR REPLACE TEMP TABLE rollup__bits AS {activity_bits_sql(len(months))}")
    for r in ACTIVITY:
        con.execute(f"CREATE OR REPLACE TABLE {r.name} AS {activity_sql(r, len(months))} "
                    "ORDER BY ALL")
        sizes[r.name] = con.execute(f"SELECT count(*) FROM {r.name}").fetchone()[0]
    con.execute("DROP TABLE rollup__bits")
    from gcrm.storage import warehouse

    warehouse.set_meta(con, "activity_months", json.dumps(months))


def build_rollups(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """(Re)build every rollup table; record and return their row counts.

    One pass over each fact table builds a pre-aggregate at the union of its rollups' grains
    (all month-grain, so distinct customers stay additive); every rollup is then summed from
    that much smaller table instead of joining the facts again.
    """
    from gcrm.storage import warehouse

    sizes = {}
    for fact in SOURCES:
        rollups = [r for r in ROLLUPS if r.fact == fact]
        dims = tuple(dict.fromkeys(d for r in rollups for d in r.dims))
        assert "month" in dims, "rollups are month-grain"
        con.execute(f"CREATE OR REPLACE TEMP TABLE rollup__base AS {_aggregate(fact, dims)}")
        for r in rollups:
            con.execute(f"CREATE OR REPLACE TABLE {r.name} AS {r.sql('rollup__base')} "
                        "ORDER BY ALL")
            sizes[r.name] = con.execute(f"SELECT count(*) FROM {r.name}").fetchone()[0]
        con.execute("DROP TABLE rollup__base")
    _build_activity(con, sizes)
    warehouse.set_meta(con, "rollup_sizes", json.dumps(sizes))
    return sizes
