"""Visit routes for a day (pure: numpy, networkx, OR-tools).

Point 0 is the start (office or home); points 1..n are the customers. Travel times come from
the road network when one is given (:func:`network_matrix`: Dijkstra over the roads of an
OpenStreetMap extract, :mod:`gcrm.tradearea.network`), else from straight-line distances at an
average speed (:func:`straight_matrix`). :func:`plan` asks OR-tools' routing solver for the
order that minimises travel time on a round trip back to the start, with a fixed time at each
customer and optional time windows (seconds after the day's start); a customer whose window
cannot be met is left out (``dropped``) rather than failing the whole day.

The plan is never longer than the order given: when the solver's round trip would take longer
than visiting the customers in the order given (and that order meets every window), the given
order is kept.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from gcrm.tradearea.geometry import haversine_km
from gcrm.tradearea.network import nearest_node

DAY_S = 24 * 3600
#: a customer that cannot be reached on the roads: a very long trip, never chosen if avoidable
UNREACHABLE_S = 10 * 3600
#: dropping a customer costs this much (seconds): the solver visits everyone it can
DROP_PENALTY_S = 100 * 3600


@dataclass(frozen=True)
class Plan:
    order: tuple[int, ...]  # customer indices 1..n in visiting order (0, the start, excluded)
    arrive_s: tuple[float, ...]  # arrival time at each, seconds after the day's start
    travel_s: float  # total travel time of the round trip
    dropped: tuple[int, ...]  # customers whose time window could not be met
    solver: str  # "ortools" or "given" (the given order was no longer)


def straight_matrix(lon: Sequence[float], lat: Sequence[float],
                    speed_kmh: float) -> np.ndarray:
    """Seconds between every pair of points in a straight line at ``speed_kmh``."""
    x, y = np.asarray(lon, float), np.asarray(lat, float)
    km = haversine_km(x[:, None], y[:, None], x[None, :], y[None, :])
    return km / speed_kmh * 3600.0


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


def tour_seconds(matrix: np.ndarray, order: Sequence[int]) -> float:
    """Travel time of the round trip 0 -> order... -> 0."""
    path = [0, *order, 0]
    return float(sum(matrix[a, b] for a, b in itertools.pairwise(path)))


def _arrivals(matrix: np.ndarray, order: Sequence[int], service_s: float,
              windows: Sequence[tuple[float, float] | None]) -> list[float] | None:
    """Arrival times along ``order`` (waiting for a window to open); None if a window is
    missed."""
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


def _model(matrix: np.ndarray, service_s: float,
           windows: Sequence[tuple[float, float] | None]):
    n = len(matrix)
    manager = pywrapcp.RoutingIndexManager(n, 1, 0)
    routing = pywrapcp.RoutingModel(manager)
    cost = matrix.astype(np.int64)

    def transit(i: int, j: int) -> int:
        a, b = manager.IndexToNode(i), manager.IndexToNode(j)
        return int(cost[a, b]) + (int(service_s) if a != 0 else 0)

    arc = routing.RegisterTransitCallback(transit)
    routing.SetArcCostEvaluatorOfAllVehicles(arc)
    routing.AddDimension(arc, DAY_S, DAY_S, False, "time")
    time = routing.GetDimensionOrDie("time")
    for node in range(1, n):
        idx = manager.NodeToIndex(node)
        if windows[node] is not None:
            lo, hi = windows[node]
            time.CumulVar(idx).SetRange(int(lo), int(hi))
        routing.AddDisjunction([idx], DROP_PENALTY_S)
    time.CumulVar(routing.Start(0)).SetRange(0, 0)
    return manager, routing


def _solve(matrix: np.ndarray, service_s: float,
           windows: Sequence[tuple[float, float] | None], seconds: float) -> list[int] | None:
    manager, routing = _model(matrix, service_s, windows)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH)
    params.time_limit.FromMilliseconds(int(seconds * 1000))
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


def plan(matrix: np.ndarray, service_s: float = 0.0,
         windows: Sequence[tuple[float, float] | None] | None = None,
         seconds: float = 1.0) -> Plan:
    """The visiting order of customers 1..n from start 0 and back (see the module doc)."""
    m = np.rint(np.asarray(matrix, float))  # whole seconds, as the solver sees them
    n = len(m)
    if m.shape != (n, n) or n < 1:
        raise ValueError("the travel matrix must be square, with the start as point 0")
    wins = list(windows) if windows is not None else [None] * n
    given = list(range(1, n))
    if n <= 2:
        arr = _arrivals(m, given, service_s, wins)
        return Plan(tuple(given), tuple(arr or ()), tour_seconds(m, given), (), "given")
    order = _solve(m, service_s, wins, seconds) or []
    arrive = _arrivals(m, order, service_s, wins) or []
    given_arrive = _arrivals(m, given, service_s, wins)
    if given_arrive is not None and tour_seconds(m, given) <= tour_seconds(m, order):
        return Plan(tuple(given), tuple(given_arrive), tour_seconds(m, given), (), "given")
    dropped = tuple(sorted(set(given) - set(order)))
    return Plan(tuple(order), tuple(arrive), tour_seconds(m, order), dropped, "ortools")
