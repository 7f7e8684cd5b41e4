"""Loading the revenue-protection inputs: transformer areas, supply meters, daily reads.

Called by :mod:`etl.pipeline` for ``transformers``, ``supply`` and ``daily_reads`` (specs in
:mod:`etl.spec`). Rules beyond the column checks: a supply row must name a known feeder or
transformer of its level (``unknown_point``). After region assignment, each transformer area
takes the city and district where most of its customers are (:func:`place_transformers`).
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

#: the revenue-protection fact files (``transformers`` is a located dimension, see pipeline)
FACTS = ("supply", "daily_reads")


#: the fact files' tables, keys and selects from their good rows (shared with the Spark load)
TABLES = {
    "supply": ("fact_supply", ("point_id", "level", "month"),
               "SELECT point_id, level, month, kwh"),
    "daily_reads": ("fact_daily_read", ("customer_id", "date"), 'SELECT customer_id, "date", kwh'),
}

#: supply rows whose point is not a known feeder / transformer of their level (as rejects
#: ``__row, __reason, __field``; DuckDB SQL, carried to Spark by ``gcrm.cube.dialect``)
UNKNOWN_POINT_SQL = """
        SELECT v.__row, 'unknown_point' AS __reason, 'point_id' AS __field FROM v_supply v
        WHERE NOT EXISTS (SELECT 1 FROM dim_feeder f
                          WHERE v.level = 'feeder' AND f.feeder_id = v.point_id)
          AND NOT EXISTS (SELECT 1 FROM dim_transformer t
                          WHERE v.level = 'transformer' AND t.transformer_id = v.point_id)"""

#: every transformer area's city and district: those of most of its customers
PLACEMENT_SQL = """
        SELECT transformer_id, arg_max(city_id, n) AS city_id,
               arg_max(district_id, n) AS district_id
        FROM (SELECT transformer_id, city_id, district_id, count(*) AS n
              FROM dim_customer WHERE transformer_id IS NOT NULL
                AND district_id IS NOT NULL GROUP BY ALL)
        GROUP BY transformer_id"""


def check_supply(con: duckdb.DuckDBPyConnection, regood: Callable[[], None]) -> None:
    """Reject supply rows whose point is not a known feeder / transformer of their level."""
    con.execute("INSERT INTO r_supply" + UNKNOWN_POINT_SQL)
    regood()


def load(con: duckdb.DuckDBPyConnection, name: str, good: str,
         replace_facts: Callable[..., int]) -> int:
    """Load the good rows of fact file ``name`` (view ``good``); return the rows loaded."""
    table, key, select = TABLES[name]
    return replace_facts(con, table, key, select, good)


def place_transformers(con: duckdb.DuckDBPyConnection) -> None:
    """Give every transformer area the city and district of most of its customers."""
    if not con.execute("SELECT count(*) > 0 FROM dim_transformer").fetchone()[0]:
        return
    con.execute("""
        UPDATE dim_transformer t SET city_id = m.city_id, district_id = m.district_id
        FROM (""" + PLACEMENT_SQL + """) m
        WHERE t.transformer_id = m.transformer_id
          AND (t.district_id IS DISTINCT FROM m.district_id
               OR t.city_id IS DISTINCT FROM m.city_id)""")

