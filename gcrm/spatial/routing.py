"""One routing kernel for a day's round of stops: visits (key accounts) and inspections
(revenue protection). Pure: numpy, networkx, OR-tools.

Point 0 is the start; points 1..n are the stops. The cost matrix is travel seconds over the
road network when one is loaded (:func:`network_matrix`: Dijkstra over a directed road graph
with ``travel_s`` edge weights, as built by :mod:`gcrm.tradearea.network`), else
straight-line distances (:func:`straight_matrix`: seconds at an average speed). :func:`plan`
asks OR-tools' routing solver (path-cheapest-arc start, guided local search, limited to
``seconds``) for the order of least total cost, with an optional fixed time at each stop and
optional time windows (seconds after the day's start); a stop whose window cannot be met is
left out (``dropped``) rather than failing the whole day. ``open_end`` makes the return to the
start free (an open path from point 0).

The plan is never longer than the order given: when the solver's tour would cost more than
visiting the stops in the order given (and that order meets every window), the given order
is kept (``solver="given"``).

>>> m = straight_matrix([0.0, 0.03, 0.01, 0.02], [0.0] * 4, speed_kmh=30)
>>> plan(m, seconds=0.1).order
(2, 3, 1)
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from gcrm.spatial.crs import haversine_m

DAY_S = 24 * 3600
#: a stop that cannot be reached on the roads: a very long trip, never chosen if avoidable
UNREACHABLE_S = 10 * 3600
#: dropping a stop costs this much (seconds): the solver visits everyone it can
DROP_PENALTY_S = 100 * 3600
#: a point must lie within this many km of a road node to be snapped to it
MAX_SNAP_KM = 2.0

Windows = Sequence[tuple[float, float] | None]


@dataclass(frozen=True)
class Plan:
    order: tuple[int, ...]  # stop indices 1..n in visiting order (0, the start, excluded)
    arrive_s: tuple[float, ...]  # arrival time at each, seconds after the day's start
    travel_s: float  # total cost of the tour (back to the start unless open_end)
    dropped: tuple[int, ...]  # stops whose time window could not be met
    solver: str  # "ortools" or "given" (the given order was no longer)


def straight_matrix(lon: Sequence[float], lat: Sequence[float],
                    speed_kmh: float) -> np.ndarray:
    """Seconds between every pair of points in a straight line at ``speed_kmh``."""
    x, y = np.asarray(lon, float), np.asarray(lat, float)
    metres = haversine_m(x[:, None], y[:, None], x[None, :], y[None, :])
    return metres / 1000.0 / speed_kmh * 3600.0


def nearest_node(g: nx.DiGraph, lon: float, lat: float,
                 max_km: float = MAX_SNAP_KM) -> tuple[int, float]:
    """The node (attributes ``x``/``y`` = lon/lat) nearest ``(lon, lat)`` and its distance in
    km; ValueError beyond ``max_km``."""
    if g.number_of_nodes() == 0:
        raise ValueError("the road network has no nodes")
    ids = np.fromiter(g.nodes, dtype=np.int64)
    xs = np.array([g.nodes[n]["x"] for n in ids])
    ys = np.array([g.nodes[n]["y"] for n in ids])
    d = haversine_m(lon, lat, xs, ys) / 1000.0
    i = int(np.argmin(d))
    if d[i] > max_km:
        raise ValueError(f"point ({lon:.5f}, {lat:.5f}) is {d[i]:.1f} km from the nearest road "
                         f"of the network (more than {max_km:g} km): is the PBF for this area?")
    return int(ids[i]), float(d[i])


def network_matrix(g: nx.DiGraph, lon: Sequence[float], lat: Sequence[float]) -> np.ndarray:
    """Seconds between every pair of points over the road graph ``g`` (``travel_s`` weights);
    a point is snapped to its nearest road node (ValueError when too far from the roads)."""
    nodes = [nearest_node(g, x, y)[0] for x, y in zip(lon, lat, strict=True)]
    n = len(nodes)
    out = np.full((n, n), float(UNREACHABLE_S))
    for i, src in enumerate(nodes):
        times = nx.single_source_dijkstra_path_length(g, src, weight="travel_s")
        for j, dst in enumerate(nodes):
            out[i, j] = 0.0 if i == j else times.get(dst, UNREACHABLE_S)
    return out


def tour_seconds(matrix: np.ndarray, order: Sequence[int], closed: bool = True) -> float:
    """Cost of the tour 0 -> order... (-> 0 when ``closed``)."""
    path = [0, *order, *([0] if closed else [])]
    return float(sum(matrix[a, b] for a, b in itertools.pairwise(path)))


def _arrivals(matrix: np.ndarray, order: Sequence[int], service_s: float,
              windows: Windows) -> list[float] | None:
    """Arrival times along ``order`` (waiting for a window to open); None if one is missed."""
    t, here, out = 0.0, 0, []
    for stop in order:
        t += matrix[here, stop]
        w = windows[stop]
        if w is not None:
            t = max(t, w[0])
            if t > w[1]:
                return None
        out.append(float(t))
        t += service_s
        here = stop
    return out


def _model(cost: np.ndarray, service_s: float, windows: Windows):
    n = len(cost)
    manager = pywrapcp.RoutingIndexManager(n, 1, 0)
    routing = pywrapcp.RoutingModel(manager)

    def transit(i: int, j: int) -> int:
        a, b = manager.IndexToNode(i), manager.IndexToNode(j)
        return int(cost[a, b]) + (int(service_s) if a != 0 else 0)

    arc = routing.RegisterTransitCallback(transit)
    routing.SetArcCostEvaluatorOfAllVehicles(arc)
    routing.AddDimension(arc, DAY_S, 100 * DAY_S, False, "time")
    time = routing.GetDimensionOrDie("time")
    for node in range(1, n):
        idx = manager.NodeToIndex(node)
        if windows[node] is not None:
            lo, hi = windows[node]
            time.CumulVar(idx).SetRange(int(lo), int(hi))
        routing.AddDisjunction([idx], DROP_PENALTY_S)
    time.CumulVar(routing.Start(0)).SetRange(0, 0)
    return manager, routing


def _solve(cost: np.ndarray, service_s: float, windows: Windows,
           seconds: float) -> list[int] | None:
    manager, routing = _model(cost, service_s, windows)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH)
    params.time_limit.FromMilliseconds(max(int(seconds * 1000), 1))
    sol = routing.SolveWithParameters(params)
    if sol is None:
        return None
    order, idx = [], routing.Start(0)
    while not routing.IsEnd(idx):
        node = manager.IndexToNode(idx)
        if node:
            order.append(node)
        idx = sol.Value(routing.NextVar(idx))
    return order


def plan(matrix: np.ndarray, service_s: float = 0.0, windows: Windows | None = None,
         seconds: float = 1.0, open_end: bool = False) -> Plan:
    """The visiting order of stops 1..n from start 0 (and back unless ``open_end``)."""
    m = np.rint(np.asarray(matrix, float))  # whole units, as the solver sees them
    n = len(m)
    if m.ndim != 2 or m.shape != (n, n) or n < 1:
        raise ValueError("the travel matrix must be square, with the start as point 0")
    wins = list(windows) if windows is not None else [None] * n
    closed = not open_end
    given = list(range(1, n))
    given_arrive = _arrivals(m, given, service_s, wins)
    if n <= 2:
        return Plan(tuple(given), tuple(given_arrive or ()), tour_seconds(m, given, closed),
                    (), "given")
    cost = m.astype(np.int64)
    if open_end:
        cost[:, 0] = 0
    order = _solve(cost, service_s, wins, seconds) or []
    if given_arrive is not None and (
            tour_seconds(m, given, closed) <= tour_seconds(m, order, closed)
            or sorted(order) != given):
        return Plan(tuple(given), tuple(given_arrive), tour_seconds(m, given, closed), (),
                    "given")
    arrive = _arrivals(m, order, service_s, wins) or []
    dropped = tuple(sorted(set(given) - set(order)))
    return Plan(tuple(order), tuple(arrive), tour_seconds(m, order, closed), dropped, "ortools")
