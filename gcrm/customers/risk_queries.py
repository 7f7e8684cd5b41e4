"""Arrears and churn risk of the customers a user may see (fetch for
:func:`gcrm.customers.risk.risk_scores`), ranked to act on.

Bills are ``fact_consumption.amount`` per month, payments ``fact_payment``; complaints are
the loaded ``fact_service`` complaints plus complaints entered in GCRM (operational store,
so a merge's re-pointed complaints count for the survivor). Scores are per warehouse account.
The page and ``gcrm customers risk`` call :func:`ranked`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import duckdb
import pandas as pd

from gcrm.customers.risk import rank, risk_scores
from gcrm.security.masking import mask_frame
from gcrm.security.scope import scope_sql

LIST_COLUMNS = ("rank", "customer_id", "name", "customer_class", "district_id", "phone",
                "arrears_score", "arrears_why", "churn_score", "churn_why", "days_overdue",
                "overdue_amount", "late_share", "kwh_ratio_12", "complaints", "billed_12m")


def inputs(con: duckdb.DuckDBPyConnection, store: sqlite3.Connection | None = None,
           scope: Sequence[str] | None = None
           ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(consumption, payments, complaints, customers) of the customers in ``scope``."""
    where, params = scope_sql(scope)
    inscope = f"SELECT c.customer_id FROM dim_customer c WHERE {where}"
    cons = con.execute(f"""
        SELECT customer_id, month, kwh, amount FROM fact_consumption
        WHERE customer_id IN ({inscope})""", params).df()
    pays = con.execute(f"""
        SELECT customer_id, paid_at, amount FROM fact_payment
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
    cons, pays, complaints, customers = inputs(con, store, scope)
    as_of = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp.now().normalize()
    r = risk_scores(cons, pays, complaints, as_of=as_of, lang=lang)
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
