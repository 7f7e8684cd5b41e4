"""The trade area of the chosen type (rings, drive time, proximity, customer-derived, Huff):
its parameters, its layer and the part of it the page summarises; gaps and overlaps.

Each builder draws its parameters in the bordered box under the controls and fills an
:class:`~dashboards.tradearea.state.Area`; bad input or missing data leave a one-line message
in the box and no area (never a traceback).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import geopandas as gpd
import streamlit as st

from dashboards.tradearea import data as td
from dashboards.tradearea import views
from dashboards.tradearea.state import Area, Choice, Context, Overlays, fail, keep, set_choice
from dashboards.tradearea.state import widget_key as wkey
from gcrm.i18n import t
from gcrm.tradearea import queries as tradearea

SHARE_OPTIONS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


# --------------------------------------------------------------------------- helpers
def _numbers(text: str, lang: str) -> list[float]:
    try:
        return views.parse_numbers(text)
    except ValueError as exc:
        raise ValueError(t("ta.bad_numbers", lang, text=exc)) from None


def _band_select(choice: Choice, lang: str, values: list[float],
                 fmt_band: Callable[[float], str], default: float) -> float:
    """Which of the nested areas the summary describes (map clicks also set it)."""
    picked = st.session_state.pop("ta_band_pick", None)
    name = f"ta_band_{choice.area_type}"
    if picked is not None:
        with contextlib.suppress(ValueError):
            set_choice(name, float(picked), lang)
    if st.session_state.get(name) not in values:
        set_choice(name, default if default in values else values[len(values) // 2], lang)
    return keep(name, st.selectbox(t("ta.summary_of", lang), values, key=wkey(name, lang),
                                   format_func=fmt_band))


def _row_at_centre(layer: gpd.GeoDataFrame, choice: Choice, empty_key: str, lang: str):
    """The area of the chosen service point, or the one holding the point (None: a message)."""
    x, y = choice.center[0], choice.center[1]
    hit = (layer[layer["service_point_id"] == choice.sp_id] if choice.mode == "service_point"
           else layer[layer.contains(gpd.points_from_xy([x], [y])[0])])
    if hit.empty:
        st.info(t(empty_key, lang), icon=":material/info:")
        return None
    return hit.iloc[0]


def _summarise_polygon(area: Area, row, label: str) -> None:
    """Summarise the polygon of one service point (proximity and Huff areas)."""
    area.band_col, area.band_value = "service_point_id", row["service_point_id"]
    area.label = label
    area.spec = td.area_spec(geometry=row.geometry, label=label)


# --------------------------------------------------------------------------- area types
def _rings(ctx: Context, choice: Choice, area: Area) -> None:
    lang = ctx.lang
    b1, b2, b3 = st.columns([1.4, 1, 1.2])
    text = b1.text_input(t("ta.radii", lang), value="1,3,5", key="ta_radii",
                         help=t("ta.radii_help", lang))
    bands = b2.toggle(t("ta.bands", lang), key="ta_bands")
    radii = _numbers(text, lang)
    with b3:
        km = _band_select(choice, lang, radii, lambda r: t("ta.within_km", lang, km=f"{r:g}"),
                          3.0)
    if choice.center is not None:
        x, y = choice.center[0], choice.center[1]
        area.layer = td.rings(ctx.db, ctx.version, x, y, tuple(radii), bands, ctx.scope)
        area.band_col, area.band_value = "outer_km", km
        area.spec = td.area_spec(**choice.where, km=km)


def _drive_time(ctx: Context, choice: Choice, area: Area) -> None:
    lang = ctx.lang
    b1, b2, b3 = st.columns([1.4, 1.4, 1.2])
    text = b1.text_input(t("ta.minutes", lang), value="5,10,15", key="ta_minutes_text")
    minutes = _numbers(text, lang)
    upload = b2.file_uploader(t("ta.pbf_upload", lang), type=["pbf"], key="ta_pbf",
                              help=t("ta.pbf_help", lang))
    pbf = td.save_upload(upload.getvalue(), upload.name) if upload else td.roads_pbf()
    with b3:
        mins = _band_select(choice, lang, minutes,
                            lambda m: t("ta.within_min", lang, min=f"{m:g}"), 10.0)
    if pbf is None:
        st.info(t("ta.no_roads", lang), icon=":material/route:")
    else:
        st.caption(t("ta.roads", lang, path=pbf))
    if choice.center is not None:
        x, y = choice.center[0], choice.center[1]
        with st.spinner(t("ta.working_roads", lang)):
            area.layer = td.drive_time(ctx.db, ctx.version, x, y, tuple(minutes), pbf,
                                       td.mtime(pbf), ctx.scope)
        area.band_col, area.band_value = "minutes", mins
        area.spec = td.area_spec(**choice.where, minutes=mins, pbf=pbf)


def _voronoi(ctx: Context, choice: Choice, area: Area) -> None:
    lang = ctx.lang
    st.caption(t("ta.voronoi_help", lang))
    if ctx.all_sp is None:
        raise ValueError(t("ta.needs_service_points", lang))
    with st.spinner(t("ta.working", lang)):
        area.layer = td.proximity(ctx.db, ctx.version, choice.kinds, ctx.scope)
    if choice.center is not None:
        row = _row_at_centre(area.layer, choice, "ta.no_area_here", lang)
        if row is not None:
            _summarise_polygon(area, row, t("ta.label.voronoi", lang,
                                            sp=row["service_point_id"], name=row["name"]))


def _customers(ctx: Context, choice: Choice, area: Area) -> None:
    lang, sp_id = ctx.lang, choice.sp_id
    b1, b2, b3 = st.columns([1.6, 1, 1.2])
    shares = sorted(b1.multiselect(t("ta.shares", lang), SHARE_OPTIONS,
                                   default=[0.5, 0.7, 0.9], key="ta_shares",
                                   format_func=lambda s: f"{s:.0%}")) or [0.5, 0.7, 0.9]
    hull = keep("ta_hull", b2.radio(
        t("ta.hull", lang), ("convex", "concave"), key=wkey("ta_hull", lang),
        horizontal=True, format_func=lambda h: t(f"ta.hull.{h}", lang)))
    with b3:
        share = _band_select(choice, lang, list(shares),
                             lambda s: t("ta.share_of_payers", lang, share=f"{s:.0%}"), 0.7)
    st.caption(t("ta.customers_help", lang))
    if choice.mode != "service_point" or not sp_id:
        raise ValueError(t("ta.needs_service_point", lang))
    area.layer = td.customer_areas(ctx.db, ctx.version, sp_id, tuple(shares), hull,
                                   choice.months, ctx.scope)
    area.band_col, area.band_value = "share", share
    geom = area.layer[area.layer["share"] == share].geometry.iloc[0]
    area.label = f"{sp_id}: {share:.0%} of its paying customers"
    area.spec = td.area_spec(geometry=geom, label=area.label)


def _huff(ctx: Context, choice: Choice, area: Area) -> None:
    lang = ctx.lang
    b1, b2, b3, b4 = st.columns(4)
    alpha = b1.slider(t("ta.alpha", lang), 0.0, 3.0, 1.0, 0.1, key="ta_alpha",
                      help=t("ta.alpha_help", lang))
    beta = b2.slider(t("ta.beta", lang), 0.5, 4.0, 2.0, 0.1, key="ta_beta",
                     help=t("ta.beta_help", lang))
    demand = keep("ta_demand", b3.selectbox(
        t("ta.demand", lang), ("households", "resident", "customers"),
        key=wkey("ta_demand", lang), format_func=lambda d: t(f"ta.demand.{d}", lang)))
    max_km = b4.number_input(t("ta.max_km", lang), 0.0, 200.0, 0.0, 1.0, key="ta_max_km",
                             help=t("ta.max_km_help", lang))
    if ctx.all_sp is None:
        raise ValueError(t("ta.needs_service_points", lang))
    with st.spinner(t("ta.working", lang)):
        area.huff_points, area.huff_cells, area.layer = td.huff(
            ctx.db, ctx.version, float(alpha), float(beta), choice.kinds, demand,
            choice.household_size, float(max_km) or None, ctx.scope)
    area.name = "huff_areas"
    if choice.center is not None:
        row = _row_at_centre(area.layer, choice, "ta.no_huff_area", lang)
        if row is not None:
            sp = row["service_point_id"]
            _summarise_polygon(area, row, t("ta.label.huff", lang, sp=sp,
                                            name=ctx.sp_names.get(sp, "")))


BUILDERS = {"rings": _rings, "drivetime": _drive_time, "voronoi": _voronoi,
            "customers": _customers, "huff": _huff}


def build(ctx: Context, choice: Choice) -> Area:
    """The area's parameters (in a bordered box) and the area itself."""
    area = Area(name=choice.area_type)
    with st.container(border=True):
        try:
            BUILDERS[choice.area_type](ctx, choice, area)
        except Exception as exc:  # bad input or missing data: a message, never a traceback
            fail(exc, ctx.lang)
            area.layer, area.spec = None, None
    return area


