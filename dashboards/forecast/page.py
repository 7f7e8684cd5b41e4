"""Forecast page: where consumption is going, by area and class, with honest error bars.

Pick a measure, an area and a class: the history with the forecast fan, the next 12 months
against the last 12, the backtest quality in words; then the map of expected growth by
district and the district x class cells that drive the change (the planners' market view,
linking to the trading-area page), with CSV/XLSX downloads. No SQL here: data comes from
:mod:`dashboards.forecast.data` (stored forecasts, cached per warehouse load).
"""

from __future__ import annotations

from dashboards.components import shell
from dashboards.forecast import views


def render() -> None:
    """Draw the page (``dashboards/app.py`` calls it on every run)."""
    ctx = views.start()
    views.controls(ctx)
    views.series_view(ctx)
    views.market_view(ctx)
    shell.page_done("forecast", ctx.lang)
