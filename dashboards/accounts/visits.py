"""The Visits and Service evaluation tabs of the Key accounts page: plan a day's visits
(OR-tools, straight lines at the ``visit_speed_kmh`` setting), the route on the map and as a
list to print, record a visit with the customer's opinion; satisfaction by manager, district
or topic."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pydeck as pdk
import streamlit as st
from pydeck.types import String

from dashboards.accounts import data as ad
from dashboards.accounts.drawarea import AREA
from dashboards.accounts.views import View, cols, districts, hidden
from dashboards.components import data as cdata
from dashboards.components import maps
from gcrm.i18n import t
from gcrm.security.exports import csv_bytes
from gcrm.security.masking import mask_frame

STOP_COLS = {"seq": "acct.col.seq", "customer_id": "acct.col.customer", "name": "acct.col.name",
             "arrive": "acct.col.arrive", "leave": "acct.col.leave"}
OPINION_COLS = {"opinions": "acct.col.opinions", "mean_score": "acct.col.mean_score",
                "satisfied": "acct.col.satisfied", "dissatisfied": "acct.col.dissatisfied"}
#: the start of a plan when the user's regions have no outline (the demo city)
START = (125.94, 41.73)
BY_KEYS = {"manager": "acct.col.manager", "district": "acct.col.district",
           "topic": "acct.col.topic"}


def candidates(v: View, month: str) -> pd.DataFrame:
    """The user's portfolio and the customers of their open alerts (id, name, lon, lat)."""
    port = ad.portfolio(v.db, v.version, v.who, v.who.user, month, ad.stamp(v.db))
    al = ad.alerts(v.db, v.version, v.who, month, v.lang, False, ad.stamp(v.db))
    al = al[al["state"].isna()][["customer_id", "name"]].drop_duplicates("customer_id")
    both = pd.concat([port[["customer_id", "name"]], al], ignore_index=True)
    return both.drop_duplicates("customer_id").reset_index(drop=True)


def visits(v: View, month: str) -> None:
    """Pick customers, plan the day, show the route; then record a visit."""
    pool = candidates(v, month)
    if pool.empty:
        st.info(t("acct.visits.none", v.lang))
        return
    names = dict(zip(pool["customer_id"], pool["name"].fillna(""), strict=True))
    picked, (lon0, lat0) = preselect(v, list(pool["customer_id"]))
    with st.form("acct_plan"):
        ids = st.multiselect(t("acct.visits.pick", v.lang), list(pool["customer_id"]),
                             default=picked, format_func=lambda c: f"{c} · {names.get(c)}")
        c1, c2, c3 = st.columns(3)
        lon = c1.number_input(t("acct.visits.lon", v.lang), value=lon0, format="%.5f")
        lat = c2.number_input(t("acct.visits.lat", v.lang), value=lat0, format="%.5f")
        day = c3.text_input(t("acct.visits.day_start", v.lang), value="08:30")
        wins = st.text_area(t("acct.visits.windows", v.lang), placeholder="ID=14:00-15:00")
        go = st.form_submit_button(t("acct.visits.plan", v.lang))
    if go and ids:
        windows = dict(w.split("=", 1) for w in wins.splitlines() if "=" in w)
        try:
            st.session_state["acct_route"] = ad.plan_visits(
                v.db, v.who, ids, (lon, lat), day, {k.strip(): s for k, s in windows.items()})
        except ValueError as exc:
            st.error(str(exc))
    if plan := st.session_state.get("acct_route"):
        _route(v, *plan, (lon, lat))
    _record(v, list(pool["customer_id"]), names)


def preselect(v: View, ids: list[str]) -> tuple[list[str], tuple[float, float]]:
    """The customers to preselect and the start point: within the user's regions and the
    area drawn on the page (Assign tab), if any; without such customers, none and the middle
    of the user's districts."""
    try:
        picked, start = ad.visit_defaults(v.db, v.who, ids, st.session_state.get(AREA))
    except ValueError:  # a drawn area that is no polygon: the user's regions alone
        picked, start = ad.visit_defaults(v.db, v.who, ids, None)
    if start is None:
        b = maps.bounds_of(cdata.regions_geojson(v.db, v.version, "district",
                                                 scope=v.who.scope))
        start = ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2) if b else START
    return picked, start


def _route(v: View, stops: pd.DataFrame, summary: dict, start: tuple[float, float]) -> None:
    shown = stops if v.who.read_pii else mask_frame(stops)
    st.markdown(t("acct.visits.summary", v.lang, n=len(stops), minutes=summary["travel_min"],
                  km=summary["straight_km"]) + hidden("route", list(stops["customer_id"])),
                unsafe_allow_html=True)
    if summary["dropped"]:
        st.warning(t("acct.visits.dropped", v.lang, ids=", ".join(summary["dropped"])))
    path = [list(start), *stops[["lon", "lat"]].values.tolist(), list(start)]
    pts = shown.assign(label=shown["seq"].astype(str))[["lon", "lat", "label", "name"]]
    layers = [districts(v),
              pdk.Layer("PathLayer", [{"path": path}], get_path="path", get_width=3,
                        width_units=String("pixels"), get_color=[214, 39, 40, 200]),
              pdk.Layer("TextLayer", pts.to_dict("records"), get_position=["lon", "lat"],
                        get_text="label", get_size=16, get_color=[20, 20, 20, 255])]
    xs, ys = [p[0] for p in path], [p[1] for p in path]
    view = maps.fit_view((min(xs) - 0.02, min(ys) - 0.02, max(xs) + 0.02, max(ys) + 0.02),
                         height=360)
    st.pydeck_chart(maps.deck(layers, view, "{name}"), height=360, key="acct_route_map")
    st.table(cols(shown, STOP_COLS, v.lang))
    if v.who.export:
        st.download_button(t("acct.visits.download", v.lang), csv_bytes(shown),
                           file_name="visits.csv", mime="text/csv")


def _record(v: View, ids: list[str], names: dict) -> None:
    if not v.who.can("edit_service"):
        return
    with st.form("acct_visit"):
        st.caption(t("acct.visits.record", v.lang))
        cid = st.selectbox(t("acct.col.customer", v.lang), ids,
                           format_func=lambda c: f"{c} · {names.get(c)}")
        topic = st.text_input(t("acct.col.topic", v.lang))
        note = st.text_input(t("acct.visits.note", v.lang))
        rated = st.checkbox(t("acct.visits.rated", v.lang))
        score = st.slider(t("acct.visits.score", v.lang), 1, 5, 4)
        comment = st.text_input(t("acct.visits.comment", v.lang))
        go = st.form_submit_button(t("acct.visits.save", v.lang))
    if go:
        try:
            rid = ad.record_visit(v.db, v.who, cid, datetime.now(), topic or None,
                                  note or None, score if rated else None, comment or None)
        except ValueError as exc:
            st.error(str(exc))
            return
        st.success(t("acct.visits.saved", v.lang, id=rid))


def evaluation(v: View) -> None:
    """Satisfaction (opinions on visits and complaints) by manager, district or topic."""
    by = st.selectbox(t("acct.eval.by", v.lang), list(BY_KEYS),
                      format_func=lambda b: t(BY_KEYS[b], v.lang), key="acct_eval_by")
    df = ad.opinions(v.db, v.version, v.who, by, ad.stamp(v.db))
    if df.empty:
        st.info(t("acct.eval.none", v.lang))
        return
    st.dataframe(cols(df, {by: BY_KEYS[by], **OPINION_COLS}, v.lang), hide_index=True)
