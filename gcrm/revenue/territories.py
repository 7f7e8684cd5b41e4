"""Transformer areas drawn as Voronoi cells around their transformers (pure kernel, shapely).

A 台区 has no surveyed boundary in the inputs; the cell of the plane nearer to its
transformer than to any other, clipped to the districts shown, is a readable stand-in on a
map (each cell holds most of the area's customers when transformers sit among them).

>>> from shapely.geometry import box
>>> cells = voronoi_cells(["A", "B"], [0.25, 0.75], [0.5, 0.5], box(0, 0, 1, 1))
>>> sorted(round(g.area, 2) for g in cells.values())
[0.5, 0.5]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry


def voronoi_cells(ids: Sequence[str], lon: Sequence[float], lat: Sequence[float],
                  clip: BaseGeometry) -> dict[str, BaseGeometry]:
    """``id -> cell`` for the points with coordinates (others are left out), clipped to
    ``clip``; a single point gets the whole of ``clip``."""
    x, y = np.asarray(lon, float), np.asarray(lat, float)
    ok = np.isfinite(x) & np.isfinite(y)
    keep = [i for i, k in zip(ids, ok, strict=True) if k]
    if not keep:
        return {}
    pts = shapely.points(x[ok], y[ok])
    if len(keep) == 1:
        return {keep[0]: clip}
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts),
                                                       extend_to=clip))
    out: dict[str, BaseGeometry] = {}
    tree = shapely.STRtree(cells)
    for key, p in zip(keep, pts, strict=True):
        hit = tree.query(p, predicate="intersects")
        if hit.size:
            cell = shapely.intersection(cells[hit[0]], clip)
            if not cell.is_empty:
                out[key] = cell
    return out
