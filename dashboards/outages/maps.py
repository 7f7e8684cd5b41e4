"""The outage page's maps as SVG scenes (:mod:`dashboards.components.svgmap`, no WebGL): the
index maps (district, then H3 cells), feeder lines, event points, the event map and the notice
area maps (no Streamlit here).

The district map is a choropleth of the districts (the boundaries are the basemap: no tiles)
with their names, feeder lines and the year's outage events aggregated per substation (one
circle sized by their number, coloured by their most frequent cause, the counts per cause in
its tooltip: 7,881 single dots on the 1M-customer warehouse were 1.4 MB of scene); a drilled
district shows a point per event at its feeder's substation. The cell maps are built here
from H3 cell outlines (``h3.cell_to_boundary``). Tooltips are the three plain-text lines of
:mod:`~dashboards.components.svgmap` (``title``, ``line1``, ``line2``). What a click reports
(``clicked``) is the item's id: a district's region id, a cell's H3 id, ``ev:<outage id>``
for an event, ``fd:<district id>`` for a feeder line and ``sb:<district id>`` for an event
cluster (a click on either drills into the district).

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
import shapely

from dashboards.components import maps, svgmap

#: colour per outage cause (Okabe-Ito, colour-blind safe); unknown causes are grey
CAUSE_COLORS: dict[str, tuple[int, int, int]] = {
    "weather": (0, 114, 178),
    "equipment": (213, 94, 0),
    "external_damage": (204, 121, 167),
    "maintenance": (0, 158, 115),
    "other": (230, 159, 0),
}
OTHER_COLOR = (120, 120, 120)
#: the maps' size in px (the SVG scales to its column's width)
WIDTH = 900
#: what a click on an event or on a feeder line reports: ``ev:<outage id>``, ``fd:<district>``
EVENT = "ev:"
FEEDER = "fd:"
#: what a click on an event cluster (city level: one per substation) reports: ``sb:<district>``
CLUSTER = "sb:"
TONGHUA = (125.3, 41.2, 126.6, 42.4)  # the view when nothing is located
#: the largest event's dot: 3 + this many px of radius (on the 1M-customer warehouse a fixed
#: px-per-customer scale drew dots 60 px across that hid the districts)
MAX_DOT_PX = 12


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
    """Map points (:func:`dashboards.components.svgmap.points` records) for the events whose
    substation has a location; a click reports ``ev:<outage id>``. The dot's area grows with
    the customers affected, up to ``3 + MAX_DOT_PX`` px of radius for the largest event."""
    loc = located_feeders(feeders)
    at = dict(zip(loc.index, zip(loc["lon"].astype(float), loc["lat"].astype(float),
                                 strict=True), strict=True))
    shown = events[events["feeder_id"].isin(at)]
    most = max(float(events["customers_affected"].max()), 1.0) if len(events) else 1.0
    causes = {c: cause_label(c) for c in shown["cause"].unique()}
    starts = times(shown["start_at"]).dt.strftime("%Y-%m-%d %H:%M")
    pts = []
    for oid, fid, cause, n, sub, start in zip(
            shown["outage_id"].astype(str), shown["feeder_id"], shown["cause"],
            shown["customers_affected"].astype(int), shown["substation_name"], starts,
            strict=True):
        dx, dy = _jitter(oid)
        pts.append({
            "id": f"{EVENT}{oid}", "lon": at[fid][0] + dx, "lat": at[fid][1] + dy,
            "fill": [*cause_color(cause), 200], "r": 3 + MAX_DOT_PX * math.sqrt(n / most),
            "title": f"{oid} · {sub or fid}", "line1": f"{causes[cause]}, {customers_label}: {n:,}",
            "line2": start,
        })
    return pts


def events_in(events: pd.DataFrame, district: str) -> pd.DataFrame:
    """The events whose customers include some of ``district`` (its id in their ``districts``
    list): the lists are those of the events' feeders, split once per distinct list."""
    lists = events["districts"].fillna("")
    hit = {ds for ds in lists.unique() if district in ds.split(",")}
    return events[lists.isin(hit)]


