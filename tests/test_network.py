"""Road network and drive-time areas on the OSM extract shipped with pyrosm (offline)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely

from gcrm.tradearea import network as net

pyrosm = pytest.importorskip("pyrosm")


@pytest.fixture(scope="module")
def roads():
    return net.load_roads(pyrosm.get_data("test_pbf"))


@pytest.fixture(scope="module")
def graph(roads):
    return net.build_graph(*roads)


def test_parse_maxspeed() -> None:
    assert net.parse_maxspeed("50") == 50.0
    assert net.parse_maxspeed("30 mph") == 48.28
    assert net.parse_maxspeed("RU:urban") == 50.0
    assert net.parse_maxspeed("none") is None
    assert net.parse_maxspeed(float("nan")) is None
    assert net.parse_maxspeed("60;80") == 60.0


def _own_graph(edges: pd.DataFrame) -> nx.MultiDiGraph:
    """An independent graph: speed = numeric maxspeed else the highway default; both ways
    unless oneway."""
    g = nx.MultiDiGraph()
    for row in edges.itertuples():
        speed = pd.to_numeric(row.maxspeed, errors="coerce")
        if pd.isna(speed):
            speed = net.SPEEDS_KMH.get(row.highway, net.DEFAULT_SPEED_KMH)
        t = row.length / (speed / 3.6)
        ow = str(row.oneway).lower()
        if ow != "-1":
            g.add_edge(int(row.u), int(row.v), w=t)
        if ow not in ("yes", "true", "1"):
            g.add_edge(int(row.v), int(row.u), w=t)
    return g


def test_drive_times_match_networkx_shortest_paths(roads, graph) -> None:
    nodes, edges = roads
    assert len(edges) == 781 and graph.number_of_nodes() == 749
    own = _own_graph(edges)
    x, y = nodes["lon"].median(), nodes["lat"].median()
    source, snap = net.nearest_node(graph, x, y)
    assert snap < 0.1
    times = net.travel_times(graph, source)
    rng = np.random.default_rng(1)
    targets = rng.choice(sorted(times), 25, replace=False)
    for t in targets:
        expected = nx.shortest_path_length(own, source, int(t), weight="w")
        assert times[int(t)] == pytest.approx(expected, rel=1e-9)


def test_isochrones_contain_exactly_the_reachable_nodes(roads, graph) -> None:
    nodes, _ = roads
    x, y = nodes["lon"].median(), nodes["lat"].median()
    iso = net.isochrones(graph, x, y, [1, 2, 5], buffer_m=50)
    assert iso["method"].tolist() == ["network"] * 3
    assert iso["area_km2"].is_monotonic_increasing
    source, _ = net.nearest_node(graph, x, y)
    own = _own_graph(roads[1])
    dist = nx.single_source_dijkstra_path_length(own, source, weight="w")
    for minutes, geom, count in zip(iso["minutes"], iso.geometry, iso["nodes"], strict=True):
        reach = [n for n, t in dist.items() if t <= minutes * 60]
        assert count == len(reach)
        xs = np.array([graph.nodes[n]["x"] for n in reach])
        ys = np.array([graph.nodes[n]["y"] for n in reach])
        assert shapely.contains_xy(geom, xs, ys).all()
    # a node needing more than twice the 1-minute budget lies outside the 1-minute area
    far = [n for n, t in dist.items() if t > 180]
    xs = np.array([graph.nodes[n]["x"] for n in far])
    ys = np.array([graph.nodes[n]["y"] for n in far])
    assert not shapely.contains_xy(iso.geometry.iloc[0], xs, ys).any()


def test_fallback_without_roads_says_so() -> None:
    g = net.drive_time_areas(125.94, 41.73, [10])
    assert g["method"].iloc[0] == "distance_fallback"
    assert "no road network loaded" in g["note"].iloc[0]
    assert g["area_km2"].iloc[0] == pytest.approx(np.pi * 25, rel=1e-3)  # 30 km/h x 10 min


def test_bad_road_inputs(tmp_path: Path, graph) -> None:
    with pytest.raises(ValueError, match="contains no driving roads"):
        net.load_roads(pyrosm.get_data("test_pbf"), bounding_box=[0, 0, 0.01, 0.01])
    junk = tmp_path / "junk.osm.pbf"
    junk.write_bytes(b"not a pbf at all")
    with pytest.raises(ValueError, match="cannot read road network"):
        net.load_roads(junk)
    with pytest.raises(FileNotFoundError):
        net.load_roads(tmp_path / "missing.pbf")
    with pytest.raises(ValueError, match="km from the nearest road"):
        net.nearest_node(graph, 125.94, 41.73)
