"""The Segments tab of the Customers page: load-profile segments of the user's customers,
their monthly profiles (:func:`seg_chart`) and the most typical members of one."""

from __future__ import annotations

import altair as alt
import streamlit as st

from dashboards.customers import data as cd
from dashboards.customers.views import View, cols, hidden
from gcrm.customers.segments import MONTH_LABELS, Segmentation
from gcrm.i18n import format_number, t
from gcrm.security.masking import mask_frame


def segments_tab(v: View) -> None:
    """Load-profile segments of the user's customers, their profiles and typical members."""
    lang = v.lang
    k = st.slider(t("cust.seg.k", lang), min_value=2, max_value=12, value=8, key="cust_seg_k")
    seg = cd.segments(v.db, v.version, v.who.scope, int(k), lang)
    st.caption(t("cust.seg.method", lang))
    if seg.segments.empty:
        st.info(t("cust.seg.none", lang))
        return
    st.caption(t("cust.seg.caption", lang,
                 customers=f"{int(seg.segments['customers'].sum()):,}",
                 start=seg.window[0], end=seg.window[1], n=len(seg.segments),
                 excluded=f"{seg.excluded:,}"))
    table = seg.segments.assign(
        share=[f"{x:.1%}" for x in seg.segments["share"]],
        customers=[f"{int(x):,}" for x in seg.segments["customers"]],
        median_kwh_month=[format_number(float(x), lang)
                          for x in seg.segments["median_kwh_month"]])
    st.table(cols(table, {"segment": "cust.seg.col.segment", "words": "cust.seg.col.words",
                           "customers": "cust.seg.col.customers",
                           "share": "cust.seg.col.share",
                           "median_kwh_month": "cust.seg.col.kwh"}, lang))
    st.markdown(hidden("segments", len(seg.segments)), unsafe_allow_html=True)
    st.subheader(t("cust.seg.chart", lang))
    st.altair_chart(seg_chart(seg, lang), width="stretch")
    _segment_members(v, seg, int(k))


def _segment_members(v: View, seg: Segmentation, k: int) -> None:
    """The most typical customers of the segment picked."""
    lang = v.lang
    labels = dict(zip(seg.segments["segment"], seg.segments["name"], strict=True))
    pick = st.selectbox(t("cust.seg.members", lang), list(labels), key="cust_seg_pick",
                        format_func=lambda s: f"{s} · {labels[s]}")
    typical = cd.segment_members(v.db, v.version, v.who.scope, k, lang, int(pick))
    typical = typical if v.who.can("read_pii") else mask_frame(typical)
    st.dataframe(cols(typical, {"customer_id": "cust.col.id", "name": "cust.col.name",
                                 "customer_class": "cust.col.class",
                                 "district_id": "cust.col.district",
                                 "distance": "cust.seg.col.distance"}, lang),
                 hide_index=True, width="stretch", height=260)


def seg_chart(seg: Segmentation, lang: str = "en", height: int = 320) -> alt.Chart:
    """One line per segment: kWh of each calendar month / the mean month (1 = flat)."""
    names = dict(zip(seg.segments["segment"], seg.segments["name"], strict=True))
    long = (seg.centroids.reset_index()
            .melt(id_vars="segment", var_name="month", value_name="value"))
    long["label"] = [f"{s} · {names[s]}" for s in long["segment"]]
    month, profile = t("cust.seg.month", lang), t("cust.seg.profile", lang)
    segment = t("cust.seg.col.segment", lang)
    return (alt.Chart(long).mark_line(point=True)
            .encode(x=alt.X("month:O", sort=list(MONTH_LABELS), title=month),
                    y=alt.Y("value:Q", title=profile),
                    color=alt.Color("label:N", title=segment,
                                    legend=alt.Legend(orient="right", labelLimit=320)),
                    tooltip=[alt.Tooltip("label:N", title=segment),
                             alt.Tooltip("month:O", title=month),
                             alt.Tooltip("value:Q", title=profile, format=".2f")])
            .properties(height=height))
