"""Login, sessions, password changes and permissions for the dashboard.

The shell (:func:`dashboards.components.shell.signed_in`) calls :func:`current` on every run:
it resumes the session whose random token is kept in ``st.session_state`` and validates it
against the operational store (:func:`gcrm.security.accounts.session_status`: unknown or
revoked, expired, or a disabled user all send the user back to the login form). Pages call
:func:`principal` (the shell guarantees a signed-in user before it runs a page) and
:func:`require` for a permission.

**Surviving a reload.** ``st.session_state`` dies with the browser tab's connection, so the
token is also written to a ``SameSite=Strict`` browser-session cookie (``Path=/``, no
``Expires``, ``Secure`` on https) by a tiny script (:func:`sync_cookie`, ``st.html`` with
``unsafe_allow_javascript``: it runs in the page itself, no iframe). Streamlit hands the
cookies of the websocket handshake to the script as ``st.context.cookies``; on the first run
of a new browser session :func:`current` reads the token from there and validates it like any
other. Only the random session token is stored (its SHA-256 hash in the store), never the
password; it never goes into the URL. Signing out revokes the session in the store and clears
the cookie. The cookie cannot be ``HttpOnly`` (JavaScript writes it): see docs/security.md.

**Must change password.** Accounts flagged ``must_change_password`` (``gcrm demo``'s one-time
passwords) are signed in, but the shell shows only the "choose a new password" form
(:func:`dashboards.components.shell.signed_in`) until :func:`gcrm.security.accounts.change_password`
succeeds; every signed-in user can open the same form from the sidebar ("Change password").

Accounts, sessions and the audit log live in the operational store beside the warehouse
(:func:`gcrm.storage.store.connect_store`); each call opens a short SQLite connection.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from hashlib import sha256

import streamlit as st

from gcrm import config
from gcrm.i18n import t
from gcrm.security import audit
from gcrm.security.accounts import (
    MIN_LENGTH,
    AuthError,
    CurrentPasswordError,
    PasswordPolicyError,
    Principal,
    authenticate,
    change_password,
    close_session,
    open_session,
    session_status,
)
from gcrm.security.roles import PERMISSIONS
from gcrm.storage.store import connect_store, store_path

_TOKEN = "gcrm_session_token"
_PRINCIPAL = "gcrm_principal"
_MUST_CHANGE = "gcrm_must_change_password"
_ERROR = "gcrm_login_error"
_CHANGING = "gcrm_password_form_open"      # the user opened "Change password" in the sidebar
_PW_ERROR = "gcrm_password_error"          # (message key, format fields) of the last try
_PW_DONE = "gcrm_password_changed"         # show "password changed" once
_COOKIE_TRIED = "gcrm_cookie_tried"        # the handshake cookie was looked at (once)
_COOKIE_LAST = "gcrm_cookie_last"          # the last token this session wrote to the cookie
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,128}")  # secrets.token_urlsafe(32) is 43 chars


@contextmanager
def store() -> Iterator:
    """A short connection to the operational store of the configured warehouse."""
    con = connect_store(config.db_path().resolve())
    try:
        yield con
    finally:
        con.close()


# --------------------------------------------------------------------------- session cookie
def cookie_name(db: str | os.PathLike | None = None) -> str:
    """Name of the session cookie: one per operational store (of ``db``, default the
    configured warehouse).

    Browsers share cookies between all ports of a host, so two dashboards on one machine
    (other warehouses, other ports) must not read or clear each other's cookie.
    """
    path = store_path(config.db_path(db).resolve()).resolve()
    return "gcrm_session_" + sha256(str(path).encode()).hexdigest()[:12]


def _cookie_token() -> str | None:
    """The session token the browser sent with this connection's handshake, if well formed."""
    try:
        value = st.context.cookies.get(cookie_name())
    except Exception:  # no browser connection (e.g. bare mode)
        return None
    return value if value and _TOKEN_RE.fullmatch(value) else None


