"""Drawing functions of the Key accounts page: the manager's home (portfolio map and table,
what changed since the last visit), alerts with acknowledge/snooze and the daily list, customer
groups with their members on the map and the group total, and the reassignment form.

Exact values for the browser tests are written as hidden ``span.gcrm-acct`` elements.
"""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pandas as pd
import pydeck as pdk
import streamlit as st
from pydeck.types import String

from dashboards.accounts import data as ad
from dashboards.accounts import drawarea
from dashboards.components import data as cdata
from dashboards.components import maps, shell
from dashboards.components.context import PageContext
from dashboards.components.mdtext import md
from dashboards.components.tables import cols
from gcrm.accounts.alert_words import KIND_KEYS
from gcrm.i18n import format_number, t, tn
from gcrm.placenames import label as place_label
from gcrm.security.exports import csv_bytes
from gcrm.vocab import CUSTOMER_CLASSES

TABS = ("acct.tab.home", "acct.tab.alerts", "acct.tab.groups", "acct.tab.assign",
        "acct.tab.visits", "acct.tab.evaluation")
PORTFOLIO_COLS = {"customer_id": "acct.col.customer", "name": "acct.col.name",
                  "customer_class": "acct.col.class", "district_id": "acct.col.district",
                  "kwh": "acct.col.kwh", "arrears": "acct.col.arrears",
                  "open_complaints": "acct.col.open_complaints",
                  "last_visit": "acct.col.last_visit",
                  "complaints_since_visit": "acct.col.complaints_since",
                  "outages_since_visit": "acct.col.outages_since"}
ALERT_COLS = {"customer_id": "acct.col.customer", "name": "acct.col.name",
              "kind_label": "acct.col.kind", "reason": "acct.col.reason",
              "state_label": "acct.col.state"}
GROUP_COLS = {"customer_id": "acct.col.customer", "name": "acct.col.name",
              "role": "acct.col.role", "kwh": "acct.col.kwh", "amount": "acct.col.amount",
              "paid": "acct.col.paid", "balance": "acct.col.balance",
              "arrears": "acct.col.arrears", "outages": "acct.col.outages",
              "outage_minutes": "acct.col.outage_minutes"}
STATE_KEYS = {"acknowledged": "acct.state.acknowledged", "snoozed": "acct.state.snoozed",
              "open": "acct.state.open"}
#: an ISO date-time in a reason ("2026-10-07T08:30"), shown as "2026-10-07 08:30"
ISO_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2})?")
ROLE_KEYS = {"head": "acct.role.head", "member": "acct.role.member"}
POINT = [31, 119, 180, 230]
HIGHLIGHT = [214, 39, 40, 255]


#: what every drawing function of the page takes: language, warehouse, user
View = PageContext


def hidden(name: str, value: object) -> str:
    return (f'<span class="gcrm-acct" data-field="{html.escape(name)}" '
            f'data-value="{html.escape(repr(value))}" style="display:none"></span>')


def readable(text: object) -> str:
    """``text`` with its ISO date-times written for people (no 'T', no seconds)."""
    return ISO_TIME.sub(r"\1 \2", str(text))


def audit_once(v: View, action: str, **detail: object) -> None:
    """Audit a list shown, once per user, data version and what it shows (not per rerun)."""
    key = repr((v.version, v.who.user, action, sorted(detail.items())))
    if st.session_state.get(f"acct_audited_{action}") != key:
        ad.audit_list(v.db, v.who, action, **detail)
        st.session_state[f"acct_audited_{action}"] = key


def heading(v: View) -> None:
    st.title(t("acct.title", v.lang))
    st.caption(t("acct.caption", v.lang))
    if not v.who.read_customers:
        st.warning(t("acct.no_access", v.lang))
        shell.page_done("accounts", v.lang)
        st.stop()


def month_picker(v: View) -> str | None:
    months = ad.months(v.db, v.version)
    if not months:
        st.info(t("acct.no_data", v.lang))
        return None
    return st.selectbox(t("acct.month", v.lang), months, key="acct_month")


def districts(v: View) -> pdk.Layer:
    """The viewer's district outlines, lightly filled: the basemap (no tile server needed)."""
    regions = cdata.regions_geojson(v.db, v.version, "district", scope=v.who.scope)
    return pdk.Layer("GeoJsonLayer", regions, id="districts", pickable=False, stroked=True,
                     filled=True, get_fill_color=[235, 238, 242, 255],
                     get_line_color=[120, 120, 120, 255], line_width_min_pixels=1)


