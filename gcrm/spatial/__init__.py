"""Spatial helpers: CRS conversion (GCJ-02/BD-09 <-> WGS-84) and point-to-region assignment."""

from gcrm.spatial.crs import DATUMS, haversine_m, to_wgs84
from gcrm.spatial.region_index import RegionIndex

__all__ = ["DATUMS", "RegionIndex", "haversine_m", "to_wgs84"]
