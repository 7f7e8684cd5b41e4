"""The trading-area map: district outlines (the basemap), trade-area polygons, service points,
population cells, gaps, overlaps and proposed sites, as one pydeck Deck.

Built on :func:`dashboards.components.maps.deck` (``map_provider=None``: no basemap request,
works offline). Every layer has an ``id`` (needed for ``st.pydeck_chart(on_select=...)``) and
its objects carry ``name`` and ``detail`` for the one tooltip template
(:data:`TOOLTIP`). Clicking a service point or a population cell selects it (the page turns
that into the centre of the analysis: :func:`dashboards.tradearea.controls.map_select_handler`).

:func:`draw_map` draws the map section: the Deck, its legend and the area layer's table.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
import pydeck as pdk
import streamlit as st
from pydeck.types import String

from dashboards.components import maps
from dashboards.tradearea import data as td
from dashboards.tradearea import views
from dashboards.tradearea.state import Area, Choice, Context, Overlays, fail
from gcrm.i18n import t, tn
from gcrm.tradearea import geometry
from gcrm.tradearea.queries import Sites
from gcrm.vocab import SERVICE_POINT_KINDS as KINDS

TOOLTIP = "<b>{name}</b><br/>{detail}"
#: service-point colours per kind (Okabe-Ito, colour-blind safe)
KIND_COLORS: dict[str, tuple[int, int, int]] = {
    "business_hall": (213, 94, 0), "bank_agent": (0, 114, 178), "self_service": (0, 158, 115)}
OTHER = (120, 120, 120)
#: categorical palette for proximity / Huff areas (one colour per service point)
PALETTE: tuple[tuple[int, int, int], ...] = (
    (230, 159, 0), (86, 180, 233), (0, 158, 115), (240, 228, 66), (0, 114, 178),
    (213, 94, 0), (204, 121, 167), (153, 153, 153), (166, 206, 227), (178, 223, 138),
    (251, 154, 153), (253, 191, 111), (202, 178, 214), (255, 255, 153))
#: nested areas (rings, drive times, customer shares), inner to outer
BAND = (37, 52, 148)
GAP = (215, 48, 39)
OVERLAP = (253, 174, 97)
SITE = (118, 42, 131)
CENTER = (20, 20, 20)
#: labels of the area layer's table columns
COLUMN_KEYS = {"outer_km": "ta.col.outer_km", "inner_km": "ta.col.inner_km",
               "minutes": "ta.col.minutes", "share": "ta.col.share", "nodes": "ta.col.nodes",
               "area_km2": "ta.col.area_km2", "customers": "ta.col.customers",
               "resident": "ta.col.resident", "floating": "ta.col.floating",
               "radius_km": "ta.col.radius_km", "paying_customers": "ta.col.paying_customers",
               "service_point_id": "ta.col.service_point", "name": "ta.col.name",
               "kind": "ta.col.kind", "cells": "ta.col.cells", "demand": "ta.col.demand",
               "mean_probability": "ta.col.mean_probability", "method": "ta.col.method"}


def category_color(key: str) -> tuple[int, int, int]:
    """A stable palette colour for ``key``."""
    return PALETTE[int(hashlib.sha1(key.encode()).hexdigest(), 16) % len(PALETTE)]


@dataclass
class MapLayers:
    """What the page wants on the map (all optional but the districts)."""

    districts: dict
    areas: gpd.GeoDataFrame | None = None  # with columns name, detail, fill, selected
    service_points: pd.DataFrame | None = None  # lon, lat, name, detail, kind, selected
    cells: pd.DataFrame | None = None  # lon, lat, name, detail, resident
    gaps: pd.DataFrame | None = None  # lon, lat, name, detail
    overlaps: pd.DataFrame | None = None
    sites: pd.DataFrame | None = None  # lon, lat, name, detail, rank
    site_rings: gpd.GeoDataFrame | None = None
    center: tuple[float, float] | None = None
    focus: tuple[float, float, float, float] | None = None  # bounds to fit the view to
    extra_bounds: list = field(default_factory=list)


def _records(df: pd.DataFrame, cols: Sequence[str]) -> list[dict]:
    out = df[list(cols)].copy()
    for c in out.columns:
        if c not in ("lon", "lat", "fill", "line", "radius"):
            out[c] = out[c].astype(str)
    return out.to_dict("records")


def _features(gdf: gpd.GeoDataFrame, tolerance: float = 0.0003) -> dict:
    """GeoJSON of ``gdf`` (geometry simplified for the screen) with properties name, detail,
    fill, line, width and, when present, band and service_point_id (read back on a click)."""
    shown = gdf.copy()
    shown["geometry"] = shown.geometry.simplify(tolerance, preserve_topology=True)
    keep = [c for c in ("name", "detail", "fill", "line", "width", "band", "service_point_id")
            if c in shown.columns]
    return json.loads(shown[[*keep, "geometry"]].to_json(drop_id=True))


def _polygon_layer(layer_id: str, gdf: gpd.GeoDataFrame, pickable: bool, **style) -> pdk.Layer:
    """Polygons filled and outlined from their ``fill``, ``line`` and ``width`` properties."""
    return pdk.Layer(
        "GeoJsonLayer", _features(gdf), id=layer_id, pickable=pickable, stroked=True,
        filled=True, get_fill_color="properties.fill", get_line_color="properties.line",
        get_line_width="properties.width", line_width_units=String("pixels"), **style)


def _cell_layer(cells: pd.DataFrame) -> pdk.Layer:
    """Population cells coloured by residents."""
    cells = cells.copy()
    classes = maps.classify(cells["resident"].tolist())
    cells["fill"] = [[*classes.color(float(v)), 150] for v in cells["resident"]]
    return pdk.Layer(
        "ScatterplotLayer", _records(cells, ["lon", "lat", "name", "detail", "cell_id", "fill"]),
        id="cells", pickable=True, get_position=["lon", "lat"], get_fill_color="fill",
        get_radius=450, radius_units=String("meters"), radius_min_pixels=2,
        radius_max_pixels=8, stroked=False)


def _coverage_layer(name: str, df: pd.DataFrame, color: tuple[int, int, int]) -> pdk.Layer:
    """Gap or overlap cells (a population cell: about 1 km across)."""
    return pdk.Layer(
        "ScatterplotLayer", _records(df, ["lon", "lat", "name", "detail"]), id=name,
        pickable=True, get_position=["lon", "lat"], get_fill_color=[*color, 210],
        get_radius=500, radius_units=String("meters"), radius_min_pixels=1.5,
        radius_max_pixels=9, stroked=False)


def _site_ring_layer(rings: gpd.GeoDataFrame) -> pdk.Layer:
    ring = rings.copy()
    ring["fill"] = [[*SITE, 30]] * len(ring)
    ring["line"] = [[*SITE, 220]] * len(ring)
    ring["width"] = 2
    return _polygon_layer("site_rings", ring, False)


def _service_point_layer(points: pd.DataFrame) -> pdk.Layer:
    """Service points coloured by kind, the selected one larger and outlined in black."""
    sp = points.copy()
    sp["fill"] = [[*KIND_COLORS.get(k, OTHER), 235] for k in sp["kind"]]
    sp["radius"] = [10 if s else 5 for s in sp["selected"]]
    sp["line"] = [[0, 0, 0, 255] if s else [255, 255, 255, 255] for s in sp["selected"]]
    return pdk.Layer(
        "ScatterplotLayer", _records(sp, ["lon", "lat", "name", "detail", "service_point_id",
                                          "fill", "radius", "line"]),
        id="service_points", pickable=True, get_position=["lon", "lat"],
        get_fill_color="fill", get_radius="radius", radius_units=String("pixels"),
        stroked=True, get_line_color="line", line_width_min_pixels=1.5)


def _site_layers(sites: pd.DataFrame) -> list[pdk.Layer]:
    """Proposed sites and their rank numbers."""
    pts = _records(sites, ["lon", "lat", "name", "detail", "rank"])
    dots = pdk.Layer(
        "ScatterplotLayer", pts, id="sites", pickable=True, get_position=["lon", "lat"],
        get_fill_color=[*SITE, 240], get_radius=9, radius_units=String("pixels"),
        stroked=True, get_line_color=[255, 255, 255, 255], line_width_min_pixels=2)
    ranks = pdk.Layer(
        "TextLayer", pts, id="site_labels", pickable=False, get_position=["lon", "lat"],
        get_text="rank", get_size=12, size_units=String("pixels"),
        get_color=[255, 255, 255, 255], get_text_anchor=String("middle"),
        get_alignment_baseline=String("center"), font_family=String(maps.CJK_FONTS))
    return [dots, ranks]


def _center_layer(center: tuple[float, float]) -> pdk.Layer:
    return pdk.Layer(
        "ScatterplotLayer", [{"lon": center[0], "lat": center[1], "name": "", "detail": ""}],
        id="center", pickable=False, get_position=["lon", "lat"],
        get_fill_color=[255, 255, 255, 255], get_radius=7, radius_units=String("pixels"),
        stroked=True, get_line_color=[*CENTER, 255], line_width_min_pixels=3)


def _district_label_layer(districts: dict) -> pdk.Layer | None:
    labels = [{"name": f["properties"]["name"],
               "position": [f["properties"]["centroid_lon"], f["properties"]["centroid_lat"]]}
              for f in districts.get("features", [])
              if f["properties"].get("centroid_lon") is not None]
    if not labels:
        return None
    return pdk.Layer(
        "TextLayer", labels, id="district_labels", pickable=False, get_text="name",
        get_position="position", get_size=13, size_units=String("pixels"),
        get_color=[90, 90, 90, 255], character_set=String("auto"),
        font_family=String(maps.CJK_FONTS), font_settings={"sdf": True}, outline_width=3,
        outline_color=[255, 255, 255, 220], get_text_anchor=String("middle"),
        get_alignment_baseline=String("center"))


def _shown(df: pd.DataFrame | None) -> bool:
    return df is not None and len(df) > 0


def build_deck(m: MapLayers) -> pdk.Deck:
    """The Deck of ``m``, its layers stacked districts first, labels last."""
    layers = [pdk.Layer(
        "GeoJsonLayer", m.districts, id="districts", pickable=False, stroked=True, filled=True,
        get_fill_color=[244, 245, 247, 255], get_line_color=[110, 110, 110, 255],
        line_width_min_pixels=1)]
    if _shown(m.areas):
        layers.append(_polygon_layer("areas", m.areas, True, auto_highlight=True,
                                     highlight_color=[255, 140, 0, 70]))
    if _shown(m.cells):
        layers.append(_cell_layer(m.cells))
    layers += [_coverage_layer(name, df, color) for name, df, color in
               (("gaps", m.gaps, GAP), ("overlaps", m.overlaps, OVERLAP)) if _shown(df)]
    if _shown(m.site_rings):
        layers.append(_site_ring_layer(m.site_rings))
    if _shown(m.service_points):
        layers.append(_service_point_layer(m.service_points))
    if _shown(m.sites):
        layers += _site_layers(m.sites)
    if m.center is not None:
        layers.append(_center_layer(m.center))
    if (labels := _district_label_layer(m.districts)) is not None:
        layers.append(labels)
    bounds = m.focus or maps.bounds_of(m.districts)
    view = (maps.fit_view(bounds, height=560) if bounds else
            pdk.ViewState(longitude=125.9, latitude=41.7, zoom=7))
    return maps.deck(layers, view, TOOLTIP)


def pad_bounds(bounds: tuple[float, float, float, float],
               pad: float = 0.15) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = bounds
    dx, dy = max(x1 - x0, 0.01) * pad, max(y1 - y0, 0.01) * pad
    return x0 - dx, y0 - dy, x1 + dx, y1 + dy


def swatch(color: Sequence[int], text: str, round_: bool = False) -> str:
    r, g, b = color[:3]
    radius = "50%" if round_ else "2px"
    return (f'<div style="white-space:nowrap"><span style="display:inline-block;width:12px;'
            f'height:12px;vertical-align:middle;background:rgb({r},{g},{b});border-radius:'
            f'{radius};border:1px solid #777;margin-right:6px"></span>{html.escape(text)}</div>')


def legend(title: str, rows: Sequence[str]) -> str:
    return (f'<div class="gcrm-legend" style="font-size:0.85rem;line-height:1.6">'
            f"<b>{html.escape(title)}</b>{''.join(rows)}</div>")


# --------------------------------------------------------------------------- the map section
def _service_point_rows(ctx: Context, choice: Choice) -> pd.DataFrame:
    shown = ctx.visible_sp[ctx.visible_sp["kind"].isin(choice.kinds)].copy()
    shown["selected"] = shown["service_point_id"] == choice.sp_id
    shown["detail"] = [f"{s} · {views.kind_label(k, ctx.lang)}"
                       for s, k in zip(shown["service_point_id"], shown["kind"], strict=True)]
    return shown


def _area_names(areas: gpd.GeoDataFrame, area: Area, area_type: str,
                ctx: Context) -> list[str]:
    lang = ctx.lang
    if area.band_col == "outer_km":
        return [t("ta.within_km", lang, km=f"{v:g}") for v in areas["outer_km"]]
    if area.band_col == "minutes" or area_type == "drivetime":
        return [t("ta.within_min", lang, min=f"{v:g}") for v in areas["minutes"]]
    if area_type == "customers":
        return [t("ta.share_of_payers", lang, share=f"{v:.0%}") for v in areas["share"]]
    return [f"{ctx.sp_names.get(s, '')} · {s}" for s in areas["service_point_id"]]


def _area_details(areas: gpd.GeoDataFrame, lang: str) -> list[str]:
    if "resident" in areas.columns:
        return [t("ta.map.area_detail", lang, customers=f"{c:,.0f}", resident=f"{r:,.0f}",
                  km2=f"{a:,.1f}")
                for c, r, a in zip(areas["customers"], areas["resident"], areas["area_km2"],
                                   strict=True)]
    if "radius_km" in areas.columns:
        return [t("ta.map.payers_detail", lang, customers=f"{c:,.0f}", km=f"{r:,.1f}",
                  km2=f"{a:,.1f}")
                for c, r, a in zip(areas["customers"], areas["radius_km"], areas["area_km2"],
                                   strict=True)]
    return [t("ta.map.huff_detail", lang, demand=f"{d:,.0f}", cells=int(c), km2=f"{a:,.1f}")
            for d, c, a in zip(areas["demand"], areas["cells"], areas["area_km2"], strict=True)]


def _area_shapes(ctx: Context, choice: Choice, area: Area) -> gpd.GeoDataFrame:
    """The area layer styled for the map: nested areas large first (small on top) in shades of
    one colour, others one colour per service point; the summarised one outlined."""
    areas = area.layer.copy()
    nested = area.band_col in ("outer_km", "minutes", "share")
    if nested:
        areas = areas.sort_values(area.band_col, ascending=False)
        n = len(areas)
        areas["fill"] = [[*BAND, 40 + 25 * i // max(n - 1, 1)] for i in range(n)]
    else:
        areas["fill"] = [[*category_color(s), 95] for s in areas["service_point_id"]]
    selected = (areas[area.band_col] == area.band_value if area.band_col is not None
                else pd.Series(False, index=areas.index))
    areas["line"] = [[20, 20, 20, 255] if s else [*BAND, 160] for s in selected]
    areas["width"] = [3 if s else 1 for s in selected]
    areas["name"] = _area_names(areas, area, choice.area_type, ctx)
    if nested:
        areas["band"] = areas[area.band_col].astype(str)
    areas["detail"] = _area_details(areas, ctx.lang)
    keep = ["name", "detail", "fill", "line", "width", "geometry"]
    keep += [c for c in ("band", "service_point_id") if c in areas.columns]
    return areas[keep]


def _cell_rows(ctx: Context) -> pd.DataFrame:
    cells = td.cells(ctx.db, ctx.version, ctx.scope)
    return cells.assign(
        name=cells["cell_id"],
        detail=[t("ta.map.cell_detail", ctx.lang, resident=f"{r:,.0f}", floating=f"{f:,.0f}")
                for r, f in zip(cells["resident"], cells["floating"], strict=True)])


def _coverage_rows(df: pd.DataFrame | None, lang: str) -> pd.DataFrame | None:
    if df is None or df.empty:
        return None
    return df.assign(name=df["cell_id"], detail=[
        t("ta.map.gap_detail", lang, resident=f"{r:,.0f}", km=f"{d:,.1f}")
        for r, d in zip(df["resident"], df["nearest_km"], strict=True)])


def _site_rows(sites: pd.DataFrame, km: float,
               lang: str) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """The proposed sites with their labels, and the ``km`` ring of each."""
    rows = sites.assign(
        name=[t("ta.map.site", lang, rank=r) for r in sites["rank"]],
        detail=[t("ta.map.site_detail", lang, gain=f"{g:,.0f}", cell=c)
                for g, c in zip(sites["gain"], sites["cell_id"], strict=True)])
    rings = gpd.GeoDataFrame(pd.concat(
        [geometry.rings(x, y, [km]) for x, y in zip(sites["lon"], sites["lat"], strict=True)],
        ignore_index=True), crs=geometry.WGS84)
    return rows, rings


def _focus(choice: Choice, area: Area) -> tuple[float, float, float, float] | None:
    """Nested areas: all of them; proximity / Huff: the chosen one."""
    layer = area.layer
    if layer is not None and len(layer) and choice.area_type not in ("voronoi", "huff"):
        return pad_bounds(tuple(layer.total_bounds), 0.08)
    if layer is not None and area.band_col is not None:
        sel = layer[layer[area.band_col] == area.band_value]
        if len(sel):
            return pad_bounds(tuple(sel.total_bounds), 0.6)
    return None


def _legend(ctx: Context, choice: Choice, area: Area, ov: Overlays, has_sites: bool) -> None:
    lang, km = ctx.lang, f"{ov.cover_km:g}"
    rows = [swatch(KIND_COLORS[k], views.kind_label(k, lang), True) for k in KINDS
            if k in choice.kinds]
    if area.layer is not None and len(area.layer):
        rows.append(swatch(BAND, t(f"ta.type.{choice.area_type}", lang)))
    if ov.show_cells:
        rows.append(swatch(maps.RAMP[3], t("ta.legend.cells", lang), True))
    if has_sites:
        rows.append(swatch(SITE, t("ta.legend.sites", lang), True))
    if ov.gaps is not None:
        rows.append(swatch(GAP, t("ta.legend.gaps", lang, km=km), True))
    if ov.overlaps is not None:
        rows.append(swatch(OVERLAP, t("ta.legend.overlaps", lang, km=km), True))
    st.markdown(legend(t("ta.legend.title", lang), rows), unsafe_allow_html=True)
    if ov.gaps is not None:
        st.caption(tn("ta.gaps.caption", len(ov.gaps), lang, km=km,
                      resident=f"{ov.gaps['resident'].sum():,.0f}"))
    if ov.overlaps is not None:
        st.caption(tn("ta.overlaps.caption", len(ov.overlaps), lang, km=km))


def _layer_table(layer: gpd.GeoDataFrame | None, lang: str) -> None:
    if layer is None or not len(layer):
        return
    shown = layer.drop(columns=[layer.geometry.name, "note"], errors="ignore")
    st.dataframe(shown.rename(columns={c: t(k, lang) for c, k in COLUMN_KEYS.items()
                                       if c in shown.columns}).round(3),
                 hide_index=True, width="stretch", height=min(38 + 35 * len(shown), 260))


def _draw(ctx: Context, choice: Choice, area: Area, ov: Overlays, sites: Sites | None,
          site_km: float, on_select: Callable[[], None]) -> None:
    lang, layer, center = ctx.lang, area.layer, choice.center
    st.subheader(t("ta.map.title", lang))
    if (layer is not None and choice.area_type == "drivetime"
            and (layer["method"] == "distance_fallback").any()):
        st.caption(t("ta.fallback_note", lang))
    shown_sp = _service_point_rows(ctx, choice)
    areas = _area_shapes(ctx, choice, area) if layer is not None and len(layer) else None
    cells = _cell_rows(ctx) if ov.show_cells else None
    has_sites = sites is not None and len(sites.sites) > 0
    site_rows, site_rings = _site_rows(sites.sites, site_km, lang) if has_sites else (None, None)
    deck = build_deck(MapLayers(
        districts=ctx.geo, areas=areas, service_points=shown_sp if len(shown_sp) else None,
        cells=cells, gaps=_coverage_rows(ov.gaps, lang),
        overlaps=_coverage_rows(ov.overlaps, lang), sites=site_rows, site_rings=site_rings,
        center=(center[0], center[1]) if center is not None and choice.mode == "point" else None,
        focus=_focus(choice, area)))
    map_col, legend_col = st.columns([5, 1])
    with map_col:
        st.pydeck_chart(deck, height=560, key="ta_map", on_select=on_select,
                        selection_mode="single-object")
    with legend_col:
        _legend(ctx, choice, area, ov, has_sites)
    _layer_table(layer, lang)


def draw_map(ctx: Context, choice: Choice, area: Area, ov: Overlays, sites: Sites | None,
             site_km: float, on_select: Callable[[], None]) -> None:
    """The map, its legend and the area layer's table (``on_select``: a click on the map)."""
    try:
        _draw(ctx, choice, area, ov, sites, site_km, on_select)
    except Exception as exc:  # never a traceback on the page
        fail(exc, ctx.lang)
