"""Login, sessions and permissions for the dashboard.

The shell (``app.py``) calls :func:`current` on every run: it resumes the session whose token
is kept in ``st.session_state`` (never in the URL) with
:func:`gcrm.security.accounts.resume_session`; an unknown, expired or disabled session sends the
user back to the login form. Pages call :func:`principal` (the shell guarantees a signed-in
user before it runs a page) and :func:`require` for a permission.

Accounts, sessions and the audit log live in the operational store beside the warehouse
(:func:`gcrm.store.connect_store`); each call opens a short SQLite connection.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from gcrm import config
from gcrm.i18n import t
from gcrm.security import audit
from gcrm.security.accounts import (
    AuthError,
    Principal,
    authenticate,
    close_session,
    open_session,
    resume_session,
)
from gcrm.security.roles import PERMISSIONS
from gcrm.store import connect_store

_TOKEN = "gcrm_session_token"
_PRINCIPAL = "gcrm_principal"
_ERROR = "gcrm_login_error"


@contextmanager
def store() -> Iterator:
    """A short connection to the operational store of the configured warehouse."""
    con = connect_store(config.db_path().resolve())
    try:
        yield con
    finally:
        con.close()


def current() -> Principal | None:
    """Resume this browser session's login (None: show the login form)."""
    token = st.session_state.get(_TOKEN)
    who = None
    if token:
        with store() as con:
            who = resume_session(con, token)
    if who is None:
        st.session_state.pop(_TOKEN, None)
        st.session_state.pop(_PRINCIPAL, None)
        return None
    st.session_state[_PRINCIPAL] = who
    return who


def principal() -> Principal:
    """The signed-in user of this run (stops the page if there is none)."""
    who = st.session_state.get(_PRINCIPAL)
    if who is None:  # only when a page is run without the shell
        st.stop()
    return who


def require(permission: str, lang: str = "en") -> Principal:
    """The principal, or a clear error and the page stops when the role lacks ``permission``."""
    who = principal()
    if not who.can(permission):
        st.error(t("auth.denied", lang, role=role_label(who, lang),
                   permission=PERMISSIONS.get(permission, permission)),
                 icon=":material/block:")
        st.stop()
    return who


def role_label(who: Principal, lang: str) -> str:
    return who.role.label_zh if lang == "zh-CN" else who.role.label_en


def _login() -> None:
    """Form callback: check the password, open a session, keep only the token."""
    ss = st.session_state
    name = (ss.get("login_user") or "").strip()
    password = ss.get("login_password") or ""
    ss["login_password"] = ""
    try:
        with store() as con:
            who = authenticate(con, name, password)  # counts failures, locks, audits
            ss[_TOKEN] = open_session(con, who)
    except AuthError as exc:
        ss[_ERROR] = str(exc)
        return
    ss.pop(_ERROR, None)
    ss[_PRINCIPAL] = who


def login_form(lang: str) -> None:
    """User name + password form; shows the (deliberately vague) failure message."""
    with st.form("login", clear_on_submit=False, border=True, width=420):
        st.text_input(t("login.user", lang), key="login_user", autocomplete="username")
        st.text_input(t("login.password", lang), type="password", key="login_password",
                      autocomplete="current-password")
        st.form_submit_button(t("login.submit", lang), type="primary", on_click=_login,
                              icon=":material/login:")
    if error := st.session_state.get(_ERROR):
        st.error(t("login.failed", lang, error=error), icon=":material/lock:")


def logout() -> None:
    """Button callback: end the session (audited) and forget the token."""
    token = st.session_state.pop(_TOKEN, None)
    who = st.session_state.pop(_PRINCIPAL, None)
    if token:
        with store() as con:
            close_session(con, token)
            if who is not None:
                audit.record(con, who.name, "logout", who.name)


def sidebar(who: Principal, lang: str, names: dict[str, str]) -> None:
    """Who is signed in: user, role, scope (region names) and the logout button."""
    with st.sidebar:
        scope = (t("auth.scope_all", lang) if who.scope is None else
                 "、".join(f"{names.get(r, r)}" for r in who.scope) or t("auth.scope_none", lang))
        st.markdown(f'<div class="gcrm-user" data-user="{html.escape(who.name)}" '
                    f'data-role="{html.escape(who.role_name)}">'
                    '</div>', unsafe_allow_html=True)
        st.caption(t("auth.signed_in", lang, user=who.name, role=role_label(who, lang)))
        st.caption(t("auth.scope", lang, scope=scope))
        st.button(t("auth.logout", lang), on_click=logout, icon=":material/logout:",
                  key="logout")


def record_export(what: str, rows: int, **detail: object) -> None:
    """Audit one download (``on_click`` of a download button)."""
    who = st.session_state.get(_PRINCIPAL)
    with store() as con:
        audit.record(con, who.name if who else None, "export", what, rows=rows,
                     scope=None if who is None or who.scope is None else list(who.scope),
                     **detail)
