"""The outage page's maps as pydeck decks: the index maps (district, then H3 cells), feeder
lines, event points, the event map and the notice area maps (no Streamlit here).

The district map reuses the home page's choropleth (:func:`dashboards.components.maps.choropleth`,
no basemap) and adds feeder lines and a scatter layer of outage events at their feeder's
substation. The cell maps are built here from H3 cell outlines (``h3.cell_to_boundary``, as
polygons: nothing depends on the browser's H3 support). Every layer has an ``id`` (needed by
``st.pydeck_chart(on_select=...)``); pickable objects carry ``name``, ``value_text`` and
``rank_text`` for the shared tooltip.

Feeders have no line geometry in the warehouse: a feeder is drawn schematically as straight
lines from its substation to the mean location of its customers in each district (or cell),
coloured by its contribution to SAIDI (its customer-minutes / customers served of the area).
"""

from __future__ import annotations

import bisect
import hashlib
import html
import math
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache

import h3
import pandas as pd
import pydeck as pdk
import shapely
from pydeck.types import String

from dashboards.components import maps

#: colour per outage cause (Okabe-Ito, colour-blind safe); unknown causes are grey
CAUSE_COLORS: dict[str, tuple[int, int, int]] = {
    "weather": (0, 114, 178),
    "equipment": (213, 94, 0),
    "external_damage": (204, 121, 167),
    "maintenance": (0, 158, 115),
    "other": (230, 159, 0),
}
OTHER_COLOR = (120, 120, 120)
#: the one tooltip of the page's maps (pickable objects carry these three texts)
TOOLTIP = "<b>{name}</b><br/>{value_text}<br/>{rank_text}"


def cause_color(cause: object) -> tuple[int, int, int]:
    return CAUSE_COLORS.get(str(cause), OTHER_COLOR)


def _jitter(key: str, spread: float = 0.012) -> tuple[float, float]:
    """A small fixed offset per event, so events at one substation do not hide each other."""
    h = hashlib.sha1(key.encode()).digest()
    angle = h[0] / 255 * 2 * math.pi
    r = spread * (0.3 + 0.7 * h[1] / 255)
    return r * math.cos(angle), r * math.sin(angle)


def located_feeders(feeders: pd.DataFrame) -> pd.DataFrame:
    """The feeders whose substation has a location (``lon`` and ``lat``), by ``feeder_id``:
    the ones a map can draw from."""
    loc = feeders.set_index("feeder_id")
    return loc[loc["lon"].notna() & loc["lat"].notna()]


def event_points(events: pd.DataFrame, feeders: pd.DataFrame, cause_label,
                 customers_label: str) -> list[dict]:
    """Map points for the events whose substation has a location."""
    loc = located_feeders(feeders)
    pts = []
    for e in events.itertuples(index=False):
        if e.feeder_id not in loc.index:
            continue
        lon, lat = loc.at[e.feeder_id, "lon"], loc.at[e.feeder_id, "lat"]
        dx, dy = _jitter(str(e.outage_id))
        n = int(e.customers_affected)
        pts.append({
            "outage_id": str(e.outage_id),
            "position": [float(lon) + dx, float(lat) + dy],
            "color": [*cause_color(e.cause), 200],
            "radius": 3 + 0.9 * math.sqrt(n),
            "name": f"{e.outage_id} · {e.substation_name or e.feeder_id}",
            "value_text": f"{cause_label(e.cause)}, {customers_label}: {n:,}",
            "rank_text": f"{pd.Timestamp(e.start_at):%Y-%m-%d %H:%M}",
        })
    return pts


def add_event_layer(deck: pdk.Deck, points: list[dict]) -> pdk.Deck:
    deck.layers.append(pdk.Layer(
        "ScatterplotLayer", points, id="events", pickable=True, stroked=True, filled=True,
        get_position="position", get_fill_color="color", get_radius="radius",
        radius_units=String("pixels"), get_line_color=[40, 40, 40, 220], line_width_min_pixels=1))
    return deck


# ---------------------------------------------------------------- events in time
def in_days(events: pd.DataFrame, first, last) -> pd.DataFrame:
    """The events that start on a day from ``first`` to ``last`` (dates, inclusive)."""
    day = pd.to_datetime(events["start_at"]).dt.normalize()
    return events[(day >= pd.Timestamp(first)) & (day <= pd.Timestamp(last))]


# ---------------------------------------------------------------- H3 cells
@lru_cache(maxsize=20_000)
def cell_ring(cell: str) -> tuple[tuple[float, float], ...]:
    """The outline of an H3 cell as (lon, lat) pairs (closed)."""
    ring = [(lng, lat) for lat, lng in h3.cell_to_boundary(cell)]
    return tuple(ring + ring[:1])


