"""The Cube Explorer's results: KPI tiles, drill path, table, downloads, chart and map.

Drawing only: the numbers come from :mod:`dashboards.explorer.data`, the labels from
:mod:`dashboards.explorer.labels`, the callbacks (drill-down, roll-up, audit) from
:mod:`dashboards.explorer.controls`.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass, field
from functools import partial

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from dashboards.components import disclosure, maps, shell
from dashboards.components.kpi import kpi_tiles
from dashboards.explorer import controls
from dashboards.explorer.data import (
    Context,
    Result,
    by_district,
    districts_geojson,
    pivot_parts,
)
from dashboards.explorer.labels import Labels, is_ratio, value_format
from dashboards.explorer.state import View, cli_args, cli_command, to_xlsx
from gcrm.cube import MEASURES, CubeError
from gcrm.cube.comparison_words import comparison_words
from gcrm.i18n import format_quantity, t, tn
from gcrm.security.exports import csv_text

MAX_TILES = 6
MAX_BARS = 30
MAX_SERIES = 10
HIDDEN_ROWS = 5000  # rows copied into the hidden test element
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def done(lang: str, params: dict[str, str], result_csv: str = "", n_rows: int = 0,
         n_hidden: int = 0) -> None:
    """The hidden result element (view, CSV and how many rows disclosure control hid, for
    browser tests) and the page-done marker."""
    st.markdown(
        f'<div class="gcrm-result" style="display:none" data-rows="{n_rows}" '
        f'data-hidden="{n_hidden}" '
        f'data-view="{html.escape(json.dumps(params, ensure_ascii=False))}" '
        f'data-csv="{html.escape(result_csv)}"></div>', unsafe_allow_html=True)
    shell.page_done("explorer", lang)


def notices(out, lang: str, ignored: list[str]) -> None:
    """Above the results: filter values dropped, a personal dimension refused (a link for a
    role that sees aggregates only), and a callback's message."""
    if ignored:
        out.warning(t("explorer.bad_filter", lang, values=", ".join(ignored)))
    if refused := st.session_state.pop("ex_refused", None):
        out.warning(t("explorer.personal_refused", lang, dims=", ".join(refused)),
                    icon=":material/visibility_off:")
    if msg := st.session_state.pop("ex_message", None):
        out.info(msg)


def results(ctx: Context, view: View, res: Result) -> None:
    """Everything below the controls' column head, for a view with a result."""
    shown = res.months or ctx.full
    _header(ctx, view, res, shown)
    _drill_path(ctx, view)
    _table(ctx, view, res)
    _exports(ctx, view, res, shown)
    chart_col, map_col = st.columns(2, gap="medium")
    with chart_col:
        _chart(ctx.labels, view, res.frame)
    with map_col:
        _map(ctx, view, res.months)


# --------------------------------------------------------------------------- header
def _header(ctx: Context, view: View, res: Result, shown: tuple[str, str]) -> None:
    """The slice's months (and the comparison's), and a KPI tile per measure."""
    lang = ctx.lang
    st.subheader(t("explorer.slice", lang, start=shown[0], end=shown[1]))
    if view.compare and (match := res.frame.attrs.get("match")) is not None:
        st.caption(t("explorer.compare_period", lang, words=comparison_words(match, lang)))
    tiles = list(view.measures)[:MAX_TILES]
    row0 = res.totals.iloc[0] if len(res.totals) else None
    if res.totals_hidden:  # the slice describes too few customers
        kpi_tiles({m: float("nan") for m in tiles}, {m: MEASURES[m].label(lang) for m in tiles},
                  lang, hidden=tiles, min_cell=ctx.min_cell)
        return
    kpi_tiles({m: float(row0[m]) if row0 is not None and not pd.isna(row0[m]) else 0.0
               for m in tiles}, {m: MEASURES[m].label(lang) for m in tiles}, lang)


