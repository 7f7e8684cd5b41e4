"""Conversions between WGS-84 and the Chinese obfuscated datums GCJ-02 and BD-09.

GCJ-02 ("Mars coordinates") is the datum mandated for published maps in mainland China
(AMap/Gaode, Tencent); BD-09 is Baidu's further offset of GCJ-02. Both are *not* projections:
they add a deterministic, non-linear offset of a few hundred metres. The warehouse stores
WGS-84 only, so every input in another datum is converted explicitly at load time.

The forward transform WGS-84 -> GCJ-02 is the widely published algorithm (Krasovsky 1940
ellipsoid, as in ``eviltransform``/``coordtransform``). Its inverse has no closed form; we
solve it by fixed-point iteration until the residual is below 1e-9 degrees (~0.1 mm).
Outside mainland China (by the customary bounding box) GCJ-02 equals WGS-84.

All functions take and return numpy arrays (or scalars) of longitude and latitude in degrees.

Examples
--------
>>> lon, lat = wgs84_to_gcj02(116.397128, 39.916527)
>>> round(float(lon), 6), round(float(lat), 6)
(116.403372, 39.917931)
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

_A = 6378245.0  # Krasovsky 1940 semi-major axis
_EE = 0.00669342162296594323  # Krasovsky 1940 first eccentricity squared
_X_PI = math.pi * 3000.0 / 180.0

Datum = Literal["wgs84", "gcj02", "bd09"]
DATUMS: tuple[Datum, ...] = ("wgs84", "gcj02", "bd09")

Pair = tuple[NDArray[np.float64], NDArray[np.float64]]


def _as_arrays(lon: ArrayLike, lat: ArrayLike) -> Pair:
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


def in_china(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """True where the point lies in the box where the GCJ-02 offset applies."""
    x, y = _as_arrays(lon, lat)
    return (x > 72.004) & (x < 137.8347) & (y > 0.8293) & (y < 55.8271)


def _delta(x: NDArray[np.float64], y: NDArray[np.float64]) -> Pair:
    """GCJ-02 offset in degrees for WGS-84 points (x=lon, y=lat)."""
    dx, dy = x - 105.0, y - 35.0
    t_lat = (
        -100.0 + 2.0 * dx + 3.0 * dy + 0.2 * dy * dy + 0.1 * dx * dy
        + 0.2 * np.sqrt(np.abs(dx))
        + (20.0 * np.sin(6.0 * dx * math.pi) + 20.0 * np.sin(2.0 * dx * math.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(dy * math.pi) + 40.0 * np.sin(dy / 3.0 * math.pi)) * 2.0 / 3.0
        + (160.0 * np.sin(dy / 12.0 * math.pi) + 320 * np.sin(dy * math.pi / 30.0)) * 2.0 / 3.0
    )
    t_lon = (
        300.0 + dx + 2.0 * dy + 0.1 * dx * dx + 0.1 * dx * dy
        + 0.1 * np.sqrt(np.abs(dx))
        + (20.0 * np.sin(6.0 * dx * math.pi) + 20.0 * np.sin(2.0 * dx * math.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(dx * math.pi) + 40.0 * np.sin(dx / 3.0 * math.pi)) * 2.0 / 3.0
        + (150.0 * np.sin(dx / 12.0 * math.pi) + 300.0 * np.sin(dx / 30.0 * math.pi)) * 2.0 / 3.0
    )
    rad = y / 180.0 * math.pi
    magic = 1 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = (t_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (t_lon * 180.0) / (_A / sqrt_magic * np.cos(rad) * math.pi)
    inside = in_china(x, y)
    return np.where(inside, d_lon, 0.0), np.where(inside, d_lat, 0.0)


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> Pair:
    """WGS-84 -> GCJ-02 (closed form)."""
    x, y = _as_arrays(lon, lat)
    d_lon, d_lat = _delta(x, y)
    return x + d_lon, y + d_lat


def _invert(forward, tx: np.ndarray, ty: np.ndarray, x: np.ndarray, y: np.ndarray,
            tol: float, max_iter: int) -> Pair:
    """Solve ``forward(x, y) == (tx, ty)`` by fixed-point iteration from ``(x, y)`` until the
    residual is below ``tol`` degrees (the offsets are small and smooth, so this converges)."""
    for _ in range(max_iter):
        fx, fy = forward(x, y)
        ex, ey = fx - tx, fy - ty
        x, y = x - ex, y - ey
        if np.all(np.abs(ex) < tol) and np.all(np.abs(ey) < tol):
            break
    return x, y


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike, tol: float = 1e-9, max_iter: int = 30) -> Pair:
    """GCJ-02 -> WGS-84 by fixed-point iteration (residual below ``tol`` degrees)."""
    gx, gy = _as_arrays(lon, lat)
    return _invert(wgs84_to_gcj02, gx, gy, gx.copy(), gy.copy(), tol, max_iter)


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> Pair:
    """GCJ-02 -> BD-09 (closed form, Baidu's published algorithm)."""
    x, y = _as_arrays(lon, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike, tol: float = 1e-10, max_iter: int = 10) -> Pair:
    """BD-09 -> GCJ-02: Baidu's closed-form approximate inverse (error up to ~5 cm), refined
    by fixed-point iteration on :func:`gcj02_to_bd09` until the residual is below ``tol``."""
    bx, by = _as_arrays(lon, lat)
    x, y = bx - 0.0065, by - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return _invert(gcj02_to_bd09, bx, by, z * np.cos(theta), z * np.sin(theta), tol, max_iter)


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> Pair:
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> Pair:
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def to_wgs84(lon: ArrayLike, lat: ArrayLike, datum: Datum) -> Pair:
    """Convert coordinates given in ``datum`` to WGS-84; NaN stays NaN."""
    if datum == "wgs84":
        return _as_arrays(lon, lat)
    if datum == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    if datum == "bd09":
        return bd09_to_wgs84(lon, lat)
    raise ValueError(f"unknown datum {datum!r}; expected one of {', '.join(DATUMS)}")


def haversine_m(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike) -> NDArray:
    """Great-circle distance in metres (mean Earth radius 6,371,008.8 m)."""
    x1, y1 = _as_arrays(lon1, lat1)
    x2, y2 = _as_arrays(lon2, lat2)
    p1, p2 = np.radians(y1), np.radians(y2)
    dp, dl = p2 - p1, np.radians(x2 - x1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371008.8 * np.arcsin(np.sqrt(h))
