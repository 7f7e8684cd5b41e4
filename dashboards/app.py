"""GCRM dashboard: the Streamlit entry point (``gcrm dashboard`` or ``streamlit run``).

The shell sets the page, the language switch (session state + ``?lang=``), the warehouse
footer and the navigation. Each page is a package (``dashboards/<page>/``: ``page.py`` with
``render()``, ``data.py`` cached wrappers around the ``gcrm`` API, ``views.py`` drawing
functions); its module is imported on first use, so the sign-in form does not wait for the
pages' heavy imports. The warehouse path comes from ``$GCRM_DB`` (see
:func:`gcrm.config.db_path`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import streamlit as st

from dashboards.components import data, shell
from gcrm.i18n import t

#: (module, title key, icon, url path) in the order of the navigation
PAGES = (
    ("dashboards.overview.page", "nav.home", ":material/map:", "home"),
    ("dashboards.explorer.page", "nav.explorer", ":material/view_quilt:", "explorer"),
    ("dashboards.forecast.page", "nav.forecast", ":material/trending_up:", "forecast"),
    ("dashboards.customers.page", "nav.customers", ":material/person_search:", "customers"),
    ("dashboards.accounts.page", "acct.nav", ":material/handshake:", "accounts"),
    ("dashboards.tradearea.page", "nav.tradearea", ":material/storefront:", "tradearea"),
    ("dashboards.outages.page", "nav.outages", ":material/power_off:", "outages"),
    ("dashboards.tariff.page", "nav.tariff", ":material/schedule:", "tariff"),
    ("dashboards.revenue.page", "nav.revenue", ":material/electric_meter:", "revenue"),
    ("dashboards.reports.page", "nav.reports", ":material/description:", "reports"),
)
AUDIT = ("dashboards.audit.page", "nav.audit", ":material/policy:", "audit")


def _runner(module: str) -> Callable[[], None]:
    def run() -> None:
        importlib.import_module(module).render()

    run.__name__ = module.split(".")[1]
    return run


def _page(module: str, title: str, icon: str, url_path: str, lang: str):
    return st.Page(_runner(module), title=t(title, lang), icon=icon, url_path=url_path,
                   default=url_path == "home")


st.set_page_config(page_title="GCRM", page_icon="⚡", layout="wide")

shell.preload()  # once per server: the pages' modules load while the first user signs in
lang = shell.current_lang()
st.sidebar.markdown(f"**{t('app.title', lang)}**  \n{t('app.subtitle', lang)}")
lang = shell.language_switch()
who = shell.signed_in(lang)  # None: the login form (or a warehouse message) is shown instead
pages = [_page(*entry, lang) for entry in PAGES]
if who is None or who.can("view_audit"):  # logged out: a hidden page, keeps the deep link
    pages.append(_page(*AUDIT, lang))
nav = st.navigation(pages, position="sidebar" if who else "hidden")  # hidden: keeps deep links
if who is None:
    shell.prepare(nav.url_path)  # the asked-for page's data are read while the user signs in
else:
    with data.run_connection(shell.warehouse().path):  # one connection for the page's queries
        nav.run()
