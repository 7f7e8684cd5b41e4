"""Choropleth maps with pydeck: colour classes, legend, view fitted to the regions, labels.

No basemap by default: the region boundaries are the basemap, so a map is readable with no
network. In Streamlit >= 1.40, ``pdk.Deck(map_style=None)`` makes Streamlit pick a Carto
basemap from the theme (a network request); leaving ``map_style`` unset with
``map_provider=None`` keeps pydeck's ``"__MAP_STYLE__"`` sentinel, which Streamlit renders
with no basemap at all. That is what :func:`choropleth` does.

pydeck turns every string layer argument into a JavaScript accessor expression (``"@@=..."``);
constant string props (``character_set="auto"``, ``font_family``) must be wrapped in
:class:`pydeck.types.String`, or deck.gl receives a function and the layer fails.

A basemap can be configured with the setting ``basemap_url`` (``$GCRM_BASEMAP_URL``): either a
MapLibre style URL, or an XYZ raster template containing ``{z}/{x}/{y}``, which is wrapped
in a one-layer MapLibre raster style passed as a ``data:`` URL (Streamlit's pydeck renderer
accepts only string styles, and pydeck cannot express a TileLayer's ``renderSubLayers``).
"""

from __future__ import annotations

import html
import json
import math
import urllib.parse
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

import pydeck as pdk
from pydeck.types import String

from gcrm import config
from gcrm.spatial.classify import breaks, class_of

#: Sequential ramps, light to dark (ColorBrewer, 9 classes; colour-blind safe). YlGnBu for
#: measures where more is better or neutral, YlOrRd for measures where more is worse.
RAMPS: dict[str, tuple[tuple[int, int, int], ...]] = {
    "YlGnBu": ((255, 255, 217), (237, 248, 177), (199, 233, 180), (127, 205, 187),
               (65, 182, 196), (29, 145, 192), (34, 94, 168), (37, 52, 148), (8, 29, 88)),
    "YlOrRd": ((255, 255, 204), (255, 237, 160), (254, 217, 118), (254, 178, 76),
               (253, 141, 60), (252, 78, 42), (227, 26, 28), (189, 0, 38), (128, 0, 38)),
}
#: The default 5-class ramp (YlGnBu).
RAMP: tuple[tuple[int, int, int], ...] = (
    (255, 255, 204), (161, 218, 180), (65, 182, 196), (44, 127, 184), (37, 52, 148))
NO_DATA: tuple[int, int, int] = (220, 220, 220)
#: A region whose value disclosure control hid (fewer than ``min_cell`` customers): neutral,
#: darker than "no data" and outside every ramp, so it never reads as a colour class.
SUPPRESSED: tuple[int, int, int] = (176, 170, 160)
#: Fonts for labels: CJK-capable first (Debian fonts-noto-cjk, Windows, macOS).
CJK_FONTS = ('"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", '
             '"PingFang SC", sans-serif')


@dataclass(frozen=True)
class Classes:
    """Class breaks of a sequential ramp: class i covers ``[breaks[i], breaks[i + 1]]``."""

    breaks: tuple[float, ...]
    colors: tuple[tuple[int, int, int], ...]

    def color(self, value: float | None) -> tuple[int, int, int]:
        i = class_of(value, self.breaks)
        return NO_DATA if i is None else self.colors[min(i, len(self.colors) - 1)]


def _ramp_colors(k: int, ramp: str | None) -> tuple[tuple[int, int, int], ...]:
    """``k`` colours spread over the whole ramp, so light-to-dark stays readable."""
    if ramp is None:
        colors = RAMP
    else:
        colors = RAMPS[ramp]
    idx = [round(i * (len(colors) - 1) / max(k - 1, 1)) for i in range(k)]
    return tuple(colors[i] for i in idx)


def classify(values: Iterable[float], n: int = len(RAMP), method: str = "quantile",
             ramp: str | None = None) -> Classes:
    """Classes of the non-null ``values`` by ``method`` (quantile, natural, equal_interval;
    see :mod:`gcrm.spatial.classify`), at most ``n``; fewer when values repeat."""
    edges = breaks(list(values), method, n)
    return Classes(edges, _ramp_colors(len(edges) - 1, ramp))