def _drill_path(ctx: Context, view: View) -> None:
    """The breadcrumb of drill steps; a click rolls up to that step."""
    if not view.drill:
        return
    with st.container(horizontal=True, vertical_alignment="center"):
        st.markdown(f"**{t('explorer.path', ctx.lang)}**")
        st.button(t("explorer.path_root", ctx.lang), key="ex_crumb_0", on_click=controls.roll_up,
                  args=(0, ctx.full), icon=":material/home:")
        for i, step in enumerate(view.drill, start=1):
            text = " / ".join(ctx.labels.member(d, v) for d, v in step.at)
            st.button(f"› {text}", key=f"ex_crumb_{i}", on_click=controls.roll_up,
                      args=(i, ctx.full), disabled=i == len(view.drill),
                      type="tertiary" if i < len(view.drill) else "secondary")


# --------------------------------------------------------------------------- table
def _number_column(col: str):
    return st.column_config.NumberColumn(format="percent" if is_ratio(col) else "localized")


@dataclass
class _Table:
    """The result as drawn: the frame, its column config, the row keys a click drills into,
    and per value column its Python format and its hidden cells (disclosure control)."""

    frame: pd.DataFrame
    config: dict = field(default_factory=dict)
    row_keys: list[dict] = field(default_factory=list)
    formats: dict[str, str] = field(default_factory=dict)
    hidden: dict[str, np.ndarray] = field(default_factory=dict)

    def add(self, name: str, col: str, values: np.ndarray, hidden: np.ndarray) -> None:
        self.frame[name] = values
        self.config[name] = _number_column(col)
        self.formats[name] = value_format(col)
        self.hidden[name] = hidden & pd.isna(values)


def _pivot_table(ctx: Context, view: View, res: Result, values: list[str]) -> _Table:
    """The result pivoted by the column dimension."""
    lab = ctx.labels
    keys_frame, parts, hidden = pivot_parts(ctx, view, res, values)
    table = _Table(pd.DataFrame({lab.dim(d): [lab.member(d, x) for x in keys_frame[d]]
                                 for d in view.rows}))
    for (v, member), arr in parts.items():
        table.add(f"{lab.value(v, view.compare)} · {lab.member(view.column, member)}", v, arr,
                  hidden[(v, member)])
    table.row_keys = keys_frame.to_dict("records")
    return table


def _long_table(lab: Labels, view: View, res: Result, values: list[str]) -> _Table:
    """The result as it is, one row per member combination."""
    result = res.frame
    table = _Table(pd.DataFrame({lab.dim(d): [lab.member(d, x) for x in result[d]]
                                 for d in view.by}))
    for v in values:
        table.add(lab.value(v, view.compare), v, result[v].to_numpy(), res.hidden)
    rows = list(view.rows)
    table.row_keys = result[rows].to_dict("records") if rows else []
    return table


def _table(ctx: Context, view: View, res: Result) -> None:
    """The result table (long, or pivoted by the column dimension); a row click drills. For
    a role that sees aggregates only, hidden cells read "<5", with a note below."""
    result = res.frame
    values = [c for c in result.columns if c not in view.by and c != "level"]
    if view.column and view.rows and len(result):
        table = _pivot_table(ctx, view, res, values)
    else:
        table = _long_table(ctx.labels, view, res, values)
    ss = st.session_state
    ss["ex_row_keys"] = table.row_keys
    st.markdown(f"**{tn('explorer.result', len(table.frame), ctx.lang)}** · "
                f"{t('explorer.drill_hint', ctx.lang) if view.rows else ''}")
    table_key = f"ex_table_{ss.get('ex_table_n', 0)}"
    data, config = table.frame, table.config
    if ctx.min_cell is not None:  # hidden cells read "<5": the values are shown as text
        data = disclosure.as_text(table.frame, table.formats, table.hidden, ctx.hidden_text)
        config = {c: disclosure.text_column() for c in table.config}
    st.dataframe(data, hide_index=True, width="stretch", column_config=config,
                 key=table_key, on_select=partial(controls.on_select, table_key, ctx),
                 selection_mode="single-row", height=min(38 + 35 * max(len(table.frame), 1),
                                                         460))
    if res.hidden.any():
        st.caption(disclosure.note(int(res.hidden.sum()), ctx.min_cell, ctx.lang))


