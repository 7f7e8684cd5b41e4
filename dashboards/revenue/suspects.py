"""Suspect lists and inspection orders on the revenue-protection page."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from dashboards.revenue import data
from dashboards.revenue.context import Ctx
from dashboards.revenue.orders import manage
from gcrm.revenue.inspections import hit_rate


def suspect_table(ctx: Ctx, area: str | None = None) -> None:
    """Suspects (of one 台区, or of the drill selection) with reasons; an order button."""
    df = data.suspects(ctx.db, ctx.version, ctx.last, ctx.who.scope, ctx.who.read_pii,
                       ctx.lang)
    if len(df):
        df = df[df["transformer_id"] == area] if area else ctx.in_drill(df)
    if df.empty:
        st.caption(ctx.t("revenue.no_suspects"))
        return
    show = pd.DataFrame({
        ctx.t("revenue.col.customer"): df["customer_id"],
        ctx.t("revenue.col.name"): df["name"],
        ctx.t("revenue.col.score"): df["score"].round(0),
        ctx.t("revenue.col.area"): df["transformer_name"],
        ctx.t("revenue.col.reasons"): df["reasons"],
    })
    st.dataframe(show.head(50), hide_index=True, use_container_width=True)
    if ctx.who.can("edit_service"):
        _order_form(ctx, df.head(50), key=f"rev_order_{area or 'all'}")


def _order_form(ctx: Ctx, df: pd.DataFrame, key: str) -> None:
    ids = list(df["customer_id"])
    by_id = df.set_index("customer_id")
    c1, c2 = st.columns([3, 1])
    pick = c1.selectbox(ctx.t("revenue.pick_suspect"), ids, key=f"{key}_pick",
                        format_func=lambda c: _suspect_label(c, by_id.loc[c]))
    c2.write("")
    if c2.button(ctx.t("revenue.create_order"), key=f"{key}_go", type="primary"):
        row = df.set_index("customer_id").loc[pick]
        try:
            oid = data.create_order(ctx.db, pick, ctx.who.user or "?", ctx.who.scope,
                                    float(row["score"]), str(row["reasons"]))
        except ValueError as exc:
            st.warning(ctx.t("revenue.order_failed", error=exc))
            return
        st.success(ctx.t("revenue.order_created", order=oid, customer=pick))
        st.markdown(f'<div class="gcrm-rev-order" data-order="{oid}" '
                    f'data-customer="{html.escape(pick)}" style="display:none"></div>',
                    unsafe_allow_html=True)


def _suspect_label(cid: str, row: pd.Series) -> str:
    """``name (customer id) · score``: the name as the query gave it (masked for masked
    roles), the score rounded to a whole number."""
    score = row["score"]
    shown = "–" if pd.isna(score) else f"{round(float(score)):d}"
    name = row.get("name")
    who = f"{name} ({cid})" if isinstance(name, str) and name else cid
    return f"{who} · {shown}"


#: headers of the orders and hit-rate tables
HEADERS = {"order_id": "revenue.order", "customer_id": "revenue.col.customer",
           "name": "revenue.col.name", "district_id": "revenue.district",
           "transformer_id": "revenue.area", "method": "revenue.col.method",
           "score": "revenue.col.score", "status": "revenue.col.status",
           "inspector": "revenue.inspector", "planned_on": "revenue.day",
           "outcome": "revenue.outcome", "recovered_kwh": "revenue.recovered_kwh",
           "recovered_yuan": "revenue.recovered_yuan", "done": "revenue.col.done",
           "theft": "revenue.outcome.theft", "meter_fault": "revenue.outcome.meter_fault",
           "normal": "revenue.outcome.normal", "hit_rate": "revenue.col.hit_rate",
           "finding_rate": "revenue.col.finding_rate"}


def _labelled(ctx: Ctx, df: pd.DataFrame) -> pd.DataFrame:
    return df.rename(columns={c: ctx.t(HEADERS[c]) for c in df.columns if c in HEADERS})


def suspects(ctx: Ctx) -> None:
    """Suspects of the drill selection (users who may read customers)."""
    st.subheader(ctx.t("revenue.suspects"))
    if not ctx.who.read_customers:
        st.info(ctx.t("revenue.no_customers"))
        return
    suspect_table(ctx)


def orders(ctx: Ctx) -> None:
    """Inspection orders in the user's regions and the hit rate by method."""
    if not ctx.who.read_customers:
        return
    st.subheader(ctx.t("revenue.orders"))
    df = data.orders(ctx.db, ctx.who.scope, ctx.who.read_pii)
    if df.empty:
        st.caption(ctx.t("revenue.no_orders"))
        return
    cols = ["order_id", "customer_id", "name", "district_id", "transformer_id", "method",
            "score", "status", "inspector", "planned_on", "outcome", "recovered_kwh",
            "recovered_yuan"]
    st.dataframe(_labelled(ctx, df[cols]), hide_index=True, use_container_width=True)
    st.markdown(f"**{ctx.t('revenue.hit_rate')}**")
    st.dataframe(_labelled(ctx, hit_rate(df)), hide_index=True, use_container_width=True)
    manage(ctx, df)
