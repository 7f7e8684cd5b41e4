"""Key accounts: a manager's portfolio (map, this month's consumption, arrears, complaints,
what changed since the last visit), alerts with acknowledge/snooze, customer groups and the
reassignment of customers to managers. The work is in :mod:`gcrm.accounts` (the same functions
as ``gcrm alerts`` and ``gcrm accounts``)."""

from __future__ import annotations

import streamlit as st

from dashboards.accounts import views, visits
from dashboards.components import shell
from gcrm.i18n import t


def render() -> None:
    """Draw the page (``dashboards/app.py`` calls it on every run)."""
    v = views.View.current()
    lang = v.lang
    views.heading(v)  # stops the page without read_customers
    month = views.month_picker(v)
    if month is not None:
        home, alerts, groups, assign, plan, evaluation = st.tabs(
            [t(k, lang) for k in views.TABS])
        with home:
            views.home(v, month)
        with alerts:
            views.alerts(v, month)
        with groups:
            views.groups(v)
        with assign:
            views.assign(v)
        with plan:
            visits.visits(v, month)
        with evaluation:
            visits.evaluation(v)
    shell.page_done("accounts", lang)

