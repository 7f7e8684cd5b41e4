"""Read and validate the region boundaries (GeoJSON or GeoPackage)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from etl.errors import InputError, brief
from etl.spec import REGION_LEVELS, REGION_PROPS, REGIONS_FILES
from gcrm.spatial.crs import Datum, to_wgs84

#: Simplification tolerance (degrees, ~100 m) of the map copy ``geom_simple``.
SIMPLIFY_DEG = 0.001
#: Equal-area CRS for areas (WGS 84 / NSIDC EASE-Grid 2.0 Global).
EQUAL_AREA = "EPSG:6933"


@dataclass
class RegionBatch:
    file: str
    regions: gpd.GeoDataFrame  # valid rows, WGS-84
    rejects: list[dict] = field(default_factory=list)  # row_number, field, value, reason, raw
    repaired: list[str] = field(default_factory=list)
    read: int = 0


def find_regions(input_dir: Path) -> Path | None:
    for name in REGIONS_FILES:
        if (input_dir / name).exists():
            return input_dir / name
    return None


def read_regions(path: Path, datum: Datum = "wgs84") -> RegionBatch:
    """Read, check and repair the region boundaries; raise :class:`InputError` if unusable."""
    try:
        with warnings.catch_warnings():  # NaN or unclosed rings: checked below, by name
            warnings.simplefilter("ignore", RuntimeWarning)
            gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise InputError(path.name, f"cannot be read as a vector layer: {brief(exc)}") from exc
    for prop in REGION_PROPS:
        if prop not in gdf.columns:
            raise InputError(path.name, "required property missing", prop)
    gdf = gdf.reset_index(drop=True)
    _check_finite(path.name, gdf)
    try:
        if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
            gdf = gdf.to_crs("EPSG:4326")
        batch = RegionBatch(file=path.name, regions=gdf, read=len(gdf))
        good = _flag_rejects(gdf, batch)
        batch.regions = _clean(good, datum, batch)
    except shapely.errors.GEOSException as exc:
        raise InputError(path.name, f"geometry cannot be processed: {brief(exc)}",
                         "geometry") from exc
    return batch


def _check_finite(file: str, gdf: gpd.GeoDataFrame) -> None:
    """Stop on a NaN or infinite coordinate: GEOS cannot orient, repair or measure such rings."""
    coords, index = shapely.get_coordinates(gdf.geometry.to_numpy(), return_index=True)
    bad = index[~np.isfinite(coords).all(axis=1)]
    if bad.size:
        i = int(bad[0])
        raise InputError(file, f"feature {i + 1} (region_id {_text(gdf['region_id'].iloc[i])!r}) "
                         f"has a coordinate that is not a finite number", "geometry")


def _flag_rejects(gdf: gpd.GeoDataFrame, batch: RegionBatch) -> gpd.GeoDataFrame:
    """Record the rows that cannot be loaded in ``batch.rejects``; return the others."""
    gdf["__row"] = np.arange(1, len(gdf) + 1)
    for col in REGION_PROPS:
        gdf[col] = gdf[col].map(_text)
    gdf["level"] = gdf["level"].str.lower()
    reason = pd.Series(pd.NA, index=gdf.index, dtype=object)
    fld = pd.Series(pd.NA, index=gdf.index, dtype=object)

    def flag(mask: pd.Series, why: str, column: str) -> None:
        hit = mask & reason.isna()
        reason[hit] = why
        fld[hit] = column

    flag(gdf["region_id"].isna(), "missing_key", "region_id")
    flag(gdf["region_id"].notna() & gdf["region_id"].duplicated(), "duplicate_key", "region_id")
    flag(gdf["name"].isna(), "missing_value", "name")
    flag(~gdf["level"].isin(REGION_LEVELS), "unknown_level", "level")
    empty = gdf.geometry.isna() | gdf.geometry.is_empty
    flag(empty, "missing_geometry", "geometry")
    polygonal = gdf.geometry.geom_type.isin(["Polygon", "MultiPolygon"])
    flag(~empty & ~polygonal, "not_a_polygon", "geometry")

    for i in np.flatnonzero(reason.notna().to_numpy()):
        row = gdf.iloc[i]
        column = fld.iloc[i]
        value = row["geometry"].geom_type if column == "geometry" and row["geometry"] else \
            row.get(column)
        batch.rejects.append({
            "row_number": int(row["__row"]), "field": column,
            "value": None if value is None or value is pd.NA else str(value),
            "reason": reason.iloc[i],
            "raw": str({p: row[p] for p in REGION_PROPS}),
        })
    return gdf[reason.isna().to_numpy()].copy()


def _clean(good: gpd.GeoDataFrame, datum: Datum, batch: RegionBatch) -> gpd.GeoDataFrame:
    """WGS-84, repaired (``make_valid``) geometries with area, centroid and map copy."""
    geoms = good.geometry.to_numpy()
    if datum != "wgs84":
        geoms = shapely.transform(geoms, lambda xy: np.column_stack(to_wgs84(xy[:, 0], xy[:, 1],
                                                                             datum)))
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        fixed = shapely.make_valid(geoms[invalid])
        # keep the polygonal part of what make_valid returns
        fixed = np.array([_polygonal(g) for g in fixed], dtype=object)
        geoms[invalid] = fixed
        batch.repaired = good.loc[invalid, "region_id"].tolist()
    good = gpd.GeoDataFrame(good.drop(columns="geometry"), geometry=geoms, crs="EPSG:4326")
    good["repaired"] = invalid
    good["area_km2"] = good.to_crs(EQUAL_AREA).area / 1e6
    rp = good.geometry.representative_point()
    good["centroid_lon"] = rp.x
    good["centroid_lat"] = rp.y
    good["geom_simple"] = shapely.simplify(geoms, SIMPLIFY_DEG, preserve_topology=True)
    if "population" in good.columns:
        good["population"] = pd.to_numeric(good["population"], errors="coerce")
    else:
        good["population"] = np.nan
    return good


def _text(v: object) -> str | None:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    s = str(v).strip()
    if s.endswith(".0") and s[:-2].isdigit():  # integer ids read as floats
        s = s[:-2]
    return s or None


def _polygonal(g: shapely.Geometry) -> shapely.Geometry:
    if g.geom_type in ("Polygon", "MultiPolygon"):
        return g
    parts = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else g