def event_clusters(events: pd.DataFrame, feeders: pd.DataFrame, cause_label,
                   tip: Callable[[str, int, int], tuple[str, str, str]]
                   ) -> tuple[list[dict], pd.DataFrame]:
    """The city level's events aggregated: one circle per substation (the events of all its
    feeders), its area growing with the number of events (up to ``3 + MAX_DOT_PX`` px of
    radius), coloured by its most frequent cause (ties: the first cause in CAUSE_COLORS'
    order, then by name). ``tip(substation, events, customers)`` gives the tooltip's title,
    first line and the hint of its last line, to which the events per cause are added. A click
    reports ``sb:<district>``: the district the cluster's events touch most often (ties: the
    lowest id).

    Returns the points and a frame (``substation``, ``name``, ``district``, ``events``,
    ``customers_affected``: the sum over its events, as the tooltip says; plus one column per
    cause), one row per circle, for the page's exact numbers."""
    loc = located_feeders(feeders)
    ev = events[events["feeder_id"].isin(loc.index)]
    cols = ["substation", "name", "district", "lon", "lat", "events", "customers_affected"]
    if ev.empty:
        return [], pd.DataFrame(columns=cols)
    sub = ev["substation_id"].fillna(ev["feeder_id"]).astype(str)
    ev = ev.assign(substation=sub, lon=ev["feeder_id"].map(loc["lon"]).astype(float),
                   lat=ev["feeder_id"].map(loc["lat"]).astype(float))
    g = ev.groupby("substation", sort=True)
    summary = g.agg(name=("substation_name", "first"), lon=("lon", "mean"), lat=("lat", "mean"),
                    events=("outage_id", "size"),
                    customers_affected=("customers_affected", "sum"))
    per_cause = ev.groupby(["substation", "cause"]).size().unstack(fill_value=0)
    order = [c for c in CAUSE_COLORS if c in per_cause] + sorted(
        c for c in per_cause if c not in CAUSE_COLORS)
    per_cause = per_cause[order]
    # events per substation and district list first (a few hundred pairs, not every event's
    # list split apart), then per district
    pairs = ev.groupby(["substation", ev["districts"].fillna("")]).size().reset_index(name="n")
    dist = pairs.assign(district=pairs["districts"].str.split(",")).explode("district")
    dist = dist[dist["district"] != ""]
    top = (dist.groupby(["substation", "district"])["n"].sum().reset_index(name="n")
           .sort_values(["substation", "n", "district"], ascending=[True, False, True])
           .drop_duplicates("substation").set_index("substation")["district"])
    summary["district"] = top.reindex(summary.index).fillna("")
    summary = summary.join(per_cause)
    most = max(int(summary["events"].max()), 1)
    labels = {c: cause_label(c) for c in order}
    pts = []
    for s, r in summary.iterrows():
        n, cust = int(r["events"]), int(r["customers_affected"])
        title, line1, hint = tip(str(r["name"] or s), n, cust)
        counts = " · ".join(f"{labels[c]} {int(r[c]):,}" for c in order if r[c])
        dominant = max(order, key=lambda c: r[c])  # max() keeps the first of equal counts
        pts.append({"id": f"{CLUSTER}{r['district']}", "lon": r["lon"], "lat": r["lat"],
                    "fill": [*cause_color(dominant), 210],
                    "r": 3 + MAX_DOT_PX * math.sqrt(n / most), "title": title,
                    "line1": f"{line1}; {counts}", "line2": hint})
    return pts, summary.reset_index()[cols + order]


def cluster_layer(points: list[dict], frame: svgmap.Frame) -> dict:
    """The event clusters as pickable circles (a click drills into the district)."""
    return svgmap.points(points, frame, "event_clusters", "fill", radius_px="r", pick=True)


def event_layer(points: list[dict], frame: svgmap.Frame) -> dict:
    """The events as pickable circles (their own radius in px)."""
    return svgmap.points(points, frame, "events", "fill", radius_px="r", pick=True)


