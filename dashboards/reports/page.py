"""Area reports page (planners): one region and period as PDF, Excel or GIS layers.

The same report model and writers as `gcrm report`, so the file equals the CLI's; the region
list is the user's scope and every download is audited.
"""

from __future__ import annotations

import streamlit as st

from dashboards.components import auth, shell
from dashboards.components.data import connection
from gcrm import cube
from gcrm.i18n import t
from gcrm.reports import ReportError
from gcrm.reports.render import MIME, file_name
from gcrm.reports.render import render as render_report
from gcrm.storage.regions import region_list


def render() -> None:
    """Draw the page (``dashboards/app.py`` calls it on every run)."""
    lang = shell.current_lang()
    info = shell.warehouse()
    who = auth.require("export", lang)
    st.title(t("reports.title", lang))
    st.caption(t("reports.intro", lang))

    with connection(info.path) as con:
        regions = region_list(con, who.scope)
        months = cube.months(con)
    if not regions:
        st.warning(t("reports.no_regions", lang))
        st.stop()
    labels = {rid: f"{rid} {name}" for rid, name, _ in regions}
    default_year = months[-1][:4] if months else ""

    c1, c2, c3 = st.columns([2, 1, 1])
    region_id = c1.selectbox(t("reports.region", lang), list(labels), format_func=labels.get,
                             key="report_region")
    period = c2.text_input(t("reports.period", lang), value=default_year, key="report_period",
                           help=t("reports.period_help", lang))
    fmt = c3.selectbox(t("reports.format", lang), list(MIME), key="report_format")
    crs = "wgs84"
    if fmt in ("gpkg", "geojson"):
        crs = st.radio(t("reports.crs", lang), ["wgs84", "gcj02"], horizontal=True,
                       key="report_crs")

    if st.button(t("reports.generate", lang), type="primary", icon=":material/description:"):
        try:
            with st.spinner(t("reports.working", lang)), connection(info.path) as con:
                data, model = render_report(con, region_id, period.strip(), fmt, principal=who,
                                     lang=lang, crs=crs)
        except (ReportError, ValueError) as exc:
            st.error(str(exc))
        else:
            st.session_state["report_file"] = (data, file_name(model, fmt), fmt, model.row_count(),
                                               region_id, model.period.label)

    if ready := st.session_state.get("report_file"):
        data, name, ready_fmt, rows, rid, label = ready
        st.success(t("reports.ready", lang, name=name, size=f"{len(data) / 1024:,.0f}"))
        st.download_button(t("reports.download", lang), data, file_name=name, mime=MIME[ready_fmt],
                           on_click=auth.record_export,
                           kwargs={"what": f"report:{name}", "rows": rows, "region": rid,
                                   "period": label, "format": ready_fmt},
                           icon=":material/download:")
    shell.page_done("reports", lang)
