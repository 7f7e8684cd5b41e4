"""Trading-area models: Huff gravity shares, coverage, site selection and population potential.

Pure functions over arrays and DataFrames (numpy/pandas); distances come from
:mod:`gcrm.tradearea.geometry` (great-circle km) and nothing here touches the warehouse
(:mod:`gcrm.tradearea.queries` fetches the data and calls these). Formulas and assumptions:
docs/trade-areas.md.

* **Huff**: ``P_ij = A_j^alpha d_ij^-beta / sum_k A_k^alpha d_ik^-beta``, the attractiveness
  ``A_j`` from the service point's kind, counters and opening hours; the dominant area of a
  service point is the union of the grid cells whose most likely choice it is.
* **Coverage and site selection**: cells with no / several facilities within a distance, and
  the greedy maximal-covering choice of new sites.
* **Population**: potential customers (households without an account) and penetration.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike, NDArray

from gcrm.tradearea.geometry import WGS84, distance_matrix, geodesic_area_km2

#: persons per household assumed when turning residents into potential accounts. China's
#: 7th census (2020) reports 2.62 persons per family household; Jilin province 2.45. One
#: residential account per household is assumed.
HOUSEHOLD_SIZE = 2.6
#: weight of a service point's kind in its Huff attractiveness
KIND_WEIGHTS = {"business_hall": 3.0, "bank_agent": 1.0, "self_service": 0.5}
#: distances below this (km) count as this in the Huff model, so a cell centred on a
#: facility does not get an infinite utility
HUFF_MIN_DISTANCE_KM = 0.25


# --------------------------------------------------------------------------- Huff
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def opening_hours_per_day(text: object, default: float = 8.0) -> float:
    """Hours open per day from ``"HH:MM-HH:MM"`` (``"00:00-24:00"`` = 24); ``default`` if
    missing or unreadable.

    >>> opening_hours_per_day("08:30-16:30"), opening_hours_per_day("00:00-24:00")
    (8.0, 24.0)
    """
    m = _HOURS.match(str(text)) if isinstance(text, str) else None
    if not m:
        return default
    a = int(m[1]) * 60 + int(m[2])
    b = int(m[3]) * 60 + int(m[4])
    minutes = b - a if b > a else b + 24 * 60 - a
    return minutes / 60.0


def attractiveness(points: pd.DataFrame, kind_weights: dict[str, float] | None = None,
                   ) -> NDArray[np.float64]:
    """Huff attractiveness ``A_j = w_kind × counters × hours/8`` of each service point.

    ``points`` has ``kind`` and optional ``counters`` (default 1) and ``opening_hours``
    (``HH:MM-HH:MM``, default 8 h). A column ``attractiveness`` overrides the formula.

    >>> attractiveness(pd.DataFrame({"kind": ["business_hall", "self_service"],
    ...     "counters": [2, 1], "opening_hours": ["08:30-16:30", "00:00-24:00"]})).tolist()
    [6.0, 1.5]
    """
    if "attractiveness" in points.columns:
        return points["attractiveness"].to_numpy(float)
    w = kind_weights or KIND_WEIGHTS
    kind = points["kind"].map(lambda k: w.get(k, 1.0)).to_numpy(float)
    counters = (pd.to_numeric(points["counters"], errors="coerce").fillna(1.0).clip(lower=1.0)
                .to_numpy(float) if "counters" in points.columns else np.ones(len(points)))
    hours = (points["opening_hours"].map(opening_hours_per_day).to_numpy(float)
             if "opening_hours" in points.columns else np.full(len(points), 8.0))
    return kind * counters * hours / 8.0


@dataclass
class HuffResult:
    """Huff model output: ``prob[i, j]`` and expected demand per facility."""

    prob: NDArray[np.float64]  # cells x facilities, rows sum to 1
    expected: NDArray[np.float64]  # facilities: sum_i demand_i * P_ij


def huff(cell_lon: ArrayLike, cell_lat: ArrayLike, demand: ArrayLike, fac_lon: ArrayLike,
         fac_lat: ArrayLike, attract: ArrayLike, alpha: float = 1.0, beta: float = 2.0,
         min_distance_km: float = HUFF_MIN_DISTANCE_KM, max_distance_km: float | None = None,
         ) -> HuffResult:
    """Huff gravity model.

    ``P_ij = A_j^alpha d_ij^-beta / sum_k A_k^alpha d_ik^-beta`` with ``d`` the great-circle
    distance in km (at least ``min_distance_km``); expected customers of ``j`` =
    ``sum_i demand_i P_ij``. With ``max_distance_km`` facilities farther than that get no
    share of the cell, and a cell with none in reach has probability 0 everywhere.

    Examples
    --------
    Two cells, two facilities on the equator (hand-computed in tests/test_tradearea.py):

    >>> r = huff([0, 1], [0, 0], [100, 100], [0, 1], [0, 0], [1, 2], alpha=1, beta=2,
    ...          min_distance_km=1)
    >>> r.prob.round(4).tolist()[0]
    [0.9998, 0.0002]
    """
    if len(np.asarray(fac_lon)) == 0:
        raise ValueError("no service points: the service-point table is empty")
    d = distance_matrix(cell_lon, cell_lat, fac_lon, fac_lat)
    return huff_from_distances(d, demand, attract, alpha, beta, min_distance_km,
                               max_distance_km)


def huff_from_distances(d: ArrayLike, demand: ArrayLike, attract: ArrayLike,
                        alpha: float = 1.0, beta: float = 2.0,
                        min_distance_km: float = HUFF_MIN_DISTANCE_KM,
                        max_distance_km: float | None = None) -> HuffResult:
    """:func:`huff` over a given cells x facilities distance matrix ``d`` (km).

    >>> r = huff_from_distances([[1, 2], [2, 1]], [90, 90], [1, 2], min_distance_km=0)
    >>> r.expected.round(6).tolist()
    [70.0, 110.0]
    """
    d = np.asarray(d, float)
    if d.ndim != 2 or d.shape[1] == 0:
        raise ValueError("no service points: the service-point table is empty")
    if beta < 0 or alpha < 0:
        raise ValueError(f"Huff exponents must be >= 0 (alpha={alpha}, beta={beta})")
    a = np.asarray(attract, float)
    if (a <= 0).any():
        raise ValueError("every service point needs a positive attractiveness")
    d = np.maximum(d, min_distance_km)
    with np.errstate(divide="ignore"):
        u = a[None, :] ** alpha * d ** (-beta)
    if max_distance_km is not None:
        u = np.where(d <= max_distance_km, u, 0.0)
    total = u.sum(axis=1, keepdims=True)
    prob = np.divide(u, total, out=np.zeros_like(u), where=total > 0)
    expected = (np.asarray(demand, float)[:, None] * prob).sum(axis=0)
    return HuffResult(prob, expected)


# --------------------------------------------------------------------------- dominant areas
def _grid_step(values: np.ndarray) -> float:
    """The spacing of a regular grid along one axis: the smallest gap between distinct
    coordinates (rounded to 1e-7 degrees); NaN with fewer than two distinct values."""
    u = np.unique(np.round(np.asarray(values, float), 7))
    gaps_ = np.diff(u)
    gaps_ = gaps_[gaps_ > 1e-7]
    return float(gaps_.min()) if len(gaps_) else float("nan")


def huff_areas(per_cell: pd.DataFrame) -> gpd.GeoDataFrame:
    """Dominant Huff areas: per service point, the union of the population cells whose most
    likely service point it is (``per_cell`` of :func:`gcrm.tradearea.queries.huff_shares`).

    A cell is the square of the grid step around its centre (the step is the smallest gap
    between distinct cell longitudes, resp. latitudes; square edges are computed from integer
    grid indices so that neighbours share them exactly). A cell centre therefore lies inside
    the area of its service point only, and :func:`gcrm.tradearea.queries.area_summary` of an
    area counts exactly its cells.

    Returns
    -------
    geopandas.GeoDataFrame
        ``service_point_id``, ``cells``, ``demand``, ``mean_probability``, ``area_km2``,
        geometry (WGS-84), largest demand first.
    """
    if per_cell.empty:
        raise ValueError("the population grid is empty (within your scope): load population.csv")
    lon = per_cell["lon"].to_numpy(float)
    lat = per_cell["lat"].to_numpy(float)
    sx, sy = _grid_step(lon), _grid_step(lat)
    if np.isnan(sx) and np.isnan(sy):
        sx = sy = 0.01
    sx, sy = (sy if np.isnan(sx) else sx), (sx if np.isnan(sy) else sy)
    x0, y0 = lon.min(), lat.min()
    i, j = np.round((lon - x0) / sx), np.round((lat - y0) / sy)
    boxes = shapely.box(x0 + (i - 0.5) * sx, y0 + (j - 0.5) * sy,
                        x0 + (i + 0.5) * sx, y0 + (j + 0.5) * sy)
    rows = []
    for sp_id, idx in per_cell.groupby("service_point_id", sort=True).indices.items():
        geom = shapely.union_all(boxes[idx])
        part = per_cell.iloc[idx]
        rows.append({"service_point_id": sp_id, "cells": len(idx),
                     "demand": float(part["demand"].sum()),
                     "mean_probability": float(part["probability"].mean()),
                     "area_km2": geodesic_area_km2(geom), "geometry": geom})
    g = gpd.GeoDataFrame(rows, geometry="geometry", crs=WGS84)
    return g.sort_values(["demand", "service_point_id"], ascending=[False, True]).reset_index(
        drop=True)


# --------------------------------------------------------------------------- coverage
def coverage_counts(cell_lon: ArrayLike, cell_lat: ArrayLike, fac_lon: ArrayLike,
                    fac_lat: ArrayLike, radius_km: float) -> pd.DataFrame:
    """Per cell: ``nearest_km`` to a facility and ``facilities`` within ``radius_km``.

    A cell with ``facilities == 0`` is a **gap**; with ``facilities >= 2`` an **overlap** of
    the facilities' ``radius_km`` rings.
    """
    cl, ca = np.asarray(cell_lon, float), np.asarray(cell_lat, float)
    if len(np.asarray(fac_lon)) == 0:
        return pd.DataFrame({"nearest_km": np.full(cl.size, np.inf),
                             "facilities": np.zeros(cl.size, dtype=np.int64)})
    near, within = np.empty(cl.size), np.empty(cl.size, dtype=np.int64)
    for s in range(0, cl.size, 2048):
        d = distance_matrix(cl[s:s + 2048], ca[s:s + 2048], fac_lon, fac_lat)
        near[s:s + 2048] = d.min(axis=1)
        within[s:s + 2048] = (d <= radius_km).sum(axis=1)
    return pd.DataFrame({"nearest_km": near, "facilities": within})


# --------------------------------------------------------------------------- site selection
@dataclass
class SiteSelection:
    """Greedy maximal-covering result."""

    chosen: list[int]  # candidate indices, in the order picked
    gains: list[float]  # demand newly covered by each pick
    covered_before: float
    covered_after: float
    total: float


def greedy_mclp(cand_lon: ArrayLike, cand_lat: ArrayLike, dem_lon: ArrayLike,
                dem_lat: ArrayLike, weight: ArrayLike, k: int, radius_km: float,
                existing_lon: ArrayLike = (), existing_lat: ArrayLike = (),
                ) -> SiteSelection:
    """Maximal covering location: pick ``k`` candidates maximising the demand covered.

    A demand point is covered when a facility (existing or new) lies within ``radius_km``.
    Greedy: repeatedly add the candidate with the largest uncovered demand in reach (ties:
    lowest index). Coverage is a monotone submodular function, so greedy covers at least
    ``1 - (1 - 1/k)^k >= 1 - 1/e ≈ 63.2 %`` of the best possible *additional* demand
    (Nemhauser, Wolsey & Fisher 1978); it stops early when no candidate adds anything.

    Examples
    --------
    >>> r = greedy_mclp([0, 1, 2], [0, 0, 0], [0, 1, 2], [0, 0, 0], [5, 1, 7], k=2,
    ...                 radius_km=1)
    >>> r.chosen, r.covered_after
    ([2, 0], 12.0)
    """
    if k < 1:
        raise ValueError(f"number of new sites must be at least 1 (got {k})")
    if radius_km <= 0:
        raise ValueError(f"coverage distance must be positive km (got {radius_km})")
    w = np.asarray(weight, float)
    dl, da = np.asarray(dem_lon, float), np.asarray(dem_lat, float)
    covered = np.zeros(w.size, dtype=bool)
    if len(np.asarray(existing_lon)):
        covered = coverage_counts(dl, da, existing_lon, existing_lat,
                                  radius_km)["facilities"].to_numpy() > 0
    before = float(w[covered].sum())
    reach = distance_matrix(cand_lon, cand_lat, dl, da) <= radius_km  # candidates x demand
    chosen, gains = [], []
    for _ in range(k):
        gain = reach @ np.where(covered, 0.0, w)
        if chosen:
            gain[chosen] = -1.0
        best = int(np.argmax(gain))
        if gain[best] <= 0:
            break
        chosen.append(best)
        gains.append(float(gain[best]))
        covered |= reach[best]
    return SiteSelection(chosen, gains, before, float(w[covered].sum()), float(w.sum()))


# --------------------------------------------------------------------------- population
def potential_customers(resident: ArrayLike, residential_customers: ArrayLike,
                        household_size: float = HOUSEHOLD_SIZE) -> NDArray[np.float64]:
    """Households without an account per cell: ``max(0, resident / household_size -
    residential_customers)``.

    >>> potential_customers([260, 26], [40, 50]).tolist()
    [60.0, 0.0]
    """
    if household_size <= 0:
        raise ValueError("household size must be positive")
    return np.maximum(np.asarray(resident, float) / household_size
                      - np.asarray(residential_customers, float), 0.0)


def penetration(customers: float, residents: float) -> float:
    """Customers per 1,000 residents (NaN with no residents)."""
    return float(customers) * 1000.0 / residents if residents else float("nan")
