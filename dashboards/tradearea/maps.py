"""The trading-area map: district outlines (the basemap), trade-area polygons, service points,
population cells, gaps, overlaps and proposed sites, as one pydeck Deck.

Built on :func:`dashboards.components.maps.deck` (``map_provider=None``: no basemap request,
works offline). Every layer has an ``id`` (needed for ``st.pydeck_chart(on_select=...)``) and
its objects carry ``name`` and ``detail`` for the one tooltip template
(:data:`TOOLTIP`). Clicking a service point or a population cell selects it (the page turns
that into the centre of the analysis).
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
import pydeck as pdk
from pydeck.types import String

from dashboards.components import maps

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


def build_deck(m: MapLayers) -> pdk.Deck:
    layers = [pdk.Layer(
        "GeoJsonLayer", m.districts, id="districts", pickable=False, stroked=True, filled=True,
        get_fill_color=[244, 245, 247, 255], get_line_color=[110, 110, 110, 255],
        line_width_min_pixels=1)]
    if m.areas is not None and len(m.areas):
        layers.append(pdk.Layer(
            "GeoJsonLayer", _features(m.areas), id="areas", pickable=True, stroked=True,
            filled=True, get_fill_color="properties.fill", get_line_color="properties.line",
            get_line_width="properties.width", line_width_units=String("pixels"),
            auto_highlight=True, highlight_color=[255, 140, 0, 70]))
    if m.cells is not None and len(m.cells):
        cells = m.cells.copy()
        classes = maps.classify(cells["resident"].tolist())
        cells["fill"] = [[*classes.color(float(v)), 150] for v in cells["resident"]]
        layers.append(pdk.Layer(
            "ScatterplotLayer", _records(cells, ["lon", "lat", "name", "detail", "cell_id",
                                                 "fill"]),
            id="cells", pickable=True, get_position=["lon", "lat"], get_fill_color="fill",
            get_radius=450, radius_units=String("meters"), radius_min_pixels=2,
            radius_max_pixels=8,
            stroked=False))
    for name, df, color in (("gaps", m.gaps, GAP), ("overlaps", m.overlaps, OVERLAP)):
        if df is not None and len(df):  # a population cell: about 1 km across
            layers.append(pdk.Layer(
                "ScatterplotLayer", _records(df, ["lon", "lat", "name", "detail"]), id=name,
                pickable=True, get_position=["lon", "lat"], get_fill_color=[*color, 210],
                get_radius=500, radius_units=String("meters"), radius_min_pixels=1.5,
                radius_max_pixels=9, stroked=False))
    if m.site_rings is not None and len(m.site_rings):
        ring = m.site_rings.copy()
        ring["fill"] = [[*SITE, 30]] * len(ring)
        ring["line"] = [[*SITE, 220]] * len(ring)
        ring["width"] = 2
        layers.append(pdk.Layer(
            "GeoJsonLayer", _features(ring), id="site_rings", pickable=False, stroked=True,
            filled=True, get_fill_color="properties.fill", get_line_color="properties.line",
            get_line_width="properties.width", line_width_units=String("pixels")))
    if m.service_points is not None and len(m.service_points):
        sp = m.service_points.copy()
        sp["fill"] = [[*KIND_COLORS.get(k, OTHER), 235] for k in sp["kind"]]
        sp["radius"] = [10 if s else 5 for s in sp["selected"]]
        sp["line"] = [[0, 0, 0, 255] if s else [255, 255, 255, 255] for s in sp["selected"]]
        layers.append(pdk.Layer(
            "ScatterplotLayer", _records(sp, ["lon", "lat", "name", "detail",
                                              "service_point_id", "fill", "radius", "line"]),
            id="service_points", pickable=True, get_position=["lon", "lat"],
            get_fill_color="fill", get_radius="radius", radius_units=String("pixels"),
            stroked=True, get_line_color="line", line_width_min_pixels=1.5))
    if m.sites is not None and len(m.sites):
        pts = _records(m.sites, ["lon", "lat", "name", "detail", "rank"])
        layers.append(pdk.Layer(
            "ScatterplotLayer", pts, id="sites", pickable=True, get_position=["lon", "lat"],
            get_fill_color=[*SITE, 240], get_radius=9, radius_units=String("pixels"),
            stroked=True, get_line_color=[255, 255, 255, 255], line_width_min_pixels=2))
        layers.append(pdk.Layer(
            "TextLayer", pts, id="site_labels", pickable=False, get_position=["lon", "lat"],
            get_text="rank", get_size=12, size_units=String("pixels"),
            get_color=[255, 255, 255, 255], get_text_anchor=String("middle"),
            get_alignment_baseline=String("center"), font_family=String(maps.CJK_FONTS)))
    if m.center is not None:
        layers.append(pdk.Layer(
            "ScatterplotLayer", [{"lon": m.center[0], "lat": m.center[1], "name": "",
                                  "detail": ""}],
            id="center", pickable=False, get_position=["lon", "lat"],
            get_fill_color=[255, 255, 255, 255], get_radius=7, radius_units=String("pixels"),
            stroked=True, get_line_color=[*CENTER, 255], line_width_min_pixels=3))
    labels = [{"name": f["properties"]["name"],
               "position": [f["properties"]["centroid_lon"], f["properties"]["centroid_lat"]]}
              for f in m.districts.get("features", [])
              if f["properties"].get("centroid_lon") is not None]
    if labels:
        layers.append(pdk.Layer(
            "TextLayer", labels, id="district_labels", pickable=False, get_text="name",
            get_position="position", get_size=13, size_units=String("pixels"),
            get_color=[90, 90, 90, 255], character_set=String("auto"),
            font_family=String(maps.CJK_FONTS), font_settings={"sdf": True}, outline_width=3,
            outline_color=[255, 255, 255, 220], get_text_anchor=String("middle"),
            get_alignment_baseline=String("center")))
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
