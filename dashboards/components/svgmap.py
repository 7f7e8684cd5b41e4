"""The overview map as SVG, drawn by the browser's 2-D renderer: no WebGL.

Why not pydeck here: on a PC without a GPU (office thin clients, virtual desktops, headless
Chromium) WebGL runs on the CPU through SwiftShader, where every deck.gl layer type costs a
shader compile and each frame a software rasterisation: the overview took 6-7 s to appear and
2-4 s per drill step. A choropleth of a dozen districts, a district's few hundred H3 cells
or a cell's customers (hexagon-binned above :data:`gcrm.overview.bins.BIN_ABOVE`) is a few
thousand shapes at most, which SVG draws in milliseconds on any machine. The outage and
trading-area maps (some 8,000 event dots, feeder lines, trade areas) draw the same way.

The server projects everything to pixels (web mercator fitted to the view, like
:func:`dashboards.components.maps.fit_view`) and sends compact SVG path strings; the browser
(``svgmap.js``, a Streamlit v2 component, no iframe) draws them, shows tooltips, zooms with
the wheel or the +/- buttons, pans by dragging, animates month frames, and reports a click on
a pickable area as the trigger value ``clicked`` (keyboard: Tab to an area, Enter).

Layers are plain dicts (``kind``: ``areas``, ``outline``, ``lines``, ``points``, ``labels``),
drawn in list order. Tooltips are three plain-text lines (title, line1, line2), inserted as
text, never as HTML. Areas, points and lines can be pickable: a click reports the item's
``id`` (a page with several kinds of pickable things prefixes its ids, e.g. ``ev:<outage>``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import streamlit as st

from gcrm.i18n import t

WORLD = 512.0  # deck.gl's web mercator: the world is 512 px wide at zoom 0
Color = Sequence[int]


def _merc(lon: float, lat: float) -> tuple[float, float]:
    """Web-mercator position in world pixels at zoom 0 (y grows southwards)."""
    lat = max(min(lat, 85.05), -85.05)
    x = (lon + 180.0) / 360.0 * WORLD
    y = (1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2 * WORLD
    return x, y


@dataclass(frozen=True)
class Frame:
    """A ``width`` x ``height`` px view: world pixel ``(x0, y0)`` at the top left, ``scale``
    screen px per world px (``2 ** zoom``)."""

    x0: float
    y0: float
    scale: float
    width: int
    height: int

    @classmethod
    def fit(cls, bounds: tuple[float, float, float, float], width: int, height: int,
            padding: float = 0.05) -> Frame:
        """The view centred on ``bounds`` (min lon, min lat, max lon, max lat), all visible."""
        lon0, lat0, lon1, lat1 = bounds
        (ax, ay), (bx, by) = _merc(lon0, lat1), _merc(lon1, lat0)
        dx, dy = max(bx - ax, 1e-9), max(by - ay, 1e-9)
        scale = min(width * (1 - 2 * padding) / dx, height * (1 - 2 * padding) / dy,
                    2.0 ** 18)
        cx, cy = (ax + bx) / 2, (ay + by) / 2
        return cls(cx - width / 2 / scale, cy - height / 2 / scale, scale, width, height)

    @property
    def zoom(self) -> float:
        return math.log2(self.scale)

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = _merc(lon, lat)
        return (x - self.x0) * self.scale, (y - self.y0) * self.scale

    def lonlat(self, x: float, y: float) -> tuple[float, float]:
        """The inverse of :meth:`xy`: WGS-84 lon/lat of view pixel ``(x, y)`` (``svgmap.js``
        does the same for a polygon drawn on the map, with the scene's ``proj``)."""
        wx, wy = self.x0 + x / self.scale, self.y0 + y / self.scale
        lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * wy / WORLD))))
        return wx / WORLD * 360.0 - 180.0, lat

    def metres_per_px(self, lat: float) -> float:
        return 40_075_016.686 * math.cos(math.radians(lat)) / (WORLD * self.scale)

    def near(self, x0: float, y0: float, x1: float | None = None,
             y1: float | None = None) -> bool:
        """Whether the point (or the box to ``x1``, ``y1``), in view pixels, lies in the view or
        within half a view of it: as far as the map can be zoomed out (see ``svgmap.js``).
        Layers leave out what lies farther: at a cell, the whole city's layers are not sent."""
        x1 = x0 if x1 is None else x1
        y1 = y0 if y1 is None else y1
        mx, my = self.width / 2, self.height / 2
        return (min(x0, x1) <= self.width + mx and max(x0, x1) >= -mx
                and min(y0, y1) <= self.height + my and max(y0, y1) >= -my)

    @property
    def centre_lat(self) -> float:
        y = self.y0 + self.height / 2 / self.scale
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / WORLD))))


def hex_color(c: Color) -> str:
    """``#rrggbb`` of an (r, g, b[, a]) colour (alpha goes in ``opacity``)."""
    return _hex(tuple(c[:3]))


@lru_cache(maxsize=4096)
def _hex(rgb: tuple) -> str:  # a map repeats a few colours thousands of times
    return "#{:02x}{:02x}{:02x}".format(*(int(v) for v in rgb))


