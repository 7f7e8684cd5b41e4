"""Cube Explorer: measures x dimensions with filters, pivot, totals, time comparison,
drill-down/roll-up, chart, map and export. The whole view lives in the URL.

Every number comes from :mod:`gcrm.cube` through :mod:`dashboards.explorer.data` (over the
cached wrappers of :mod:`dashboards.components.data`); the controls and their URL mirror are
in :mod:`dashboards.explorer.controls`, the drawing of the results in
:mod:`dashboards.explorer.views`, the pure view state (URL <-> view, drill path, CLI
equivalent, XLSX) in :mod:`dashboards.explorer.state`.

For browser tests the page writes an invisible ``<div class="gcrm-result">`` holding the view
(``data-view``, JSON of the URL parameters) and the exported CSV (``data-csv``).
"""

from __future__ import annotations

import streamlit as st

from dashboards.components import shell
from dashboards.explorer import controls, data, views
from gcrm.cube import CubeError
from gcrm.cube.disclosure import DisclosureError
from gcrm.i18n import t


def render() -> None:
    """Draw the page (``dashboards/app.py`` calls it on every run)."""
    lang = shell.current_lang()
    st.title(t("explorer.title", lang))
    st.caption(t("explorer.caption", lang))
    ctx = data.context(lang)
    if ctx is None:
        st.info(t("app.no_data", lang))
        shell.page_done("explorer", lang)
        return
    controls.restore(ctx)
    ctl, out = st.columns([1.15, 3], gap="medium")
    with ctl:
        ignored = controls.draw(ctx)
    view = controls.view_from_state(ctx.full)
    params = controls.sync_url(view)
    views.notices(out, lang, ignored)
    if not view.measures:
        out.info(t("explorer.pick_measure", lang))
        views.done(lang, params)
        return
    try:
        res = data.explore(ctx, view)
    except (CubeError, DisclosureError) as exc:
        out.error(str(exc))
        views.done(lang, params)
        return
    with out:
        views.results(ctx, view, res)
    views.done(lang, params, res.frame.head(views.HIDDEN_ROWS).to_csv(index=False),
               len(res.frame), int(res.hidden.sum()))
