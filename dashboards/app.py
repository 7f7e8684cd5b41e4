"""GCRM dashboard: the Streamlit entry point (``gcrm dashboard`` or ``streamlit run``).

The shell sets the page, the language switch (session state + ``?lang=``), the warehouse
footer and the navigation; each page is one file in ``views/`` (not ``pages/``: Streamlit would
run a ``pages/`` folder as old-style pages and bypass this shell on a deep link). The warehouse
path comes from ``$GCRM_DB`` (see :func:`gcrm.config.db_path`).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboards.components import data, shell
from gcrm.i18n import t

PAGES = Path(__file__).resolve().parent / "views"

st.set_page_config(page_title="GCRM", page_icon="⚡", layout="wide")

shell.preload()  # once per server: the pages' modules load while the first user signs in
lang = shell.current_lang()
st.sidebar.markdown(f"**{t('app.title', lang)}**  \n{t('app.subtitle', lang)}")
lang = shell.language_switch()
who = shell.signed_in(lang)  # None: the login form (or a warehouse message) is shown instead
pages = [
    st.Page(PAGES / "home.py", title=t("nav.home", lang), icon=":material/map:",
            url_path="home", default=True),
    st.Page(PAGES / "explorer.py", title=t("nav.explorer", lang), icon=":material/view_quilt:",
            url_path="explorer"),
    st.Page(PAGES / "customers.py", title=t("nav.customers", lang),
            icon=":material/person_search:", url_path="customers"),
    st.Page(PAGES / "tradearea.py", title=t("nav.tradearea", lang),
            icon=":material/storefront:", url_path="tradearea"),
    st.Page(PAGES / "outages.py", title=t("nav.outages", lang), icon=":material/power_off:",
            url_path="outages"),
    st.Page(PAGES / "reports.py", title=t("nav.reports", lang), icon=":material/description:",
            url_path="reports"),
]
if who is None or who.can("view_audit"):  # logged out: a hidden page, keeps the deep link
    pages.append(st.Page(PAGES / "audit.py", title=t("nav.audit", lang), icon=":material/policy:",
                         url_path="audit"))
nav = st.navigation(pages, position="sidebar" if who else "hidden")  # hidden: keeps deep links
if who is not None:
    with data.run_connection(shell.warehouse().path):  # one connection for the page's queries
        nav.run()
