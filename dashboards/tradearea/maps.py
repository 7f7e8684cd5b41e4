"""The trading-area map: district areas and names (the basemap: no tiles), trade-area polygons,
service points, population cells, gaps, overlaps and proposed sites, as one SVG scene
(:mod:`dashboards.components.svgmap`, no WebGL).

Tooltips are svgmap's three plain-text lines (``title`` = name, ``line1`` = detail). What a
click reports (:func:`dashboards.tradearea.controls.map_click_handler` turns it into the
centre of the analysis): ``sp:<id>`` for a service point or the area of one, ``band:<value>``
for a ring, drive-time or share band, ``pt:<lon>,<lat>`` for a population cell, a gap, an
overlap or a proposed site.

:func:`draw_map` draws the map section: the map, its legend and the area layer's table.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
import streamlit as st

from dashboards.components import maps, svgmap
from dashboards.tradearea import data as td
from dashboards.tradearea import views
from dashboards.tradearea.state import Area, Choice, Context, Overlays, fail
from gcrm.i18n import t, tn
from gcrm.tradearea import geometry
from gcrm.tradearea.queries import Sites
from gcrm.vocab import SERVICE_POINT_KINDS as KINDS

#: the map's size in px (the SVG scales to its column's width)
WIDTH = 900
HEIGHT = 560
TONGHUA = (125.3, 41.2, 126.6, 42.4)  # the view when nothing is located
#: what a click reports: a service point, a band of nested areas, a point
SP = "sp:"
BAND_PICK = "band:"
POINT = "pt:"
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


def _records(df: pd.DataFrame, fill: Sequence[int] | list, pick: bool = True) -> list[dict]:
    """svgmap point records of ``df`` (lon, lat, name, detail[, fill]): tooltips, and an id
    ``pt:<lon>,<lat>`` a click reports."""
    fills = df["fill"].tolist() if "fill" in df.columns else [fill] * len(df)
    return [{"lon": float(lon), "lat": float(lat), "title": str(n), "line1": str(d),
             "fill": f, "id": f"{POINT}{lon:.5f},{lat:.5f}" if pick else ""}
            for lon, lat, n, d, f in zip(df["lon"], df["lat"], df["name"], df["detail"], fills,
                                         strict=True)]


def _features(gdf: gpd.GeoDataFrame, tolerance: float = 0.0003) -> dict:
    """GeoJSON of ``gdf`` (geometry simplified for the screen) with the svgmap properties:
    ``title``/``line1`` (name, detail), ``fill`` and ``region_id`` (what a click reports:
    ``sp:<id>`` or ``band:<value>``, when the frame has those columns)."""
    shown = gdf.copy()
    shown["geometry"] = shown.geometry.simplify(tolerance, preserve_topology=True)
    fc = json.loads(shown[["geometry"]].to_json(drop_id=True))
    for f, row in zip(fc["features"], shown.to_dict("records"), strict=True):
        sp, band = row.get("service_point_id"), row.get("band")
        rid = (f"{SP}{sp}" if isinstance(sp, str) and sp
               else f"{BAND_PICK}{band}" if isinstance(band, str) and band else "")
        f["properties"] = {"title": row.get("name", ""), "line1": row.get("detail", ""),
                           "fill": row.get("fill"), "region_id": rid}
    return fc


def _area_layers(areas: gpd.GeoDataFrame, frame: svgmap.Frame) -> list[dict]:
    """The trade areas (pickable), the summarised one outlined in black."""
    fc = _features(areas)
    chosen = {"type": "FeatureCollection",
              "features": [f for f, s in zip(fc["features"], areas["selected"], strict=True)
                           if s]}
    return [svgmap.areas(fc, frame, "areas", opacity=1.0),
            svgmap.outline(chosen, frame, "area_selected", color=(20, 20, 20), width_px=3)]


def _cell_layer(cells: pd.DataFrame, frame: svgmap.Frame) -> dict:
    """Population cells coloured by residents."""
    classes = maps.classify(cells["resident"].tolist())
    cells = cells.assign(fill=[[*classes.color(float(v)), 150] for v in cells["resident"]])
    return svgmap.points(_records(cells, []), frame, "cells", "fill", radius_m=450, min_px=2,
                         max_px=8, stroke=False, pick=True)


def _coverage_layer(name: str, df: pd.DataFrame, color: tuple[int, int, int],
                    frame: svgmap.Frame) -> dict:
    """Gap or overlap cells (a population cell: about 1 km across)."""
    return svgmap.points(_records(df, [*color, 210]), frame, name, "fill", radius_m=500,
                         min_px=1.5, max_px=9, stroke=False, pick=True)


def _site_ring_layer(rings: gpd.GeoDataFrame, frame: svgmap.Frame) -> list[dict]:
    fc = json.loads(rings[["geometry"]].to_json(drop_id=True))
    for f in fc["features"]:
        f["properties"] = {"fill": [*SITE, 30]}
    return [svgmap.areas(fc, frame, "site_rings", pickable=False, opacity=1.0),
            svgmap.outline(fc, frame, "site_ring_lines", color=(*SITE, 220), width_px=2)]


def _service_point_layers(points: pd.DataFrame, frame: svgmap.Frame) -> list[dict]:
    """Service points coloured by kind (a click picks one), the selected one larger on a
    black ring."""
    recs = [{"lon": float(r.lon), "lat": float(r.lat), "title": str(r.name),
             "line1": str(r.detail), "fill": [*KIND_COLORS.get(r.kind, OTHER), 235],
             "r": 10 if r.selected else 5, "id": f"{SP}{r.service_point_id}"}
            for r in points.itertuples(index=False)]
    ring = [{**x, "r": x["r"] + 2, "fill": [0, 0, 0, 255], "title": ""}
            for x in recs if x["r"] > 5]
    return [svgmap.points(ring, frame, "sp_selected", "fill", radius_px="r", stroke=False),
            svgmap.points(recs, frame, "service_points", "fill", radius_px="r", pick=True)]


def _site_layers(sites: pd.DataFrame, frame: svgmap.Frame) -> list[dict]:
    """Proposed sites (a click makes one the centre) and their rank numbers."""
    dots = svgmap.points(_records(sites, [*SITE, 240]), frame, "sites", "fill", radius_m=1,
                         min_px=9, max_px=9, pick=True)
    ranks = {"type": "FeatureCollection", "features": [
        {"properties": {"name": str(r), "centroid_lon": lon, "centroid_lat": lat,
                        "region_id": ""}}
        for r, lon, lat in zip(sites["rank"], sites["lon"], sites["lat"], strict=True)]}
    return [dots, svgmap.labels(ranks, frame, "site_labels", size_px=12)]


def _center_layers(center: tuple[float, float], frame: svgmap.Frame) -> list[dict]:
    """The chosen point: a white dot on a black ring."""
    at = {"lon": center[0], "lat": center[1]}
    return [svgmap.points([at], frame, "center_ring", (*CENTER, 255), radius_m=1, min_px=9,
                          max_px=9, stroke=False),
            svgmap.points([at], frame, "center", (255, 255, 255, 255), radius_m=1, min_px=6,
                          max_px=6, stroke=False)]


def _shown(df: pd.DataFrame | None) -> bool:
    return df is not None and len(df) > 0


def _basemap(districts: dict, frame: svgmap.Frame) -> tuple[dict, dict]:
    """The districts as light areas (not pickable) and their names."""
    plain = {"type": "FeatureCollection", "features": [
        {**f, "properties": {**f["properties"], "fill": [244, 245, 247], "title": ""}}
        for f in districts.get("features", [])]}
    return (svgmap.areas(plain, frame, "districts", pickable=False, opacity=1.0),
            svgmap.labels(plain, frame, "district_labels", size_px=13))


def build_scene(m: MapLayers, ui: dict[str, str], view_id: str) -> dict:
    """The svgmap scene of ``m``, its layers stacked districts first, labels last."""
    frame = svgmap.Frame.fit(m.focus or maps.bounds_of(m.districts) or TONGHUA, WIDTH, HEIGHT)
    base, names = _basemap(m.districts, frame)
    layers = [base]
    if _shown(m.areas):
        layers += _area_layers(m.areas, frame)
    if _shown(m.cells):
        layers.append(_cell_layer(m.cells, frame))
    layers += [_coverage_layer(name, df, color, frame) for name, df, color in
               (("gaps", m.gaps, GAP), ("overlaps", m.overlaps, OVERLAP)) if _shown(df)]
    if _shown(m.site_rings):
        layers += _site_ring_layer(m.site_rings, frame)
    if _shown(m.service_points):
        layers += _service_point_layers(m.service_points, frame)
    if _shown(m.sites):
        layers += _site_layers(m.sites, frame)
    if m.center is not None:
        layers += _center_layers(m.center, frame)
    layers.append(names)
    return svgmap.scene(frame, layers, view_id, ui)


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
    one colour, others one colour per service point; the summarised one ``selected``."""
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
    areas["selected"] = selected.to_numpy()
    areas["name"] = _area_names(areas, area, choice.area_type, ctx)
    if nested:
        areas["band"] = areas[area.band_col].astype(str)
    areas["detail"] = _area_details(areas, ctx.lang)
    keep = ["name", "detail", "fill", "selected", "geometry"]
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
          site_km: float, on_click: Callable[[str], None]) -> None:
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
    scene = build_scene(MapLayers(
        districts=ctx.geo, areas=areas, service_points=shown_sp if len(shown_sp) else None,
        cells=cells, gaps=_coverage_rows(ov.gaps, lang),
        overlaps=_coverage_rows(ov.overlaps, lang), sites=site_rows, site_rings=site_rings,
        center=(center[0], center[1]) if center is not None and choice.mode == "point" else None,
        focus=_focus(choice, area)), svgmap.buttons(lang),
        view_id=f"{choice.mode}/{choice.sp_id}/{choice.area_type}")
    map_col, legend_col = st.columns([5, 1])
    with map_col:
        svgmap.show(scene, key="ta_map", on_click=on_click)
    with legend_col:
        _legend(ctx, choice, area, ov, has_sites)
    _layer_table(layer, lang)


def draw_map(ctx: Context, choice: Choice, area: Area, ov: Overlays, sites: Sites | None,
             site_km: float, on_click: Callable[[str], None]) -> None:
    """The map, its legend and the area layer's table (``on_click``: a click on the map,
    with what it reports)."""
    try:
        _draw(ctx, choice, area, ov, sites, site_km, on_click)
    except Exception as exc:  # never a traceback on the page
        fail(exc, ctx.lang)