def bounds_of(geojson: Mapping) -> tuple[float, float, float, float] | None:
    """(min lon, min lat, max lon, max lat) over every coordinate of a FeatureCollection."""
    xs: list[float] = []
    ys: list[float] = []

    def walk(c: object) -> None:
        if isinstance(c, list | tuple) and c and isinstance(c[0], int | float):
            xs.append(float(c[0]))
            ys.append(float(c[1]))
        elif isinstance(c, list | tuple):
            for part in c:
                walk(part)

    for f in geojson.get("features", []):
        if f.get("geometry"):
            walk(f["geometry"].get("coordinates", []))
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None


def _merc_y(lat: float) -> float:
    lat = max(min(lat, 85.05), -85.05)
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def fit_view(bounds: tuple[float, float, float, float], width: int = 900, height: int = 520,
             padding: float = 0.08) -> pdk.ViewState:
    """A web-mercator view centred on ``bounds`` with the whole box visible."""
    x0, y0, x1, y1 = bounds
    dx = max(x1 - x0, 1e-6) * (1 + 2 * padding)
    dy = max(_merc_y(y1) - _merc_y(y0), 1e-8) * (1 + 2 * padding)
    # deck.gl's web mercator: the world is 512 px wide at zoom 0
    zoom_x = math.log2(width * 360.0 / (512.0 * dx))
    zoom_y = math.log2(height * 2 * math.pi / (512.0 * dy))
    cy = math.degrees(math.atan(math.sinh((_merc_y(y0) + _merc_y(y1)) / 2)))
    return pdk.ViewState(longitude=(x0 + x1) / 2, latitude=cy,
                         zoom=round(max(0.0, min(zoom_x, zoom_y, 16.0)), 2), pitch=0, bearing=0)


def basemap_style(url: str) -> str | None:
    """The MapLibre style for the configured basemap URL ('' -> None: no basemap)."""
    url = (url or "").strip()
    if not url:
        return None
    if "{z}" not in url:
        return url  # a style JSON URL
    style = {"version": 8,
             "sources": {"basemap": {"type": "raster", "tiles": [url], "tileSize": 256}},
             "layers": [{"id": "basemap", "type": "raster", "source": "basemap"}]}
    return "data:application/json," + urllib.parse.quote(json.dumps(style))


def legend_html(classes: Classes, title: str, fmt: str = ",.0f",
                no_data: str | None = None, hidden: str | None = None) -> str:
    """A small HTML legend (swatch + range per class) for ``st.markdown``; ``no_data`` and
    ``hidden`` label the swatches of regions without a value and with a hidden one."""
    rows = []
    for i, c in enumerate(classes.colors):
        lo, hi = classes.breaks[i], classes.breaks[i + 1]
        text = f"{lo:{fmt}}" if lo == hi else f"{lo:{fmt}} – {hi:{fmt}}"
        rows.append(swatch(c, text))
    if no_data:
        rows.append(swatch(NO_DATA, no_data))
    if hidden:
        rows.append(swatch(SUPPRESSED, hidden))
    return (f'<div class="gcrm-legend" style="font-size:0.85rem;line-height:1.6">'
            f"<b>{html.escape(title)}</b>{''.join(rows)}</div>")


def swatch(color: tuple[int, int, int], text: str) -> str:
    r, g, b = color
    return (f'<div style="white-space:nowrap"><span style="display:inline-block;width:14px;'
            f'height:14px;vertical-align:middle;background:rgb({r},{g},{b});'
            f'border:1px solid #888;margin-right:6px"></span>{html.escape(text)}</div>')


def region_layer(geojson: dict, layer_id: str = "regions", pickable: bool = True,
                 opacity: float = 0.85) -> pdk.Layer:
    """Regions filled by each feature's ``fill`` property, outlined in grey."""
    return pdk.Layer(
        "GeoJsonLayer", geojson, id=layer_id, pickable=pickable, stroked=True, filled=True,
        get_fill_color="properties.fill", get_line_color=[80, 80, 80, 255],
        line_width_min_pixels=1, auto_highlight=pickable, highlight_color=[255, 140, 0, 120],
        opacity=opacity)


