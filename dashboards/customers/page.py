"""Customers (customer 360): search, the customer card, service records, load-profile
segments, risk lists, duplicates and merges, anniversaries.

The Segments, Risk and Duplicates tabs compute only while open (``st.tabs(on_change="rerun")``
and ``tab.open``); they call the same :mod:`gcrm.customers` functions as ``gcrm customers``.
Each tab is drawn by its module in :mod:`dashboards.customers` (what they share is in
:mod:`dashboards.customers.views`), the reads are in :mod:`dashboards.customers.data`."""

from __future__ import annotations

from dashboards.components import shell
from dashboards.customers import anniversaries, duplicates, risk, search, segments, views


def render() -> None:
    """Draw the page (``dashboards/app.py`` calls it on every run)."""
    v = views.View.current()
    lang = v.lang
    views.heading(v)  # stops the page without read_customers
    tab_search, tab_seg, tab_risk, tab_dup, tab_anniv = views.tabs(v)
    with tab_search:
        if tab_search.open is not False:
            search.search_tab(v)
    with tab_seg:
        if tab_seg.open:
            segments.segments_tab(v)
    with tab_risk:
        if tab_risk.open:
            risk.risk_tab(v)
    with tab_dup:
        if tab_dup.open:
            duplicates.duplicates_tab(v)
    with tab_anniv:
        anniversaries.anniversaries_tab(v)
    shell.page_done("customers", lang)
