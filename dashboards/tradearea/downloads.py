"""What the trading-area page hands out: the campaign target list (CSV/Excel, masked per role)
and every layer shown (GeoJSON/GeoPackage, WGS-84 or GCJ-02), each download audited.

The list is written with a hidden ``div.gcrm-ta-targets[data-rows][data-segment]`` for tests;
the files are the bytes ``gcrm tradearea targets --out`` and ``gcrm tradearea export`` write.
"""

from __future__ import annotations

from functools import partial

import geopandas as gpd
import pandas as pd
import streamlit as st

from dashboards.components import auth
from dashboards.tradearea import data as td
from dashboards.tradearea.state import Area, Choice, Context, fail, keep, set_choice
from dashboards.tradearea.state import widget_key as wkey
from gcrm.i18n import t, tn
from gcrm.security.exports import csv_bytes, xlsx_bytes
from gcrm.tradearea import queries as tradearea

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"geojson": "GeoJSON", "gpkg": "GeoPackage"}
DATUMS = {"wgs84": "WGS-84", "gcj02": "GCJ-02"}


def _audit_error(key: str, lang: str) -> None:
    """Say so when the audit entry of a download could not be written."""
    if err := st.session_state.pop(key, None):
        st.error(t("ta.audit_failed", lang, error=err))


# --------------------------------------------------------------------------- campaign target list
def _record_targets(fmt: str, rows: int, seg: str, what: str, masked: bool) -> None:
    try:
        auth.record_export(f"tradearea.targets:{seg}", rows, area=what, segment=seg,
                           format=fmt, masked=masked)
    except Exception as exc:  # the download happened; say the audit failed
        st.session_state["ta_audit_error"] = str(exc)


def _segment_controls(lang: str) -> tuple[str, float, int]:
    """``(segment, minimum counter share, months without a visit)``."""
    g1, g2 = st.columns([1.4, 1])
    segment = keep("ta_segment", g1.radio(
        t("ta.segment", lang), tradearea.SEGMENTS, key=wkey("ta_segment", lang),
        horizontal=True, format_func=lambda s: t(f"ta.segment.{s}", lang)))
    if segment == "counter_payers":
        min_share = g2.slider(t("ta.min_counter_share", lang), 0.0, 0.95, 0.5, 0.05,
                              key="ta_min_counter")
        return segment, min_share, 6
    visit_months = int(g2.number_input(t("ta.visit_months", lang), 1, 36, 6, 1,
                                       key="ta_visit_months"))
    return segment, 0.5, visit_months


def _target_buttons(ctx: Context, choice: Choice, targets: pd.DataFrame, segment: str,
                    what: str, mask: bool) -> None:
    lang = ctx.lang
    if not ctx.who.export:
        st.caption(t("ta.no_export", lang))
        return
    stem = f"targets_{segment}_{(choice.sp_id or 'point')}"
    args = (len(targets), segment, what, mask)
    d1, d2, _ = st.columns([1, 1, 3])
    d1.download_button(t("ta.download_csv", lang),
                       partial(csv_bytes, targets),  # written on the click only (0.4 s)
                       file_name=f"{stem}.csv", mime="text/csv", key="ta_targets_csv",
                       on_click=_record_targets, args=("csv", *args),
                       icon=":material/download:")
    d2.download_button(t("ta.download_xlsx", lang),
                       partial(xlsx_bytes, targets, segment),  # written on the click only
                       file_name=f"{stem}.xlsx", key="ta_targets_xlsx", on_click=_record_targets,
                       args=("xlsx", *args), icon=":material/download:", mime=XLSX_MIME)


def targets(ctx: Context, choice: Choice, area: Area, what: str) -> None:
    """The customers inside the area in a segment, and their download (``what``: the area's
    label for the audit log)."""
    lang, who = ctx.lang, ctx.who
    st.subheader(t("ta.targets.title", lang))
    if not who.read_customers:
        st.info(t("ta.targets.not_allowed", lang), icon=":material/block:")
        return
    if area.spec is None:
        st.info(t("ta.inside.none", lang), icon=":material/info:")
        return
    segment, min_share, visit_months = _segment_controls(lang)
    mask = not who.read_pii
    try:
        rows = td.targets(ctx.db, ctx.version, area.spec, segment, choice.months, ctx.scope,
                          mask, float(min_share), visit_months)
    except Exception as exc:  # bad input or missing data: a message, never a traceback
        fail(exc, lang)
        return
    st.caption(t(f"ta.segment.{segment}.help", lang) + " "
               + tn("ta.targets.count", len(rows), lang))
    if mask:
        st.caption(t("ta.targets.masked", lang))
    st.dataframe(rows, hide_index=True, width="stretch", height=280)
    st.markdown(f'<div class="gcrm-ta-targets" data-rows="{len(rows)}" '
                f'data-segment="{segment}" style="display:none"></div>',
                unsafe_allow_html=True)
    _target_buttons(ctx, choice, rows, segment, what, mask)
    _audit_error("ta_audit_error", lang)


# --------------------------------------------------------------------------- layer downloads
def _record_layer(name: str, rows: int, fmt: str, datum: str, what: str) -> None:
    try:
        auth.record_export(f"tradearea.{name}", rows, format=fmt, datum=datum, area=what)
    except Exception as exc:  # the download happened; say the audit failed
        st.session_state["ta_audit_error_layer"] = str(exc)


def layers(ctx: Context, layers_out: dict[str, gpd.GeoDataFrame], what: str) -> None:
    """Any layer shown, as GeoJSON or GeoPackage in WGS-84 or GCJ-02."""
    lang = ctx.lang
    st.subheader(t("ta.export.title", lang))
    if not ctx.who.export:
        st.caption(t("ta.no_export", lang))
        return
    if not layers_out:
        st.caption(t("ta.export.none", lang))
        return
    e1, e2, e3, e4 = st.columns([1.4, 1, 1, 1.2])
    if st.session_state.get("ta_export_layer") not in layers_out:
        set_choice("ta_export_layer", next(iter(layers_out)), lang)
    which = keep("ta_export_layer", e1.selectbox(
        t("ta.export.layer", lang), list(layers_out), key=wkey("ta_export_layer", lang),
        format_func=lambda n: t(f"ta.layer.{n}", lang)))
    fmt = e2.radio(t("ta.export.format", lang), tuple(FORMATS), key="ta_export_fmt",
                   format_func=FORMATS.__getitem__)
    datum = e3.radio(t("ta.export.datum", lang), tuple(DATUMS), key="ta_export_datum",
                     format_func=DATUMS.__getitem__, help=t("ta.export.datum_help", lang))
    gdf = layers_out[which]
    suffix = "_gcj02" if datum == "gcj02" else ""
    e4.download_button(t("ta.export.download", lang),
                       partial(td.layer_bytes, gdf, fmt, datum, which),
                       file_name=f"tradearea_{which}{suffix}.{fmt}",
                       mime="application/geo+json" if fmt == "geojson" else
                       "application/geopackage+sqlite3", key="ta_export_btn",
                       on_click=_record_layer, args=(which, len(gdf), fmt, datum, what),
                       icon=":material/download:")
    _audit_error("ta_audit_error_layer", lang)