# ---------------------------------------------------------------- events in time
def times(values: pd.Series) -> pd.Series:
    """``values`` as datetimes: as they are when they already are (``pd.to_datetime`` of the
    warehouse's ``datetime64[us]`` column walked every value, 0.05-0.1 s per map run)."""
    return values if pd.api.types.is_datetime64_any_dtype(values) else pd.to_datetime(values)


def in_days(events: pd.DataFrame, first, last) -> pd.DataFrame:
    """The events that start on a day from ``first`` to ``last`` (dates, inclusive)."""
    day = times(events["start_at"]).dt.normalize()
    return events[(day >= pd.Timestamp(first)) & (day <= pd.Timestamp(last))]


# ---------------------------------------------------------------- H3 cells
@lru_cache(maxsize=20_000)
def cell_ring(cell: str) -> tuple[tuple[float, float], ...]:
    """The outline of an H3 cell as (lon, lat) pairs (closed)."""
    ring = [(lng, lat) for lat, lng in h3.cell_to_boundary(cell)]
    return tuple(ring + ring[:1])


def cell_features(cells: Sequence[str], values: Mapping[str, float], classes: maps.Classes,
                  text: Callable[[float], str], extra: Mapping[str, str] | None = None,
                  alpha: int = 200) -> dict:
    """A FeatureCollection of ``cells`` (H3 outlines) coloured by ``values`` in ``classes``,
    with their tooltips; a cell's ``region_id`` is its H3 id."""
    feats = []
    for c in cells:
        v = values.get(c)
        missing = v is None or (isinstance(v, float) and math.isnan(v))
        feats.append({"type": "Feature",
                      "geometry": {"type": "Polygon", "coordinates": [cell_ring(c)]},
                      "properties": {"region_id": c,
                                     "fill": [*classes.color(None if missing else v), alpha],
                                     "title": c, "line1": "–" if missing else text(v),
                                     "line2": (extra or {}).get(c, "")}})
    return {"type": "FeatureCollection", "features": feats}


def frame_for(bounds: tuple[float, float, float, float] | None, height: int) -> svgmap.Frame:
    """The ``WIDTH`` x ``height`` view of ``bounds`` (Tonghua when there are none)."""
    return svgmap.Frame.fit(bounds or TONGHUA, WIDTH, height)


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
    """Line records (:func:`dashboards.components.svgmap.lines`) from each feeder's substation
    to its customers' mean location per group; a click on one reports ``fd:<district>``.

    ``contribution``: feeder -> SAIDI contribution (customer-minutes / ``served``) in minutes;
    ``label(feeder, minutes, share)`` is the tooltip text. Colour classes over the feeders'
    contributions; line width grows with the customers the line reaches.
    """
    subs = located_feeders(feeders)
    classes = maps.classify([v for v in contribution.values() if v > 0])
    total = sum(contribution.values()) or 0.0
    here = reach[reach["feeder_id"].isin(subs.index)]
    per = {}  # what every line of a feeder shares: colour, substation, tooltip
    for f in here["feeder_id"].unique():
        v = float(contribution.get(f, 0.0))
        per[f] = ([*line_color(v, classes), 230], float(subs.at[f, "lon"]),
                  float(subs.at[f, "lat"]), f"{subs.at[f, 'name'] or f} ({f})",
                  label(f, v, v / total if total > 0 else 0.0))
    districts = here["district_id"] if "district_id" in here else [None] * len(here)
    rows = []
    for f, lon, lat, n, d in zip(here["feeder_id"], here["lon"], here["lat"],
                                 here["customers"], districts, strict=True):
        color, slon, slat, title, text = per[f]
        rows.append({"from_lon": slon, "from_lat": slat, "lon": float(lon), "lat": float(lat),
                     "color": color, "width": 1.5 + min(6.0, 0.35 * math.sqrt(n)),
                     "id": f"{FEEDER}{d or ''}", "title": title, "line1": text, "line2": ""})
    return rows, classes


