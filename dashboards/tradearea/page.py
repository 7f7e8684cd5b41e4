"""Trading areas: around a service point or a point, who lives and pays there, where nobody
is served, where to open the next hall, and whom to call (docs/trade-areas.md, "The page").

Every number comes from the functions ``gcrm tradearea ...`` calls (through the cached wrappers
of :mod:`dashboards.tradearea.data`), within the signed-in user's region scope.
"""

from __future__ import annotations

import contextlib

import geopandas as gpd
import pandas as pd
import streamlit as st

from dashboards.components import data, shell
from dashboards.components.kpi import kpi_tiles
from dashboards.tradearea import data as td
from dashboards.tradearea import maps as tm
from dashboards.tradearea import views as tv
from gcrm.cube import CubeError
from gcrm.i18n import t
from gcrm.tradearea import geometry as ta
from gcrm.tradearea import queries as T


def render() -> None:
    """Draw the page (``dashboards/app.py`` calls it on every run)."""
    AREA_TYPES = ("rings", "drivetime", "voronoi", "customers", "huff")
    SHARE_OPTIONS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
    TILE_KPIS = ("customers", "kwh", "amount", "paid", "arrears")
    TILES_2 = ("online_share", "counter_share", "interruptions_per_customer",
               "outage_minutes_per_customer")
    TILES_3 = ("resident", "floating", "penetration", "potential_customers")
    ss = st.session_state

    lang = shell.current_lang()
    wh = shell.warehouse()
    db, version = wh.path, wh.version
    who = td.access()
    scope = who.scope


    def _fail(exc: Exception) -> None:
        """A one-line message for bad input or missing data, never a traceback."""
        st.error(t("ta.error", lang, error=str(exc).strip() or type(exc).__name__))


    def _wkey(name: str) -> str:
        """The widget key of choice ``name`` in this language, seeded from the language-free value
        ``ss[name]``: translated option labels change with the language, and Streamlit would then
        show a keyed radio or select box with no choice; a key per language keeps the choice."""
        k = f"{name}.{lang}"
        if k not in ss and name in ss:
            ss[k] = ss[name]
        return k


    def _set(name: str, value: object) -> None:
        """Set choice ``name`` (before its widget is drawn, or from a callback)."""
        ss[name] = value
        ss[f"{name}.{lang}"] = value


    def _keep(name: str, value):
        """Remember the widget's value as the language-free choice ``name``."""
        ss[name] = value
        return value


    def _kind(k: object) -> str:
        return tv.translate(k, "report.kind.", lang)


    st.title(t("ta.title", lang))
    st.caption(t("ta.caption", lang))

    # ---------------------------------------------------------------- warehouse basics
    try:
        all_months = data.cube_months(db, version, scope=scope)
        default_months = data.month_range(db, version, 12, scope=scope)
    except CubeError:
        st.info(t("app.no_data", lang))
        shell.page_done("tradearea", lang)
        st.stop()
    geo = data.regions_geojson(db, version, "district", scope=scope)
    names = data.region_names(db, version, scope=scope)
    if not geo["features"]:
        st.info(t("ta.no_regions", lang))
        shell.page_done("tradearea", lang)
        st.stop()
    scope_districts = {f["properties"]["region_id"] for f in geo["features"]}

    try:
        all_sp = td.service_points(db, version)
    except ValueError as exc:  # the service-point table is empty
        all_sp = None
        st.info(t("ta.no_service_points", lang, error=exc), icon=":material/storefront:")
    if all_sp is not None:
        visible_sp = (all_sp if scope is None else
                      all_sp[all_sp["district_id"].isin(scope_districts)].reset_index(drop=True))
    else:
        visible_sp = pd.DataFrame(columns=["service_point_id", "name", "kind", "lon", "lat",
                                           "district_id"])
    sp_names = dict(zip(visible_sp["service_point_id"], visible_sp["name"], strict=True))
    sp_kinds = dict(zip(visible_sp["service_point_id"], visible_sp["kind"], strict=True))


    # ---------------------------------------------------------------- state: URL, map clicks
    def _seed_from_url() -> None:
        """First run of the session: take the service point and area type from the URL."""
        if ss.get("ta_seeded"):
            return
        ss["ta_seeded"] = True
        sp = st.query_params.get("sp")
        if sp and sp in sp_names:
            _set("ta_mode", "service_point")
            ss["ta_sp"] = sp
        kind = st.query_params.get("area")
        if kind in AREA_TYPES:
            _set("ta_type", kind)


    def _on_map_select() -> None:
        """A click on the map: a service point or an area of one becomes the centre; a population
        cell, gap, overlap or proposed site becomes the point."""
        state = ss.get("ta_map") or {}
        objects = (state.get("selection") or {}).get("objects") or {}
        for layer in ("service_points", "areas"):
            for obj in objects.get(layer) or []:
                props = obj.get("properties", obj)
                sp = props.get("service_point_id")
                if sp and sp in sp_names:
                    _set("ta_mode", "service_point")
                    ss["ta_sp"] = sp
                    if sp_kinds.get(sp) not in (ss.get("ta_kinds") or []):
                        _set("ta_kinds", list(T.KINDS))
                    return
                if props.get("band"):
                    ss["ta_band_pick"] = props["band"]
                    return
        for layer in ("cells", "sites", "gaps", "overlaps"):
            for obj in objects.get(layer) or []:
                _set("ta_mode", "point")
                ss["ta_lon"], ss["ta_lat"] = round(float(obj["lon"]), 5), round(float(obj["lat"]), 5)
                return


    _seed_from_url()

    # ---------------------------------------------------------------- controls: centre
    c1, c2, c3 = st.columns([1.1, 1.6, 2.3])
    modes = ("service_point", "point") if len(visible_sp) else ("point",)
    if ss.get("ta_mode") not in modes:
        _set("ta_mode", modes[0])
    mode = _keep("ta_mode", c1.radio(t("ta.center", lang), modes, key=_wkey("ta_mode"),
                                     format_func=lambda m: t(f"ta.center.{m}", lang)))
    if "ta_kinds" not in ss:
        _set("ta_kinds", list(T.KINDS))
    kinds = tuple(_keep("ta_kinds", c2.multiselect(
        t("ta.kinds", lang), T.KINDS, key=_wkey("ta_kinds"), format_func=_kind,
        help=t("ta.kinds_help", lang)))) or T.KINDS
    kinds = tuple(k for k in T.KINDS if k in kinds)  # canonical order: one cache entry
    pick = visible_sp[visible_sp["kind"].isin(kinds)]
    sp_id: str | None = None
    if mode == "service_point":
        options = list(pick["service_point_id"])
        if not options:
            c3.info(t("ta.no_service_points_kind", lang))
        else:
            if ss.get("ta_sp") not in options:
                halls = [s for s in options if sp_kinds.get(s) == "business_hall"]
                ss["ta_sp"] = (halls or options)[0]
            sp_id = c3.selectbox(t("ta.service_point", lang), options, key="ta_sp",
                                 format_func=lambda s: f"{sp_names.get(s, '')} · {s}")
    else:
        if "ta_lon" not in ss:  # the first district of the scope, at its label point
            p = geo["features"][0]["properties"]
            ss["ta_lon"] = round(float(p.get("centroid_lon") or 125.94), 5)
            ss["ta_lat"] = round(float(p.get("centroid_lat") or 41.73), 5)
        p1, p2 = c3.columns(2)
        p1.number_input(t("ta.lon", lang), key="ta_lon", format="%.5f", step=0.001,
                        min_value=-180.0, max_value=180.0)
        p2.number_input(t("ta.lat", lang), key="ta_lat", format="%.5f", step=0.001,
                        min_value=-90.0, max_value=90.0)
        c3.caption(t("ta.click_hint", lang))

    # ---------------------------------------------------------------- controls: area, period
    a1, a2, a3 = st.columns([2.6, 1.6, 0.8])
    if ss.get("ta_type") not in AREA_TYPES:
        _set("ta_type", "rings")
    area_type = _keep("ta_type", a1.radio(t("ta.area_type", lang), AREA_TYPES,
                                          key=_wkey("ta_type"), horizontal=True,
                                          format_func=lambda k: t(f"ta.type.{k}", lang)))
    if "ta_months" not in ss or any(m not in all_months for m in ss["ta_months"]):
        ss["ta_months"] = tuple(default_months)
    months = tuple(a2.select_slider(t("ta.months", lang), options=all_months, key="ta_months"))
    household_size = float(a3.number_input(t("ta.household_size", lang), min_value=1.0,
                                           max_value=10.0, value=ta.HOUSEHOLD_SIZE, step=0.1,
                                           key="ta_household", help=t("ta.household_help", lang)))
    if st.query_params.get("area") != area_type:
        st.query_params["area"] = area_type
    if sp_id and mode == "service_point":
        if st.query_params.get("sp") != sp_id:
            st.query_params["sp"] = sp_id
    elif "sp" in st.query_params:
        del st.query_params["sp"]

    # ---------------------------------------------------------------- the centre
    center = None
    try:
        center = (td.center(db, version, sp_id, None, None) if mode == "service_point" and sp_id
                  else td.center(db, version, None, float(ss["ta_lon"]), float(ss["ta_lat"]))
                  if mode == "point" else None)
    except ValueError as exc:
        _fail(exc)
    if center is not None and not td.in_scope(db, version, center[0], center[1], scope):
        st.warning(t("ta.outside_scope", lang), icon=":material/warning:")
    where = ({"service_point": sp_id} if mode == "service_point" else
             {"lon": float(ss["ta_lon"]), "lat": float(ss["ta_lat"])})

    # ---------------------------------------------------------------- area parameters
    area_box = st.container(border=True)
    layer: gpd.GeoDataFrame | None = None  # the polygons of the chosen area type
    layer_name = area_type
    spec = None  # the area summarised (tradearea_data.area_spec)
    label = ""
    band_col: str | None = None
    band_value = None
    huff_points: pd.DataFrame | None = None
    huff_cells: pd.DataFrame | None = None
    pbf: str | None = None


    def _band_select(values: list[float], fmt_band, default: float) -> float:
        """Which of the nested areas the summary describes (map clicks also set it)."""
        picked = ss.pop("ta_band_pick", None)
        name = f"ta_band_{area_type}"
        if picked is not None:
            with contextlib.suppress(ValueError):
                _set(name, float(picked))
        if ss.get(name) not in values:
            _set(name, default if default in values else values[len(values) // 2])
        return _keep(name, st.selectbox(t("ta.summary_of", lang), values, key=_wkey(name),
                                        format_func=fmt_band))


    with area_box:
        try:
            if area_type == "rings":
                b1, b2, b3 = st.columns([1.4, 1, 1.2])
                text = b1.text_input(t("ta.radii", lang), value="1,3,5", key="ta_radii",
                                     help=t("ta.radii_help", lang))
                bands = b2.toggle(t("ta.bands", lang), key="ta_bands")
                try:
                    radii = tv.parse_numbers(text)
                except ValueError as exc:
                    raise ValueError(t("ta.bad_numbers", lang, text=exc)) from None
                with b3:
                    km = _band_select(radii, lambda r: t("ta.within_km", lang, km=f"{r:g}"), 3.0)
                if center is not None:
                    layer = td.rings(db, version, center[0], center[1], tuple(radii), bands, scope)
                    band_col, band_value = "outer_km", km
                    spec = td.area_spec(**where, km=km)
            elif area_type == "drivetime":
                b1, b2, b3 = st.columns([1.4, 1.4, 1.2])
                text = b1.text_input(t("ta.minutes", lang), value="5,10,15", key="ta_minutes_text")
                try:
                    minutes = tv.parse_numbers(text)
                except ValueError as exc:
                    raise ValueError(t("ta.bad_numbers", lang, text=exc)) from None
                upload = b2.file_uploader(t("ta.pbf_upload", lang), type=["pbf"], key="ta_pbf",
                                          help=t("ta.pbf_help", lang))
                pbf = td.save_upload(upload.getvalue(), upload.name) if upload else td.roads_pbf()
                with b3:
                    mins = _band_select(minutes, lambda m: t("ta.within_min", lang, min=f"{m:g}"),
                                        10.0)
                if pbf is None:
                    st.info(t("ta.no_roads", lang), icon=":material/route:")
                else:
                    st.caption(t("ta.roads", lang, path=pbf))
                if center is not None:
                    with st.spinner(t("ta.working_roads", lang)):
                        layer = td.drive_time(db, version, center[0], center[1], tuple(minutes), pbf,
                                              td.mtime(pbf), scope)
                    band_col, band_value = "minutes", mins
                    spec = td.area_spec(**where, minutes=mins, pbf=pbf)
            elif area_type == "voronoi":
                st.caption(t("ta.voronoi_help", lang))
                if all_sp is None:
                    raise ValueError(t("ta.needs_service_points", lang))
                with st.spinner(t("ta.working", lang)):
                    layer = td.proximity(db, version, kinds, scope)
                if center is not None:
                    hit = (layer[layer["service_point_id"] == sp_id] if mode == "service_point"
                           else layer[layer.contains(gpd.points_from_xy([center[0]],
                                                                        [center[1]])[0])])
                    if hit.empty:
                        st.info(t("ta.no_area_here", lang), icon=":material/info:")
                    else:
                        row = hit.iloc[0]
                        band_col, band_value = "service_point_id", row["service_point_id"]
                        label = t("ta.label.voronoi", lang, sp=row["service_point_id"],
                                  name=row["name"])
                        spec = td.area_spec(geometry=row.geometry, label=label)
            elif area_type == "customers":
                b1, b2, b3 = st.columns([1.6, 1, 1.2])
                shares = sorted(b1.multiselect(t("ta.shares", lang), SHARE_OPTIONS,
                                               default=[0.5, 0.7, 0.9], key="ta_shares",
                                               format_func=lambda s: f"{s:.0%}")) or [0.5, 0.7, 0.9]
                hull = _keep("ta_hull", b2.radio(
                    t("ta.hull", lang), ("convex", "concave"), key=_wkey("ta_hull"),
                    horizontal=True, format_func=lambda h: t(f"ta.hull.{h}", lang)))
                with b3:
                    share = _band_select(list(shares), lambda s: t("ta.share_of_payers", lang,
                                                                   share=f"{s:.0%}"), 0.7)
                st.caption(t("ta.customers_help", lang))
                if mode != "service_point" or not sp_id:
                    raise ValueError(t("ta.needs_service_point", lang))
                layer = td.customer_areas(db, version, sp_id, tuple(shares), hull, months, scope)
                band_col, band_value = "share", share
                geom = layer[layer["share"] == share].geometry.iloc[0]
                label = f"{sp_id}: {share:.0%} of its paying customers"
                spec = td.area_spec(geometry=geom, label=label)
            else:  # huff
                b1, b2, b3, b4 = st.columns(4)
                alpha = b1.slider(t("ta.alpha", lang), 0.0, 3.0, 1.0, 0.1, key="ta_alpha",
                                  help=t("ta.alpha_help", lang))
                beta = b2.slider(t("ta.beta", lang), 0.5, 4.0, 2.0, 0.1, key="ta_beta",
                                 help=t("ta.beta_help", lang))
                demand = _keep("ta_demand", b3.selectbox(
                    t("ta.demand", lang), ("households", "resident", "customers"),
                    key=_wkey("ta_demand"), format_func=lambda d: t(f"ta.demand.{d}", lang)))
                max_km = b4.number_input(t("ta.max_km", lang), 0.0, 200.0, 0.0, 1.0,
                                         key="ta_max_km", help=t("ta.max_km_help", lang))
                if all_sp is None:
                    raise ValueError(t("ta.needs_service_points", lang))
                with st.spinner(t("ta.working", lang)):
                    huff_points, huff_cells, layer = td.huff(
                        db, version, float(alpha), float(beta), kinds, demand, household_size,
                        float(max_km) or None, scope)
                layer_name = "huff_areas"
                if center is not None:
                    hit = (layer[layer["service_point_id"] == sp_id] if mode == "service_point"
                           else layer[layer.contains(gpd.points_from_xy([center[0]],
                                                                        [center[1]])[0])])
                    if hit.empty:
                        st.info(t("ta.no_huff_area", lang), icon=":material/info:")
                    else:
                        row = hit.iloc[0]
                        band_col, band_value = "service_point_id", row["service_point_id"]
                        label = t("ta.label.huff", lang, sp=row["service_point_id"],
                                  name=sp_names.get(row["service_point_id"], ""))
                        spec = td.area_spec(geometry=row.geometry, label=label)
        except Exception as exc:  # bad input or missing data: a message, never a traceback
            _fail(exc)
            layer, spec = None, None

    # ---------------------------------------------------------------- map overlays
    o1, o2, o3, o4 = st.columns([1, 1, 1, 1])
    show_cells = o1.toggle(t("ta.show_cells", lang), key="ta_show_cells",
                           help=t("ta.show_cells_help", lang))
    show_gaps = o2.toggle(t("ta.show_gaps", lang), key="ta_show_gaps",
                          disabled=all_sp is None)
    show_overlaps = o3.toggle(t("ta.show_overlaps", lang), key="ta_show_overlaps",
                              disabled=all_sp is None)
    cover_km = float(o4.number_input(t("ta.cover_km", lang), 0.5, 50.0, 3.0, 0.5,
                                     key="ta_cover_km"))

    map_box = st.container()  # filled at the end, when sites are known too
    layers_out: dict[str, gpd.GeoDataFrame] = {}

    # ---------------------------------------------------------------- the area layer (table)
    band_label = {"outer_km": "ta.col.outer_km", "inner_km": "ta.col.inner_km",
                  "minutes": "ta.col.minutes", "share": "ta.col.share", "nodes": "ta.col.nodes",
                  "area_km2": "ta.col.area_km2", "customers": "ta.col.customers",
                  "resident": "ta.col.resident", "floating": "ta.col.floating",
                  "radius_km": "ta.col.radius_km", "paying_customers": "ta.col.paying_customers",
                  "service_point_id": "ta.col.service_point", "name": "ta.col.name",
                  "kind": "ta.col.kind", "cells": "ta.col.cells", "demand": "ta.col.demand",
                  "mean_probability": "ta.col.mean_probability", "method": "ta.col.method"}
    if layer is not None:
        layers_out[layer_name] = layer
        if area_type == "huff" and huff_cells is not None:
            layers_out["huff"] = T.points_layer(huff_cells)

    # ---------------------------------------------------------------- gaps / overlaps
    gap_df = ovl_df = None
    try:
        if show_gaps and all_sp is not None:
            gap_df = td.gaps(db, version, cover_km, kinds, scope)
            layers_out["gaps"] = T.points_layer(gap_df)
        if show_overlaps and all_sp is not None:
            ovl_df = td.overlaps(db, version, cover_km, kinds, scope)
            layers_out["overlaps"] = T.points_layer(ovl_df)
    except Exception as exc:  # a message, never a traceback
        _fail(exc)

    # ---------------------------------------------------------------- inside the area
    summary = None
    st.subheader(t("ta.inside.title", lang))
    if spec is None:
        st.info(t("ta.inside.none", lang), icon=":material/info:")
    else:
        try:
            with st.spinner(t("ta.working", lang)):
                summary = td.summary(db, version, spec, months, scope, household_size)
        except Exception as exc:  # bad input or missing data: a message, never a traceback
            _fail(exc)
    if summary is not None:
        m = summary.metrics.set_index("metric")
        area_vals = {k: float(v) for k, v in m["area"].items()}
        dist_vals = {k: float(v) for k, v in m["district"].items()}
        units = dict(m["unit"])
        district_name = names.get(summary.district_id or "", summary.district_id or "–")
        st.markdown(f"**{summary.label}**")
        st.caption(t("ta.inside.caption", lang, start=summary.months[0], end=summary.months[1],
                     district=district_name))
        kpi_tiles({k: area_vals[k] for k in TILE_KPIS},
                  {k: tv.label(k, lang) for k in TILE_KPIS}, lang)
        tv.tiles(TILES_2, area_vals, dist_vals, units, lang)
        tv.tiles(TILES_3, area_vals, dist_vals, units, lang)
        tv.metric_spans(summary.metrics)
        if huff_points is not None and band_col == "service_point_id":
            row = huff_points[huff_points["service_point_id"] == band_value]
            if len(row):
                r0 = row.iloc[0]
                st.caption(t("ta.huff.expected_caption", lang, expected=f"{r0['expected']:,.0f}",
                             share=f"{r0['share']:.1%}", home=int(r0["actual_home_customers"]),
                             payers=int(r0["actual_payers"])))

        with st.expander(t("ta.inside.all", lang), expanded=False):
            st.dataframe(tv.metrics_table(summary.metrics, lang), hide_index=True, width="stretch")
            st.caption(t("ta.inside.note", lang, size=f"{household_size:g}"))
        left, right = st.columns([3, 2])
        with left:
            st.markdown(f"**{t('ta.by_class', lang)}**")
            bc = summary.by_class.copy()
            st.dataframe(pd.DataFrame({
                t("ta.col.class", lang): [tv.translate(c, "report.class.", lang)
                                          for c in bc["customer_class"]],
                t("ta.col.tariff", lang): bc["tariff"],
                t("ta.col.customers", lang): bc["customers"].astype(int),
                t("ta.col.kwh", lang): bc["kwh"].round(0),
                t("ta.col.amount", lang): bc["amount"].round(2),
                t("ta.col.paid", lang): bc["paid"].round(2),
                t("ta.col.arrears", lang): bc["arrears"].round(2)}), hide_index=True,
                width="stretch", column_config={
                    t(f"ta.col.{c}", lang): st.column_config.NumberColumn(format="localized")
                    for c in ("kwh", "amount", "paid", "arrears")})
        with right:
            st.markdown(f"**{t('ta.by_channel', lang)}**")
            ch = summary.by_channel.copy()
            if ch.empty:
                st.caption(t("ta.no_payments", lang))
            else:
                ch_table = pd.DataFrame({
                    t("ta.col.channel", lang): [tv.translate(c, "report.channel.", lang)
                                                for c in ch["channel"]],
                    t("ta.col.payments", lang): ch["payments"].astype(int),
                    t("ta.col.paid", lang): ch["paid"].round(2),
                    t("ta.col.share", lang): (100 * ch["share"]).round(1)})
                st.dataframe(ch_table, hide_index=True, width="stretch", column_config={
                    t("ta.col.share", lang): st.column_config.ProgressColumn(
                        format="%.1f%%", min_value=0, max_value=100)})
        with st.expander(t("ta.cells.title", lang, n=len(summary.cells)), expanded=False):
            st.dataframe(summary.cells.rename(columns={
                "cell_id": t("ta.col.cell", lang), "resident": t("ta.col.resident", lang),
                "floating": t("ta.col.floating", lang),
                "residential_customers": t("ta.col.residential_customers", lang),
                "potential": t("ta.col.potential", lang)}).round(1), hide_index=True,
                width="stretch", height=260)

    # ---------------------------------------------------------------- Huff: expected per point
    if huff_points is not None:
        st.subheader(t("ta.huff.title", lang))
        st.caption(t("ta.huff.caption", lang))
        hp = huff_points.sort_values("expected", ascending=False)
        st.dataframe(pd.DataFrame({
            t("ta.col.service_point", lang): hp["service_point_id"],
            t("ta.col.name", lang): hp["name"],
            t("ta.col.kind", lang): [_kind(k) for k in hp["kind"]],
            t("ta.col.attractiveness", lang): hp["attractiveness"].round(2),
            t("ta.col.expected", lang): hp["expected"].round(0),
            t("ta.col.share", lang): (100 * hp["share"]).round(2),
            t("ta.col.home", lang): hp["actual_home_customers"],
            t("ta.col.payers", lang): hp["actual_payers"]}), hide_index=True, width="stretch",
            height=300)

    # ---------------------------------------------------------------- site selection
    st.subheader(t("ta.sites.title", lang))
    sites = None
    if all_sp is None:
        st.info(t("ta.needs_service_points", lang), icon=":material/info:")
    else:
        s1, s2, s3, s4 = st.columns([1, 1, 1.4, 1.2])
        k = int(s1.number_input(t("ta.sites.k", lang), 1, 20, 3, 1, key="ta_sites_k"))
        site_km = float(s2.number_input(t("ta.sites.km", lang), 0.5, 50.0, 3.0, 0.5,
                                        key="ta_sites_km"))
        weight = _keep("ta_weight", s3.selectbox(
            t("ta.sites.weight", lang), ("resident", "floating", "population", "customers"),
            key=_wkey("ta_weight"), format_func=lambda w: t(f"ta.weight.{w}", lang)))
        run_sites = s4.toggle(t("ta.sites.run", lang), key="ta_sites_on")
        st.caption(t("ta.sites.caption", lang))
        if run_sites:
            try:
                with st.spinner(t("ta.sites.working", lang)):
                    sites = td.sites(db, version, k, site_km, weight, kinds, scope)
            except Exception as exc:  # a message, never a traceback
                _fail(exc)
    if sites is not None:
        cov = sites.coverage.iloc[0]
        cov_vals = {"before": float(cov["before"]), "after": float(cov["after"]),
                    "total": float(cov["total"]), "before_share": float(cov["before_share"]),
                    "after_share": float(cov["after_share"])}
        tv.tiles(("before", "after", "total", "before_share", "after_share"), cov_vals, None,
                 {}, lang)
        st.dataframe(pd.DataFrame({
            t("ta.col.rank", lang): sites.sites["rank"],
            t("ta.col.cell", lang): sites.sites["cell_id"],
            t("ta.col.district", lang): [names.get(d, d) for d in sites.sites["district_id"]],
            t("ta.lon", lang): sites.sites["lon"], t("ta.lat", lang): sites.sites["lat"],
            t("ta.col.resident", lang): sites.sites["resident"],
            t("ta.col.floating", lang): sites.sites["floating"],
            t("ta.col.gain", lang): sites.sites["gain"].round(0)}), hide_index=True,
            width="stretch")
        layers_out["sites"] = T.points_layer(sites.sites)

    # ---------------------------------------------------------------- campaign target list
    st.subheader(t("ta.targets.title", lang))
    if not who.read_customers:
        st.info(t("ta.targets.not_allowed", lang), icon=":material/block:")
    elif spec is None:
        st.info(t("ta.inside.none", lang), icon=":material/info:")
    else:
        g1, g2 = st.columns([1.4, 1])
        segment = _keep("ta_segment", g1.radio(
            t("ta.segment", lang), T.SEGMENTS, key=_wkey("ta_segment"), horizontal=True,
            format_func=lambda s: t(f"ta.segment.{s}", lang)))
        if segment == "counter_payers":
            min_share = g2.slider(t("ta.min_counter_share", lang), 0.0, 0.95, 0.5, 0.05,
                                  key="ta_min_counter")
            visit_months = 6
        else:
            visit_months = int(g2.number_input(t("ta.visit_months", lang), 1, 36, 6, 1,
                                               key="ta_visit_months"))
            min_share = 0.5
        mask = not who.read_pii
        try:
            targets = td.targets(db, spec, segment, months, scope, mask, float(min_share),
                                 visit_months)
        except Exception as exc:  # bad input or missing data: a message, never a traceback
            _fail(exc)
            targets = None
        if targets is not None:
            st.caption(t(f"ta.segment.{segment}.help", lang) + " "
                       + t("ta.targets.count", lang, n=len(targets)))
            if mask:
                st.caption(t("ta.targets.masked", lang))
            st.dataframe(targets, hide_index=True, width="stretch", height=280)
            st.markdown(f'<div class="gcrm-ta-targets" data-rows="{len(targets)}" '
                        f'data-segment="{segment}" style="display:none"></div>',
                        unsafe_allow_html=True)

            def _record(fmt_: str, rows: int, seg: str, what: str, masked: bool) -> None:
                from dashboards.components import auth

                try:
                    auth.record_export(f"tradearea.targets:{seg}", rows, area=what, segment=seg,
                                       format=fmt_, masked=masked)
                except Exception as exc:  # the download happened; say the audit failed
                    ss["ta_audit_error"] = str(exc)

            if not who.export:
                st.caption(t("ta.no_export", lang))
            else:
                stem = f"targets_{segment}_{(sp_id or 'point')}"
                args = (len(targets), segment, summary.label if summary else label, mask)
                d1, d2, _ = st.columns([1, 1, 3])
                d1.download_button(t("ta.download_csv", lang), tv.csv_bytes(targets),
                                   file_name=f"{stem}.csv", mime="text/csv", key="ta_targets_csv",
                                   on_click=_record, args=("csv", *args),
                                   icon=":material/download:")
                d2.download_button(
                    t("ta.download_xlsx", lang), lambda df=targets, sheet=segment: tv.xlsx_bytes(
                        df, sheet),  # written on the click only
                    file_name=f"{stem}.xlsx", key="ta_targets_xlsx", on_click=_record,
                    args=("xlsx", *args), icon=":material/download:",
                    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            if err := ss.pop("ta_audit_error", None):
                st.error(t("ta.audit_failed", lang, error=err))

    # ---------------------------------------------------------------- layer downloads
    st.subheader(t("ta.export.title", lang))
    if not who.export:
        st.caption(t("ta.no_export", lang))
    elif not layers_out:
        st.caption(t("ta.export.none", lang))
    else:
        e1, e2, e3, e4 = st.columns([1.4, 1, 1, 1.2])
        if ss.get("ta_export_layer") not in layers_out:
            _set("ta_export_layer", next(iter(layers_out)))
        which = _keep("ta_export_layer", e1.selectbox(
            t("ta.export.layer", lang), list(layers_out), key=_wkey("ta_export_layer"),
            format_func=lambda n: t(f"ta.layer.{n}", lang)))
        fmt = e2.radio(t("ta.export.format", lang), ("geojson", "gpkg"), key="ta_export_fmt",
                       format_func=lambda f: {"geojson": "GeoJSON", "gpkg": "GeoPackage"}[f])
        datum = e3.radio(t("ta.export.datum", lang), ("wgs84", "gcj02"), key="ta_export_datum",
                         format_func=lambda d: {"wgs84": "WGS-84", "gcj02": "GCJ-02"}[d],
                         help=t("ta.export.datum_help", lang))
        gdf_out = layers_out[which]

        def _layer_file(gdf=gdf_out, f=fmt, d=datum, name=which) -> bytes:
            return td.layer_bytes(gdf, f, d, name)

        def _record_layer(name: str, rows: int, f: str, d: str) -> None:
            from dashboards.components import auth

            try:
                auth.record_export(f"tradearea.{name}", rows, format=f, datum=d,
                                   area=summary.label if summary else label)
            except Exception as exc:
                ss["ta_audit_error_layer"] = str(exc)

        suffix = "_gcj02" if datum == "gcj02" else ""
        e4.download_button(t("ta.export.download", lang), _layer_file,
                           file_name=f"tradearea_{which}{suffix}.{fmt}",
                           mime="application/geo+json" if fmt == "geojson" else
                           "application/geopackage+sqlite3", key="ta_export_btn",
                           on_click=_record_layer, args=(which, len(gdf_out), fmt, datum),
                           icon=":material/download:")
        if err := ss.pop("ta_audit_error_layer", None):
            st.error(t("ta.audit_failed", lang, error=err))

    # ---------------------------------------------------------------- the map (top of the page)
    def _draw_map() -> None:
        """The map, its legend and the layer table (into ``map_box``, above the summary)."""
        st.subheader(t("ta.map.title", lang))
        if (layer is not None and area_type == "drivetime"
                and (layer["method"] == "distance_fallback").any()):
            st.caption(t("ta.fallback_note", lang))
        shown_sp = visible_sp[visible_sp["kind"].isin(kinds)].copy()
        shown_sp["selected"] = shown_sp["service_point_id"] == sp_id
        shown_sp["detail"] = [f"{s} · {_kind(k)}" for s, k in zip(shown_sp["service_point_id"],
                                                                  shown_sp["kind"], strict=True)]
        areas = None
        legend_rows: list[str] = []
        if layer is not None and len(layer):
            areas = layer.copy()
            nested = band_col in ("outer_km", "minutes", "share")
            if nested:
                areas = areas.sort_values(band_col, ascending=False)  # large first, small on top
                n = len(areas)
                areas["fill"] = [[*tm.BAND, 40 + 25 * i // max(n - 1, 1)] for i in range(n)]
            else:
                areas["fill"] = [[*tm.category_color(s), 95] for s in areas["service_point_id"]]
            selected = (areas[band_col] == band_value if band_col is not None
                        else pd.Series(False, index=areas.index))
            areas["line"] = [[20, 20, 20, 255] if s else [*tm.BAND, 160] for s in selected]
            areas["width"] = [3 if s else 1 for s in selected]
            if band_col == "outer_km":
                areas["name"] = [t("ta.within_km", lang, km=f"{v:g}") for v in areas["outer_km"]]
            elif band_col == "minutes" or area_type == "drivetime":
                areas["name"] = [t("ta.within_min", lang, min=f"{v:g}") for v in areas["minutes"]]
            elif area_type == "customers":
                areas["name"] = [t("ta.share_of_payers", lang, share=f"{v:.0%}")
                                 for v in areas["share"]]
            else:
                areas["name"] = [f"{sp_names.get(s, '')} · {s}" for s in areas["service_point_id"]]
            if nested:
                areas["band"] = areas[band_col].astype(str)
            if "resident" in areas.columns:
                areas["detail"] = [t("ta.map.area_detail", lang, customers=f"{c:,.0f}",
                                     resident=f"{r:,.0f}", km2=f"{a:,.1f}")
                                   for c, r, a in zip(areas["customers"], areas["resident"],
                                                      areas["area_km2"], strict=True)]
            elif "radius_km" in areas.columns:
                areas["detail"] = [t("ta.map.payers_detail", lang, customers=f"{c:,.0f}",
                                     km=f"{r:,.1f}", km2=f"{a:,.1f}")
                                   for c, r, a in zip(areas["customers"], areas["radius_km"],
                                                      areas["area_km2"], strict=True)]
            else:
                areas["detail"] = [t("ta.map.huff_detail", lang, demand=f"{d:,.0f}",
                                     cells=int(c), km2=f"{a:,.1f}")
                                   for d, c, a in zip(areas["demand"], areas["cells"],
                                                      areas["area_km2"], strict=True)]
            keep = ["name", "detail", "fill", "line", "width", "geometry"]
            keep += [c for c in ("band", "service_point_id") if c in areas.columns]
            areas = areas[keep]
            legend_rows.append(tm.swatch(tm.BAND, t(f"ta.type.{area_type}", lang)))
        cells_df = None
        if show_cells:
            cells_df = td.cells(db, version, scope)
            cells_df = cells_df.assign(
                name=cells_df["cell_id"],
                detail=[t("ta.map.cell_detail", lang, resident=f"{r:,.0f}", floating=f"{f:,.0f}")
                        for r, f in zip(cells_df["resident"], cells_df["floating"], strict=True)])
            legend_rows.append(tm.swatch(tm.maps.RAMP[3], t("ta.legend.cells", lang), True))

        def _points(df: pd.DataFrame | None, text_key: str) -> pd.DataFrame | None:
            if df is None or df.empty:
                return None
            return df.assign(name=df["cell_id"], detail=[
                t(text_key, lang, resident=f"{r:,.0f}", km=f"{d:,.1f}")
                for r, d in zip(df["resident"], df["nearest_km"], strict=True)])

        sites_df = rings_gdf = None
        if sites is not None and len(sites.sites):
            sites_df = sites.sites.assign(
                name=[t("ta.map.site", lang, rank=r) for r in sites.sites["rank"]],
                detail=[t("ta.map.site_detail", lang, gain=f"{g:,.0f}", cell=c)
                        for g, c in zip(sites.sites["gain"], sites.sites["cell_id"], strict=True)])
            rings_gdf = gpd.GeoDataFrame(pd.concat(
                [ta.rings(x, y, [site_km]) for x, y in zip(sites.sites["lon"], sites.sites["lat"],
                                                             strict=True)], ignore_index=True),
                crs=ta.WGS84)
            legend_rows.append(tm.swatch(tm.SITE, t("ta.legend.sites", lang), True))
        if gap_df is not None:
            legend_rows.append(tm.swatch(tm.GAP, t("ta.legend.gaps", lang, km=f"{cover_km:g}"),
                                         True))
        if ovl_df is not None:
            legend_rows.append(tm.swatch(tm.OVERLAP, t("ta.legend.overlaps", lang,
                                                       km=f"{cover_km:g}"), True))
        focus = None  # nested areas: all of them; proximity / Huff: the chosen one
        if layer is not None and len(layer) and area_type not in ("voronoi", "huff"):
            focus = tm.pad_bounds(tuple(layer.total_bounds), 0.08)
        elif layer is not None and band_col is not None:
            sel = layer[layer[band_col] == band_value]
            if len(sel):
                focus = tm.pad_bounds(tuple(sel.total_bounds), 0.6)
        deck = tm.build_deck(tm.MapLayers(
            districts=geo, areas=areas, service_points=shown_sp if len(shown_sp) else None,
            cells=cells_df, gaps=_points(gap_df, "ta.map.gap_detail"),
            overlaps=_points(ovl_df, "ta.map.gap_detail"), sites=sites_df, site_rings=rings_gdf,
            center=(center[0], center[1]) if center is not None and mode == "point" else None,
            focus=focus))
        map_col, legend_col = st.columns([5, 1])
        with map_col:
            st.pydeck_chart(deck, height=560, key="ta_map", on_select=_on_map_select,
                            selection_mode="single-object")
        with legend_col:
            kind_rows = [tm.swatch(tm.KIND_COLORS[k], _kind(k), True) for k in T.KINDS
                         if k in kinds]
            st.markdown(tm.legend(t("ta.legend.title", lang), kind_rows + legend_rows),
                        unsafe_allow_html=True)
            if gap_df is not None:
                st.caption(t("ta.gaps.caption", lang, n=len(gap_df), km=f"{cover_km:g}",
                             resident=f"{gap_df['resident'].sum():,.0f}"))
            if ovl_df is not None:
                st.caption(t("ta.overlaps.caption", lang, n=len(ovl_df), km=f"{cover_km:g}"))
        if layer is not None and len(layer):
            shown = layer.drop(columns=[layer.geometry.name, "note"], errors="ignore")
            st.dataframe(shown.rename(columns={c: t(k, lang) for c, k in band_label.items()
                                               if c in shown.columns}).round(3),
                         hide_index=True, width="stretch",
                         height=min(38 + 35 * len(shown), 260))


    with map_box:
        try:
            _draw_map()
        except Exception as exc:  # never a traceback on the page
            _fail(exc)

    shell.page_done("tradearea", lang)
