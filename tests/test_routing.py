"""The one routing kernel (gcrm.spatial.routing) and the two domains that use it."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from gcrm.revenue import route as inspection_route
from gcrm.spatial import routing


def _one_way_ring() -> nx.DiGraph:
    """Three road nodes on a line x = 0, 0.01, 0.02 (lat 0): a fast bypass 0 -> 2 -> 1 and
    slow streets 0 -> 1 -> 2, so on the roads the far node comes first."""
    g = nx.DiGraph()
    for n, x in enumerate((0.0, 0.01, 0.02)):
        g.add_node(n, x=x, y=0.0)
    for a, b, s in ((0, 2, 60.0), (2, 1, 60.0), (0, 1, 1000.0), (1, 2, 1000.0)):
        g.add_edge(a, b, travel_s=s)
    return g


STOPS = [(0.0, 0.0), (0.01, 0.0), (0.02, 0.0)]


def test_straight_line_and_road_orders_differ_on_a_hand_made_graph() -> None:
    straight = inspection_route.route(STOPS, seconds=0.1)
    assert straight.order == [0, 1, 2] and straight.method == "straight_line"
    assert straight.minutes is None
    assert straight.metres == pytest.approx(2223.9, abs=1)  # 0.02 degrees on the equator
    roads = inspection_route.route(STOPS, seconds=0.1, graph=_one_way_ring())
    assert roads.order == [0, 2, 1] and roads.method == "roads"
    assert roads.minutes == pytest.approx(2.0)  # 60 s + 60 s on the bypass
    # in the given order: to stop 1 by the bypass (120 s), then the slow street to 2 (1000 s)
    assert roads.naive_minutes == pytest.approx(1120 / 60)
    assert roads.metres == pytest.approx(3335.8, abs=1)  # longer in a straight line
    m = routing.network_matrix(_one_way_ring(), *zip(*STOPS, strict=True))
    assert m[0, 2] == 60 and m[0, 1] == 120 and m[1, 2] == 1000 and m[2, 1] == 60


def test_a_stop_off_the_roads_is_refused() -> None:
    with pytest.raises(ValueError, match="from the nearest road"):
        inspection_route.route([*STOPS, (1.0, 1.0)], graph=_one_way_ring())


def test_never_longer_than_the_given_order() -> None:
    rng = np.random.default_rng(7)
    for n in (3, 6, 12):
        lon, lat = 125.9 + rng.random(n) * 0.1, 41.7 + rng.random(n) * 0.1
        m = routing.straight_matrix(lon, lat, 30)
        given = list(range(1, n))
        for open_end in (False, True):
            p = routing.plan(m, seconds=0.05, open_end=open_end)
            assert sorted(p.order) == given and not p.dropped
            assert p.travel_s <= routing.tour_seconds(np.rint(m), given, not open_end) + 1e-6
    # an order that is already the best is kept as given
    line = routing.straight_matrix([0, 0.01, 0.02, 0.03], [0] * 4, 30)
    assert routing.plan(line, open_end=True, seconds=0.05).solver == "given"


def test_open_end_ignores_the_way_back() -> None:
    # from 0: a stop 1 km west and one 2 km east; the round trip does not care which comes
    # first, the open path goes west first (1 + 3 km rather than 2 + 3 km)
    m = routing.straight_matrix([0.0, -0.009, 0.018], [0.0] * 3, 30)
    assert routing.plan(m, open_end=True, seconds=0.05).order == (1, 2)


def test_both_domains_use_the_one_kernel() -> None:
    import importlib.util
    from pathlib import Path

    from gcrm.accounts import queries as accounts_queries

    assert inspection_route.routing is routing
    assert importlib.util.find_spec("gcrm.accounts.routing") is None
    src = Path(accounts_queries.__file__).read_text(encoding="utf-8")
    assert "from gcrm.spatial import routing" in src