def cell_features(cells: Sequence[str], values: Mapping[str, float], classes: maps.Classes,
                  text: Callable[[float], str], extra: Mapping[str, str] | None = None,
                  alpha: int = 200) -> list[dict]:
    """Polygon-layer rows for ``cells`` coloured by ``values`` in ``classes``."""
    rows = []
    for c in cells:
        v = values.get(c)
        missing = v is None or (isinstance(v, float) and math.isnan(v))
        rows.append({"cell": c, "polygon": [list(p) for p in cell_ring(c)],
                     "fill": [*classes.color(None if missing else v), alpha],
                     "name": c, "value_text": "–" if missing else text(v),
                     "rank_text": (extra or {}).get(c, "")})
    return rows


def cells_layer(rows: list[dict], layer_id: str = "cells", pickable: bool = True) -> pdk.Layer:
    return pdk.Layer(
        "PolygonLayer", rows, id=layer_id, pickable=pickable, stroked=True, filled=True,
        get_polygon="polygon", get_fill_color="fill", get_line_color=[90, 90, 90, 200],
        line_width_min_pixels=1, auto_highlight=pickable, highlight_color=[255, 140, 0, 140])


def outline_layer(geojson: Mapping, layer_id: str = "outline",
                  color: Sequence[int] = (60, 60, 60, 255), width: float = 2,
                  fill: Sequence[int] | None = None) -> pdk.Layer:
    """Region (or area) boundaries as lines, optionally with a light fill; not pickable."""
    return pdk.Layer(
        "GeoJsonLayer", dict(geojson), id=layer_id, pickable=False, stroked=True,
        filled=fill is not None, get_fill_color=list(fill or (0, 0, 0, 0)),
        get_line_color=list(color), line_width_min_pixels=width)


def picked_outline(cells: Sequence[str]) -> pdk.Layer:
    """A thick orange outline around the picked cells (drawn by the server after each click)."""
    rows = [{"polygon": [list(p) for p in cell_ring(c)]} for c in cells]
    return pdk.Layer("PolygonLayer", rows, id="picked", pickable=False, stroked=True,
                     filled=False, get_polygon="polygon", get_line_color=[230, 97, 0, 255],
                     line_width_min_pixels=3)


def view_for(bounds: tuple[float, float, float, float] | None, height: int) -> pdk.ViewState:
    if bounds is None:
        return pdk.ViewState(longitude=125.9, latitude=41.7, zoom=7)
    return maps.fit_view(bounds, height=height)


def cells_bounds(cells: Sequence[str]) -> tuple[float, float, float, float] | None:
    pts = [p for c in cells for p in cell_ring(c)]
    if not pts:
        return None
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return min(xs), min(ys), max(xs), max(ys)


# ---------------------------------------------------------------- feeder lines
#: feeder lines: light to dark orange-red (ColorBrewer OrRd, from its 2nd class: visible on
#: the light choropleth colours)
LINE_RAMP: tuple[tuple[int, int, int], ...] = (
    (253, 187, 132), (252, 141, 89), (239, 101, 72), (215, 48, 31), (153, 0, 0))


def swatch(color: Sequence[int], text: str) -> str:
    """One legend row: a colour square and its (escaped) text."""
    r, g, b = color[:3]
    return (f'<div style="white-space:nowrap"><span style="display:inline-block;width:14px;'
            f'height:14px;vertical-align:middle;background:rgb({r},{g},{b});'
            f'border:1px solid #888;margin-right:6px"></span>{html.escape(text)}</div>')


def _class_index(value: float, classes: maps.Classes) -> int:
    """Index of the class of ``value`` (class i covers breaks[i]..breaks[i + 1])."""
    inner = classes.breaks[1:-1]
    return min(bisect.bisect_left(inner, value), len(classes.breaks) - 2)


def line_color(value: float, classes: maps.Classes) -> tuple[int, int, int]:
    """Colour of a feeder line: grey without interruptions, else its class on LINE_RAMP
    (spread over the whole ramp when there are fewer classes)."""
    if not value > 0:
        return maps.NO_DATA
    k = len(classes.breaks) - 1
    i = _class_index(value, classes)
    return LINE_RAMP[round(i * (len(LINE_RAMP) - 1) / max(k - 1, 1))]


def feeder_lines(reach: pd.DataFrame, feeders: pd.DataFrame,
                 contribution: Mapping[str, float], served: float,
                 label: Callable[[str, float, float], str]) -> tuple[list[dict], maps.Classes]:
    """Line rows from each feeder's substation to its customers' mean location per group.

    ``contribution``: feeder -> SAIDI contribution (customer-minutes / ``served``) in minutes;
    ``label(feeder, minutes, share)`` is the tooltip text. Colour classes over the feeders'
    contributions; line width grows with the customers the line reaches.
    """
    subs = located_feeders(feeders)
    classes = maps.classify([v for v in contribution.values() if v > 0])
    total = sum(contribution.values()) or 0.0
    rows = []
    for r in reach.itertuples(index=False):
        if r.feeder_id not in subs.index:
            continue
        slon, slat = subs.at[r.feeder_id, "lon"], subs.at[r.feeder_id, "lat"]
        v = float(contribution.get(r.feeder_id, 0.0))
        color = line_color(v, classes)
        share = v / total if total > 0 else 0.0
        rows.append({"source": [float(slon), float(slat)],
                     "target": [float(r.lon), float(r.lat)],
                     "color": [*color, 230], "width": 1.5 + min(6.0, 0.35 * math.sqrt(r.customers)),
                     "feeder_id": r.feeder_id, "district_id": getattr(r, "district_id", None),
                     "name": f"{subs.at[r.feeder_id, 'name'] or r.feeder_id} ({r.feeder_id})",
                     "value_text": label(r.feeder_id, v, share),
                     "rank_text": ""})
    return rows, classes