def _alpha(c: Color, default: float = 1.0) -> float:
    return round(c[3] / 255, 3) if len(c) > 3 else default


def _ring(coords: Iterable, frame: Frame, close: bool) -> str:
    out: list[str] = []
    last = None
    for lon, lat, *_ in coords:
        x, y = frame.xy(lon, lat)
        p = (round(x, 1), round(y, 1))
        if p != last:  # points closer than 0.1 px add nothing
            out.append(f"{p[0]:g} {p[1]:g}")
            last = p
    if len(out) < 2:
        return ""
    return "M" + "L".join(out) + ("Z" if close else "")


def path_d(geometry: Mapping | None, frame: Frame) -> str:
    """The SVG path of a GeoJSON (Multi)Polygon or (Multi)LineString in ``frame`` pixels."""
    if not geometry:
        return ""
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        rings, close = coords, True
    elif kind == "MultiPolygon":
        rings, close = [r for poly in coords for r in poly], True
    elif kind == "LineString":
        rings, close = [coords], False
    elif kind == "MultiLineString":
        rings, close = coords, False
    else:
        return ""
    return "".join(_ring(r, frame, close) for r in rings)


def _tip(props: Mapping) -> list[str]:
    return [str(props.get(k) or "") for k in ("title", "line1", "line2")]


def areas(fc: Mapping, frame: Frame, layer_id: str = "regions", pickable: bool = True,
          opacity: float = 0.85) -> dict:
    """Features filled by their ``fill`` property (RGB, or RGBA: the alpha is the item's
    opacity); ``region_id`` is what a click reports."""
    items = []
    for f in fc.get("features", []):
        d = path_d(f.get("geometry"), frame)
        if not d:
            continue
        p = f["properties"]
        fill = p.get("fill") or (220, 220, 220)
        item = {"id": str(p.get("region_id", "")), "d": d, "fill": hex_color(fill),
                "tip": _tip(p)}
        if len(fill) > 3:  # a fill with alpha: its own opacity (times the layer's)
            item["op"] = _alpha(fill)
        items.append(item)
    return {"kind": "areas", "id": layer_id, "pick": pickable, "opacity": opacity,
            "items": items}


def outline(fc: Mapping, frame: Frame, layer_id: str = "outline",
            color: Color = (40, 40, 40), width_px: float = 2.5) -> dict:
    """Outlines only (e.g. the district around its grid cells)."""
    d = "".join(path_d(f.get("geometry"), frame) for f in fc.get("features", []))
    return {"kind": "outline", "id": layer_id, "color": hex_color(color),
            "opacity": _alpha(color), "width": width_px, "items": [{"d": d}] if d else []}


def labels(fc: Mapping, frame: Frame, layer_id: str = "labels", size_px: int = 13) -> dict:
    """Each feature's ``name`` at its ``centroid_lon``/``centroid_lat``, with a white halo."""
    items = []
    for f in fc.get("features", []):
        p = f["properties"]
        if p.get("centroid_lon") is None or not p.get("name"):
            continue
        x, y = frame.xy(p["centroid_lon"], p["centroid_lat"])
        items.append({"x": round(x, 1), "y": round(y, 1), "text": str(p["name"]),
                      "id": str(p.get("region_id", ""))})
    return {"kind": "labels", "id": layer_id, "size": size_px, "items": items}


def points(records: Iterable[Mapping], frame: Frame, layer_id: str,
           color: Color | str, radius_m: float | str = 60, min_px: float = 2,
           max_px: float = 30, stroke: bool = True, radius_px: str | None = None,
           pick: bool = False) -> dict:
    """Circles at ``lon``/``lat``; ``color`` (RGBA) and ``radius_m`` (metres) are constants
    or the name of a record field. Radii are clamped to ``[min_px, max_px]`` at this view;
    ``radius_px`` names a field holding the radius in pixels instead. ``pick``: a click on a
    circle reports its record's ``id``. Points far outside the view are left out
    (:meth:`Frame.near`)."""
    m_per_px = frame.metres_per_px(frame.centre_lat)
    items = []
    for r in records:
        x, y = frame.xy(r["lon"], r["lat"])
        if not frame.near(x, y):
            continue
        c = r[color] if isinstance(color, str) else color
        if radius_px is not None:
            px = float(r[radius_px])
        else:
            metres = float(r[radius_m]) if isinstance(radius_m, str) else float(radius_m)
            px = min(max(metres / m_per_px, min_px), max_px)
        item = {"x": round(x, 1), "y": round(y, 1), "r": round(px, 1),
                "fill": hex_color(c), "op": _alpha(c, 0.85), "tip": _tip(r)}
        if pick:
            item["id"] = str(r.get("id", ""))
        items.append(item)
    return {"kind": "points", "id": layer_id, "stroke": stroke, "pick": pick, "items": items}


