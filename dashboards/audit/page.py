"""Audit log (admins: ``view_audit``): search entries and verify the hash chain."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards.components import auth, shell
from gcrm.i18n import t
from gcrm.security import audit


def render() -> None:
    """Draw the page (``dashboards/app.py`` calls it on every run)."""
    ACTIONS = ("login.ok", "login.failed", "logout", "export", "query", "unmask", "user.add",
               "user.disable", "user.enable", "user.passwd")

    lang = shell.current_lang()
    st.title(t("audit.title", lang))
    auth.require("view_audit", lang)
    st.caption(t("audit.caption", lang))

    with auth.store() as con:
        known = audit.known_actions(con)
        users = audit.known_users(con)
    actions = sorted(set(ACTIONS) | set(known))

    c1, c2, c3, c4 = st.columns([1, 1, 2, 0.7])
    user = c1.selectbox(t("audit.user", lang), ["", *users], key="audit_user",
                        format_func=lambda u: u or t("audit.any", lang))
    action = c2.selectbox(t("audit.action", lang), ["", *actions], key="audit_action",
                          format_func=lambda a: a or t("audit.any", lang))
    text = c3.text_input(t("audit.text", lang), key="audit_text")
    limit = c4.number_input(t("audit.limit", lang), min_value=10, max_value=5000, value=200,
                            step=50, key="audit_limit")

    with auth.store() as con:
        rows = audit.search(con, user=user or None, action=action or None, text=text or None,
                            limit=int(limit))
    st.markdown(f"**{t('audit.count', lang, n=len(rows))}**")
    if rows:
        table = pd.DataFrame(rows).rename(columns={
            "id": t("audit.col.id", lang), "ts": t("audit.col.ts", lang),
            "user": t("audit.user", lang), "action": t("audit.action", lang),
            "target": t("audit.col.target", lang), "detail": t("audit.col.detail", lang)})
        st.dataframe(table, hide_index=True, width="stretch", key="audit_table")
    else:
        st.info(t("audit.none", lang))

    if st.button(t("audit.verify", lang), icon=":material/verified:", key="audit_verify"):
        with auth.store() as con:
            result = audit.verify(con)
        if result.ok:
            st.success(t("audit.verify_ok", lang, n=result.entries), icon=":material/verified:")
        else:
            st.error(t("audit.verify_bad", lang, n=result.entries,
                       problems="; ".join(result.problems)), icon=":material/gpp_bad:")
    shell.page_done("audit", lang)
