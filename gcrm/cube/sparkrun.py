"""Cube queries on Spark, for batch answers over a Parquet store (``gcrm query --engine
spark``): the same compiler (:func:`gcrm.cube.engine.compile_query`) and planner, its SQL
carried to Spark by :func:`gcrm.cube.dialect.to_spark`. Pages stay on DuckDB."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from gcrm.cube.dialect import to_spark
from gcrm.cube.engine import Query, compile_query, protected
from gcrm.storage import lake, sparkenv


def _meta(spark, key: str) -> str | None:
    rows = spark.sql("SELECT value FROM meta WHERE key = '" + key.replace("'", "''") + "'"
                     ).collect()
    return rows[0][0] if rows else None


#: the store the session's views show, and the version of it they were made for
_REGISTERED: dict[str, object] = {}


def _use(store: str | os.PathLike):
    """The session, with ``store``'s tables as views (registered again after a new build)."""
    spark = sparkenv.session()
    meta = Path(store).resolve() / "meta"
    stamp = (str(meta), meta.stat().st_mtime_ns if meta.exists() else None, id(spark))
    if _REGISTERED.get("stamp") != stamp:
        lake.check_version(store)
        sparkenv.register_store(spark, store)
        _REGISTERED["stamp"] = stamp
    return spark


def spark_sql(store: str | os.PathLike, q: Query) -> str:
    """The Spark SQL that answers ``q`` on ``store`` (the store registered as views)."""
    spark = _use(store)
    sizes = json.loads(_meta(spark, "rollup_sizes") or "{}")
    months = _meta(spark, "activity_months")
    sql, params = compile_query(q, sizes, json.loads(months) if months else None)
    return to_spark(sql, params)


def query(store: str | os.PathLike, measures: Sequence[str], by: Sequence[str] = (),
          where: Mapping[str, Sequence] | None = None, months: tuple[str, str] | None = None,
          order_by: str | None = None, limit: int | None = None,
          scope: Sequence[str] | None = None, min_cell: int | None = None) -> pd.DataFrame:
    """As :func:`gcrm.cube.query`, computed by Spark: ``scope`` limits the data to those
    regions, ``min_cell`` applies the same disclosure control
    (:func:`gcrm.cube.engine.protected`)."""
    q = Query.make(measures, by, where, months, order_by, limit, True, scope)
    if min_cell is not None:
        return protected(lambda asked: run(store, asked), q, min_cell)
    return run(store, q)


def run(store: str | os.PathLike, q: Query) -> pd.DataFrame:
    """The answer to ``q`` computed by Spark, typed as :func:`gcrm.cube.engine.run`'s."""
    df = sparkenv.session().sql(spark_sql(store, q)).toPandas()
    for m in q.measures:
        df[m] = pd.to_numeric(df[m], errors="coerce").astype("float64")
    for d in q.by:  # Spark's nulls as pandas gives DuckDB's: None in text, <NA> in ints
        if df[d].dtype == object:
            df[d] = df[d].where(df[d].notna(), None)
    return df


def store_months(store: str | os.PathLike) -> list[str]:
    """The months of the store's calendar, ascending."""
    spark = _use(store)
    return [r[0] for r in spark.sql("SELECT month FROM dim_time ORDER BY month").collect()]
