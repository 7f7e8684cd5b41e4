"""Sign in: user name + password (the shell shows this instead of any page until then)."""

from __future__ import annotations

import streamlit as st

from dashboards.components import auth, shell
from gcrm.i18n import t


def render() -> None:
    """Draw the page (``dashboards/app.py`` calls it on every run)."""
    lang = shell.current_lang()
    st.title(t("login.title", lang))
    st.caption(t("login.intro", lang))
    auth.login_form(lang)
    shell.page_done("login", lang)