# --------------------------------------------------------------------------- layers to export
def export_layers(choice: Choice, area: Area) -> dict[str, gpd.GeoDataFrame]:
    """The layers shown so far, by name (gaps, overlaps and sites are added as computed)."""
    layers: dict[str, gpd.GeoDataFrame] = {}
    if area.layer is not None:
        layers[area.name] = area.layer
        if choice.area_type == "huff" and area.huff_cells is not None:
            layers["huff"] = tradearea.points_layer(area.huff_cells)
    return layers


def coverage(ctx: Context, choice: Choice, ov: Overlays,
             layers: dict[str, gpd.GeoDataFrame]) -> None:
    """Gaps and overlaps of the ``cover_km`` rings, when shown (into ``ov`` and ``layers``)."""
    if ctx.all_sp is None:
        return
    try:
        if ov.show_gaps:
            ov.gaps = td.gaps(ctx.db, ctx.version, ov.cover_km, choice.kinds, ctx.scope)
            layers["gaps"] = tradearea.points_layer(ov.gaps)
        if ov.show_overlaps:
            ov.overlaps = td.overlaps(ctx.db, ctx.version, ov.cover_km, choice.kinds, ctx.scope)
            layers["overlaps"] = tradearea.points_layer(ov.overlaps)
    except Exception as exc:  # a message, never a traceback
        fail(exc, ctx.lang)