def points_map(v: View, points: pd.DataFrame, key: str, selected: str | None = None) -> None:
    """District outlines and ``points`` (customer_id, name, lon, lat); no basemap needed."""
    regions = cdata.regions_geojson(v.db, v.version, "district", scope=v.who.scope)
    pts = points.dropna(subset=["lon", "lat"])[["customer_id", "name", "lon", "lat"]].copy()
    pts["color"] = [HIGHLIGHT if c == selected else POINT for c in pts["customer_id"]]
    pts["name"] = pts["name"].fillna("").astype(str)
    layers = [districts(v),
              pdk.Layer("ScatterplotLayer", pts.to_dict("records"), id="customers",
                        pickable=True, get_position=["lon", "lat"], get_fill_color="color",
                        get_radius=7, radius_units=String("pixels"))]
    if len(pts):
        pad = 0.05
        view = maps.fit_view((pts["lon"].min() - pad, pts["lat"].min() - pad,
                              pts["lon"].max() + pad, pts["lat"].max() + pad), height=380)
    else:
        b = maps.bounds_of(regions)
        view = maps.fit_view(b, height=380) if b else pdk.ViewState(longitude=125.9,
                                                                     latitude=41.7, zoom=7)
    st.pydeck_chart(maps.deck(layers, view, "<b>{name}</b><br/>{customer_id}"), height=380,
                    key=key)


# ==================================================================== home
def home(v: View, month: str) -> None:
    """The manager's portfolio: KPI line, map, table (what changed since the last visit)."""
    names = ad.managers(v.db)
    me = v.who.user if v.who.user in names else None
    manager = st.selectbox(t("acct.manager", v.lang), names, key="acct_manager",
                           index=names.index(me) if me else 0) if names else None
    if manager is None:
        st.info(t("acct.no_managers", v.lang))
        return
    if manager == v.who.user:
        since_last_visit(v)
        my_alerts(v, month)
    df = ad.portfolio(v.db, v.version, v.who, manager, month, ad.stamp(v.db))
    st.markdown(hidden("portfolio_size", len(df)), unsafe_allow_html=True)
    if df.empty:
        st.info(t("acct.portfolio_empty", v.lang, manager=manager))
        return
    audit_once(v, "accounts.portfolio", manager=manager, rows=len(df))
    k1, k2, k3 = st.columns(3)
    k1.metric(t("acct.kpi.customers", v.lang), format_number(len(df), v.lang, 0))
    k2.metric(t("acct.kpi.kwh", v.lang, month=month), format_number(df["kwh"].sum(), v.lang, 0))
    k3.metric(t("acct.kpi.open_complaints", v.lang),
              format_number(df["open_complaints"].sum(), v.lang, 0))
    points_map(v, df, "acct_home_map")
    places = cdata.region_names(v.db, v.version, v.who.scope)
    shown = df.assign(
        last_visit=pd.to_datetime(df["last_visit"]).dt.strftime("%Y-%m-%d"),
        customer_class=[t(f"report.class.{c}", v.lang) if c in CUSTOMER_CLASSES else c
                        for c in df["customer_class"]],
        district_id=[place_label(places.get(d, d), v.lang) if isinstance(d, str) else d
                     for d in df["district_id"]])
    money = st.column_config.NumberColumn(format="localized")
    st.dataframe(cols(shown, PORTFOLIO_COLS, v.lang), hide_index=True, width="stretch",
                 column_config={t("acct.col.arrears", v.lang): money,
                                t("acct.col.kwh", v.lang): money})


def since_last_visit(v: View) -> None:
    """What changed since the user last opened this page in an earlier browser session (the
    time is kept once per session, so reruns do not reset it)."""
    if "acct_prev_seen" not in st.session_state:
        st.session_state["acct_prev_seen"] = ad.visit_home(v.db, v.who)
    since = st.session_state["acct_prev_seen"]
    if since is None:
        return
    c = ad.changes_since(v.db, v.who, since)
    st.info(t("acct.since", v.lang, when=since.replace("T", " ")[:16],
              handed_in=len(c["handed_in"]), handed_out=len(c["handed_out"]),
              complaints=c["complaints"], outages=c["outages"]))


def my_alerts(v: View, month: str) -> None:
    """The open alerts of the user's own portfolio and watchlist, first thing on the home."""
    df = ad.alerts(v.db, v.version, v.who, month, v.lang, True, ad.stamp(v.db))
    df = df[df["state"].isna()]
    if len(df):
        st.warning(tn("acct.home.alerts", len(df), v.lang) + "\n\n" + "\n".join(
            f"- {md(c)}: {md(readable(r))}" for c, r in zip(df["customer_id"].head(5),
                                                   df["reason"].head(5), strict=True)))


# ==================================================================== alerts
def alerts(v: View, month: str) -> None:
    """Alerts with their reasons; acknowledge or snooze one; the list to download."""
    mine = st.toggle(t("acct.alerts.mine", v.lang), key="acct_mine", value=False)
    df = ad.alerts(v.db, v.version, v.who, month, v.lang, mine, ad.stamp(v.db))
    audit_once(v, "accounts.alerts", month=month, rows=len(df))
    st.markdown(hidden("alerts", len(df)), unsafe_allow_html=True)
    if df.empty:
        st.success(t("acct.alerts.none", v.lang))
        return
    shown = df.assign(kind_label=[t(KIND_KEYS[k], v.lang) for k in df["kind"]],
                      reason=[readable(r) for r in df["reason"]],
                      state_label=[t(STATE_KEYS[s if isinstance(s, str) else "open"], v.lang)
                                   for s in df["state"]])
    st.caption(tn("acct.alerts.count", len(df), v.lang))
    st.dataframe(cols(shown, ALERT_COLS, v.lang), hide_index=True, width="stretch")
    if v.who.export:
        st.download_button(t("acct.alerts.download", v.lang), csv_bytes(df),
                           file_name=f"alerts_{month}.csv", mime="text/csv")
    _handle_form(v, df)


