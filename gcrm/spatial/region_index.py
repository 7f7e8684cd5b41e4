"""Fast point-in-polygon assignment of points to regions.

:class:`RegionIndex` answers "which region contains this point?" for millions of points.
Two interchangeable strategies give the same answer on every point not lying on a boundary:

* **exact** — an STRtree query with the ``within`` predicate (what ``geopandas.sjoin`` does).
  Cheap to build, about 3 µs per point on a real district layer.
* **grid** — a precomputed raster of region labels over the regions' extent. Cells that no
  boundary edge touches carry their label (one array lookup per point); cells touched by an
  edge are *ambiguous* and the points in them are decided exactly by counting the crossings of
  a horizontal segment from the point to the next unambiguous cell of its row with the edges
  indexed in the cells in between (ray casting on a few dozen edges per point, vectorised).

>>> import geopandas as gpd, numpy as np, shapely
>>> regions = gpd.GeoDataFrame({"region_id": ["a", "b"]},
...     geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)], crs="EPSG:4326")
>>> RegionIndex(regions).assign(np.array([0.5, 1.5, 5.0]), np.array([0.5, 0.5, 5.0]))
array(['a', 'b', None], dtype=object)
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

Method = Literal["auto", "grid", "exact"]

_NONE = -1  # cell (or point) in no region
_AMB = -2  # cell touched by a boundary edge: points in it need the exact crossing test
_MULTI = -3  # cell inside >= 2 regions: code _MULTI - first; valid lookup, not a reference cell
_EPS = 1e-6  # safety margin (in cells) when deciding which cells an edge touches
_PAD = 2  # empty cells around the extent: every row ends in an unambiguous, empty cell
_MAX_SIDE = 65_000  # cells per side, so that (row, col) sort keys fit in uint16
_CHUNK = 1 << 18  # edges (build) or points (assign) per chunk: 2 MB float64 arrays


def _expand(starts: NDArray[np.int64], counts: NDArray[np.int64]):
    """``(owner, value)`` for ``value in range(starts[i], starts[i] + counts[i])`` for all ``i``."""
    total = int(counts.sum())
    owner = np.repeat(np.arange(counts.size), counts)
    offs = np.cumsum(counts) - counts
    value = np.arange(total, dtype=np.int64) - np.repeat(offs - starts, counts)
    return owner, value


class RegionIndex:
    """Assign points (lon, lat) to the polygons of a GeoDataFrame.

    Parameters
    ----------
    regions : geopandas.GeoDataFrame
        Polygon/MultiPolygon geometries (valid, in WGS-84 or any lon/lat frame; missing or
        empty geometries contain nothing). Where polygons overlap, **the first in row order
        wins**: a point is given the id of the lowest-positioned row whose polygon contains it.
    id_col : str, default "region_id"
        Column holding the region id returned by :meth:`assign`.
    method : {"auto", "grid", "exact"}, default "auto"
        ``"exact"`` never builds the grid; ``"grid"`` builds it now and uses it for every call;
        ``"auto"`` answers small calls exactly and builds the grid lazily once the points
        assigned so far reach ``grid_min_points`` (the build pays off only for many points).
        If any geometry is not polygonal the grid is unavailable and the exact path is used.
    cells : int, optional
        Target number of grid cells. Default: about 4 per polygon vertex, clipped to
        ``[2**18, 2**23]`` (a 2**23 cell int16 raster takes 16 MB).
    grid_min_points : int, optional
        Threshold for ``method="auto"``; default scales with the number of vertices.

    Notes
    -----
    A point on a polygon's boundary is not *within* it (same predicate as
    ``geopandas.sjoin(points, regions, predicate="within")``). Non-finite coordinates give
    ``None``. For invalid polygons (self-intersections, overlapping parts) the two paths may
    disagree; run ``shapely.make_valid`` first.

    Examples
    --------
    >>> import geopandas as gpd, numpy as np, shapely
    >>> squares = gpd.GeoDataFrame({"region_id": ["west", "east"]},
    ...     geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)], crs="EPSG:4326")
    >>> idx = RegionIndex(squares, id_col="region_id", method="grid")
    >>> idx.assign(np.array([0.25, 1.75, np.nan]), np.array([0.5, 0.5, 0.5]))
    array(['west', 'east', None], dtype=object)
    """

    def __init__(
        self,
        regions,
        id_col: str = "region_id",
        *,
        method: Method = "auto",
        cells: int | None = None,
        grid_min_points: int | None = None,
    ) -> None:
        if id_col not in regions.columns:
            raise KeyError(f"id column {id_col!r} not in regions ({list(regions.columns)})")
        if method not in ("auto", "grid", "exact"):
            raise ValueError(f"method must be 'auto', 'grid' or 'exact', not {method!r}")
        self.ids = np.asarray(regions[id_col].astype(object))
        self.geoms = np.asarray(regions.geometry.values, dtype=object)
        self.method = method
        self._ids_ext = np.append(self.ids, None)  # position -1 -> None
        self._tree: shapely.STRtree | None = None
        types = shapely.get_type_id(self.geoms)
        present = ~(shapely.is_missing(self.geoms) | shapely.is_empty(self.geoms))
        self.grid_supported = bool(np.isin(types[present], (3, 6)).all())
        nverts = int(shapely.get_num_coordinates(self.geoms).sum())
        self._cells = int(cells) if cells else int(np.clip(4 * nverts, 2**18, 2**23))
        self.grid_min_points = (
            int(grid_min_points) if grid_min_points is not None
            else int(np.clip(nverts // 32, 10_000, 200_000))
        )
        self._assigned = 0
        self._grid: NDArray[np.integer] | None = None
        if method == "grid" and self.grid_supported:
            self.build_grid()

    # ------------------------------------------------------------------ exact path
    @property
    def tree(self) -> shapely.STRtree:
        """STRtree over the geometries (built on first use)."""
        if self._tree is None:
            self._tree = shapely.STRtree(self.geoms)
        return self._tree

    def _exact(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.int64]:
        """Row position of the first region containing each finite point, -1 if none."""
        out = np.full(x.shape, _NONE, dtype=np.int64)
        if x.size == 0 or self.geoms.size == 0:
            return out
        # a tree over the points queried with each region (prepared once, as in sjoin)
        g, p = shapely.STRtree(shapely.points(x, y)).query(self.geoms, predicate="contains")
        if p.size:
            first = np.full(x.shape, self.geoms.size, dtype=np.int64)
            np.minimum.at(first, p, g)
            hit = first < self.geoms.size
            out[hit] = first[hit]
        return out

    # ------------------------------------------------------------------ grid build
    def build_grid(self) -> None:
        """Precompute the label raster and the edge index of the ambiguous cells.

        Called automatically (see ``method``); calling it again is a no-op.
        """
        if self._grid is not None:
            return
        if not self.grid_supported:
            raise ValueError("the grid needs Polygon/MultiPolygon geometries only")
        parts, part_geom = shapely.get_parts(self.geoms, return_index=True)
        keep = ~shapely.is_empty(parts)
        parts, part_geom = parts[keep], part_geom[keep]
        ring_n, ring_part = _ring_sizes(parts)
        xy = shapely.get_coordinates(parts)  # rings in order: exterior, then the holes
        del parts
        X, Y = xy[:, 0], xy[:, 1]
        # edge i joins vertex i and i + 1; the last vertex of every ring starts no edge
        self._ring_end = np.cumsum(ring_n)
        self._ring_geom = part_geom[ring_part]
        valid = np.ones(max(X.size - 1, 0), dtype=bool)
        valid[self._ring_end[:-1] - 1] = False
        if X.size:
            minx, miny, maxx, maxy = shapely.total_bounds(self.geoms)
        else:
            minx = miny = 0.0
            maxx = maxy = 1.0
        spanx, spany = maxx - minx, maxy - miny
        w = float(np.sqrt(max(spanx * spany, 0.0) / self._cells))
        w = max(w, max(spanx, spany) / (_MAX_SIDE - 2 * _PAD - 2), 1e-9)
        x0, y0 = minx - _PAD * w, miny - _PAD * w
        nx = int(np.floor(spanx / w)) + 2 * _PAD + 1
        ny = int(np.floor(spany / w)) + 2 * _PAD + 1
        self._x0, self._y0, self._w, self._nx, self._ny = x0, y0, w, nx, ny
        nreg = self.geoms.size
        dtype = np.int16 if nreg < np.iinfo(np.int16).max + _MULTI - 1 else np.int32
        self._xy = xy
        crossings, entries = self._scan_edges(X, Y, valid, nx)
        grid = self._fill(*crossings, nx, ny, dtype)
        self._index_entries(entries, grid)
        self._grid = grid

    def _edge_region(self, edge: NDArray[np.int64]) -> NDArray[np.int64]:
        """Row position of the region each edge belongs to."""
        return self._ring_geom[np.searchsorted(self._ring_end, edge, side="right")]

    def _scan_edges(self, X, Y, valid, nx):
        """Row crossings ``(x, row, region)`` and cell index entries of all edges.

        Edges are processed in chunks of ``_CHUNK``: the temporaries stay small, so the heap
        reuses them instead of faulting in fresh pages for every vertex-sized array (the cost
        that dominated the first build in a process).
        """
        i64 = np.empty(0, dtype=np.int64)
        cross = [(np.empty(0), i64, i64)]
        ents = [(i64, i64, i64, i64)]
        for s in range(0, valid.size, _CHUNK):
            e = min(s + _CHUNK, valid.size)
            fx = (X[s:e + 1] - self._x0) / self._w
            fy = (Y[s:e + 1] - self._y0) / self._w
            cross.append(self._row_crossings(fx, fy, valid[s:e], s))
            ents.append(_edge_entries(fx, fy, valid[s:e], s, nx))
        return ([np.concatenate(c) for c in zip(*cross, strict=True)],
                [np.concatenate(c) for c in zip(*ents, strict=True)])

    def _row_crossings(self, fx, fy, valid, s):
        """Where the edges ``s + i`` (vertices ``i, i + 1`` of ``fx, fy``) cross row centres."""
        # row r's centre line is fy = r + 0.5; edge crosses rows [g(ymin), g(ymax)), g = floor(y+.5)
        g = (fy + 0.5).astype(np.int32)  # fy > 0: truncation is floor
        d = g[1:] - g[:-1]
        sel = np.flatnonzero((d != 0) & valid)
        g1, g2 = g[sel], g[sel + 1]
        which, rows = _expand(np.minimum(g1, g2).astype(np.int64), np.abs(g2 - g1).astype(np.int64))
        ee = sel[which]
        xa, ya, xb, yb = fx[ee], fy[ee], fx[ee + 1], fy[ee + 1]
        xc = xa + (rows + 0.5 - ya) * (xb - xa) / (yb - ya)
        return xc, rows, self._edge_region(ee + s)

    def _fill(self, xc, rows, reg, nx, ny, dtype) -> NDArray[np.integer]:
        """Label cell centres by scanline even-odd fill (per region, all rings together)."""
        order = np.lexsort((xc, rows, reg))
        xc, rows, reg = xc[order], rows[order], reg[order]
        # every (region, row) group has an even number of crossings: pair them up
        col = np.ceil(xc - 0.5).astype(np.int64)  # first cell whose centre is right of xc
        start, stop, row, reg = col[0::2], col[1::2], rows[0::2], reg[0::2]
        keep = stop > start
        row, reg = row[keep], reg[keep]
        start, stop = row * nx + start[keep], row * nx + stop[keep]
        order = np.argsort(start, kind="stable")
        start, stop, reg = start[order], stop[order], reg[order]
        big = np.iinfo(dtype).max
        if start.size < 2 or (start[1:] >= np.maximum.accumulate(stop)[:-1]).all():
            # disjoint intervals: one cumulative sum of +label/-label steps
            step = np.zeros(nx * ny + 1, dtype=dtype)
            step[start] += (reg + 1).astype(dtype)
            np.subtract.at(step, stop, (reg + 1).astype(dtype))
            np.cumsum(step, dtype=dtype, out=step)  # in place: no second raster
            grid = step[:-1]
            grid -= 1
            return grid
        which, cell = _expand(start, stop - start)
        lab = reg[which].astype(dtype)
        first = np.full(nx * ny, big, dtype=dtype)
        np.minimum.at(first, cell, lab)
        last = np.full(nx * ny, -1, dtype=dtype)
        np.maximum.at(last, cell, lab)
        multi = (last != first) & (last >= 0)
        first[first == big] = _NONE
        first[multi] = _MULTI - first[multi]
        return first

    def _index_entries(self, entries, grid) -> None:
        """Sort the edge index entries by cell and mark their cells ambiguous.

        Entries are ``(cell, first edge, edge count, first column of the edges in this row)``:
        a run of consecutive edges inside one cell is a single entry.
        """
        ent_cell, ent_edge, ent_n, ent_first = entries
        # sort by cell; the other entry arrays stay unsorted, read through self._ent_order
        ebits = max(int(ent_cell.size).bit_length(), 1)
        if int(grid.size).bit_length() + ebits <= 62:  # one packed int64 sort (SIMD)
            packed = np.sort((ent_cell << ebits) | np.arange(ent_cell.size, dtype=np.int64))
            self._ent_cell = packed >> ebits
            self._ent_order = packed & ((1 << ebits) - 1)
        else:
            order = np.argsort(ent_cell, kind="stable")
            self._ent_cell, self._ent_order = ent_cell[order], order
        self._ent_edge, self._ent_n, self._ent_first = ent_edge, ent_n, ent_first
        grid[ent_cell] = _AMB

    # ------------------------------------------------------------------ grid assign
    def _grid_assign(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.int64]:
        """Row position of the first region containing each point, -1 if none."""
        grid, nx, ny = self._grid, self._nx, self._ny
        fx = (x - self._x0) / self._w
        fy = (y - self._y0) / self._w
        out = np.full(x.shape, _NONE, dtype=np.int64)
        inside = (fx >= 0) & (fx < nx) & (fy >= 0) & (fy < ny)  # False for NaN
        pi = np.flatnonzero(inside)
        ix = fx[pi].astype(np.int64)
        iy = fy[pi].astype(np.int64)
        code = grid[iy * nx + ix].astype(np.int64)
        out[pi] = np.where(code <= _MULTI, _MULTI - code, code)
        amb = code == _AMB
        if amb.any():
            a = pi[amb]
            out[a] = self._crossing_test(x[a], y[a], ix[amb], iy[amb])
        return out

    def _crossing_test(self, px, py, ix, iy) -> NDArray[np.int64]:
        """Exact labels of points in ambiguous cells.

        For each point p, q is the centre (at p's latitude) of the first cell to the right in
        the same row that no edge touches and that lies in at most one region, whose label is
        known. p is inside region R iff (q in R) XOR (odd number of R's edges cross [p, q]).
        """
        grid, nx, w = self._grid, self._nx, self._w
        n = px.size
        base = iy * nx
        c = ix + 1
        active = np.arange(n)
        while active.size:  # walk right to the reference cell (the padding ends every row)
            code = grid[base[active] + c[active]]
            active = active[(code == _AMB) | (code <= _MULTI)]
            c[active] += 1
        ref = grid[base + c].astype(np.int64)
        qx = self._x0 + (c + 0.5) * w
        # entries of the cells ix .. c-1 of the row
        ncell = c - ix
        pt, col = _expand(ix, ncell)
        cellid = base[pt] + col
        lo = np.searchsorted(self._ent_cell, cellid, side="left")
        hi = np.searchsorted(self._ent_cell, cellid, side="right")
        k, ent = _expand(lo, hi - lo)
        pt, col, ent = pt[k], col[k], self._ent_order[ent]
        # count each edge once per point: in the first run cell it occupies
        once = col == np.maximum(self._ent_first[ent], ix[pt])
        pt, ent = pt[once], ent[once]
        k, edge = _expand(self._ent_edge[ent], self._ent_n[ent])
        pt = pt[k]
        # only an edge whose latitude range holds p can cross [p, q] or hold p: keep those
        # before gathering longitudes (most edges of a cell lie above or below the point)
        Y = self._xy[:, 1]
        Y1, Y2, yp = Y[edge], Y[edge + 1], py[pt]
        near = np.flatnonzero((np.minimum(Y1, Y2) <= yp) & (yp <= np.maximum(Y1, Y2)))
        pt, edge, Y1, Y2, yp = pt[near], edge[near], Y1[near], Y2[near], yp[near]
        X = self._xy[:, 0]
        X1, X2 = X[edge], X[edge + 1]
        spans = (yp < Y1) != (yp < Y2)
        with np.errstate(divide="ignore", invalid="ignore"):
            xi = X1 + (yp - Y1) * (X2 - X1) / (Y2 - Y1)
        cross = spans & (xi > px[pt]) & (xi < qx[pt])
        # a point on an edge is on its region's boundary, hence not within it
        xp = px[pt]
        on = (
            ((X2 - X1) * (yp - Y1) == (Y2 - Y1) * (xp - X1))
            & (np.minimum(X1, X2) <= xp) & (xp <= np.maximum(X1, X2))
            & (np.minimum(Y1, Y2) <= yp) & (yp <= np.maximum(Y1, Y2))
        )
        return self._parity_labels(n, pt, edge, cross, on, ref)

    def _parity_labels(self, n, pt, edge, cross, on, ref) -> NDArray[np.int64]:
        """The first region of each point: regions whose edges cross [p, q] an odd number of
        times, counting q's own region once, leaving out those whose boundary holds p."""
        on_key = pt[on] * (self.geoms.size + 1) + self._edge_region(edge[on])
        pt = pt[cross]
        reg = self._edge_region(edge[cross])
        # parity per (point, region), plus one for q's own region
        hasref = np.flatnonzero(ref >= 0)
        pt = np.concatenate([pt, hasref])
        reg = np.concatenate([reg, ref[hasref]])
        key = pt * (self.geoms.size + 1) + reg
        key.sort()
        uk, cnt = np.unique(key, return_counts=True)
        uk = uk[cnt % 2 == 1]  # regions containing p, ascending region within point
        if on_key.size:
            uk = uk[~np.isin(uk, on_key)]
        out = np.full(n, _NONE, dtype=np.int64)
        if uk.size:
            p_in, r_in = np.divmod(uk, self.geoms.size + 1)
            firsts = np.r_[True, p_in[1:] != p_in[:-1]]
            out[p_in[firsts]] = r_in[firsts]
        return out

    # ------------------------------------------------------------------ public
    @property
    def grid_info(self) -> dict[str, float] | None:
        """Shape, cell size (degrees) and ambiguous-cell share of the grid (None if not built)."""
        if self._grid is None:
            return None
        return {
            "nx": self._nx, "ny": self._ny, "cell_deg": self._w,
            "ambiguous_share": float(np.mean(self._grid == _AMB)),
            "edge_entries": int(self._ent_cell.size),
        }

    def assign(
        self, lon: ArrayLike, lat: ArrayLike, *, method: Method | None = None
    ) -> NDArray[np.object_]:
        """Region id for each point (None where no region contains it or it is NaN).

        Parameters
        ----------
        lon, lat : array_like of float
            Point coordinates, same shape.
        method : {"auto", "grid", "exact"}, optional
            Override the index's ``method`` for this call. Results are identical either way.

        Returns
        -------
        numpy.ndarray of object
            Region ids (from ``id_col``), shape of ``lon``; first row wins on overlaps.

        Examples
        --------
        >>> import geopandas as gpd, numpy as np, shapely
        >>> gdf = gpd.GeoDataFrame({"region_id": [7]}, geometry=[shapely.box(0, 0, 1, 1)])
        >>> RegionIndex(gdf).assign([0.5, 2.0], [0.5, 0.5], method="exact")
        array([7, None], dtype=object)
        """
        x = np.asarray(lon, dtype=np.float64)
        y = np.asarray(lat, dtype=np.float64)
        if x.shape != y.shape:
            raise ValueError(f"lon and lat differ in shape: {x.shape} vs {y.shape}")
        shape = x.shape
        x, y = x.ravel(), y.ravel()
        how = method or self.method
        if how not in ("auto", "grid", "exact"):
            raise ValueError(f"method must be 'auto', 'grid' or 'exact', not {how!r}")
        if not self.grid_supported:
            how = "exact"
        elif how == "auto":
            self._assigned += x.size
            if self._grid is None and self._assigned >= self.grid_min_points:
                self.build_grid()
            how = "grid" if self._grid is not None else "exact"
        if how == "grid":
            self.build_grid()
            pos = np.empty(x.shape, dtype=np.int64)
            for s in range(0, x.size, _CHUNK):  # small reused temporaries, as in the build
                pos[s:s + _CHUNK] = self._grid_assign(x[s:s + _CHUNK], y[s:s + _CHUNK])
        else:
            pos = np.full(x.shape, _NONE, dtype=np.int64)
            ok = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
            pos[ok] = self._exact(x[ok], y[ok])
        return self._ids_ext[pos].reshape(shape)


def _ring_sizes(parts):
    """Vertex count and polygon position of every ring of the polygons ``parts``.

    Only the polygons with holes are split into ring geometries (copying the coordinates of
    every ring costs as much as the rest of the build's first steps).
    """
    nint = shapely.get_num_interior_rings(parts)
    nring = nint + 1
    ring_n = np.repeat(shapely.get_num_coordinates(parts), nring)  # right for one-ring parts
    holed = np.flatnonzero(nint)
    if holed.size:
        _, slots = _expand((np.cumsum(nring) - nring)[holed], nring[holed])
        ring_n[slots] = shapely.get_num_coordinates(shapely.get_rings(parts[holed]))
    return ring_n, np.repeat(np.arange(parts.size), nring)


def _edge_entries(fx, fy, valid, s, nx):
    """Index entries of the cells (with margin) touched by the edges ``s + i``, whose
    vertices are ``i, i + 1`` of ``fx, fy`` (grid units)."""
    cxl, cxh = (fx - _EPS).astype(np.int32), (fx + _EPS).astype(np.int32)
    cyl, cyh = (fy - _EPS).astype(np.int32), (fy + _EPS).astype(np.int32)
    c0 = np.minimum(cxl[:-1], cxl[1:])
    r0 = np.minimum(cyl[:-1], cyl[1:])
    del cxl, cyl
    single = (c0 == np.maximum(cxh[:-1], cxh[1:])) & (r0 == np.maximum(cyh[:-1], cyh[1:]))
    single &= valid
    runs = _single_cell_runs(single, c0, r0, nx)
    multi = _multi_cell_entries(fx, fy, np.flatnonzero(valid & ~single), c0, r0, cxh, cyh, nx)
    cell, edge, n, first = (np.concatenate([r, m]) for r, m in zip(runs, multi, strict=True))
    return cell, edge + s, n, first


def _single_cell_runs(single, c0, r0, nx):
    """Index entries ``(cell, first edge, count, first column)`` of the runs of consecutive
    edges that stay inside one cell."""
    cell = r0.astype(np.int64) * nx + c0
    same = single[1:] & single[:-1] & (cell[1:] == cell[:-1])
    begin = single.copy()
    begin[1:] &= ~same
    endm = single.copy()
    endm[:-1] &= ~same
    run0 = np.flatnonzero(begin)
    return cell[run0], run0, np.flatnonzero(endm) + 1 - run0, c0[run0].astype(np.int64)


def _multi_cell_entries(fx, fy, m, c0, r0, cxh, cyh, nx):
    """Index entries (one per row and column touched) of the edges ``m`` spanning cells."""
    mr0 = r0[m].astype(np.int64)
    mr1 = np.maximum(cyh[m], cyh[m + 1]).astype(np.int64)
    mc0 = c0[m].astype(np.int64)
    mc1 = np.maximum(cxh[m], cxh[m + 1]).astype(np.int64)
    # (a) one row: columns c0..c1
    a = np.flatnonzero(mr0 == mr1)
    wa, col_a = _expand(mc0[a], mc1[a] - mc0[a] + 1)
    a = a[wa]
    # (b) one column: rows r0..r1
    b = np.flatnonzero((mc0 == mc1) & (mr0 != mr1))
    wb, row_b = _expand(mr0[b], mr1[b] - mr0[b] + 1)
    b = b[wb]
    # (c) several rows and columns: clip the edge to each row strip
    c = np.flatnonzero((mc0 != mc1) & (mr0 != mr1))
    wc, row_c = _expand(mr0[c], mr1[c] - mr0[c] + 1)
    c = c[wc]
    ec = m[c]
    xa, xb, ya, yb = fx[ec], fx[ec + 1], fy[ec], fy[ec + 1]
    dy = yb - ya  # 0 only for a horizontal edge within _EPS of a row border
    with np.errstate(divide="ignore", invalid="ignore"):
        ta = np.where(dy == 0, 0.0, np.clip((row_c - _EPS - ya) / dy, 0.0, 1.0))
        tb = np.where(dy == 0, 1.0, np.clip((row_c + 1 + _EPS - ya) / dy, 0.0, 1.0))
    xta = xa + ta * (xb - xa)
    xtb = xa + tb * (xb - xa)
    cc0 = np.floor(np.minimum(xta, xtb) - _EPS).astype(np.int64)
    cc1 = np.floor(np.maximum(xta, xtb) + _EPS).astype(np.int64)
    wcc, col_c = _expand(cc0, cc1 - cc0 + 1)
    c, row_c, cc0 = c[wcc], row_c[wcc], cc0[wcc]
    return (np.concatenate([mr0[a] * nx + col_a, row_b * nx + mc0[b], row_c * nx + col_c]),
            np.concatenate([m[a], m[b], m[c]]),
            np.ones(a.size + b.size + c.size, dtype=np.int64),
            np.concatenate([mc0[a], mc0[b], cc0]))