def label_layer(geojson: dict, layer_id: str = "labels", size: int = 14,
                pickable: bool = False) -> pdk.Layer:
    """Each feature's ``name`` at its ``centroid_lon``/``centroid_lat`` (CJK fonts, halo).

    Each label carries its feature's ``region_id`` and tooltip fields (``title``, ``line1``,
    ``line2``). With ``on_select``, make labels ``pickable``: Streamlit's selection does not
    see through a label, so a click on a non-pickable label selects nothing.
    """
    tip_fields = ("region_id", "title", "line1", "line2")
    labels = [{"name": f["properties"]["name"],
               "position": [f["properties"]["centroid_lon"], f["properties"]["centroid_lat"]],
               **{k: f["properties"][k] for k in tip_fields if k in f["properties"]}}
              for f in geojson["features"]
              if f["properties"].get("centroid_lon") is not None]
    return pdk.Layer(
        "TextLayer", labels, id=layer_id, pickable=pickable, get_text="name",
        get_position="position", get_size=size, size_units=String("pixels"),
        get_color=[20, 20, 20, 255], character_set=String("auto"),
        font_family=String(CJK_FONTS),
        font_settings={"sdf": True}, outline_width=4, outline_color=[255, 255, 255, 230],
        get_text_anchor=String("middle"), get_alignment_baseline=String("center"))


def choropleth(geojson: dict, tooltip_html: str, height: int = 520) -> pdk.Deck:
    """A pydeck Deck of ``geojson`` filled by each feature's ``fill`` property, labelled.

    Features need properties ``fill`` ([r, g, b]) and ``name``; ``tooltip_html`` may use
    ``{property}`` placeholders. Labels sit at ``centroid_lon``/``centroid_lat``.
    """
    layers = [region_layer(geojson), label_layer(geojson)]
    b = bounds_of(geojson)
    view = fit_view(b, height=height) if b else pdk.ViewState(longitude=125.9, latitude=41.7,
                                                            zoom=7)
    return deck(layers, view, tooltip_html)


def deck(layers: list, view: pdk.ViewState, tooltip_html: str) -> pdk.Deck:
    """A Deck with no map provider (the boundaries are the basemap, works offline), the
    configured basemap style if any, and GCRM's tooltip style."""
    style = basemap_style(config.get("basemap_url"))
    kwargs: dict = {"map_provider": None}
    if style:
        kwargs["map_style"] = style
    return pdk.Deck(layers=layers, initial_view_state=view,
                    tooltip={"html": tooltip_html,
                             "style": {"backgroundColor": "#222", "color": "#fff",
                                       "fontSize": "13px"}},
                    **kwargs)


def fill_regions(geojson: Mapping, values: Mapping[str, float], text,
                 no_data: str, hidden: Collection[str] = (),
                 hidden_text: str = "") -> tuple[dict, Classes]:
    """``geojson`` with each feature coloured by ``values[region_id]`` (quantile classes).

    Adds the properties ``fill`` and ``value_text`` (``text(value)``, or ``no_data`` for a
    region without a value) that :func:`choropleth` and its tooltip use. Regions in
    ``hidden`` (disclosure control) get the neutral :data:`SUPPRESSED` fill and
    ``hidden_text`` ("<5").
    """
    classes = classify(values.values())
    features = []
    for f in geojson.get("features", []):
        props = dict(f["properties"])
        value = values.get(props["region_id"])
        missing = value is None or (isinstance(value, float) and math.isnan(value))
        props["fill"] = list(classes.color(None if missing else value))
        props["value_text"] = no_data if missing else text(value)
        if props["region_id"] in hidden:
            props["fill"], props["value_text"] = list(SUPPRESSED), hidden_text
        features.append({**f, "properties": props})
    return {"type": "FeatureCollection", "features": features}, classes

