"""Audit log (admins: ``view_audit``): search entries and verify the hash chain."""

from __future__ import annotations

import streamlit as st

from dashboards.audit import data, views
from dashboards.components import auth, shell
from gcrm.i18n import t


def render() -> None:
    """Draw the page (``dashboards/app.py`` calls it on every run)."""
    lang = shell.current_lang()
    st.title(t("audit.title", lang))
    auth.require("view_audit", lang)
    st.caption(t("audit.caption", lang))
    users, actions = data.choices()
    q = views.search_form(users, actions, lang)
    views.entries(data.search(q.user, q.action, q.text, q.limit), lang)
    if views.verify_button(lang):
        views.verification(data.verify(), lang)
    shell.page_done("audit", lang)
