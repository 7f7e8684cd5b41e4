"""Fast point-in-polygon assignment of points to regions.

>>> idx = RegionIndex(regions_gdf, id_col="region_id")   # doctest: +SKIP
>>> ids = idx.assign(lon, lat)                             # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray


class RegionIndex:
    """Assign WGS-84 points to the polygons of a GeoDataFrame.

    Parameters
    ----------
    regions : GeoDataFrame
        Polygons/MultiPolygons in WGS-84. Overlapping polygons: the first in row order wins.
    id_col : str
        Column holding the region id returned by :meth:`assign`.
    """

    def __init__(self, regions, id_col: str = "region_id") -> None:
        if id_col not in regions.columns:
            raise KeyError(f"id column {id_col!r} not in regions ({list(regions.columns)})")
        self.ids = np.asarray(regions[id_col].astype(object))
        self.geoms = np.asarray(regions.geometry.values, dtype=object)
        shapely.prepare(self.geoms)
        self.tree = shapely.STRtree(self.geoms)

    def assign(self, lon: ArrayLike, lat: ArrayLike) -> NDArray[np.object_]:
        """Region id for each point (None where no region contains it or it is NaN)."""
        x = np.asarray(lon, dtype=np.float64)
        y = np.asarray(lat, dtype=np.float64)
        out = np.full(x.shape, None, dtype=object)
        ok = np.isfinite(x) & np.isfinite(y)
        idx = np.flatnonzero(ok)
        if idx.size == 0:
            return out
        pts = shapely.points(x[idx], y[idx])
        p, g = self.tree.query(pts, predicate="within")
        # first polygon (lowest row) wins where polygons overlap
        order = np.lexsort((g, p))
        p, g = p[order], g[order]
        first = np.r_[True, p[1:] != p[:-1]] if p.size else np.zeros(0, bool)
        out[idx[p[first]]] = self.ids[g[first]]
        return out
