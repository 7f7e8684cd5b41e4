"""Road network from an OpenStreetMap PBF and drive-time areas (isochrones).

* :func:`load_roads` reads the drivable ways of a ``.osm.pbf`` with ``pyrosm`` (offline).
* :func:`build_graph` makes a directed ``networkx`` graph: one edge per drivable direction
  (``oneway=yes|true|1`` forward only, ``-1`` backward only), weighted by ``travel_s`` =
  length / speed, the speed from ``maxspeed`` (km/h, ``mph`` converted; zone codes such as
  ``RU:urban`` map to a table) or else a default per ``highway`` type (:data:`SPEEDS_KMH`).
* :func:`isochrones` runs one Dijkstra from the road node nearest the origin and, for each
  time budget T, keeps every edge part reachable within T (an edge whose start is reached at
  t < T contributes its first ``(T - t) / travel_s`` fraction); the area is the union of those
  lines buffered by ``buffer_m`` (default 100 m) in a local azimuthal-equidistant projection.
  A buffer of the reachable streets, not a concave hull: it never claims land across a river
  or a block that no road reaches.
* Without a road network, :func:`drive_time_areas` falls back to straight-line distance bands
  at an assumed speed and says so in its ``note`` column.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from shapely.ops import substring

from gcrm.spatial.routing import nearest_node
from gcrm.tradearea.geometry import (
    WGS84,
    _to_local,
    _to_wgs84,
    geodesic_area_km2,
    local_crs,
    rings,
)

#: default free-flow speed (km/h) per OSM highway type when ``maxspeed`` is missing
SPEEDS_KMH = {
    "motorway": 100, "motorway_link": 60, "trunk": 80, "trunk_link": 50, "primary": 60,
    "primary_link": 40, "secondary": 50, "secondary_link": 40, "tertiary": 40,
    "tertiary_link": 30, "unclassified": 30, "residential": 25, "living_street": 10,
    "service": 15, "road": 30, "track": 15,
}
DEFAULT_SPEED_KMH = 30.0
#: zone codes of ``maxspeed`` (country:zone) -> km/h
ZONE_SPEEDS_KMH = {"urban": 50, "rural": 80, "motorway": 110, "trunk": 90, "living_street": 20,
                   "walk": 5, "zone30": 30}
#: straight-line speed assumed by the fallback without a road network
FALLBACK_SPEED_KMH = 30.0

_NUM = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh)?\s*$", re.IGNORECASE)


def parse_maxspeed(value: object) -> float | None:
    """km/h from an OSM ``maxspeed`` value, or None when it gives none.

    >>> parse_maxspeed("50"), parse_maxspeed("30 mph"), parse_maxspeed("RU:urban")
    (50.0, 48.28, 50.0)
    >>> parse_maxspeed("none") is None, parse_maxspeed("60;80")
    (True, 60.0)
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    s = str(value).split(";")[0].strip()
    m = _NUM.match(s)
    if m:
        v = float(m[1])
        if m[2] and m[2].lower() == "mph":
            v = round(v * 1.609344, 2)
        return v if v > 0 else None
    if ":" in s:
        zone = ZONE_SPEEDS_KMH.get(s.split(":", 1)[1].lower())
        return None if zone is None else float(zone)
    return None


def edge_speeds(edges: pd.DataFrame) -> np.ndarray:
    """Speed in km/h of each edge: parsed ``maxspeed``, else the ``highway`` default."""
    hw = edges["highway"].astype(str) if "highway" in edges else pd.Series("", index=edges.index)
    default = hw.map(lambda h: SPEEDS_KMH.get(h, DEFAULT_SPEED_KMH)).astype(float)
    if "maxspeed" in edges:
        given = edges["maxspeed"].map(parse_maxspeed).astype(float)
        return given.fillna(default).to_numpy(float)
    return default.to_numpy(float)