def feeder_bundles(reach: pd.DataFrame, feeders: pd.DataFrame,
                   contribution: Mapping[str, float],
                   tip: Callable[[str, str, int, float, str, float], tuple[str, str, str]]
                   ) -> tuple[list[dict], maps.Classes]:
    """The city level's feeder lines bundled: one line per substation and district it feeds
    (45 lines instead of 1,469 on the 1M-customer warehouse, most of them a few px long on top
    of each other), from the substation to its customers' mean location in the district,
    coloured by the SAIDI contribution of its feeders there (the sum of their ``contribution``,
    minutes), wider with more customers; a click reports ``fd:<district>``.

    ``reach``: :func:`gcrm.outages.queries.feeder_reach` by district. ``tip(substation,
    district, feeders, minutes, worst feeder, its minutes)`` gives the three tooltip lines.
    Every feeder's own line is drawn in a drilled district (:func:`feeder_lines`)."""
    subs = located_feeders(feeders)
    here = reach[reach["feeder_id"].isin(subs.index)]
    if here.empty:
        return [], maps.classify([])
    fid = here["feeder_id"]
    here = here.assign(substation=fid.map(subs["substation_id"]).fillna(fid).astype(str),
                       value=fid.map(contribution).fillna(0.0).astype(float),
                       slon=fid.map(subs["lon"]).astype(float),
                       slat=fid.map(subs["lat"]).astype(float),
                       sname=fid.map(subs["substation_name"]),
                       wlon=here["lon"] * here["customers"], wlat=here["lat"] * here["customers"])
    worst = (here.sort_values(["value", "feeder_id"], ascending=[False, True])
             .drop_duplicates(["substation", "district_id"])
             .set_index(["substation", "district_id"]))
    g = here.groupby(["substation", "district_id"], sort=True).agg(
        feeders=("feeder_id", "nunique"), value=("value", "sum"),
        customers=("customers", "sum"), wlon=("wlon", "sum"), wlat=("wlat", "sum"),
        slon=("slon", "first"), slat=("slat", "first"), sname=("sname", "first"))
    classes = maps.classify([v for v in g["value"] if v > 0])
    rows = []
    for (sub, dist), r in g.iterrows():
        n = max(float(r["customers"]), 1.0)
        wf = worst.loc[(sub, dist)]
        title, line1, line2 = tip(str(r["sname"] or sub), str(dist), int(r["feeders"]),
                                  float(r["value"]),
                                  f"{subs.at[wf['feeder_id'], 'name'] or wf['feeder_id']} "
                                  f"({wf['feeder_id']})", float(wf["value"]))
        rows.append({"from_lon": r["slon"], "from_lat": r["slat"], "lon": r["wlon"] / n,
                     "lat": r["wlat"] / n, "color": [*line_color(r["value"], classes), 230],
                     "width": 1.5 + min(6.0, 0.35 * math.sqrt(r["customers"])),
                     "id": f"{FEEDER}{dist or ''}", "title": title, "line1": line1,
                     "line2": line2})
    return rows, classes


def lines_layer(rows: list[dict], frame: svgmap.Frame, pick: bool = True) -> dict:
    """Feeder lines, each in its colour and width."""
    return svgmap.lines(rows, frame, "feeders", "color", "width", pick=pick)


def line_legend_html(classes: maps.Classes, title: str, note: str) -> str:
    rows = []
    for i in range(len(classes.breaks) - 1):
        lo, hi = classes.breaks[i], classes.breaks[i + 1]
        text = f"{lo:,.1f}" if lo == hi else f"{lo:,.1f} – {hi:,.1f}"
        rows.append(swatch(line_color(hi, classes) if hi > 0 else maps.NO_DATA, text))
    return (f'<div style="font-size:0.85rem;line-height:1.6;margin-top:1em">'
            f"<b>{title}</b>{''.join(rows)}<div>{note}</div></div>")


# ---------------------------------------------------------------- scenes
def basemap(regions: Mapping, frame: svgmap.Frame) -> tuple[dict, dict]:
    """The districts in scope as light grey areas with their outlines and names: the map is
    readable without tiles."""
    plain = {"type": "FeatureCollection", "features": [
        {**f, "properties": {**f["properties"], "fill": [245, 245, 245], "title": ""}}
        for f in regions.get("features", [])]}
    return (svgmap.areas(plain, frame, "regions", pickable=False, opacity=1.0),
            svgmap.labels(plain, frame, "region_labels", size_px=12))


