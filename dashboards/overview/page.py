"""Regional overview: a choropleth of any measure, drill city -> district -> H3 cell ->
customers, a month-by-month animation, KPI tiles against the previous period and last year,
a trend, a ranked table with sparklines and optional layers. The view lives in the URL.

Numbers come from :mod:`gcrm.overview.queries` (the cube, reliability and service records)
through the cached wrappers of :mod:`dashboards.overview.data`; the state and its URL form
are in :mod:`~dashboards.overview.state`, the drawing in :mod:`~dashboards.overview.views`,
:mod:`~dashboards.overview.mapview` and :mod:`~dashboards.overview.layers`.
"""

from __future__ import annotations

from dashboards.components import shell
from dashboards.overview import mapview, state, views


def render() -> None:
    """Draw the page (``dashboards/app.py`` calls it on every run)."""
    lang = shell.current_lang()
    run = views.header(lang)  # stops the page when the warehouse has no months
    state.read_url(run.all_months, run.default_months)
    views.controls(run)
    ctx = run.looking_at(state.view_from_state(run.default_months))
    state.write_url(ctx.view)
    place_name = views.breadcrumb(ctx)
    views.kpis(ctx)
    mapview.show(ctx)
    views.trend(ctx, place_name)
    if ctx.level != "customer":
        views.ranking(ctx)
    shell.page_done("home", lang)
