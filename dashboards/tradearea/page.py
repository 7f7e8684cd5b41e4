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

import streamlit as st

from dashboards.components import session, shell
from dashboards.tradearea import areas, controls, downloads, maps, views
from dashboards.tradearea import data as td
from dashboards.tradearea.state import PAGE
from gcrm.i18n import t


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
    map_box = st.container()  # filled at the end, when the sites are known too
    layers = areas.export_layers(choice, area)
    areas.coverage(ctx, choice, overlays, layers)
    summary = views.inside(ctx, choice, area)
    views.huff_table(area, lang)
    sites, site_km = views.site_selection(ctx, choice, layers)
    what = summary.label if summary else area.label  # the area named in the audit log
    downloads.targets(ctx, choice, area, what)
    downloads.layers(ctx, layers, what)
    with map_box:
        maps.draw_map(ctx, choice, area, overlays, sites, site_km,
                      controls.map_click_handler(ctx))
    shell.page_done(PAGE, lang)
    # the next area's joins read a copy of the stored per-customer tables, made meanwhile
    td.stored_copy(wh.path, wh.version, choice.months, start=True)