def _handle_form(v: View, df: pd.DataFrame) -> None:
    labels = dict(zip(df["key"], df["customer_id"] + " · " + df["reason"].map(readable),
                      strict=True))
    with st.form("acct_handle"):
        key = st.selectbox(t("acct.alerts.pick", v.lang), list(labels),
                           format_func=lambda k: labels[k])
        until = st.date_input(t("acct.alerts.until", v.lang),
                              value=date.today() + timedelta(days=7))
        ack, snooze, reopen = st.columns(3)
        done = {"acknowledged": ack.form_submit_button(t("acct.alerts.ack", v.lang)),
                "snoozed": snooze.form_submit_button(t("acct.alerts.snooze", v.lang)),
                None: reopen.form_submit_button(t("acct.alerts.reopen", v.lang))}
    for state, pressed in done.items():
        if pressed:
            ad.handle_alert(v.db, v.who, key, state,
                            until.isoformat() if state == "snoozed" else None)
            st.rerun()


# ==================================================================== groups
def groups(v: View) -> None:
    """Pick a group: its members on the map and their sums with the group total."""
    g = ad.groups(v.db, v.version, v.who, ad.stamp(v.db))
    if g.empty:
        st.info(t("acct.groups.none", v.lang))
        return
    names = dict(zip(g["group_id"], g["name"].fillna(""), strict=True))
    gid = st.selectbox(t("acct.groups.pick", v.lang), list(g["group_id"]), key="acct_group",
                       format_func=lambda x: f"{x} · {names.get(x)}")
    df = ad.group(v.db, v.version, v.who, gid, ad.stamp(v.db))
    audit_once(v, "accounts.group", group=gid, rows=len(df))
    total = df[df["customer_id"] == "TOTAL"].iloc[0]
    st.markdown(hidden("group_kwh", float(total["kwh"])), unsafe_allow_html=True)
    k1, k2, k3, k4 = st.columns(4)
    k1.metric(t("acct.col.kwh", v.lang), format_number(total["kwh"], v.lang, 0))
    k2.metric(t("acct.col.amount", v.lang), format_number(total["amount"], v.lang))
    k3.metric(t("acct.col.arrears", v.lang), format_number(total["arrears"], v.lang))
    k4.metric(t("acct.col.outages", v.lang), format_number(total["outages"], v.lang, 0))
    points_map(v, df[df["customer_id"] != "TOTAL"], "acct_group_map", selected=gid)
    shown = df.assign(role=[t(ROLE_KEYS[r], v.lang) if isinstance(r, str) else
                            t("acct.role.total", v.lang) for r in df["role"]])
    st.dataframe(cols(shown, GROUP_COLS, v.lang), hide_index=True, width="stretch")


# ==================================================================== reassign
def assign(v: View) -> None:
    """Give customers to a manager (or release them), with the reason kept in their history."""
    if not v.who.can("assign_accounts"):
        st.info(t("acct.assign.denied", v.lang))
        return
    if msg := st.session_state.pop("acct_assign_msg", None):
        st.success(msg)  # after the rerun that shows the new portfolio on the other tabs
    names = ad.managers(v.db)
    drawn = drawarea.section(v)
    with st.form("acct_assign"):
        ids = st.text_area(t("acct.assign.ids", v.lang), key="acct_assign_ids")
        manager = st.selectbox(t("acct.assign.to", v.lang), ["", *names],
                               format_func=lambda n: n or t("acct.assign.release", v.lang))
        area = st.file_uploader(t("acct.assign.area", v.lang), type=["geojson", "json"])
        big = st.checkbox(t("acct.assign.big", v.lang), value=True)
        reason = st.text_input(t("acct.assign.reason", v.lang), key="acct_assign_reason")
        go = st.form_submit_button(t("acct.assign.submit", v.lang))
    if go:
        wanted = [x.strip() for x in ids.replace(",", "\n").splitlines() if x.strip()]
        try:
            if area is not None:
                wanted += ad.customers_in_area(v.db, v.who, area.getvalue().decode("utf-8"),
                                               big)
            if drawn:  # the area drawn on the map: the same path as an uploaded one
                wanted += ad.customers_in_area(v.db, v.who, drawn, big)
            done = ad.reassign(v.db, v.who, list(dict.fromkeys(wanted)), manager or None,
                               reason)
        except (ValueError, UnicodeDecodeError) as exc:
            st.error(str(exc))
            return
        st.session_state["acct_assign_msg"] = tn("acct.assign.done", len(done), v.lang)
        st.session_state.pop(drawarea.AREA, None)
        st.rerun()
