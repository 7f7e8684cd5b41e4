"""What the tabs of the Customers page (customer 360) share: the :class:`View` every drawing
function takes, the page frame (title, the five tabs) and the helpers that label tables and
write hidden values (Markdown escaping: :func:`dashboards.components.mdtext.md`).

Each tab has its module: :mod:`~dashboards.customers.search` (search, then the
:mod:`~dashboards.customers.card` and :mod:`~dashboards.customers.records` of the customer
picked), :mod:`~dashboards.customers.segments`, :mod:`~dashboards.customers.risk`,
:mod:`~dashboards.customers.duplicates` and :mod:`~dashboards.customers.anniversaries`; the
point map is :mod:`~dashboards.customers.pointmap`. They read through
:mod:`dashboards.customers.data`; the widget keys, labels and hidden ``span.gcrm-card`` values
are what the browser tests read.
"""

from __future__ import annotations

import html

import streamlit as st

from dashboards.components import shell
from dashboards.components.context import PageContext
from dashboards.components.tables import cols  # noqa: F401 (pages import it from here)
from gcrm.i18n import t

TABS = ("cust.tab.search", "cust.tab.segments", "cust.tab.risk", "cust.tab.duplicates",
        "cust.tab.anniversaries")


#: what every drawing function needs: language, warehouse (path, data version), user
View = PageContext


def hidden(name: str, value: object) -> str:
    """An invisible exact value for browser tests (like the KPI spans)."""
    return (f'<span class="gcrm-card" data-field="{html.escape(name)}" '
            f'data-value="{html.escape(repr(value))}" style="display:none"></span>')


# ==================================================================== page frame
def heading(v: View) -> None:
    """Title and caption; without ``read_customers`` a warning, and the page stops."""
    st.title(t("cust.title", v.lang))
    if not v.who.can("read_customers"):
        st.warning(t("cust.no_permission", v.lang, user=v.who.user))
        shell.page_done("customers", v.lang)
        st.stop()
    st.caption(t("cust.caption", v.lang, user=v.who.user))


def tabs(v: View) -> list:
    """The five tabs (Segments, Risk and Duplicates compute only while open)."""
    for key in ("cust_q", "cust_selected"):  # keep the search while another tab is open
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
    return st.tabs([t(k, v.lang) for k in TABS], key="cust_tab", on_change="rerun")
