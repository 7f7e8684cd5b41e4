"""Outages: reliability indices, where and why the lights went out, planned-outage notices.

The index map drills from districts to H3 cells (click, or ``?out_drill=<name>``), with feeder
lines and event points; the event view shows one outage; notices go to the customers on feeders,
in H3 cells picked on the map, or in an uploaded GeoJSON area. The map, the event view and the
notice are fragments (a click there reruns only that part). No SQL here: data comes from
:mod:`dashboards.outages.data`; the sections are drawn by :mod:`dashboards.outages.views`,
:mod:`~dashboards.outages.mapview` and :mod:`~dashboards.outages.notice`.
"""

from __future__ import annotations

from dashboards.components import shell
from dashboards.outages import context, mapview, notice, views


def render() -> None:
    """Draw the page (``dashboards/app.py`` calls it on every run)."""
    ctx, years = context.start()  # title, who is looking, years (stops without outages)
    views.controls(ctx, years)
    context.load(ctx)
    views.index_table(ctx)
    mapview.index_map(ctx)
    views.daily_saidi(ctx)
    views.worst_and_cemi(ctx)
    views.event_view(ctx)
    notice.notice(ctx)
    shell.page_done("outages", ctx.lang)
