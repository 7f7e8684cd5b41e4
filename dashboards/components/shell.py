"""The app shell: current language (session state + ``?lang=`` in the URL) and the sidebar."""

from __future__ import annotations

import streamlit as st

from gcrm import config
from gcrm.i18n import LANG_NAMES, LANGS, normalize_lang, t

_LANG_KEY = "lang"


def current_lang() -> str:
    """The UI language: session state, else ``?lang=`` in the URL, else ``$GCRM_LANG``."""
    if _LANG_KEY not in st.session_state:
        wanted = st.query_params.get(_LANG_KEY) or config.get("lang")
        st.session_state[_LANG_KEY] = normalize_lang(wanted)
    lang = st.session_state[_LANG_KEY]
    return lang if lang in LANGS else normalize_lang(lang)


def _sync_url(lang: str) -> None:
    if st.query_params.get(_LANG_KEY) != lang:
        st.query_params[_LANG_KEY] = lang


def language_switch() -> str:
    """Sidebar radio English / 简体中文; keeps the choice in session state and the URL."""
    current_lang()  # seeds session state before the widget reads it
    lang = st.sidebar.radio(
        t("app.language", st.session_state[_LANG_KEY]),
        LANGS,
        format_func=LANG_NAMES.__getitem__,
        key=_LANG_KEY,
        horizontal=True,
    )
    _sync_url(lang)
    return lang


def sidebar_footer(lang: str, path: str, loaded_at: str | None) -> None:
    """Warehouse path and load date (small), and the synthetic-data note."""
    with st.sidebar:
        st.caption(t("app.warehouse", lang, path=path))
        st.caption(t("app.loaded_at", lang,
                     when=(loaded_at or t("app.never_loaded", lang)).replace("T", " ")))
        st.caption(t("app.synthetic_note", lang))