def _cookie_script(js: str) -> None:
    """Run ``js`` once in the page (not in an iframe), then remove the script element; the
    element's container is hidden so it takes no room in the sidebar."""
    st.sidebar.html('<style>[data-testid="stElementContainer"]:has(.gcrm-cookie)'
                    '{display:none}</style><span class="gcrm-cookie"></span>'
                    f"<script>(function(){{{js}}})();"
                    "var s=document.currentScript;if(s){s.remove();}</script>",
                    unsafe_allow_javascript=True)


def sync_cookie() -> None:
    """Make the browser's session cookie match this session (the shell calls it every run).

    Signed in: write the token as a browser-session cookie (no ``Expires``: it goes when the
    browser is closed; the store ends the session after 8 hours anyway). The same script is
    sent on every run, so Streamlit keeps the element and does not run it again, and a run
    cut short by a rerun cannot lose it. Signed out: clear the cookie if it still holds the
    token this session last had (or the one the browser sent), so a newer login in another
    tab is left alone. Values are JSON-encoded and only ever url-safe tokens, so nothing can
    break out of the script.
    """
    ss = st.session_state
    name = json.dumps(cookie_name())
    token = ss.get(_TOKEN)
    if token and _TOKEN_RE.fullmatch(token):
        ss[_COOKIE_LAST] = token
        _cookie_script(
            f"var c={name}+'='+{json.dumps(token)}+'; Path=/; SameSite=Strict';"
            "if(location.protocol==='https:'){c+='; Secure';}document.cookie=c;")
        return
    stale = ss.get(_COOKIE_LAST) or _cookie_token()
    if stale:
        _cookie_script(
            f"var n={name},v={json.dumps(stale)};"
            "if(document.cookie.split('; ').indexOf(n+'='+v)>=0){"
            "document.cookie=n+'=; Path=/; Max-Age=0; SameSite=Strict';}")


# --------------------------------------------------------------------------- who is signed in
def current() -> Principal | None:
    """Resume this browser session's login (None: show the login form).

    The token comes from session state, else (first run of a new browser session, e.g. after
    a reload) from the session cookie. Either way it is checked against the store on every
    run, so a revoked or expired session or a disabled account ends at once.
    """
    ss = st.session_state
    token = ss.get(_TOKEN)
    from_cookie = False
    if not token and not ss.get(_COOKIE_TRIED):
        ss[_COOKIE_TRIED] = True
        token = _cookie_token()
        from_cookie = token is not None
    status = None
    if token:
        with store() as con:
            status = session_status(con, token)
            if status is not None and from_cookie:
                name = status.principal.name
                audit.record(con, name, "session.resume", name, via="cookie")
    if status is None:
        if token:
            ss[_COOKIE_LAST] = token  # dead: clear it from the browser
        for key in (_TOKEN, _PRINCIPAL, _MUST_CHANGE, _CHANGING):
            ss.pop(key, None)
        return None
    ss[_TOKEN] = token
    ss[_PRINCIPAL] = status.principal
    ss[_MUST_CHANGE] = status.must_change_password
    return status.principal


def password_change_pending() -> bool:
    """True when the shell must show the password form instead of any page: the account
    must change its password, or the user opened "Change password"."""
    ss = st.session_state
    return bool(ss.get(_MUST_CHANGE) or ss.get(_CHANGING))


def password_change_required() -> bool:
    return bool(st.session_state.get(_MUST_CHANGE))


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


# --------------------------------------------------------------------------- login / logout
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
    ss.pop(_CHANGING, None)
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
    """Button callback: end the session (audited), forget the token, clear the cookie."""
    ss = st.session_state
    token = ss.pop(_TOKEN, None)
    who = ss.pop(_PRINCIPAL, None)
    for key in (_MUST_CHANGE, _CHANGING, _PW_ERROR, _PW_DONE):
        ss.pop(key, None)
    if token:
        ss[_COOKIE_LAST] = token  # sync_cookie clears it in this run
        with store() as con:
            close_session(con, token)
            if who is not None:
                audit.record(con, who.name, "logout", who.name)


# --------------------------------------------------------------------------- password change
_PW_FIELDS = ("pw_current", "pw_new", "pw_repeat")


def _open_password_form() -> None:
    st.session_state[_CHANGING] = True
    st.session_state.pop(_PW_ERROR, None)


