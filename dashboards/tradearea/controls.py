"""The trading-area page's controls: what the warehouse offers, the URL (``?sp=&area=``), map
clicks, the centre, the area type and period, and the map overlays.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import NoReturn

import pandas as pd
import streamlit as st

from dashboards.components import data, shell
from dashboards.components.session import Access, Scope
from dashboards.tradearea import data as td
from dashboards.tradearea import views
from dashboards.tradearea.state import PAGE, Choice, Context, Overlays, fail, keep, set_choice
from dashboards.tradearea.state import widget_key as wkey
from gcrm.cube import CubeError
from gcrm.i18n import t
from gcrm.tradearea.huff import HOUSEHOLD_SIZE
from gcrm.vocab import SERVICE_POINT_KINDS as KINDS

AREA_TYPES = ("rings", "drivetime", "voronoi", "customers", "huff")
SP_COLUMNS = ["service_point_id", "name", "kind", "lon", "lat", "district_id"]


# --------------------------------------------------------------------------- warehouse basics
def _stop(message: str, lang: str) -> NoReturn:
    st.info(message)
    shell.page_done(PAGE, lang)
    st.stop()


def _service_points(db: str, version: str, scope: Scope, geo: dict,
                    lang: str) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    """Every located service point (None when the table is empty) and those in scope."""
    try:
        all_sp = td.service_points(db, version)
    except ValueError as exc:  # the service-point table is empty
        st.info(t("ta.no_service_points", lang, error=exc), icon=":material/storefront:")
        return None, pd.DataFrame(columns=SP_COLUMNS)
    if scope is None:
        return all_sp, all_sp
    districts = {f["properties"]["region_id"] for f in geo["features"]}
    return all_sp, all_sp[all_sp["district_id"].isin(districts)].reset_index(drop=True)


def load(lang: str, db: str, version: str, who: Access) -> Context:
    """Months, districts and service points in the user's scope (stops the page, with a
    message, when there are no data or no regions)."""
    scope = who.scope
    try:
        all_months = data.cube_months(db, version, scope=scope)
        default_months = data.month_range(db, version, 12, scope=scope)
    except CubeError:
        _stop(t("app.no_data", lang), lang)
    geo = data.regions_geojson(db, version, "district", scope=scope)
    names = data.region_names(db, version, scope=scope)
    if not geo["features"]:
        _stop(t("ta.no_regions", lang), lang)
    all_sp, visible_sp = _service_points(db, version, scope, geo, lang)
    return Context(lang, db, version, who, all_months, default_months, geo, names, all_sp,
                   visible_sp)


# --------------------------------------------------------------------------- state: URL, map clicks
def seed_from_url(ctx: Context) -> None:
    """First run of the session: take the service point and area type from the URL."""
    ss = st.session_state
    if ss.get("ta_seeded"):
        return
    ss["ta_seeded"] = True
    sp = st.query_params.get("sp")
    if sp and sp in ctx.sp_names:
        set_choice("ta_mode", "service_point", ctx.lang)
        ss["ta_sp"] = sp
    kind = st.query_params.get("area")
    if kind in AREA_TYPES:
        set_choice("ta_type", kind, ctx.lang)


def _on_map_click(sp_kinds: dict[str, str], lang: str, clicked: str) -> None:
    """A click on the map (what it reports: :mod:`dashboards.tradearea.maps`): a service
    point or the area of one becomes the centre; a band of nested areas is summarised; a
    population cell, gap, overlap or proposed site becomes the point."""
    ss = st.session_state
    kind, _, value = clicked.partition(":")
    if kind == "sp" and value in sp_kinds:
        set_choice("ta_mode", "service_point", lang)
        ss["ta_sp"] = value
        if sp_kinds.get(value) not in (ss.get("ta_kinds") or []):
            set_choice("ta_kinds", list(KINDS), lang)
    elif kind == "band" and value:
        ss["ta_band_pick"] = value
    elif kind == "pt":
        lon, _, lat = value.partition(",")
        set_choice("ta_mode", "point", lang)
        ss["ta_lon"], ss["ta_lat"] = round(float(lon), 5), round(float(lat), 5)


def map_click_handler(ctx: Context) -> Callable[[str], None]:
    """The map's click callback (:func:`_on_map_click` for this run)."""
    return partial(_on_map_click, ctx.sp_kinds, ctx.lang)


# --------------------------------------------------------------------------- controls: centre
def _service_point_select(ctx: Context, col, kinds: tuple[str, ...]) -> str | None:
    """The service point at the centre, among the visible ones of ``kinds``."""
    ss = st.session_state
    pick = ctx.visible_sp[ctx.visible_sp["kind"].isin(kinds)]
    options = list(pick["service_point_id"])
    if not options:
        col.info(t("ta.no_service_points_kind", ctx.lang))
        return None
    if ss.get("ta_sp") not in options:
        halls = [s for s in options if ctx.sp_kinds.get(s) == "business_hall"]
        ss["ta_sp"] = (halls or options)[0]
    return col.selectbox(t("ta.service_point", ctx.lang), options, key="ta_sp",
                         format_func=lambda s: f"{ctx.sp_names.get(s, '')} · {s}")


def _point_inputs(ctx: Context, col) -> None:
    """Longitude and latitude of the centre (first: the first district's label point)."""
    ss, lang = st.session_state, ctx.lang
    if "ta_lon" not in ss:  # the first district of the scope, at its label point
        p = ctx.geo["features"][0]["properties"]
        ss["ta_lon"] = round(float(p.get("centroid_lon") or 125.94), 5)
        ss["ta_lat"] = round(float(p.get("centroid_lat") or 41.73), 5)
    p1, p2 = col.columns(2)
    p1.number_input(t("ta.lon", lang), key="ta_lon", format="%.5f", step=0.001,
                    min_value=-180.0, max_value=180.0)
    p2.number_input(t("ta.lat", lang), key="ta_lat", format="%.5f", step=0.001,
                    min_value=-90.0, max_value=90.0)
    col.caption(t("ta.click_hint", lang))