def district_scene(fc: Mapping, lines: list[dict], points: list[dict], view_id: str,
                   ui: Mapping[str, str], height: int = 520) -> dict:
    """The districts coloured by an index (a click drills), their names, feeder lines and
    the events clustered per substation (:func:`event_clusters`; a click drills)."""
    frame = frame_for(maps.bounds_of(fc), height)
    layers = [svgmap.areas(fc, frame)]
    if lines:
        layers.append(lines_layer(lines, frame))
    layers += [svgmap.labels(fc, frame), cluster_layer(points, frame)]
    return svgmap.scene(frame, layers, view_id, ui)


def cell_scene(district: Mapping, cells: Mapping, lines: list[dict], points: list[dict],
               view_id: str, ui: Mapping[str, str], height: int = 520) -> dict:
    """The drill-down map: one district's outline, its H3 cells, feeder lines, events."""
    frame = frame_for(maps.bounds_of(district) or maps.bounds_of(cells), height)
    layers = [svgmap.areas(cells, frame, "cells", pickable=False, opacity=1.0),
              svgmap.outline(district, frame, "district", color=(60, 60, 60), width_px=2)]
    if lines:
        layers.append(lines_layer(lines, frame, pick=False))
    layers.append(event_layer(points, frame))
    return svgmap.scene(frame, layers, view_id, ui)


def event_scene(regions: Mapping, cells: Mapping, substation: tuple[float, float] | None,
                view_id: str, ui: Mapping[str, str], height: int = 380) -> dict:
    """One event: the districts in scope (the basemap), the affected cells, the substation
    (a black dot)."""
    bounds = maps.bounds_of(cells)
    if substation is not None and bounds is not None:
        bounds = (min(bounds[0], substation[0]), min(bounds[1], substation[1]),
                  max(bounds[2], substation[0]), max(bounds[3], substation[1]))
    frame = frame_for(bounds or maps.bounds_of(regions), height)
    base, names = basemap(regions, frame)
    layers = [base, svgmap.areas(cells, frame, "affected", pickable=False, opacity=1.0)]
    if substation is not None:
        layers.append(svgmap.points([{"lon": substation[0], "lat": substation[1]}], frame,
                                    "substation", (20, 20, 20, 255), radius_m=1, min_px=7,
                                    max_px=7))
    layers.append(names)
    return svgmap.scene(frame, layers, view_id, ui)


def picker_scene(regions: Mapping, cells: Mapping, picked: Sequence[str], view_id: str,
                 ui: Mapping[str, str], height: int = 460) -> dict:
    """Cells to pick for an area notice (a click adds or removes one), picked ones outlined
    in orange."""
    frame = frame_for(maps.bounds_of(cells) or maps.bounds_of(regions), height)
    chosen = set(picked)
    ring = {"type": "FeatureCollection",
            "features": [f for f in cells["features"] if f["properties"]["region_id"] in chosen]}
    layers = [svgmap.outline(regions, frame, "regions", color=(120, 120, 120), width_px=1),
              svgmap.areas(cells, frame, "cells", opacity=1.0),
              svgmap.outline(ring, frame, "picked", color=(230, 97, 0), width_px=3)]
    return svgmap.scene(frame, layers, view_id, ui)


def area_scene(regions: Mapping, area_geometry, ui: Mapping[str, str],
               height: int = 380) -> dict:
    """An uploaded area (orange) over the districts."""
    geo = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"fill": [230, 97, 0, 60], "title": ""},
         "geometry": shapely.geometry.mapping(area_geometry)}]}
    x0, y0, x1, y1 = area_geometry.bounds
    dx, dy = (x1 - x0) / 2, (y1 - y0) / 2  # some surroundings, to place the area
    frame = frame_for((x0 - dx, y0 - dy, x1 + dx, y1 + dy), height)
    base, names = basemap(regions, frame)
    layers = [base, svgmap.areas(geo, frame, "area", pickable=False, opacity=1.0),
              svgmap.outline(geo, frame, "area_line", color=(230, 97, 0), width_px=3), names]
    return svgmap.scene(frame, layers, "area", ui)
