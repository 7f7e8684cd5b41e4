"""H3 grid cells as polygons (WGS-84): the grid level of maps and GIS exports.

Customers carry the H3 cell of their location (``dim_customer.grid_id``, resolution in the meta
value ``h3_resolution``). A cell's outline comes from :func:`h3.cell_to_boundary`, which returns
(lat, lng) pairs; GeoJSON and shapely want (lng, lat).
"""

from __future__ import annotations

from collections.abc import Iterable

import h3
from shapely.geometry import Polygon


def ring(cell: str, digits: int = 6) -> list[list[float]]:
    """The closed outline of ``cell`` as GeoJSON ``[lng, lat]`` positions (rounded to
    ``digits`` decimals: 6 is about 0.1 m, and halves the JSON sent to a map)."""
    pts = [[round(lng, digits), round(lat, digits)] for lat, lng in h3.cell_to_boundary(cell)]
    return [*pts, pts[0]]


def polygon(cell: str) -> Polygon:
    return Polygon(ring(cell))


def center(cell: str) -> tuple[float, float]:
    """(lng, lat) of the centre of ``cell``."""
    lat, lng = h3.cell_to_latlng(cell)
    return lng, lat


def features(cells: Iterable[str]) -> list[dict]:
    """One GeoJSON Feature per valid cell id, with ``region_id`` (the cell) and its centre."""
    out = []
    for c in cells:
        if not isinstance(c, str) or not h3.is_valid_cell(c):
            continue
        lng, lat = center(c)
        out.append({"type": "Feature",
                    "properties": {"region_id": c, "name": c, "centroid_lon": lng,
                                   "centroid_lat": lat},
                    "geometry": {"type": "Polygon", "coordinates": [ring(c)]}})
    return out
