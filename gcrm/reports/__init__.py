"""Area reports: one region, one period, as PDF, XLSX or GIS (GeoPackage/GeoJSON).

:func:`build` assembles the :class:`ReportModel` once (every number from the cube and the
reliability module); :func:`write` renders it in one format to a file, atomically.
"""

from gcrm.reports.data import ReportError, ReportModel, build, check_scope, region_info
from gcrm.reports.period import Period, parse_period

__all__ = ["Period", "ReportError", "ReportModel", "build", "check_scope", "parse_period",
           "region_info"]
