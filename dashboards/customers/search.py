"""The Search tab of the Customers page: the search box, the results (table and map) and,
for the customer picked, the card and service records.

A search is audited (and, for users who see customer data masked, rate-limited) once per new
text, data version and user: :func:`_find` keeps the last one in ``st.session_state
["cust_found"]`` so that reruns of the page reuse it.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards.components import data
from dashboards.customers import data as cd
from dashboards.customers.card import customer_card
from dashboards.customers.pointmap import points_map
from dashboards.customers.records import service_records
from dashboards.customers.views import View, cols
from gcrm.customers.search import SearchError
from gcrm.i18n import t, tn
from gcrm.security.masking import mask_frame

RESULT_COLS = {"customer_id": "cust.col.id", "name": "cust.col.name",
               "customer_class": "cust.col.class", "phone": "cust.col.phone",
               "id_number": "cust.col.id_number", "address": "cust.col.address",
               "district_id": "cust.col.district", "score": "cust.col.score"}
#: the message of each :class:`SearchError` code (others: the error's English text)
ERROR_KEYS = {"empty": "cust.search.err.empty", "too_long": "cust.search.err.too_long",
              "rate_limit": "cust.search.err.rate_limit"}
#: a rate limit's window and the wait, in words
WINDOW_KEYS = {"minute": "cust.search.window.minute", "hour": "cust.search.window.hour",
               "day": "cust.search.window.day"}
WAIT_KEYS = {"hour": "cust.search.wait.hour", "minute": "cust.search.wait.minute",
             "second": "cust.search.wait.second"}


def search_tab(v: View) -> None:
    """Search, the card and service records (runs only while its tab is open)."""
    text = st.text_input(t("cust.search.label", v.lang), key="cust_q",
                         placeholder=t("cust.search.placeholder", v.lang))
    results = None
    try:
        results = _find(v, text)
    except SearchError as exc:  # also SearchLimitError: too many searches
        (st.info if not (text or "").strip() else st.error)(search_error(exc, v.lang))
    regions = data.regions_geojson(v.db, v.version, "district", scope=v.who.scope)

    if results is not None and results.empty:
        st.info(t("cust.search.none", v.lang, text=text))
    elif results is not None:
        selected = _results(v, results, regions)
        customer_card(v, selected, regions)
        service_records(v, selected)


def search_error(exc: SearchError, lang: str) -> str:
    """``exc`` in ``lang``: the hint for an empty search, the limit of a long one, the rate
    limit and how long to wait."""
    key = ERROR_KEYS.get(exc.code)
    if key is None:
        return str(exc)
    p = exc.params
    if exc.code == "rate_limit":
        return t(key, lang, most=p["most"], window=t(WINDOW_KEYS[p["window"]], lang),
                 wait=tn(WAIT_KEYS[p["unit"]], p["wait"], lang))
    return t(key, lang, **p)


def _find(v: View, text: str | None) -> pd.DataFrame:
    """The customers ``text`` finds: one audited (and, masked, rate-limited) search per new
    text, data version and user; reruns of the page (picking a result, saving a record)
    reuse its results instead of searching again."""
    key = (v.version, v.who, (text or "").strip())
    last = st.session_state.get("cust_found")
    if last is not None and last[0] == key:
        return last[1]
    results = cd.find(v.db, text or "", v.who)
    st.session_state["cust_found"] = (key, results)
    return results


def _results(v: View, results: pd.DataFrame, regions: dict) -> str:
    """The result table and map; returns the customer picked to open."""
    shown = results if v.who.can("read_pii") else mask_frame(results)
    st.caption(tn("cust.search.count", len(results), v.lang))
    table_col, map_col = st.columns([3, 2])
    with table_col:
        st.dataframe(cols(shown, RESULT_COLS, v.lang), hide_index=True, width="stretch",
                     height=320)
    ids = list(results["customer_id"])
    names = dict(zip(shown["customer_id"], shown["name"], strict=True))
    selected = st.selectbox(t("cust.search.open", v.lang), ids, key="cust_selected",
                            format_func=lambda c: f"{c} · {names.get(c) or ''}")
    with map_col:
        st.pydeck_chart(points_map(regions, shown, "<b>{name}</b><br/>{customer_id}",
                                   selected=selected), height=320, key="cust_results_map")
    return selected
