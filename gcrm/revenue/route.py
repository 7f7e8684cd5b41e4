"""A day's inspection route: the visiting order of a few addresses (pure kernel, OR-tools).

Distances are straight lines (haversine, metres): GCRM loads no road network for inspections
yet, so the order is optimal for straight-line travel, which on a town's street grid is a
good proxy. The route starts (and ends) at ``start`` when given (a business hall), else at
the first stop. OR-tools' routing solver with a path-cheapest-arc start and guided local
search, limited to ``seconds``.

>>> route([(125.90, 41.70), (125.95, 41.70), (125.91, 41.70)]).order
[0, 2, 1]
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

EARTH_M = 6_371_000.0


@dataclass(frozen=True)
class Route:
    """``order``: indices into the stops in visiting order; ``metres``: the tour's length
    (back to the start when one was given); ``naive_metres``: the length in the given order."""

    order: list[int]
    metres: float
    naive_metres: float


def distances(points: Sequence[tuple[float, float]]) -> np.ndarray:
    """Haversine distance matrix in metres of (lon, lat) points."""
    p = np.radians(np.asarray(points, float).reshape(-1, 2))
    lon, lat = p[:, 0][:, None], p[:, 1][:, None]
    a = (np.sin((lat - lat.T) / 2) ** 2
         + np.cos(lat) * np.cos(lat.T) * np.sin((lon - lon.T) / 2) ** 2)
    return 2 * EARTH_M * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def _length(d: np.ndarray, tour: list[int], closed: bool) -> float:
    legs = list(itertools.pairwise(tour)) + ([(tour[-1], tour[0])] if closed else [])
    return float(sum(d[a, b] for a, b in legs))


def route(stops: Sequence[tuple[float, float]], start: tuple[float, float] | None = None,
          seconds: float = 1.0) -> Route:
    """The best visiting order of ``stops`` (lon, lat) found within ``seconds``."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    n = len(stops)
    if n <= 2 and start is None:
        return Route(list(range(n)), _length(distances(stops), list(range(n)), False)
                     if n else 0.0, 0.0 if n < 2 else float(distances(stops)[0, 1]))
    pts = ([start] if start else []) + list(stops)
    d = distances(pts)
    off = 1 if start else 0
    cost = np.rint(d).astype(np.int64)
    if start is None:  # an open path from stop 0: coming back to it costs nothing
        cost[:, 0] = 0
    manager = pywrapcp.RoutingIndexManager(len(cost), 1, 0)
    model = pywrapcp.RoutingModel(manager)
    cb = model.RegisterTransitCallback(
        lambda i, j: int(cost[manager.IndexToNode(i), manager.IndexToNode(j)]))
    model.SetArcCostEvaluatorOfAllVehicles(cb)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH)
    params.time_limit.FromMilliseconds(int(seconds * 1000))
    sol = model.SolveWithParameters(params)
    idx, tour = model.Start(0), []
    while not model.IsEnd(idx):
        node = manager.IndexToNode(idx)
        if node >= off or start is None:
            tour.append(node - off)
        idx = sol.Value(model.NextVar(idx))
    dm = distances(([start] if start else []) + list(stops))
    s = 1 if start else 0
    full = ([0] if start else []) + [i + s for i in tour]
    naive = ([0] if start else []) + [i + s for i in range(n)]
    closed = start is not None
    return Route(tour, _length(dm, full, closed), _length(dm, naive, closed))
