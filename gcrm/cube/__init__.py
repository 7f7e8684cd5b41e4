"""The OLAP cube: semantic model, planner (rollups or facts), query API.

Every page, report and CLI number comes from :func:`query`.
"""

from gcrm.cube.engine import CACHE, CubeError, Query, compile_query, month_range, query, run
from gcrm.cube.model import DIMENSIONS, MEASURES, Dimension, Measure

__all__ = [
    "CACHE", "DIMENSIONS", "MEASURES", "CubeError", "Dimension", "Measure", "Query",
    "compile_query", "month_range", "query", "run",
]
