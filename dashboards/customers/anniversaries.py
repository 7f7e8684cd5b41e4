"""The Anniversaries tab of the Customers page: big customers' account anniversaries in the
next days."""

from __future__ import annotations

from datetime import date

import streamlit as st

from dashboards.customers import data as cd
from dashboards.customers.views import View, cols
from gcrm.i18n import t, tn
from gcrm.security.masking import mask_frame


def anniversaries_tab(v: View) -> None:
    """Big customers' account anniversaries in the next days."""
    lang = v.lang
    days = st.number_input(t("cust.anniv.days", lang), min_value=1, max_value=366, value=30,
                           step=1, key="cust_anniv_days")
    ann = cd.upcoming(v.db, v.version, int(days), date.today(), v.who.scope)
    st.caption(tn("cust.anniv.count", len(ann), lang, days=int(days)))
    if len(ann):
        ann = ann if v.who.can("read_pii") else mask_frame(ann)
        st.dataframe(cols(ann, {"anniversary": "cust.anniv.date", "in_days": "cust.anniv.in",
                                 "years": "cust.anniv.years", "customer_id": "cust.col.id",
                                 "name": "cust.col.name", "customer_class": "cust.col.class",
                                 "phone": "cust.col.phone", "district_id": "cust.col.district"},
                           lang), hide_index=True, width="stretch")
