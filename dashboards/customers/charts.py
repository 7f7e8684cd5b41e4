"""Small charts for the Customers page (Altair, no network): segment centre profiles."""

from __future__ import annotations

import altair as alt

from gcrm.customers.segments import MONTH_LABELS, Segmentation
from gcrm.i18n import t


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
