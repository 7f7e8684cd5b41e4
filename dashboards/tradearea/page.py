"""Trading areas: around a service point or a point, who lives and pays there, where nobody
is served, where to open the next hall, and whom to call (docs/trade-areas.md, "The page").

Every number comes from the functions ``gcrm tradearea ...`` calls (through the cached wrappers
of :mod:`dashboards.tradearea.data`), within the signed-in user's region scope. The controls
are in :mod:`~dashboards.tradearea.controls`, the area types in
:mod:`~dashboards.tradearea.areas`, the results in :mod:`~dashboards.tradearea.views`, the
downloads in :mod:`~dashboards.tradearea.downloads` and the map in
:mod:`~dashboards.tradearea.maps` (drawn last, into its place above the results).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future

import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from dashboards.components import data, session, shell
from dashboards.tradearea import areas, controls, downloads, maps, views
from dashboards.tradearea import data as td
from dashboards.tradearea.state import PAGE
from gcrm.i18n import t


def _in_thread(db: str, func: Callable, *args) -> Future:
    """``func(*args)`` in a thread of its own, as part of this script run (its context:
    Streamlit's caches work there as here; it draws nothing), its queries on one connection
    of its own."""
    future: Future = Future()

    def run() -> None:
        try:
            with data.run_connection(db):
                future.set_result(func(*args))
        except BaseException as exc:  # raised where the result is asked for
            future.set_exception(exc)

    thread = threading.Thread(target=run, name="gcrm-ta-summary")  # exit waits for it
    add_script_run_ctx(thread, get_script_run_ctx())
    thread.start()
    return future


def _label(ctx, choice, area) -> str:
    """The area named in the audit log of the downloads: its summary's label (that of
    ``gcrm tradearea summary``), the area's own when it has no summary."""
    if area.spec is None:
        return area.label
    try:
        return td.area_of(ctx.db, ctx.version, area.spec, choice.months)[1]
    except Exception:  # the summary says what is wrong with the area
        return area.label


def render() -> None:
    """Draw the page (``dashboards/app.py`` calls it on every run)."""
    lang = shell.current_lang()
    wh = shell.warehouse()
    who = session.access()
    st.title(t("ta.title", lang))
    st.caption(t("ta.caption", lang))
    ctx = controls.load(lang, wh.path, wh.version, who)
    controls.seed_from_url(ctx)
    choice = controls.choose(ctx)
    area = areas.build(ctx, choice)
    overlays = controls.overlays(ctx)
    map_box = st.container()  # filled when the sites are known too
    layers = areas.export_layers(choice, area)
    areas.coverage(ctx, choice, overlays, layers)
    summary_box = st.container()  # filled last: see below
    # the summary is worked out in a thread of its own while the map and the campaign list
    # (the elements the browser takes longest to draw: an SVG scene, a grid of thousands of
    # rows) are computed and sent, so the browser draws them meanwhile; same layout
    later = None if area.spec is None else _in_thread(ctx.db, td.summary,
                                                      *views.summary_args(ctx, choice, area))
    views.huff_table(area, lang)
    sites, site_km = views.site_selection(ctx, choice, layers)
    with map_box:
        maps.draw_map(ctx, choice, area, overlays, sites, site_km,
                      controls.map_click_handler(ctx))
    what = _label(ctx, choice, area)
    downloads.targets(ctx, choice, area, what)
    downloads.layers(ctx, layers, what)
    with summary_box:
        views.inside(ctx, choice, area, later)
    shell.page_done(PAGE, lang)
    # the next area's joins read a copy of the stored per-customer tables, made meanwhile,
    # and its district's column is worked out already if it holds a service point in scope
    td.stored_copy(wh.path, wh.version, choice.months, start=True)
    td.warm_district_sides(ctx.db, ctx.version, choice.months, ctx.scope,
                           choice.household_size, ctx.visible_sp["district_id"].dropna())
