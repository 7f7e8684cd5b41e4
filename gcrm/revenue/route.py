"""A day's inspection route: the visiting order of a few addresses (pure kernel).

The order comes from the shared routing kernel :mod:`gcrm.spatial.routing` (OR-tools, never
longer than the order given). Travel is over the road network when one is given (drive
seconds, Dijkstra on :func:`gcrm.tradearea.network.load_graph`'s graph), else in a straight
line (haversine metres). The route starts (and ends) at ``start`` when given (a business
hall), else it is an open path from the first stop.

>>> route([(125.90, 41.70), (125.95, 41.70), (125.91, 41.70)]).order
[0, 2, 1]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np

from gcrm.spatial import routing
from gcrm.spatial.crs import haversine_m


@dataclass(frozen=True)
class Route:
    """``order``: indices into the stops in visiting order; ``metres``: the tour's
    straight-line length (back to the start when one was given); ``naive_metres``: that
    length in the given order; ``method``: "roads" or "straight_line"; ``minutes`` and
    ``naive_minutes``: drive time on the roads (None in a straight line)."""

    order: list[int]
    metres: float
    naive_metres: float
    method: str = "straight_line"
    minutes: float | None = None
    naive_minutes: float | None = None


def distances(points: Sequence[tuple[float, float]]) -> np.ndarray:
    """Haversine distance matrix in metres of (lon, lat) points."""
    p = np.asarray(points, float).reshape(-1, 2)
    x, y = p[:, 0], p[:, 1]
    return haversine_m(x[:, None], y[:, None], x[None, :], y[None, :])


def route(stops: Sequence[tuple[float, float]], start: tuple[float, float] | None = None,
          seconds: float = 1.0, graph: nx.DiGraph | None = None) -> Route:
    """The best visiting order of ``stops`` (lon, lat) found within ``seconds``, over the
    roads of ``graph`` when given (ValueError when a stop is far from every road)."""
    n = len(stops)
    if n == 0:
        return Route([], 0.0, 0.0, "roads" if graph is not None else "straight_line")
    pts = ([start] if start is not None else []) + list(stops)
    metres = distances(pts)
    cost = metres if graph is None else routing.network_matrix(
        graph, [p[0] for p in pts], [p[1] for p in pts])
    closed = start is not None
    p = routing.plan(cost, seconds=seconds, open_end=not closed)
    order = [i - 1 for i in p.order] if closed else [0, *p.order]  # indices into stops
    naive = list(range(1, len(pts)))
    length = routing.tour_seconds(metres, p.order, closed)
    naive_length = routing.tour_seconds(metres, naive, closed)
    if graph is None:
        return Route(order, length, naive_length)
    return Route(order, length, naive_length, "roads", p.travel_s / 60,
                 routing.tour_seconds(cost, naive, closed) / 60)

