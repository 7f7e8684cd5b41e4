"""Customer search: id, name (Chinese, partial), phone, ID number, address; typo-tolerant.

Exact and substring matches rank first; when they find nothing, a fuzzy pass (Jaro-Winkler
similarity on names and addresses, edit distance on phone and ID numbers) catches typos.
Search text is always a bound parameter; region scope applies.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd

from gcrm.security.scope import scope_sql_named

MAX_LEN = 100
RESULT_COLUMNS = ("customer_id", "name", "customer_class", "tariff", "big_customer", "phone",
                  "id_number", "address", "district_id", "lon", "lat", "score")


class SearchError(ValueError):
    """Empty or over-long search text."""


def _clean(text: str | None) -> str:
    s = (text or "").strip()
    if not s:
        raise SearchError("enter a customer id, name, phone, ID number or address")
    if len(s) > MAX_LEN:
        raise SearchError(f"search text too long ({len(s)} characters, at most {MAX_LEN})")
    return s


def search(con: duckdb.DuckDBPyConnection, text: str, scope: Sequence[str] | None = None,
           limit: int = 50) -> pd.DataFrame:
    """Customers matching ``text``, best first (column ``score`` in 0..1)."""
    q = _clean(text)
    where, named = scope_sql_named(scope)
    named = {"q": q, "limit": int(limit), **named}
    cols = ", ".join(c for c in RESULT_COLUMNS if c != "score")
    exact = f"""
        SELECT {cols}, CASE
            WHEN customer_id = $q OR phone = $q OR id_number = $q THEN 1.0
            WHEN name = $q THEN 0.95
            WHEN starts_with(name, $q) THEN 0.9
            WHEN contains(name, $q) THEN 0.8
            WHEN contains(customer_id, $q) OR contains(phone, $q) OR contains(id_number, $q)
                THEN 0.75
            WHEN contains(address, $q) THEN 0.7 END AS score
        FROM dim_customer WHERE {where} AND score IS NOT NULL
        ORDER BY score DESC, customer_id LIMIT $limit"""
    df = con.execute(exact, named).df()
    if len(df) or len(q) < 2:
        return df
    # Fuzzy pass: names/addresses by Jaro-Winkler >= 0.85, numbers within 2 edits.
    fuzzy = f"""
        SELECT * FROM (SELECT {cols}, greatest(
            CASE WHEN greatest(jaro_winkler_similarity(name, $q),
                               jaro_winkler_similarity(left(name, length($q)), $q)) >= 0.85
                 THEN greatest(jaro_winkler_similarity(name, $q),
                               jaro_winkler_similarity(left(name, length($q)), $q)) ELSE 0 END,
            CASE WHEN length($q) >= 7 AND levenshtein(phone, $q) <= 2
                 THEN 1 - 0.1 * levenshtein(phone, $q) ELSE 0 END,
            CASE WHEN length($q) >= 10 AND levenshtein(id_number, $q) <= 2
                 THEN 1 - 0.1 * levenshtein(id_number, $q) ELSE 0 END,
            CASE WHEN length($q) >= 4 AND levenshtein(customer_id, $q) <= 1 THEN 0.9 ELSE 0 END,
            CASE WHEN length($q) >= 4
                  AND jaro_winkler_similarity(left(address, length($q)), $q) >= 0.85
                 THEN jaro_winkler_similarity(left(address, length($q)), $q) ELSE 0 END
        ) * 0.69 AS score
        FROM dim_customer WHERE {where})
        WHERE score > 0
        ORDER BY score DESC, customer_id LIMIT $limit"""
    return con.execute(fuzzy, named).df()