def lines(records: Iterable[Mapping], frame: Frame, layer_id: str, color: Color | str,
          width_px: float | str = 1.5, pick: bool = False) -> dict:
    """Straight lines from ``from_lon``/``from_lat`` to ``lon``/``lat``, with tooltips (lines
    whose box lies far outside the view are left out). ``color`` (RGB[A]) and ``width_px``
    are constants or the name of a record field (each line its own); ``pick``: a click on a
    line reports its record's ``id``."""
    items = []
    for r in records:
        (ax, ay), (bx, by) = frame.xy(r["from_lon"], r["from_lat"]), frame.xy(r["lon"], r["lat"])
        if not frame.near(ax, ay, bx, by):
            continue
        item = {"d": f"M{ax:.1f} {ay:.1f}L{bx:.1f} {by:.1f}", "tip": _tip(r)}
        if isinstance(color, str):
            item["stroke"], item["op"] = hex_color(r[color]), _alpha(r[color])
        if isinstance(width_px, str):
            item["w"] = round(float(r[width_px]), 1)
        if pick:
            item["id"] = str(r.get("id", ""))
        items.append(item)
    const_color = (40, 40, 40) if isinstance(color, str) else color
    return {"kind": "lines", "id": layer_id, "color": hex_color(const_color),
            "opacity": _alpha(const_color),
            "width": 1.5 if isinstance(width_px, str) else width_px, "pick": pick,
            "items": items}


def tiles(frame: Frame, url: str) -> list[dict]:
    """Raster tiles of an XYZ ``url`` template (``{z}/{x}/{y}``) covering the view, placed in
    view pixels; [] for no URL or a style URL (the overview draws XYZ basemaps only)."""
    if not url or "{z}" not in url:
        return []
    z = max(0, min(19, round(frame.zoom + math.log2(WORLD / 256))))
    n = 2 ** z
    size = 256 * frame.scale * WORLD / 256 / n  # one tile, in view pixels
    tx0 = math.floor(frame.x0 / WORLD * n)
    ty0 = math.floor(frame.y0 / WORLD * n)
    tx1 = math.floor((frame.x0 + frame.width / frame.scale) / WORLD * n)
    ty1 = math.floor((frame.y0 + frame.height / frame.scale) / WORLD * n)
    out = []
    for tx in range(tx0, tx1 + 1):
        for ty in range(max(ty0, 0), min(ty1, n - 1) + 1):
            href = url.replace("{z}", str(z)).replace("{x}", str(tx % n)).replace("{y}", str(ty))
            out.append({"href": href, "x": round((tx * WORLD / n - frame.x0) * frame.scale, 1),
                        "y": round((ty * WORLD / n - frame.y0) * frame.scale, 1),
                        "size": round(size, 2)})
    return out


def buttons(lang: str) -> dict[str, str]:
    """The zoom buttons' labels (tooltips) in ``lang``: the ``ui`` of :func:`scene`."""
    return {z: t(f"ov.map.{z}", lang) for z in ("in", "out", "reset")}


def scene(frame: Frame, layers: Sequence[dict], view_id: str, ui: Mapping[str, str],
          basemap: str = "", frames: Sequence[dict] | None = None,
          draw: bool = False) -> dict:
    """Everything the browser draws. ``view_id`` names the place: while it stays the same
    (a layer toggled, another measure) the user's zoom and pan are kept. ``frames``:
    month frames ``{"label", "fills": {region_id: "#rrggbb"}}`` played once on arrival.
    ``ui``: the button labels (in, out, reset — :func:`buttons` — and draw with ``draw``).
    ``draw``: a button to draw a polygon (see :func:`draw`); the scene then carries the
    projection (``proj``) the browser inverts to send the polygon in lon/lat."""
    out = {"w": frame.width, "h": frame.height, "view": view_id, "layers": list(layers),
           "tiles": tiles(frame, basemap), "frames": list(frames or []), "ui": dict(ui)}
    if draw:
        out["draw"] = True
        out["proj"] = {"x0": frame.x0, "y0": frame.y0, "scale": frame.scale, "world": WORLD}
    return out


_HERE = Path(__file__).parent
_COMPONENT = st.components.v2.component(
    "gcrm_svgmap",
    js=(_HERE / "svgmap.js").read_text(encoding="utf-8"),
    css=(_HERE / "svgmap.css").read_text(encoding="utf-8"),
)


def show(data: dict, key: str, on_click: Callable[[str], None]) -> None:
    """Draw ``data`` (a :func:`scene`); a click on a pickable area calls ``on_click(id)``
    before the next run of the page (a Streamlit callback), so the page draws once."""

    def clicked() -> None:
        value = (st.session_state.get(key) or {}).get("clicked")
        if value:
            on_click(str(value))

    _COMPONENT(key=key, data=data, on_clicked_change=clicked)


def draw(data: dict, key: str, on_drawn: Callable[[str], None]) -> None:
    """Draw ``data`` (a :func:`scene` made with ``draw=True``) with its draw button: click to
    add vertices, double-click or click the first vertex to close, Esc to cancel. The closed
    polygon calls ``on_drawn(geojson)`` (a GeoJSON Polygon text, WGS-84 lon/lat) before the
    next run of the page."""

    def drawn() -> None:
        value = (st.session_state.get(key) or {}).get("drawn")
        if value:
            on_drawn(str(value))

    _COMPONENT(key=key, data=data, on_clicked_change=lambda: None, on_drawn_change=drawn)
