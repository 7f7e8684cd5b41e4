"""The GIS writers: a GeoPackage (pyogrio) with several layers, or one GeoJSON file.

Layers: ``region`` (boundary with the KPIs), ``districts`` or ``grid_cells`` (the sub-areas
with their measures and SAIDI/SAIFI), ``service_points`` and, only for roles that may see
customers, ``customers`` (masked without ``read_pii``). Coordinates are WGS-84 (EPSG:4326).
With ``crs="gcj02"`` they are shifted to GCJ-02 for Chinese basemaps; GCJ-02 has no EPSG
code, so the layers keep the EPSG:4326 label, their names end in ``_gcj02`` and the
metadata says so.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gcrm.i18n import t
from gcrm.reports.data import KPI_MEASURES, WGS84, ReportModel
from gcrm.spatial.crs import wgs84_to_gcj02

CRS_CHOICES = ("wgs84", "gcj02")


def _shift(coords: np.ndarray) -> np.ndarray:
    lon, lat = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
    return np.column_stack([lon, lat])


def _points(df: pd.DataFrame) -> gpd.GeoDataFrame:
    df = df.dropna(subset=["lon", "lat"])
    geom = gpd.points_from_xy(df["lon"], df["lat"], crs=WGS84)
    return gpd.GeoDataFrame(df.drop(columns=["lon", "lat"]), geometry=geom, crs=WGS84)


def layers(m: ReportModel, crs: str = "wgs84") -> dict[str, gpd.GeoDataFrame]:
    """The report's layers (layer name -> GeoDataFrame in EPSG:4326 axis order lon/lat)."""
    if crs not in CRS_CHOICES:
        raise ValueError(f"unknown --crs {crs!r}; expected one of {', '.join(CRS_CHOICES)}")
    region = m.boundary[["region_id", "name", "level", "parent_id", "area_km2", "population",
                         "geometry"]].copy()
    region["period"] = m.period.label
    for measure in KPI_MEASURES:
        region[measure] = m.kpi(measure)
    if len(m.reliability):
        row = m.reliability.iloc[0]
        for c in ("saifi", "saidi", "caidi", "asai", "maifi", "rs_pct"):
            region[c] = float(row[c])
    areas = m.area_shapes.merge(m.areas, on="area", how="inner")
    rel = m.outage_areas[["area", "customers_served", "saifi", "saidi"]]
    areas = gpd.GeoDataFrame(areas.merge(rel, on="area", how="left"), crs=WGS84)
    areas["period"] = m.period.label
    out = {
        "region": gpd.GeoDataFrame(region, crs=WGS84),
        "districts" if m.area_level == "district" else "grid_cells": areas,
        "service_points": _points(m.service_points),
    }
    if m.customers is not None:
        out["customers"] = _points(m.customers)
    if crs == "gcj02":
        shifted = {}
        for name, gdf in out.items():
            g = gdf.copy()
            g.geometry = shapely.transform(g.geometry.values, _shift)
            shifted[f"{name}_gcj02"] = g
        out = shifted
    return out


def metadata(m: ReportModel, crs: str) -> dict[str, str]:
    return {
        "title": f"{m.region_name} {t('report.title', m.lang)} {m.period.label}",
        "region": f"{m.region_id} {m.region_name}",
        "period": f"{m.period.label} ({m.period.first}..{m.period.last})",
        "filters": m.filters,
        "user": m.user or t("report.operator", m.lang),
        "loaded_at": m.loaded_at or "",
        "generated_at": m.generated_at,
        "masked": str(m.masked).lower(),
        "datum": "GCJ-02" if crs == "gcj02" else "WGS-84",
        "crs": t(f"report.crs.{crs}", m.lang),
    }


def write_gpkg(m: ReportModel, path: Path, crs: str = "wgs84") -> None:
    import pyogrio

    meta = metadata(m, crs)
    for i, (name, gdf) in enumerate(layers(m, crs).items()):
        pyogrio.write_dataframe(
            gdf, path, layer=name, driver="GPKG", promote_to_multi=name.startswith("region"),
            layer_metadata={"DESCRIPTION": f"{name}: {meta['crs']}", **meta},
            dataset_metadata=meta if i == 0 else None, append=i > 0)


def write_geojson(m: ReportModel, path: Path, crs: str = "wgs84") -> None:
    """One FeatureCollection; each feature's ``layer`` property names its layer."""
    features = []
    for name, gdf in layers(m, crs).items():
        fc = json.loads(gdf.to_json(na="null", drop_id=True))
        for f in fc["features"]:
            f["properties"] = {"layer": name, **f["properties"]}
            features.append(f)
    doc = {"type": "FeatureCollection", "name": f"{m.region_id}_{m.period.slug}",
           "gcrm": metadata(m, crs), "features": features}
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
