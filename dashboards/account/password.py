"""Choose a new password: current, new, repeat (the shell shows this instead of any page
while the account must change its password, or when the user opened "Change password")."""

from __future__ import annotations

import streamlit as st

from dashboards.components import auth, shell
from gcrm.i18n import t


def render() -> None:
    """Draw the page (``dashboards/app.py`` calls it on every run)."""
    lang = shell.current_lang()
    st.title(t("pw.title", lang))
    auth.password_form(lang)
    shell.page_done("password", lang)
