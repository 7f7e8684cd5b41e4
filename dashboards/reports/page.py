"""Area reports page (planners): one region and period as PDF, Excel or GIS layers.

The same report model and writers as `gcrm report`, so the file equals the CLI's; the region
list is the user's scope and every download is audited.
"""

from __future__ import annotations

import streamlit as st

from dashboards.components import auth, shell
from dashboards.reports import data, views
from gcrm.i18n import t
from gcrm.reports import ReportError


def render() -> None:
    """Draw the page (``dashboards/app.py`` calls it on every run)."""
    lang = shell.current_lang()
    db = shell.warehouse().path
    who = auth.require("export", lang)
    st.title(t("reports.title", lang))
    st.caption(t("reports.intro", lang))
    regions, months = data.choices(db, who.scope)
    if not regions:
        st.warning(t("reports.no_regions", lang))
        return
    req = views.form(regions, months, lang, data.scenarios(db))
    if views.generate_button(lang):
        try:
            with st.spinner(t("reports.working", lang)):
                report = data.generate(db, req.region_id, req.period, req.fmt, who, lang,
                                       req.crs, req.tariff)
        except (ReportError, ValueError) as exc:
            st.error(str(exc))
        else:
            st.session_state[views.FILE_KEY] = report
    views.download(lang)
    shell.page_done("reports", lang)
