"""Region geometry for maps and reports (WGS-84), straight from ``dim_region``."""

from __future__ import annotations

import json

import duckdb
import shapely

from gcrm.storage import warehouse
from gcrm.vocab import REGION_LEVELS

LEVELS = REGION_LEVELS


def regions_geojson(con: duckdb.DuckDBPyConnection, level: str = "district",
                    simplified: bool = True, parent: str | None = None) -> dict:
    """A GeoJSON FeatureCollection of the regions at ``level`` (optionally under ``parent``).

    Properties: ``region_id``, ``name`` (Chinese), ``level``, ``parent_id``, ``area_km2``,
    ``population``, ``centroid_lon``, ``centroid_lat``. ``simplified`` uses the ~100 m map copy.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown region level {level!r}; expected one of {', '.join(LEVELS)}")
    geom = "geom_simple" if simplified else "geom"
    # GEOMETRY is a core type since DuckDB 1.5: read as WKB without the spatial extension
    # (loading it cost a fresh connection 0.25 s) and written as GeoJSON by shapely (GEOS),
    # the same coordinates as ST_AsGeoJSON to the last bit
    sql = (f"SELECT region_id, name, level, parent_id, area_km2, population, centroid_lon, "
           f"centroid_lat, {geom} AS wkb FROM dim_region WHERE level = ?")
    params: list = [level]
    if parent is not None:
        sql += " AND parent_id = ?"
        params.append(parent)
    rows = con.execute(sql + " ORDER BY region_id", params).fetchall()
    features = []
    for rid, name, lvl, par, area, pop, clon, clat, wkb in rows:
        features.append({
            "type": "Feature",
            "properties": {"region_id": rid, "name": name, "level": lvl, "parent_id": par,
                           "area_km2": area, "population": pop, "centroid_lon": clon,
                           "centroid_lat": clat},
            "geometry": json.loads(shapely.to_geojson(shapely.from_wkb(wkb))) if wkb else None,
        })
    return {"type": "FeatureCollection", "features": features}


def region_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """region_id -> Chinese name, for every region."""
    return dict(con.execute("SELECT region_id, name FROM dim_region").fetchall())


def parents(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    """region_id -> parent region_id (None at the top), for every region."""
    return dict(con.execute("SELECT region_id, parent_id FROM dim_region").fetchall())


def bounds(con: duckdb.DuckDBPyConnection) -> tuple[float, float, float, float] | None:
    """(min lon, min lat, max lon, max lat) of all regions, or None when there are none."""
    warehouse.load_spatial(con)
    row = con.execute("SELECT min(ST_XMin(geom)), min(ST_YMin(geom)), max(ST_XMax(geom)), "
                      "max(ST_YMax(geom)) FROM dim_region").fetchone()
    return None if row is None or row[0] is None else tuple(row)


def region_list(con: duckdb.DuckDBPyConnection,
                scope: tuple[str, ...] | list[str] | None = None) -> list[tuple[str, str, str]]:
    """(region_id, name, level) of cities and districts a user may report on, city first.

    With a ``scope``, the regions in it and the districts of the cities in it.
    """
    rows = con.execute("SELECT region_id, name, level, parent_id FROM dim_region "
                       "WHERE level IN ('city', 'district') "
                       "ORDER BY level = 'district', region_id").fetchall()
    return [(rid, name, level) for rid, name, level, parent in rows
            if scope is None or rid in scope or parent in scope]
