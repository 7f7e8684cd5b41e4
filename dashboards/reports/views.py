"""The area reports page's widgets: the report form and the download of the file."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dashboards.components import auth
from dashboards.reports.data import ReportFile
from gcrm.i18n import t
from gcrm.reports.render import MIME

FILE_KEY = "report_file"  # session state: the last generated ReportFile


@dataclass(frozen=True)
class Request:
    """What the form asks for."""

    region_id: str
    period: str
    fmt: str
    crs: str
    tariff: str | None = None  # a saved tariff scenario's name


def form(regions: list[tuple[str, str, str]], months: list[str], lang: str,
         scenarios: list[str] = ()) -> Request:
    """Region (within the user's scope), period (default: the last year with data), format,
    the coordinate system of the GIS formats, and an optional saved tariff scenario
    (PDF and Excel)."""
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
    tariff = None
    if fmt in ("pdf", "xlsx") and scenarios:
        none = t("reports.tariff_none", lang)
        pick = st.selectbox(t("reports.tariff_scenario", lang), [none, *scenarios],
                            key="report_tariff")
        tariff = None if pick == none else pick
    return Request(region_id, period.strip(), fmt, crs, tariff)


def generate_button(lang: str) -> bool:
    return st.button(t("reports.generate", lang), type="primary", icon=":material/description:")


def download(lang: str) -> None:
    """The last generated file's download button (audited), if there is one."""
    ready: ReportFile | None = st.session_state.get(FILE_KEY)
    if not ready:
        return
    st.success(t("reports.ready", lang, name=ready.name, size=f"{len(ready.data) / 1024:,.0f}"))
    st.download_button(t("reports.download", lang), ready.data, file_name=ready.name,
                       mime=MIME[ready.fmt], on_click=auth.record_export,
                       kwargs={"what": f"report:{ready.name}", "rows": ready.rows,
                               "region": ready.region_id, "period": ready.period,
                               "format": ready.fmt, "tariff_scenario": ready.tariff},
                       icon=":material/download:")