def load_roads(pbf: str | Path, network_type: str = "driving",
               bounding_box: Sequence[float] | None = None,
               ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Nodes and edges of the road network in ``pbf`` (pyrosm, offline), optionally only
    within ``bounding_box`` (minx, miny, maxx, maxy).

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    ValueError
        Not a readable PBF, or no roads of ``network_type`` in it.
    """
    path = Path(pbf)
    if not path.exists():
        raise FileNotFoundError(f"road network file {path} does not exist")
    import pyrosm

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bbox = list(bounding_box) if bounding_box is not None else None
            osm = pyrosm.OSM(str(path), bounding_box=bbox)
            nodes, edges = osm.get_network(network_type=network_type, nodes=True)
    except Exception as exc:  # pyrosm raises assorted errors on bad files
        raise ValueError(f"cannot read road network from {path}: {type(exc).__name__}: "
                         f"{exc}") from exc
    if edges is None or nodes is None or len(edges) == 0:
        raise ValueError(f"{path} contains no {network_type} roads")
    return nodes, edges


def build_graph(nodes: pd.DataFrame, edges: gpd.GeoDataFrame) -> nx.DiGraph:
    """Directed graph: node attributes ``x``/``y`` (lon/lat), edge attributes ``length`` (m),
    ``speed_kmh``, ``travel_s`` and ``geometry`` (a LineString oriented from ``u`` to ``v``).

    Parallel ways between two nodes keep the faster one.
    """
    g = nx.DiGraph()
    for nid, x, y in zip(nodes["id"].to_numpy(), nodes["lon"].to_numpy(float),
                         nodes["lat"].to_numpy(float), strict=True):
        g.add_node(int(nid), x=float(x), y=float(y))
    speeds = edge_speeds(edges)
    oneway = (edges["oneway"].astype(str).str.lower() if "oneway" in edges
              else pd.Series("", index=edges.index))
    geoms = edges.geometry.to_numpy()
    for u, v, length, speed, ow, geom in zip(edges["u"].to_numpy(), edges["v"].to_numpy(),
                                             edges["length"].to_numpy(float), speeds,
                                             oneway.to_numpy(), geoms, strict=True):
        u, v = int(u), int(v)
        t = float(length) / (float(speed) / 3.6)
        if isinstance(geom, shapely.MultiLineString):
            geom = shapely.line_merge(geom)
        if ow != "-1":
            _add_edge(g, u, v, float(length), float(speed), t, geom)
        if ow not in ("yes", "true", "1"):
            _add_edge(g, v, u, float(length), float(speed), t,
                      geom.reverse() if geom is not None else None)
    return g


def _add_edge(g: nx.DiGraph, u: int, v: int, length: float, speed: float, t: float,
              geom) -> None:
    if g.has_edge(u, v) and g[u][v]["travel_s"] <= t:
        return
    g.add_edge(u, v, length=length, speed_kmh=speed, travel_s=t, geometry=geom)


@lru_cache(maxsize=4)
def graph_from_pbf(pbf: str, mtime: float = 0.0) -> nx.DiGraph:
    """:func:`build_graph` of :func:`load_roads`, cached per (path, modification time)."""
    return build_graph(*load_roads(pbf))


def load_graph(pbf: str | Path) -> nx.DiGraph:
    """The road graph of ``pbf`` (:func:`graph_from_pbf`, re-read when the file changes);
    FileNotFoundError when it does not exist."""
    p = Path(pbf)
    if not p.exists():
        raise FileNotFoundError(f"road network file {p} does not exist")
    return graph_from_pbf(str(p.resolve()), p.stat().st_mtime)


def travel_times(g: nx.DiGraph, source: int, cutoff_s: float | None = None) -> dict[int, float]:
    """Seconds from ``source`` to every node reachable (within ``cutoff_s``), by Dijkstra."""
    return nx.single_source_dijkstra_path_length(g, source, cutoff=cutoff_s, weight="travel_s")


def reachable_lines(g: nx.DiGraph, times: dict[int, float], budget_s: float) -> list:
    """Edge geometries (whole or the reachable leading part) reachable within ``budget_s``."""
    lines = []
    for u, tu in times.items():
        if tu > budget_s:
            continue
        for v, data in g[u].items():
            geom = data.get("geometry")
            if geom is None:
                geom = shapely.LineString([(g.nodes[u]["x"], g.nodes[u]["y"]),
                                           (g.nodes[v]["x"], g.nodes[v]["y"])])
            left = budget_s - tu
            if left >= data["travel_s"]:
                lines.append(geom)
            elif left > 0 and data["travel_s"] > 0:
                lines.append(substring(geom, 0.0, left / data["travel_s"], normalized=True))
    return lines


def isochrones(g: nx.DiGraph, lon: float, lat: float, minutes: Sequence[float] = (5, 10, 15),
               buffer_m: float = 100.0) -> gpd.GeoDataFrame:
    """Drive-time areas from the road node nearest ``(lon, lat)``.

    Returns
    -------
    geopandas.GeoDataFrame
        ``minutes``, ``nodes`` (reachable road nodes), ``area_km2``, ``method`` ("network"),
        ``note``, geometry (WGS-84).
    """
    mins = sorted(float(m) for m in minutes)
    if not mins or mins[0] <= 0:
        raise ValueError(f"drive times must be positive minutes, got {list(minutes)}")
    source, snap_km = nearest_node(g, lon, lat)
    times = travel_times(g, source, cutoff_s=mins[-1] * 60)
    crs = local_crs(lon, lat)
    rows = []
    for m in mins:
        lines = reachable_lines(g, times, m * 60)
        if lines:
            local = shapely.union_all(shapely.buffer(_to_local(np.array(lines), crs),
                                                     buffer_m, quad_segs=4))
        else:
            local = shapely.Point(0, 0).buffer(buffer_m)
        geom = _to_wgs84(local, crs)
        rows.append({"minutes": m, "nodes": sum(1 for t in times.values() if t <= m * 60),
                     "area_km2": geodesic_area_km2(geom), "method": "network",
                     "note": f"road network; origin snapped {snap_km * 1000:.0f} m to node "
                             f"{source}", "geometry": geom})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=WGS84)


def drive_time_areas(lon: float, lat: float, minutes: Sequence[float] = (5, 10, 15),
                     graph: nx.DiGraph | None = None, buffer_m: float = 100.0,
                     fallback_speed_kmh: float = FALLBACK_SPEED_KMH) -> gpd.GeoDataFrame:
    """Isochrones on ``graph``; with no graph, disks of radius ``speed × minutes``.

    The fallback's rows have ``method = "distance_fallback"`` and a ``note`` saying that no
    road network was loaded.
    """
    if graph is not None:
        return isochrones(graph, lon, lat, minutes, buffer_m)
    mins = sorted(float(m) for m in minutes)
    if not mins or mins[0] <= 0:
        raise ValueError(f"drive times must be positive minutes, got {list(minutes)}")
    r = rings(lon, lat, [fallback_speed_kmh * m / 60.0 for m in mins])
    r.insert(0, "minutes", mins)
    r["nodes"] = 0
    r["method"] = "distance_fallback"
    r["note"] = (f"no road network loaded: straight-line distance bands at "
                 f"{fallback_speed_kmh:g} km/h instead of drive times")
    return r[["minutes", "nodes", "area_km2", "method", "note", "geometry"]]