def _centre_controls(ctx: Context) -> tuple[str, tuple[str, ...], str | None]:
    """``(mode, kinds, service point)``: a service point or a point, and the kinds used."""
    ss, lang = st.session_state, ctx.lang
    c1, c2, c3 = st.columns([1.1, 1.6, 2.3])
    modes = ("service_point", "point") if len(ctx.visible_sp) else ("point",)
    if ss.get("ta_mode") not in modes:
        set_choice("ta_mode", modes[0], lang)
    mode = keep("ta_mode", c1.radio(t("ta.center", lang), modes, key=wkey("ta_mode", lang),
                                    format_func=lambda m: t(f"ta.center.{m}", lang)))
    if "ta_kinds" not in ss:
        set_choice("ta_kinds", list(KINDS), lang)
    kinds = tuple(keep("ta_kinds", c2.multiselect(
        t("ta.kinds", lang), KINDS, key=wkey("ta_kinds", lang),
        format_func=lambda k: views.kind_label(k, lang), help=t("ta.kinds_help", lang)))) or KINDS
    kinds = tuple(k for k in KINDS if k in kinds)  # canonical order: one cache entry
    sp_id = None
    if mode == "service_point":
        sp_id = _service_point_select(ctx, c3, kinds)
    else:
        _point_inputs(ctx, c3)
    return mode, kinds, sp_id


# --------------------------------------------------------------------------- controls: area, period
def _area_controls(ctx: Context) -> tuple[str, tuple[str, str], float]:
    """``(area type, months, household size)``."""
    ss, lang = st.session_state, ctx.lang
    a1, a2, a3 = st.columns([2.6, 1.6, 0.8])
    if ss.get("ta_type") not in AREA_TYPES:
        set_choice("ta_type", "rings", lang)
    area_type = keep("ta_type", a1.radio(t("ta.area_type", lang), AREA_TYPES,
                                         key=wkey("ta_type", lang), horizontal=True,
                                         format_func=lambda k: t(f"ta.type.{k}", lang)))
    if "ta_months" not in ss or any(m not in ctx.all_months for m in ss["ta_months"]):
        ss["ta_months"] = tuple(ctx.default_months)
    months = tuple(a2.select_slider(t("ta.months", lang), options=ctx.all_months,
                                    key="ta_months"))
    household_size = float(a3.number_input(t("ta.household_size", lang), min_value=1.0,
                                           max_value=10.0, value=HOUSEHOLD_SIZE, step=0.1,
                                           key="ta_household", help=t("ta.household_help", lang)))
    return area_type, months, household_size


def _sync_url(area_type: str, mode: str, sp_id: str | None) -> None:
    """Keep the area type and the service point in the URL (``?sp=&area=``)."""
    if st.query_params.get("area") != area_type:
        st.query_params["area"] = area_type
    if sp_id and mode == "service_point":
        if st.query_params.get("sp") != sp_id:
            st.query_params["sp"] = sp_id
    elif "sp" in st.query_params:
        del st.query_params["sp"]


def _resolve_centre(ctx: Context, mode: str, sp_id: str | None) -> tuple | None:
    """``(lon, lat, label)`` of the centre (None, with a message, when it is not valid)."""
    ss = st.session_state
    center = None
    try:
        center = (td.center(ctx.db, ctx.version, sp_id, None, None)
                  if mode == "service_point" and sp_id
                  else td.center(ctx.db, ctx.version, None, float(ss["ta_lon"]),
                                 float(ss["ta_lat"])) if mode == "point" else None)
    except ValueError as exc:
        fail(exc, ctx.lang)
    if center is not None and not td.in_scope(ctx.db, ctx.version, center[0], center[1],
                                              ctx.scope):
        st.warning(t("ta.outside_scope", ctx.lang), icon=":material/warning:")
    return center


def choose(ctx: Context) -> Choice:
    """The controls above the area: centre, kinds, area type, period, household size."""
    ss = st.session_state
    mode, kinds, sp_id = _centre_controls(ctx)
    area_type, months, household_size = _area_controls(ctx)
    _sync_url(area_type, mode, sp_id)
    center = _resolve_centre(ctx, mode, sp_id)
    where = ({"service_point": sp_id} if mode == "service_point" else
             {"lon": float(ss["ta_lon"]), "lat": float(ss["ta_lat"])})
    return Choice(mode, kinds, sp_id, area_type, months, household_size, center, where)


# --------------------------------------------------------------------------- map overlays
def overlays(ctx: Context) -> Overlays:
    """The toggles of the map's extra layers and the service distance for gaps/overlaps."""
    lang, no_sp = ctx.lang, ctx.all_sp is None
    o1, o2, o3, o4 = st.columns([1, 1, 1, 1])
    show_cells = o1.toggle(t("ta.show_cells", lang), key="ta_show_cells",
                           help=t("ta.show_cells_help", lang))
    show_gaps = o2.toggle(t("ta.show_gaps", lang), key="ta_show_gaps", disabled=no_sp)
    show_overlaps = o3.toggle(t("ta.show_overlaps", lang), key="ta_show_overlaps",
                              disabled=no_sp)
    cover_km = float(o4.number_input(t("ta.cover_km", lang), 0.5, 50.0, 3.0, 0.5,
                                     key="ta_cover_km"))
    return Overlays(show_cells, show_gaps, show_overlaps, cover_km)
