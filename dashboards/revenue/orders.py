"""Inspection orders on the revenue-protection page: assign, a day's route, outcomes."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pandas as pd
import streamlit as st

from dashboards.components import svgmap
from dashboards.revenue import data
from dashboards.revenue.context import Ctx
from gcrm.vocab import INSPECTION_OUTCOMES

OUTCOME_LABELS = {"theft": "revenue.outcome.theft", "meter_fault": "revenue.outcome.meter_fault",
                  "normal": "revenue.outcome.normal"}


def manage(ctx: Ctx, orders: pd.DataFrame) -> None:
    """Assign open orders, show a day's route, record outcomes (users with edit_service)."""
    if not ctx.who.can("edit_service") or orders.empty:
        return
    c1, c2 = st.columns(2)
    with c1.form("rev_assign"):
        st.markdown(f"**{ctx.t('revenue.assign')}**")
        todo = orders[orders["status"].isin(["open", "assigned"])]
        oid = st.selectbox(ctx.t("revenue.order"), list(todo["order_id"]))
        who = st.text_input(ctx.t("revenue.inspector"))
        day = st.date_input(ctx.t("revenue.day"), value=date.today())
        if st.form_submit_button(ctx.t("revenue.assign")) and oid is not None:
            _act(ctx, lambda: data.assign_order(ctx.db, int(oid), who, day, ctx.who.user))
    with c2.form("rev_outcome"):
        st.markdown(f"**{ctx.t('revenue.outcome')}**")
        oid = st.selectbox(ctx.t("revenue.order"), list(todo["order_id"]), key="rev_out_id")
        res = st.radio(ctx.t("revenue.outcome"), INSPECTION_OUTCOMES, horizontal=True,
                       format_func=lambda o: ctx.t(OUTCOME_LABELS[o]))
        kwh = st.number_input(ctx.t("revenue.recovered_kwh"), min_value=0.0, value=0.0)
        yuan = st.number_input(ctx.t("revenue.recovered_yuan"), min_value=0.0, value=0.0)
        if st.form_submit_button(ctx.t("revenue.record")) and oid is not None:
            theft = res == "theft"
            _act(ctx, lambda: data.record_outcome(ctx.db, int(oid), res, ctx.who.user,
                                                  kwh if theft else None,
                                                  yuan if theft else None))
    route(ctx, orders)


def _act(ctx: Ctx, fn) -> None:
    try:
        fn()
    except ValueError as exc:
        st.warning(ctx.t("revenue.order_failed", error=exc))
        return
    st.rerun()


def route(ctx: Ctx, orders: pd.DataFrame) -> None:
    """An inspector's assigned orders of a day in visiting order, on a small map."""
    assigned = orders[orders["status"] == "assigned"]
    if assigned.empty:
        return
    st.markdown(f"**{ctx.t('revenue.route')}**")
    pairs = sorted({(r.inspector, r.planned_on) for r in assigned.itertuples()})
    pick = st.selectbox(ctx.t("revenue.inspector"), pairs, key="rev_route_pick",
                        format_func=lambda p: f"{p[0]} · {p[1]}")
    try:
        stops, r = data.day_route(ctx.db, pick[0], date.fromisoformat(pick[1]),
                                  ctx.who.scope, ctx.who.read_pii)
    except (ValueError, FileNotFoundError) as exc:  # a road network far from the stops
        st.warning(ctx.t("revenue.order_failed", error=exc))
        return
    if r is None:
        return
    km = f"{r.metres / 1000:.1f}"
    st.caption(ctx.t("revenue.route_roads", minutes=f"{r.minutes:.1f}", km=km,
                     naive=f"{r.naive_minutes:.1f}") if r.method == "roads"
               else ctx.t("revenue.route_km", km=km, naive=f"{r.naive_metres / 1000:.1f}"))
    st.dataframe(stops[["stop", "order_id", "customer_id", "name", "transformer_id"]],
                 hide_index=True, use_container_width=True)
    recs = [{"lon": x, "lat": y, "title": f"{s}. {c}", "line1": "", "line2": ""}
            for s, c, x, y in zip(stops["stop"], stops["customer_id"], stops["lon"],
                                  stops["lat"], strict=True)]
    legs = [{"from_lon": a["lon"], "from_lat": a["lat"], "lon": b["lon"], "lat": b["lat"],
             "title": b["title"], "line1": "", "line2": ""} for a, b in pairwise(recs)]
    lon, lat = stops["lon"], stops["lat"]
    frame = svgmap.Frame.fit((lon.min(), lat.min(), lon.max(), lat.max()), 700, 320, 0.15)
    layers = [svgmap.lines(legs, frame, "legs", (33, 102, 172, 220), 2.5),
              svgmap.points(recs, frame, "stops", (215, 48, 39, 230), 80, 5, 9)]
    svgmap.show(svgmap.scene(frame, layers, f"route/{pick}", svgmap.buttons(ctx.lang)),
                key="rev_route", on_click=lambda _: None)
