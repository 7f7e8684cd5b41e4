"""Customer search: id, name (Chinese, partial), phone, ID number, address; typo-tolerant.

Exact and substring matches rank first; when they find nothing, a fuzzy pass (Jaro-Winkler
similarity on names and addresses, edit distance on phone and ID numbers) catches typos.
Search text is always a bound parameter; region scope applies.

Search is no oracle for masked fields. Which customers a search finds tells the searcher
something about the fields it matched on, so for a role without ``read_pii``
(``show_pii=False``) the text matches only what that role is shown, or a whole value:

* customer ids (never masked): exact, substring and typo-tolerant;
* names: organisations' (non-residential customers, shown unmasked) partial and
  typo-tolerant; a person's (residential, shown as 王*) only as the whole name;
* phone and ID numbers: only the whole number (spaces and dashes ignored, the ID check
  character's case too) -- no prefix, substring or typo-tolerant match, so 138****5678
  cannot be recovered digit by digit;
* addresses: the whole address, or text within the start the role is shown (西区幸 of
  西区幸****, the rule of :func:`gcrm.security.masking.mask_address`).

Whole numbers can still be guessed one at a time, so :func:`audited_search` -- what pages and
commands call -- limits such a role to :data:`LIMITS` searches per user (counted in the
operational store, so the limit holds across browser sessions and the command line) and
records every search text, with the user and the number of customers found, as a
``customer.search`` audit entry (refused searches too).
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import duckdb
import pandas as pd

from gcrm.security import audit
from gcrm.security.scope import scope_sql_named

MAX_LEN = 100
RESULT_COLUMNS = ("customer_id", "name", "customer_class", "tariff", "big_customer", "phone",
                  "id_number", "address", "district_id", "lon", "lat", "score")
#: the audit action of a search
ACTION = "customer.search"
#: searches a user without ``read_pii`` may run: (window in seconds, at most, window's name)
LIMITS = ((60, 30, "a minute"), (86_400, 300, "a day"))
#: what whole phone and ID numbers are compared without: spaces and dashes (also full-width)
SEPARATORS = "[ \t\u3000\u2010-\u2015\uff0d-]"

# What a masked role may match on (SQL over dim_customer; NULL: nothing). An address shows
# its first half, at most 6 characters (gcrm.security.masking.mask_address).
_SHOWN_CHARS = "least(6, greatest(1, length(address) // 2))"
_VISIBLE = {
    True: {"name": "name", "phone": "phone", "id_number": "id_number", "address": "address"},
    False: {"name": "CASE WHEN customer_class <> 'residential' THEN name END",
            "phone": "NULL", "id_number": "NULL",
            "address": f"CASE WHEN length($q) <= {_SHOWN_CHARS} "
                       f"THEN left(address, {_SHOWN_CHARS}) END"},
}


class SearchError(ValueError):
    """Empty or over-long search text.

    ``code`` names the problem (``empty``, ``too_long``, ``rate_limit``; "" for none) for
    pages, which show it in the user's language filled from ``params``; ``str(error)`` is the
    English message.
    """

    def __init__(self, message: str, *, code: str = "", **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


class SearchLimitError(SearchError):
    """Too many searches by one user (without ``read_pii``) in a window of :data:`LIMITS`."""


def _clean(text: str | None) -> str:
    s = (text or "").strip()
    if not s:
        raise SearchError("enter a customer id, name, phone, ID number or address", code="empty")
    if len(s) > MAX_LEN:
        raise SearchError(f"search text too long ({len(s)} characters, at most {MAX_LEN})",
                          code="too_long", length=len(s), most=MAX_LEN)
    return s


def whole_number(text: str) -> str:
    """``text`` as whole phone and ID numbers are compared: no separators, upper case."""
    return re.sub(SEPARATORS, "", text).upper()


def _whole(column: str) -> str:
    return f"upper(regexp_replace({column}, $sep, '', 'g')) = $n AND $n <> ''"


def search(con: duckdb.DuckDBPyConnection, text: str, scope: Sequence[str] | None = None,
           limit: int = 50, *, show_pii: bool = True) -> pd.DataFrame:
    """Customers matching ``text``, best first (column ``score`` in 0..1); ``show_pii``
    False: only on what a masked role sees, or whole values (see the module)."""
    q = _clean(text)
    where, named = scope_sql_named(scope)
    named = {"q": q, "limit": int(limit), **named}
    v = _VISIBLE[bool(show_pii)]
    cols = ", ".join(c for c in RESULT_COLUMNS if c != "score")
    exact = f"""
        SELECT {cols}, CASE
            WHEN customer_id = $q OR {_whole("phone")} OR {_whole("id_number")} THEN 1.0
            WHEN name = $q THEN 0.95
            WHEN starts_with({v["name"]}, $q) THEN 0.9
            WHEN contains({v["name"]}, $q) THEN 0.8
            WHEN contains(customer_id, $q) OR contains({v["phone"]}, $q)
                 OR contains({v["id_number"]}, $q) THEN 0.75
            WHEN address = $q OR contains({v["address"]}, $q) THEN 0.7 END AS score
        FROM dim_customer WHERE {where} AND score IS NOT NULL
        ORDER BY score DESC, customer_id LIMIT $limit"""
    df = con.execute(exact, {"n": whole_number(q), "sep": SEPARATORS, **named}).df()
    if len(df) or len(q) < 2:
        return df
    # Fuzzy pass: names/addresses by Jaro-Winkler >= 0.85, numbers within 2 edits.
    fuzzy = f"""
        SELECT * FROM (SELECT {cols}, greatest(
            CASE WHEN greatest(jaro_winkler_similarity({v["name"]}, $q),
                    jaro_winkler_similarity(left({v["name"]}, length($q)), $q)) >= 0.85
                 THEN greatest(jaro_winkler_similarity({v["name"]}, $q),
                    jaro_winkler_similarity(left({v["name"]}, length($q)), $q)) ELSE 0 END,
            CASE WHEN length($q) >= 7 AND levenshtein({v["phone"]}, $q) <= 2
                 THEN 1 - 0.1 * levenshtein({v["phone"]}, $q) ELSE 0 END,
            CASE WHEN length($q) >= 10 AND levenshtein({v["id_number"]}, $q) <= 2
                 THEN 1 - 0.1 * levenshtein({v["id_number"]}, $q) ELSE 0 END,
            CASE WHEN length($q) >= 4 AND levenshtein(customer_id, $q) <= 1 THEN 0.9 ELSE 0 END,
            CASE WHEN length($q) >= 4
                  AND jaro_winkler_similarity(left({v["address"]}, length($q)), $q) >= 0.85
                 THEN jaro_winkler_similarity(left({v["address"]}, length($q)), $q) ELSE 0 END
        ) * 0.69 AS score
        FROM dim_customer WHERE {where})
        WHERE score > 0
        ORDER BY score DESC, customer_id LIMIT $limit"""
    return con.execute(fuzzy, named).df()


# ------------------------------------------------------------------ rate limit and audit
#: the code of each window of :data:`LIMITS` (its length in seconds), for pages' messages
WINDOWS = {60: "minute", 3600: "hour", 86_400: "day"}


def _wait(wait: timedelta) -> tuple[int, str]:
    """How long to wait, rounded up: (n, ``hour``/``minute``/``second``)."""
    seconds = max(1, math.ceil(wait.total_seconds()))
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds >= 2 * size:
            return math.ceil(seconds / size), unit
    return seconds, "second"


def _in_words(n: int, unit: str) -> str:
    return f"{n} {unit}" + ("s" if n != 1 else "")


def check_rate(ops: sqlite3.Connection, user: str | None, now: datetime | None = None) -> None:
    """SearchLimitError when ``user`` ran :data:`LIMITS` searches in a window ending ``now``
    (default: now; a naive one is local time), counted from the audit log in the store."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    for seconds, most, window in LIMITS:
        since = now - timedelta(seconds=seconds)
        ran, oldest = ops.execute(
            "SELECT count(*), min(ts) FROM audit_log WHERE action = ? AND user IS ? AND ts >= ? "
            "AND json_extract(detail, '$.refused') IS NULL",
            (ACTION, user, since.isoformat(timespec="microseconds"))).fetchone()
        if ran >= most:
            n, unit = _wait(datetime.fromisoformat(oldest) + timedelta(seconds=seconds) - now)
            raise SearchLimitError(
                f"too many searches: at most {most} {window} for users who see customer data "
                f"masked; try again in {_in_words(n, unit)}",
                code="rate_limit" if seconds in WINDOWS else "", most=most,
                window=WINDOWS.get(seconds), wait=n, unit=unit)


def audited_search(con: duckdb.DuckDBPyConnection, ops: sqlite3.Connection, text: str, *,
                   user: str | None, show_pii: bool, scope: Sequence[str] | None = None,
                   limit: int = 50, now: datetime | None = None) -> pd.DataFrame:
    """:func:`search` as ``user`` may run it, audited in the store ``ops``: without
    ``show_pii`` rate-limited (:func:`check_rate`; the refusal is audited too)."""
    q = _clean(text)
    if not show_pii:
        try:
            check_rate(ops, user, now)
        except SearchLimitError:
            audit.record(ops, user, ACTION, None, text=q, masked=True, refused="rate_limit")
            raise
    df = search(con, q, scope, limit, show_pii=show_pii)
    audit.record(ops, user, ACTION, None, text=q, results=len(df), masked=not show_pii)
    return df
