"""The OLAP cube: semantic model, planner (rollups or facts), query API.

Every page, report and CLI number comes from :func:`query`.
"""

from gcrm.cube import rollups
from gcrm.cube.engine import (
    CACHE,
    CubeError,
    Query,
    compile_query,
    members,
    month_range,
    months,
    query,
    run,
)
from gcrm.cube.model import DIMENSIONS, MEASURES, Dimension, Measure
from gcrm.cube.operations import (
    TOTAL,
    compare,
    comparison_match,
    drill_down,
    months_with_data,
    over_months,
    period_kpis,
    pivot,
    roll_up,
    shift_month,
    with_totals,
)

__all__ = [
    "CACHE",
    "DIMENSIONS",
    "MEASURES",
    "TOTAL",
    "CubeError",
    "Dimension",
    "Measure",
    "Query",
    "compare",
    "comparison_match",
    "compile_query",
    "drill_down",
    "members",
    "month_range",
    "months",
    "months_with_data",
    "over_months",
    "period_kpis",
    "pivot",
    "query",
    "roll_up",
    "rollups",
    "run",
    "shift_month",
    "with_totals",
]