def _cancel_password_form() -> None:
    ss = st.session_state
    ss.pop(_CHANGING, None)
    ss.pop(_PW_ERROR, None)
    for key in _PW_FIELDS:
        ss[key] = ""


def _change_password() -> None:
    """Form callback: check the repeat, then change the password in the store."""
    ss = st.session_state
    current_pw, new, repeat = (ss.get(k) or "" for k in _PW_FIELDS)
    for key in _PW_FIELDS:
        ss[key] = ""
    who, token = ss.get(_PRINCIPAL), ss.get(_TOKEN)
    if who is None or not token:
        return
    if new != repeat:
        ss[_PW_ERROR] = ("pw.mismatch", {})
        return
    try:
        with store() as con:
            change_password(con, who.name, current_pw, new, keep_token=token)
    except CurrentPasswordError:
        ss[_PW_ERROR] = ("pw.wrong_current", {})
        return
    except PasswordPolicyError as exc:
        ss[_PW_ERROR] = (f"pw.rule.{exc.rule}", {"n": MIN_LENGTH})
        return
    except (AuthError, ValueError) as exc:
        ss[_PW_ERROR] = ("pw.failed", {"error": str(exc)})
        return
    for key in (_PW_ERROR, _CHANGING, _MUST_CHANGE):
        ss.pop(key, None)
    ss[_PW_DONE] = True


def password_form(lang: str) -> None:
    """Current / new / repeat form; forced (no way out but sign out) or opened by the user."""
    ss = st.session_state
    who = principal()
    forced = password_change_required()
    if forced:
        st.warning(t("pw.required", lang), icon=":material/key:")
    st.caption(t("pw.intro", lang, user=who.name))
    with st.form("change_password", clear_on_submit=False, border=True, width=460):
        # the user name helps password managers file the new password under the account
        st.text_input(t("login.user", lang), value=who.name, disabled=True,
                      autocomplete="username")
        st.text_input(t("pw.current", lang), type="password", key="pw_current",
                      autocomplete="current-password")
        st.text_input(t("pw.new", lang), type="password", key="pw_new",
                      autocomplete="new-password")
        st.text_input(t("pw.repeat", lang), type="password", key="pw_repeat",
                      autocomplete="new-password")
        st.caption(t("pw.policy", lang, n=MIN_LENGTH))
        st.form_submit_button(t("pw.submit", lang), type="primary",
                              on_click=_change_password, icon=":material/key:")
    if not forced:
        st.button(t("pw.cancel", lang), on_click=_cancel_password_form, key="pw_cancel")
    if err := ss.get(_PW_ERROR):
        key, fields = err
        st.error(t(key, lang, **fields), icon=":material/error:")


# --------------------------------------------------------------------------- sidebar
def sidebar(who: Principal, lang: str, names: dict[str, str]) -> None:
    """Who is signed in (user, role, scope) and the account menu: change password, sign out."""
    with st.sidebar:
        scope = (t("auth.scope_all", lang) if who.scope is None else
                 "、".join(f"{names.get(r, r)}" for r in who.scope) or t("auth.scope_none", lang))
        st.markdown(f'<div class="gcrm-user" data-user="{html.escape(who.name)}" '
                    f'data-role="{html.escape(who.role_name)}">'
                    '</div>', unsafe_allow_html=True)
        st.caption(t("auth.signed_in", lang, user=who.name, role=role_label(who, lang)))
        st.caption(t("auth.scope", lang, scope=scope))
        if not password_change_pending():
            st.button(t("pw.menu", lang), on_click=_open_password_form,
                      icon=":material/key:", key="change_password")
        st.button(t("auth.logout", lang), on_click=logout, icon=":material/logout:",
                  key="logout")
    if st.session_state.pop(_PW_DONE, False):
        st.toast(t("pw.changed", lang), icon=":material/check_circle:")


def record_export(what: str, rows: int, **detail: object) -> None:
    """Audit one download (``on_click`` of a download button)."""
    who = st.session_state.get(_PRINCIPAL)
    with store() as con:
        audit.record(con, who.name if who else None, "export", what, rows=rows,
                     scope=None if who is None or who.scope is None else list(who.scope),
                     **detail)