# --------------------------------------------------------------------------- exports
def _about(ctx: Context, view: View, res: Result, shown: tuple[str, str],
           args: list[str] | None) -> list:
    """The XLSX's ``query`` sheet: what the file holds, how to get it again, and (disclosure
    control) how many cells are empty because they were hidden."""
    return [("measures", ", ".join(view.measures)), ("by", ", ".join(view.by)),
            ("where", "; ".join(f"{d}={','.join(v)}" for d, v in view.filters)),
            ("months", f"{shown[0]} – {shown[1]}"),
            ("compare", view.compare or ""), ("totals", str(view.totals)),
            ("sort", view.sort or ""), ("top", str(view.top or "")),
            ("warehouse", ctx.db), ("data_version", ctx.version),
            ("command", cli_command(args, ctx.db) if args else ""),
            *([("hidden", disclosure.note(int(res.hidden.sum()), ctx.min_cell, ctx.lang))]
              if res.hidden.any() else [])]


def _exports(ctx: Context, view: View, res: Result, shown: tuple[str, str]) -> None:
    """CSV and XLSX downloads (audited; export permission only) and the CLI equivalent."""
    lang, result = ctx.lang, res.frame
    args = cli_args(view, res.months)
    downloads = st.container(horizontal=True)
    detail = {"measures": list(view.measures), "by": list(view.by),
              "where": {d: list(v) for d, v in view.filters},
              "months": list(shown), "compare": view.compare}
    audit = partial(controls.audit_export, rows=len(result), detail=detail, lang=lang)
    if ctx.who.can("export"):
        downloads.download_button(t("explorer.download_csv", lang),
                                  csv_text(result).encode("utf-8"),
                                  file_name="gcrm_cube.csv", mime="text/csv",
                                  on_click=partial(audit, "explorer.csv"),
                                  icon=":material/download:", key="ex_csv")
        downloads.download_button(t("explorer.download_xlsx", lang),
                                  to_xlsx(result, ctx.names, _about(ctx, view, res, shown, args)),
                                  file_name="gcrm_cube.xlsx",
                                  on_click=partial(audit, "explorer.xlsx"), mime=XLSX_MIME,
                                  icon=":material/table:", key="ex_xlsx")
    else:
        downloads.caption(t("explorer.export_denied", lang))
    with st.expander(t("explorer.cli", lang)):
        if args:
            st.code(cli_command(args, ctx.db), language="bash")
        else:
            st.caption(t("explorer.cli_none", lang))


# --------------------------------------------------------------------------- chart
def _line_chart(lab: Labels, detail: pd.DataFrame, cd: pd.DataFrame, dims: list[str],
                first: str) -> tuple[alt.Chart, pd.DataFrame]:
    """One line per member combination over the months (the top MAX_SERIES)."""
    others = [d for d in dims if d != "month"]
    cd["month"] = detail["month"].to_numpy()
    cd["series"] = ([lab.members(others, r) for r in detail[others].to_dict("records")]
                    if others else lab.measure(first))
    sums = cd.groupby("series")["value"].sum().sort_values(ascending=False)
    if len(sums) > MAX_SERIES:
        st.caption(t("explorer.chart_top", lab.lang, n=MAX_SERIES, total=len(sums)))
        cd = cd[cd["series"].isin(sums.index[:MAX_SERIES])]
    chart = alt.Chart(cd).mark_line(point=True).encode(
        x=alt.X("month:O", title=lab.dim("month")),
        y=alt.Y("value:Q", title=lab.measure(first)),
        color=alt.Color("series:N", title=" / ".join(lab.dim(d) for d in others)
                        or None, legend=alt.Legend(orient="bottom", columns=2)),
        tooltip=["series:N", "month:O", alt.Tooltip("value:Q", format=",.2f")])
    return chart, cd


