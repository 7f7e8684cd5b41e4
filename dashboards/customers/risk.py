"""The Risk tab of the Customers page: customers ranked by arrears or churn risk, the first
five in words (the first one hidden for the tests)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from dashboards.components.mdtext import md
from dashboards.customers import data as cd
from dashboards.customers.views import View, cols, hidden
from gcrm.i18n import t


def risk_tab(v: View) -> None:
    """Customers ranked by arrears or churn risk (the list is audited once per choice)."""
    lang = v.lang
    by = st.radio(t("cust.risk.by", lang), ("arrears", "churn"), horizontal=True,
                  key="cust_risk_by", format_func=lambda b: t(f"cust.risk.by.{b}", lang))
    today = date.today()
    ranked = cd.risk_list(v.db, v.version, cd.store_stamp(v.db), v.who.scope, by, today, lang,
                          v.who.can("read_pii"))
    if st.session_state.get("cust_risk_audited") != by:  # a list of customers: audited
        cd.audit_list(v.db, v.who, "customers.risk", by=by, rows=len(ranked))
        st.session_state["cust_risk_audited"] = by
    st.caption(t("cust.risk.caption", lang, date=today.isoformat()))
    if ranked.empty:
        st.info(t("cust.risk.empty", lang))
        return
    _risk_top(lang, ranked, by)
    st.dataframe(cols(ranked, {
        "rank": "cust.risk.col.rank", "customer_id": "cust.col.id",
        "name": "cust.col.name", "customer_class": "cust.col.class",
        "district_id": "cust.col.district", "phone": "cust.col.phone",
        f"{by}_score": f"cust.risk.col.{by}", f"{by}_why": f"cust.risk.col.{by}_why",
        "days_overdue": "cust.risk.col.days", "overdue_amount": "cust.risk.col.overdue",
        "late_share": "cust.risk.col.late", "kwh_ratio_12": "cust.risk.col.kwh_ratio",
        "complaints": "cust.risk.col.complaints", "billed_12m": "cust.risk.col.billed"}, lang),
        hide_index=True, width="stretch", height=420)


def _risk_top(lang: str, ranked: pd.DataFrame, by: str) -> None:
    """The first five to act on, in words (and the first one hidden for the tests)."""
    top = ranked.iloc[0]
    st.markdown(hidden("risk_top", top["customer_id"])
                + hidden("risk_top_score", float(top[f"{by}_score"])),
                unsafe_allow_html=True)
    st.subheader(t("cust.risk.top", lang))
    label = t(f"cust.risk.by.{by}", lang)
    lines = [t("cust.risk.line", lang, rank=int(r["rank"]), name=md(r["name"] or ""),
               id=md(r["customer_id"]), label=label,
               score=f"{r[f'{by}_score']:.1f}", why=md(r[f"{by}_why"]))
             for _, r in ranked.head(5).iterrows()]
    st.markdown("\n".join(f"- {line}" for line in lines))
