"""Load-profile segments of the customers a user may see (fetch for
:func:`gcrm.customers.segments.segment`).

Reads the last 24 months of ``fact_consumption`` (kWh, peak, valley) and the customer classes
of the user's regions, then clusters them; the same call serves the page and
``gcrm customers segments``.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd

from gcrm.customers.segments import Segmentation, segment
from gcrm.security.scope import scope_sql

#: months read: 12 for the shape, up to 12 before them for the trend and smoothing
HISTORY_MONTHS = 24


def profiles(con: duckdb.DuckDBPyConnection, scope: Sequence[str] | None = None,
             months: int = HISTORY_MONTHS) -> tuple[pd.DataFrame, pd.Series]:
    """(consumption rows of the last ``months`` months, customer_id -> class) in scope."""
    last = con.execute("SELECT max(month) FROM fact_consumption").fetchone()[0]
    where, params = scope_sql(scope)
    if last is None:
        return (pd.DataFrame(columns=["customer_id", "month", "kwh", "peak_kwh", "valley_kwh"]),
                pd.Series(dtype=object))
    first = str(pd.Period(last, "M") - (months - 1))
    cons = con.execute(f"""
        SELECT f.customer_id, f.month, f.kwh, f.peak_kwh, f.valley_kwh
        FROM fact_consumption f JOIN dim_customer c USING (customer_id)
        WHERE f.month >= ? AND {where}""", [first, *params]).df()
    classes = con.execute(
        f"SELECT c.customer_id, c.customer_class FROM dim_customer c WHERE {where}",
        params).df().set_index("customer_id")["customer_class"]
    return cons, classes


def segments(con: duckdb.DuckDBPyConnection, scope: Sequence[str] | None = None, k: int = 8,
             seed: int = 0, lang: str = "en") -> Segmentation:
    """Segments of the customers in ``scope`` (see :func:`gcrm.customers.segments.segment`)."""
    cons, classes = profiles(con, scope)
    return segment(cons, classes, k=k, seed=seed, lang=lang)


def members(con: duckdb.DuckDBPyConnection, seg: Segmentation, segment_no: int,
            scope: Sequence[str] | None = None, limit: int = 200) -> pd.DataFrame:
    """Customers of one segment, closest to the centroid first (the most typical ones)."""
    ids = seg.members[seg.members["segment"] == int(segment_no)].sort_values(
        ["distance", "customer_id"]).head(limit)
    if ids.empty:
        return ids.assign(name=[], customer_class=[], district_id=[])
    where, params = scope_sql(scope)
    marks = ", ".join("?" for _ in range(len(ids)))
    info = con.execute(f"""
        SELECT c.customer_id, c.name, c.customer_class, c.district_id FROM dim_customer c
        WHERE c.customer_id IN ({marks}) AND {where}""",
                       [*ids["customer_id"], *params]).df()
    return ids.merge(info, on="customer_id", how="inner")