def _bar_chart(lab: Labels, view: View, detail: pd.DataFrame, cd: pd.DataFrame,
               dims: list[str], first: str) -> tuple[alt.Chart, pd.DataFrame]:
    """One bar per row (the top MAX_BARS), grouped by the column dimension's members."""
    keys = [d for d in dims if d != view.column]
    cd["key"] = [lab.members(keys, r) for r in detail[keys].to_dict("records")] if keys else ""
    cd["group"] = ([lab.member(view.column, x) for x in detail[view.column]]
                   if view.column else "")
    sums = cd.groupby("key")["value"].sum().sort_values(ascending=False)
    if len(sums) > MAX_BARS:
        st.caption(t("explorer.chart_top", lab.lang, n=MAX_BARS, total=len(sums)))
        cd = cd[cd["key"].isin(sums.index[:MAX_BARS])]
    enc = {"y": alt.Y("key:N", sort=list(sums.index[:MAX_BARS]),
                      title=" / ".join(lab.dim(d) for d in keys) or None),
           "x": alt.X("value:Q", title=lab.measure(first)),
           "tooltip": ["key:N", alt.Tooltip("value:Q", format=",.2f")]}
    if view.column:
        enc["color"] = alt.Color("group:N", title=lab.dim(view.column),
                                 legend=alt.Legend(orient="bottom", columns=3))
        enc["yOffset"] = "group:N"
    return alt.Chart(cd).mark_bar().encode(**enc), cd


def _chart(lab: Labels, view: View, result: pd.DataFrame) -> None:
    """The first measure: lines over the months when ``month`` is a dimension, else bars."""
    first = view.measures[0]
    st.markdown(f"**{t('explorer.chart', lab.lang, measure=lab.measure(first))}**")
    detail = result if "level" not in result else result[result["level"] == len(view.by)]
    dims = list(view.by)
    if not dims or not len(detail):
        st.caption(t("explorer.no_chart", lab.lang))
        return
    cd = pd.DataFrame({"value": detail[first].to_numpy()})
    if "month" in dims:
        chart, cd = _line_chart(lab, detail, cd, dims, first)
        height = 320
    else:
        chart, cd = _bar_chart(lab, view, detail, cd, dims, first)
        height = min(max(26 * cd["key"].nunique() * (1 if not view.column else 2), 200), 800)
    st.altair_chart(chart.properties(height=height), width="stretch")


# --------------------------------------------------------------------------- map
def _map(ctx: Context, view: View, months: tuple[str, str] | None) -> None:
    """The first measure per district (the unlocated customers' value below the map)."""
    lang, first = ctx.lang, view.measures[0]
    st.markdown(f"**{t('explorer.map', lang, measure=ctx.labels.measure(first))}**")
    geo = districts_geojson(ctx)
    try:
        by_d = by_district(ctx, first, view, months)
    except CubeError as exc:
        st.caption(str(exc))
        by_d = None
    if not geo["features"]:
        st.caption(t("home.map.no_regions", lang))
    elif by_d is not None:
        _choropleth(ctx, first, geo, by_d)


def _choropleth(ctx: Context, first: str, geo: dict, by_d: pd.DataFrame) -> None:
    lang, unit = ctx.lang, MEASURES[first].unit
    vals = {d: float(v) for d, v in zip(by_d["district"], by_d[first], strict=True)
            if isinstance(d, str) and not pd.isna(v)}
    secret = disclosure.hidden_rows(by_d, [first])
    hidden = {d for d, h in zip(by_d["district"], secret, strict=True)
              if h and isinstance(d, str)}
    fc, classes = maps.fill_regions(geo, vals, lambda x: format_quantity(x, unit, lang),
                                    t("home.map.no_data", lang), hidden, ctx.hidden_text)
    tooltip = f"<b>{{name}}</b><br/>{MEASURES[first].label(lang)}: {{value_text}}"
    st.pydeck_chart(maps.choropleth(fc, tooltip, height=420), height=420, key="ex_map")
    legend_fmt = ".1%" if is_ratio(first) else MEASURES[first].fmt
    st.markdown(maps.legend_html(classes, ctx.labels.measure(first), fmt=legend_fmt,
                                 no_data=t("home.map.no_data", lang)
                                 if len(vals) + len(hidden) < len(fc["features"]) else None,
                                 hidden=t("disclosure.legend", lang, min=ctx.min_cell)
                                 if hidden else None),
                unsafe_allow_html=True)
    unlocated = by_d[by_d["district"].isna()]
    if len(unlocated) and not math.isnan(float(unlocated[first].iloc[0])):
        st.caption(t("explorer.map_unlocated", lang, value=format_quantity(
            float(unlocated[first].iloc[0]), unit, lang)))
    elif len(unlocated) and secret[by_d["district"].isna().to_numpy()].any():
        st.caption(t("explorer.map_unlocated", lang, value=ctx.hidden_text))
