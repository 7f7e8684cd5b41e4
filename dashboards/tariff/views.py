"""The demand-side page's sections: period, profiles (map, table, trend), ranking, the
what-if of a scenario (KPIs, table, downloads), the policy check, the comparison and the
campaign lists. Data from :mod:`dashboards.tariff.data` only.

Hidden elements for the browser tests: ``span.gcrm-kpi[data-kpi][data-value]`` (the what-if
totals, ``repr(float)``) and ``div.gcrm-tf-targets[data-rows][data-kind]``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from functools import partial

import pandas as pd
import streamlit as st

from dashboards.components import auth, maps, svgmap
from dashboards.components import data as cdata
from dashboards.components.context import PageContext
from dashboards.tariff import data as td
from dashboards.tariff import tables
from gcrm.i18n import format_number, t, tn
from gcrm.security.exports import csv_bytes, xlsx_bytes

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROFILE_BY = ("customer_class", "tariff", "segment", "district")
SIM_BY = ("customer_class", "tariff", "district", "segment", "season")
KPIS = ("revenue_change", "revenue_change_share", "peak_change_kwh", "peak_change_share",
        "covered")
#: message keys of the dimensions and columns the page names (literal keys: checked by
#: tests/test_i18n.py)
DIM_KEYS = {"customer_class": "tf.dim.customer_class", "tariff": "tf.dim.tariff",
            "segment": "tf.dim.segment", "district": "tf.dim.district",
            "feeder": "tf.dim.feeder", "season": "tf.dim.season"}
COL_KEYS = {"peak_share": "tf.col.peak_share", "seasonal_swing": "tf.col.seasonal_swing",
            "valley_headroom": "tf.col.valley_headroom",
            "revenue_change": "tf.col.revenue_change",
            "revenue_change_share": "tf.col.revenue_change_share",
            "peak_change_kwh": "tf.col.peak_change_kwh",
            "peak_change_share": "tf.col.peak_change_share", "covered": "tf.col.covered"}


@dataclass(frozen=True)
class Ctx(PageContext):
    """The run (:class:`~dashboards.components.context.PageContext`) and the period chosen."""

    period: tuple[str, str] = ("", "")

    @property
    def names(self) -> dict[str, str]:
        """region id -> Chinese name, for the tables."""
        return cdata.region_names(self.db, self.version, self.scope)


def fail(exc: Exception, lang: str) -> None:
    """A bad input or missing data: one message, never a traceback."""
    st.error(t("tf.error", lang, error=str(exc)), icon=":material/error:")


def start() -> Ctx:
    """Title, who is looking and the period (the last 12 months by default)."""
    ctx = Ctx.current()
    lang = ctx.lang
    st.title(t("tf.title", lang))
    st.caption(t("tf.caption", lang))
    months = td.months(ctx.db, ctx.version)
    first = months[max(0, len(months) - 12)]
    period = st.select_slider(t("tf.period", lang), months, value=(first, months[-1]),
                              key="tf_period")
    return replace(ctx, period=tuple(period))


# --------------------------------------------------------------------------- profiles
def _district_map(ctx: Ctx, by_district: pd.DataFrame) -> None:
    """The peak share by district: an SVG choropleth on the boundary layers alone."""
    geo = cdata.regions_geojson(ctx.db, ctx.version, "district", ctx.scope)
    label = t("tf.col.peak_share", ctx.lang)
    values = {r["district"]: float(r["peak_share"]) for r in by_district.to_dict("records")
              if isinstance(r["district"], str)}
    hidden = {d for d, v in values.items() if pd.isna(v)}
    fc, classes = maps.fill_regions(geo, values, lambda v: f"{label}: {v:.1%}",
                                    t("tf.no_data", ctx.lang), hidden,
                                    f"<{ctx.min_cell}" if ctx.min_cell else "")
    for f in fc["features"]:
        f["properties"].update(title=f["properties"].get("name") or "",
                               line1=f["properties"]["value_text"])
    frame = svgmap.Frame.fit(maps.bounds_of(fc) or (125.0, 41.0, 127.0, 43.0), 900, 420)
    ui = svgmap.buttons(ctx.lang)
    c1, c2 = st.columns([5, 1])
    with c1:
        svgmap.show(svgmap.scene(frame, [svgmap.areas(fc, frame, pickable=False),
                                         svgmap.labels(fc, frame)], "tariff", ui),
                    key="tf_map", on_click=lambda _rid: None)
    c2.markdown(maps.legend_html(classes, label, fmt=".1%", no_data=t("tf.no_data", ctx.lang)),
                unsafe_allow_html=True)


def profiles(ctx: Ctx) -> None:
    """Peak/flat/valley shares: district map, a table by a chosen dimension, the trend."""
    lang = ctx.lang
    st.subheader(t("tf.profiles.title", lang))
    by = st.selectbox(t("tf.by", lang), PROFILE_BY, key="tf_profile_by",
                      format_func=lambda d: t(DIM_KEYS[d], lang))
    try:
        table = td.profiles(ctx.db, ctx.version, (by,), ctx.period, ctx.scope, ctx.min_cell)
        districts = td.profiles(ctx.db, ctx.version, ("district",), ctx.period, ctx.scope,
                                ctx.min_cell)
        trend = td.profiles(ctx.db, ctx.version, ("month",), ctx.period, ctx.scope,
                            ctx.min_cell)
    except Exception as exc:
        fail(exc, lang)
        return
    _district_map(ctx, districts)
    tables.show(table, lang, ctx.names)
    shares = ["peak_share", "flat_share", "valley_share"]
    chart = (trend.set_index("month")[shares] * 100).rename(
        columns={c: tables.header(c, lang) for c in shares})
    st.line_chart(chart, height=320, x_label=tables.header("month", lang),
                  y_label=t("tf.h.share_pct", lang))


def ranking(ctx: Ctx) -> None:
    """Districts (or feeders, segments) ranked by how much load could move."""
    lang = ctx.lang
    st.subheader(t("tf.rank.title", lang))
    c1, c2 = st.columns(2)
    by = c1.selectbox(t("tf.rank.by", lang), ("district", "feeder", "segment"), key="tf_rank_by",
                      format_func=lambda d: t(DIM_KEYS[d], lang))
    order = c2.selectbox(t("tf.rank.order", lang),
                         ("peak_share", "seasonal_swing", "valley_headroom"), key="tf_rank_order",
                         format_func=lambda o: t(COL_KEYS[o], lang))
    try:
        df = td.rank(ctx.db, ctx.version, by, order, ctx.period, ctx.scope, ctx.min_cell)
    except Exception as exc:
        fail(exc, lang)
        return
    tables.show(df.head(20), lang, ctx.names)


# --------------------------------------------------------------------------- the what-if
def _record(what: str, rows: int, fmt: str, **detail) -> None:
    try:
        auth.record_export(what, rows, format=fmt, **detail)
    except Exception as exc:  # the download happened; say the audit failed
        st.session_state["tf_audit_error"] = str(exc)


def downloads(ctx: Ctx, df: pd.DataFrame, stem: str, what: str, key: str, **detail) -> None:
    """CSV and Excel buttons (formula-safe, audited); only for roles that may export."""
    if not ctx.who.export:
        st.caption(t("tf.no_export", ctx.lang))
        return
    d1, d2, _ = st.columns([1, 1, 3])
    d1.download_button(t("tf.download_csv", ctx.lang), csv_bytes(df), file_name=f"{stem}.csv",
                       mime="text/csv", key=f"{key}_csv", icon=":material/download:",
                       on_click=_record, args=(what, len(df), "csv"), kwargs=detail)
    d2.download_button(t("tf.download_xlsx", ctx.lang), partial(xlsx_bytes, df, stem[:31]),
                       file_name=f"{stem}.xlsx", mime=XLSX_MIME, key=f"{key}_xlsx",
                       icon=":material/download:", on_click=_record,
                       args=(what, len(df), "xlsx"), kwargs=detail)
    if err := st.session_state.pop("tf_audit_error", None):
        st.error(t("tf.audit_failed", ctx.lang, error=err))


def _kpis(ctx: Ctx, total: pd.Series) -> None:
    """The what-if totals in two rows of tiles (wide enough for their labels), compact
    numbers with the exact value as help; the exact values also in hidden spans."""
    rows = (("revenue_change", "revenue_change_share", "covered"),
            ("peak_change_kwh", "peak_change_share"))
    cols = {n: c for row in rows for n, c in zip(row, st.columns(3), strict=False)}
    for name in KPIS:
        col = cols[name]
        v = total[name]
        sign = "+" if not pd.isna(v) and v > 0 else ""
        text = ("–" if pd.isna(v) else f"{v:+.2%}" if name.endswith("share")
                else format_number(v, ctx.lang, whole=True) if name == "covered"
                else sign + format_number(v, ctx.lang))
        col.metric(t(COL_KEYS[name], ctx.lang), text, border=True,
                   help=None if pd.isna(v) else f"{v:+.4%}" if name.endswith("share")
                   else f"{v:,.2f}")
    st.markdown("".join(f'<span class="gcrm-kpi" data-kpi="{html.escape(n)}" '
                        f'data-value="{float(total[n])!r}" style="display:none"></span>'
                        for n in KPIS), unsafe_allow_html=True)


def whatif(ctx: Ctx, name: str, text: str) -> None:
    """The scenario's totals (KPIs), its table by a chosen dimension, and downloads."""
    lang = ctx.lang
    st.subheader(t("tf.whatif.title", lang, name=name))
    by = st.multiselect(t("tf.by", lang), SIM_BY, default=["customer_class"], key="tf_sim_by",
                        format_func=lambda d: t(DIM_KEYS[d], lang))
    try:
        with st.spinner(t("tf.running", lang)):
            r = td.simulate(ctx.db, ctx.version, text, tuple(by), ctx.period, ctx.scope,
                            ctx.min_cell)
    except Exception as exc:
        fail(exc, lang)
        return
    _kpis(ctx, r.total.iloc[0])
    st.caption(t("tf.whatif.note", lang))
    table = r.table if by else r.total
    if r.suppressed and ctx.min_cell:
        st.caption(tn("tf.suppressed", r.suppressed, lang, min=ctx.min_cell))
    tables.show(table, lang, ctx.names)
    downloads(ctx, table, f"tariff_{name}", f"tariff.simulate:{name}", "tf_sim", by=by)


def policy(ctx: Ctx, name: str, text: str) -> None:
    """The NDRC 1093 check of the scenario in every district."""
    lang = ctx.lang
    try:
        df = td.check(ctx.db, ctx.version, text, ctx.period, ctx.scope)
    except Exception as exc:
        fail(exc, lang)
        return
    bad = int((df["status"] != "ok").sum())
    (st.warning if bad else st.success)(t("tf.check.summary", lang, bad=bad, n=len(df)))
    with st.expander(t("tf.check.title", lang), expanded=bool(bad)):
        tables.show(df, lang, ctx.names)
