"""The customer analytics read from the warehouse, limited to the user's regions: whether a
customer exists, arrears and churn risk ranked to act on, load-profile segments.

Every read applies the region scope through :func:`gcrm.security.scope.scope_sql`, then the
pure kernels compute (:mod:`gcrm.customers.risk`, :mod:`gcrm.customers.segments`) and
:mod:`gcrm.customers.words` puts the result into words. The Customers page and
``gcrm customers ...`` call these functions.

Risk: bills are ``fact_consumption.amount`` per month, payments ``fact_payment``; complaints
are the loaded ``fact_service`` complaints plus complaints entered in GCRM (operational store,
so a merge's re-pointed complaints count for the survivor). Scores are per warehouse account.

Segments: the last 24 months of ``fact_consumption`` (kWh, peak, valley) and the customer
classes of the user's regions.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import duckdb
import pandas as pd

from gcrm.customers import words
from gcrm.customers.risk import rank, risk_scores
from gcrm.customers.segments import Segmentation, segment
from gcrm.security.masking import mask_frame
from gcrm.security.scope import scope_sql
from gcrm.storage.warehouse import BY_ID

LIST_COLUMNS = ("rank", "customer_id", "name", "customer_class", "district_id", "phone",
                "arrears_score", "arrears_why", "churn_score", "churn_why", "days_overdue",
                "overdue_amount", "late_share", "kwh_ratio_12", "complaints", "billed_12m")
#: months read for segments: 12 for the shape, up to 12 before them for the trend and smoothing
HISTORY_MONTHS = 24


def customer_exists(con: duckdb.DuckDBPyConnection, customer_id: str,
                    scope: Sequence[str] | None = None) -> bool:
    """Whether ``customer_id`` is in the warehouse and in ``scope``."""
    where, params = scope_sql(scope)
    return con.execute(f"SELECT count(*) FROM dim_customer c WHERE c.customer_id = ? AND {where}",
                       [customer_id, *params]).fetchone()[0] > 0


# ------------------------------------------------------------------------------ risk
def risk_inputs(con: duckdb.DuckDBPyConnection, store: sqlite3.Connection | None = None,
                scope: Sequence[str] | None = None
                ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(consumption, payments, complaints, customers) of the customers in ``scope``."""
    where, params = scope_sql(scope)
    inscope = f"SELECT c.customer_id FROM dim_customer c WHERE {where}"
    cons = con.execute(f"""
        SELECT customer_id, month, kwh, amount FROM {BY_ID['fact_consumption']}
        WHERE customer_id IN ({inscope})""", params).df()
    pays = con.execute(f"""
        SELECT customer_id, paid_at, amount FROM {BY_ID['fact_payment']}
        WHERE customer_id IN ({inscope})""", params).df()
    complaints = con.execute(f"""
        SELECT customer_id, opened_at FROM fact_service
        WHERE kind = 'complaint' AND customer_id IN ({inscope})""", params).df()
    customers = con.execute(f"""
        SELECT c.customer_id, c.name, c.customer_class, c.district_id, c.phone, c.big_customer
        FROM dim_customer c WHERE {where}""", params).df()
    if store is not None:
        own = pd.read_sql_query("SELECT customer_id, occurred_at AS opened_at FROM crm_records "
                                "WHERE kind = 'complaint'", store)
        own = own[own["customer_id"].isin(set(customers["customer_id"]))]
        if len(own):
            own["opened_at"] = pd.to_datetime(own["opened_at"])
            complaints = pd.concat([complaints, own], ignore_index=True)
    return cons, pays, complaints, customers


def scores(con: duckdb.DuckDBPyConnection, store: sqlite3.Connection | None = None,
           scope: Sequence[str] | None = None, as_of: pd.Timestamp | None = None,
           lang: str = "en") -> pd.DataFrame:
    """Both scores with explanations and the customer's name/class/district/phone."""
    cons, pays, complaints, customers = risk_inputs(con, store, scope)
    as_of = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp.now().normalize()
    r = words.explain_scores(risk_scores(cons, pays, complaints, as_of=as_of), lang)
    return customers.merge(r, on="customer_id", how="inner")


def ranked(con: duckdb.DuckDBPyConnection, store: sqlite3.Connection | None = None,
           scope: Sequence[str] | None = None, by: str = "arrears", limit: int | None = 100,
           as_of: pd.Timestamp | None = None, lang: str = "en",
           show_pii: bool = True) -> pd.DataFrame:
    """The list to act on: highest ``by`` risk first (columns :data:`LIST_COLUMNS`), PII
    masked unless ``show_pii``."""
    out = rank(scores(con, store, scope, as_of, lang), by=by, limit=limit)
    out = out[[c for c in LIST_COLUMNS if c in out.columns]]
    return out if show_pii else mask_frame(out)


# ------------------------------------------------------------------------------ segments
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
        SELECT c.customer_id, f.month, f.kwh, f.peak_kwh, f.valley_kwh
        FROM fact_consumption f JOIN dim_customer c ON c.customer_key = f.customer_key
        WHERE f.month >= ? AND {where}""", [first, *params]).df()
    classes = con.execute(
        f"SELECT c.customer_id, c.customer_class FROM dim_customer c WHERE {where}",
        params).df().set_index("customer_id")["customer_class"]
    return cons, classes


def segments(con: duckdb.DuckDBPyConnection, scope: Sequence[str] | None = None, k: int = 8,
             seed: int = 0, lang: str = "en") -> Segmentation:
    """Segments of the customers in ``scope`` (see :func:`gcrm.customers.segments.segment`),
    named in ``lang``."""
    cons, classes = profiles(con, scope)
    return words.name_segments(segment(cons, classes, k=k, seed=seed), lang)


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
