"""Region assignment and H3 cells on Spark: the project's own :class:`~etl.locate.Locator`
(RegionIndex) inside ``mapInArrow``, the boundaries broadcast once to every worker.

Each Python worker builds the locator once per broadcast and then assigns whole Arrow batches
with the same numpy code as the DuckDB load, so both engines give identical regions, statuses
and cells. Coordinates are converted to WGS-84 on the way (``--crs``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from etl.locate import Locator, h3_cells, status
from gcrm.spatial.crs import Datum, to_wgs84

_LOCATOR: list = []  # [(boundaries frame, its locator)]: one per worker process


def _locator(regions: Any) -> Locator:
    """One locator per worker process and broadcast (building the index is the slow part)."""
    frame = regions.value
    if not _LOCATOR or _LOCATOR[0][0] is not frame:
        _LOCATOR[:] = [(frame, Locator(None, frame))]
    return _LOCATOR[0][1]


def _wgs84(lon: np.ndarray, lat: np.ndarray, datum: Datum) -> tuple[np.ndarray, np.ndarray]:
    """As ``etl.pipeline._convert``: convert where finite and in range, keep the rest."""
    if datum == "wgs84" or not len(lon):
        return lon, lat
    ok = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    x, y = to_wgs84(lon[ok], lat[ok], datum)
    lon, lat = lon.copy(), lat.copy()
    lon[ok], lat[ok] = x, y
    return lon, lat


def added_columns(customers: bool) -> list[str]:
    return ["city_id", "district_id", *(["grid_id", "locate_status"] if customers else [])]


def locate_batches(regions: Any, datum: Datum, customers: bool
                   ) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The ``mapInArrow`` function: lon/lat to WGS-84, then the region ids (and, for
    customers, the H3 cell and ``locate_status``) appended to every batch."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            lon = batch.column("lon").to_numpy(zero_copy_only=False).astype(float)
            lat = batch.column("lat").to_numpy(zero_copy_only=False).astype(float)
            lon, lat = _wgs84(lon, lat, datum)
            if regions.value.empty:
                city = district = np.full(len(lon), None, object)
            else:
                city, district = _locator(regions).assign(lon, lat)
            extra = [city, district]
            if customers:
                st = status(lon, lat, district, city)
                extra += [h3_cells(lon, lat, st == "ok"), st]
            arrays = [pa.array(lon, from_pandas=True) if n == "lon"  # NaN: no coordinate
                      else pa.array(lat, from_pandas=True) if n == "lat"
                      else batch.column(n) for n in batch.schema.names]
            arrays += [pa.array(pd.Series(v, dtype=object).where(pd.notna(v), None),
                                pa.string()) for v in extra]
            names = [*batch.schema.names, *added_columns(customers)]
            yield pa.RecordBatch.from_arrays(arrays, names=names)

    return run


def locate(df: Any, regions: Any, datum: Datum, customers: bool) -> Any:
    """``df`` (with ``lon``/``lat`` doubles) with WGS-84 coordinates and region columns."""
    from pyspark.sql.types import StringType, StructField, StructType

    schema = StructType([*df.schema.fields,
                         *(StructField(n, StringType()) for n in added_columns(customers))])
    return df.mapInArrow(locate_batches(regions, datum, customers), schema)