def lines_layer(rows: list[dict]) -> pdk.Layer:
    return pdk.Layer("LineLayer", rows, id="feeders", pickable=True,
                     get_source_position="source", get_target_position="target",
                     get_color="color", get_width="width", width_units=String("pixels"))


def line_legend_html(classes: maps.Classes, title: str, note: str) -> str:
    rows = []
    for i in range(len(classes.breaks) - 1):
        lo, hi = classes.breaks[i], classes.breaks[i + 1]
        text = f"{lo:,.1f}" if lo == hi else f"{lo:,.1f} – {hi:,.1f}"
        rows.append(swatch(line_color(hi, classes) if hi > 0 else maps.NO_DATA, text))
    return (f'<div style="font-size:0.85rem;line-height:1.6;margin-top:1em">'
            f"<b>{title}</b>{''.join(rows)}<div>{note}</div></div>")


# ---------------------------------------------------------------- decks
def cell_deck(district: Mapping, rows: list[dict], lines: list[dict], points: list[dict],
              tooltip_html: str, height: int = 520) -> pdk.Deck:
    """The drill-down map: one district's outline, its H3 cells, feeder lines, events."""
    layers = [cells_layer(rows), outline_layer(district, "outline")]
    if lines:
        layers.append(lines_layer(lines))
    deck = maps.deck(layers, view_for(maps.bounds_of(district) or
                                      cells_bounds([r["cell"] for r in rows]), height),
                     tooltip_html)
    return add_event_layer(deck, points)


def event_deck(regions: Mapping, rows: list[dict], substation: tuple[float, float] | None,
               tooltip_html: str, height: int = 380) -> pdk.Deck:
    """One event: the districts in scope (outlines), the affected cells, the substation."""
    layers = [outline_layer(regions, "regions", color=(120, 120, 120, 255), width=1,
                            fill=(245, 245, 245, 255)),
              cells_layer(rows, "affected")]
    bounds = cells_bounds([r["cell"] for r in rows])
    if substation is not None:
        layers.append(pdk.Layer(
            "ScatterplotLayer", [{"position": list(substation), "name": "", "value_text": "",
                                  "rank_text": ""}],
            id="substation", pickable=False, get_position="position",
            get_fill_color=[20, 20, 20, 255], get_radius=7, radius_units=String("pixels")))
        if bounds is not None:
            bounds = (min(bounds[0], substation[0]), min(bounds[1], substation[1]),
                      max(bounds[2], substation[0]), max(bounds[3], substation[1]))
    return maps.deck(layers, view_for(bounds or maps.bounds_of(regions), height), tooltip_html)


def picker_deck(regions: Mapping, rows: list[dict], picked: Sequence[str],
                tooltip_html: str, height: int = 460) -> pdk.Deck:
    """Cells to pick for an area notice (multi-object selection), picked ones outlined."""
    layers = [outline_layer(regions, "regions", color=(120, 120, 120, 255), width=1),
              cells_layer(rows, "cells")]
    if picked:
        layers.append(picked_outline(picked))
    bounds = cells_bounds([r["cell"] for r in rows]) or maps.bounds_of(regions)
    return maps.deck(layers, view_for(bounds, height), tooltip_html)


def area_deck(regions: Mapping, area_geometry, height: int = 380) -> pdk.Deck:
    """An uploaded area (orange) over the district outlines."""
    geo = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(area_geometry)}]}
    layers = [outline_layer(regions, "regions", color=(120, 120, 120, 255), width=1),
              outline_layer(geo, "area", color=(230, 97, 0, 255), width=3,
                            fill=(230, 97, 0, 60))]
    x0, y0, x1, y1 = area_geometry.bounds
    dx, dy = (x1 - x0) / 2, (y1 - y0) / 2  # some surroundings, to place the area
    return maps.deck(layers, view_for((x0 - dx, y0 - dy, x1 + dx, y1 + dy), height), "")


def selected(state: Mapping | None, layer: str) -> list[dict]:
    """The objects picked in ``layer`` of a ``st.pydeck_chart`` selection state."""
    sel = (state or {}).get("selection") or {}
    return list((sel.get("objects") or {}).get(layer) or [])
