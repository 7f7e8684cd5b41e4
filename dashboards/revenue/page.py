"""Revenue protection: line loss by 台区, feeder and district, theft suspects, inspections.

A map of the transformer areas (Voronoi cells) coloured by loss rate, a drill from district to
feeder to 台区 (selects, a click on the map, or ``?rev_t=<transformer>``), the areas losing the
most with their loss in kWh and yuan, the chosen 台区's monthly balance and suspects, the
suspects of the selection with their reasons, and inspection orders with the hit rate. No SQL
here: data comes from :mod:`dashboards.revenue.data`.
"""

from __future__ import annotations

from dashboards.components import shell
from dashboards.revenue import context, suspects, views


def render() -> None:
    """Draw the page (``dashboards/app.py`` calls it on every run)."""
    ctx = context.start()  # stops with a message when no supply data is loaded
    ctx = views.controls(ctx)
    views.kpis(ctx)
    views.area_map(ctx)
    views.worst_areas(ctx)
    views.area_detail(ctx)
    suspects.suspects(ctx)
    suspects.orders(ctx)
    shell.page_done("revenue", ctx.lang)
