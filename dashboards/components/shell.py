"""The app shell: current language (session state + ``?lang=`` in the URL) and the sidebar."""

from __future__ import annotations

import importlib
import threading

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


_INFO_KEY = "gcrm_warehouse"


def open_warehouse(lang: str):
    """Check the configured warehouse; show the footer, or a clear message when unusable.

    Returns the :class:`~dashboards.components.data.WarehouseInfo` (also kept for the pages in
    session state), or None after showing why the warehouse cannot be used.
    """
    from dashboards.components import data

    path = config.db_path().resolve()
    try:
        info = data.warehouse_info()
    except FileNotFoundError:
        sidebar_footer(lang, str(path), None)
        st.title(t("app.no_warehouse.title", lang))
        st.info(t("app.no_warehouse.body", lang, path=path), icon=":material/database:")
        st.code(f"gcrm demo --db {path}", language="bash")
        return None
    except Exception as exc:  # a locked, corrupt or foreign file: say so, no traceback
        sidebar_footer(lang, str(path), None)
        st.error(t("app.warehouse_error", lang, path=path, error=exc))
        return None
    sidebar_footer(lang, info.path, info.loaded_at)
    st.session_state[_INFO_KEY] = info
    return info


def warehouse():
    """The warehouse checked by the app shell in this run (pages call this)."""
    return st.session_state[_INFO_KEY]


#: What the pages import that the sign-in page does not (pandas alone takes 1-2 s to import on
#: a cold machine, pypinyin's dictionary 0.5 s): loaded once per server, in the background,
#: by :func:`preload`.
PRELOAD = ("pandas", "pyarrow", "pydeck", "dashboards.overview.data",
           "dashboards.components.maps", "dashboards.components.svgmap",
           "dashboards.overview.trend", "dashboards.components.kpi",
           "gcrm.placenames",
           # the pages opened by a link straight after sign-in (altair, h3: 0.7 s)
           "dashboards.outages.page", "dashboards.tradearea.page")

#: what a page reads in advance while its deep link's visitor signs in (``module:function``,
#: in a background thread): for the Trading-area page the district boundaries, and every
#: customer's facts of the last 12 months when the warehouse does not store them (its
#: summary and campaign list, 2-4 s on 1M customers). Only for the page asked for: read for
#: every page, it slowed the Outages page's cold first render.
PREPARE = {"tradearea": "dashboards.tradearea.data:warm"}


def _import_all(names: tuple[str, ...]) -> None:
    for name in names:
        module, _, func = name.partition(":")
        loaded = importlib.import_module(module)
        if func:
            getattr(loaded, func)()


def prepare(url_path: str) -> None:
    """Start :data:`PREPARE`'s reading for the page at ``url_path`` (the sign-in form shows
    meanwhile; a no-op for other pages, and when the data are read or being read)."""
    if entry := PREPARE.get(url_path):
        threading.Thread(target=_import_all, args=((entry,),), name="gcrm-prepare",
                         daemon=True).start()


@st.cache_resource(show_spinner=False)
def preload() -> threading.Thread:
    """Start importing :data:`PRELOAD` in a background thread, once per server process (the
    first visit shows the sign-in form meanwhile; a page importing the same module waits for
    it under Python's import lock instead of importing it twice), then calling its
    ``module:function`` entries (a page needing their data waits for the read under way)."""
    thread = threading.Thread(target=_import_all, args=(PRELOAD,), name="gcrm-preload",
                              daemon=True)
    thread.start()
    return thread


def page_done(name: str, lang: str) -> None:
    """An invisible end-of-page marker, so browser tests know the whole page has rendered."""
    st.markdown(f'<div class="gcrm-page-done" data-page="{name}" data-lang="{lang}" '
                'style="display:none"></div>', unsafe_allow_html=True)


def _login_page(lang: str) -> None:
    """Sign in: user name + password (shown instead of any page until then)."""
    from dashboards.components import auth

    st.title(t("login.title", lang))
    st.caption(t("login.intro", lang))
    auth.login_form(lang)
    page_done("login", lang)


def _password_page(lang: str) -> None:
    """Choose a new password: current, new, repeat (shown instead of any page while the
    account must change its password, or when the user opened "Change password")."""
    from dashboards.components import auth

    st.title(t("pw.title", lang))
    auth.password_form(lang)
    page_done("password", lang)


def signed_in(lang: str):
    """Check the warehouse, then the login: the signed-in
    :class:`~gcrm.security.accounts.Principal` (sidebar shows user, role, scope and the account
    menu: change password, sign out), or None after showing the login form, the password form
    or why the warehouse cannot be used. None means: run no page.

    Every run resumes the session (:func:`dashboards.components.auth.current`: the token from
    ``st.session_state``, or after a reload from the session cookie) and checks it against the
    store, so an expired or revoked session or a disabled account goes back to the login
    form; :func:`~dashboards.components.auth.sync_cookie` keeps the browser's cookie in step.
    An account that must change its password (``gcrm demo``'s one-time passwords) sees only
    the "choose a new password" form until it has done so.
    """
    from dashboards.components import auth, data

    info = open_warehouse(lang)
    if info is None:
        return None
    who = auth.current()
    auth.sync_cookie()
    if who is None:
        _login_page(lang)
        return None
    auth.sidebar(who, lang, data.region_names(info.path, info.version))
    if auth.password_change_pending():
        _password_page(lang)
        return None
    return who
