"""The audit page's widgets: the search form, the entries table and the chain check."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from gcrm.i18n import t, tn
from gcrm.security.audit import Verification


@dataclass(frozen=True)
class Search:
    """What the search form asks for (None: any)."""

    user: str | None
    action: str | None
    text: str | None
    limit: int


def search_form(users: list[str], actions: list[str], lang: str) -> Search:
    """User, action, free text and the number of entries."""
    c1, c2, c3, c4 = st.columns([1, 1, 2, 0.7])
    user = c1.selectbox(t("audit.user", lang), ["", *users], key="audit_user",
                        format_func=lambda u: u or t("audit.any", lang))
    action = c2.selectbox(t("audit.action", lang), ["", *actions], key="audit_action",
                          format_func=lambda a: a or t("audit.any", lang))
    text = c3.text_input(t("audit.text", lang), key="audit_text")
    limit = c4.number_input(t("audit.limit", lang), min_value=10, max_value=5000, value=200,
                            step=50, key="audit_limit")
    return Search(user or None, action or None, text or None, int(limit))


def entries(rows: list[dict], lang: str) -> None:
    """The number of entries found and their table (or a note that there are none)."""
    st.markdown(f"**{tn('audit.count', len(rows), lang)}**")
    if not rows:
        st.info(t("audit.none", lang))
        return
    table = pd.DataFrame(rows).rename(columns={
        "id": t("audit.col.id", lang), "ts": t("audit.col.ts", lang),
        "user": t("audit.user", lang), "action": t("audit.action", lang),
        "target": t("audit.col.target", lang), "detail": t("audit.col.detail", lang)})
    st.dataframe(table, hide_index=True, width="stretch", key="audit_table")


def verify_button(lang: str) -> bool:
    return st.button(t("audit.verify", lang), icon=":material/verified:", key="audit_verify")


def verification(result: Verification, lang: str) -> None:
    """Whether the hash chain is intact (or what is broken)."""
    if result.ok:
        st.success(tn("audit.verify_ok", result.entries, lang), icon=":material/verified:")
    else:
        st.error(tn("audit.verify_bad", result.entries, lang,
                    problems="; ".join(result.problems)), icon=":material/gpp_bad:")
