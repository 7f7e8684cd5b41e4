"""The overview's drawing functions, top of the page to bottom: title, controls, breadcrumb,
KPI tiles, trend and the ranked table (the map and its layers are in
:mod:`dashboards.overview.mapview` and :mod:`dashboards.overview.layers`)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboards.components import data, disclosure, session, shell
from dashboards.components.kpi import Change, kpi_tiles
from dashboards.overview import data as od
from dashboards.overview import state
from dashboards.overview.context import Ctx, value_format
from dashboards.overview.state import K_RANGE, LAYERS
from dashboards.overview.trend import trend_data, trend_spec
from gcrm.cube import CubeError
from gcrm.cube.comparison_words import comparison_words
from gcrm.i18n import t
from gcrm.overview.queries import FILTER_DIMS, MAP_MEASURES, Place
from gcrm.spatial.classify import METHODS

KPIS = ("customers", "kwh", "amount", "arrears", "online_share")


def header(lang: str) -> Ctx:
    """The title; the run's warehouse, scope and months (the page stops without data)."""
    wh = shell.warehouse()
    db, version = wh.path, wh.version
    who = session.access()
    scope = who.scope  # region scope: totals are the scope's totals
    st.title(t("home.title", lang))
    try:
        default_months = data.month_range(db, version, 12, scope=scope)
        all_months = data.cube_months(db, version, scope=scope)
    except CubeError:
        st.info(t("app.no_data", lang))
        st.stop()
    if not all_months:
        st.info(t("app.no_data", lang))
        st.stop()
    names = data.region_names(db, version, scope=scope)
    return Ctx(lang, db, version, who, names, default_months, all_months)


# ---------------------------------------------------------------- controls
def _choose(lang: str, widget: Callable, canon: str, label: str, options: list,
            fmt: Callable[[str], str], multi: bool = False, **kwargs) -> None:
    """A selectbox/multiselect bound to the canonical state ``ss[canon]``.

    The widget's own key carries the language and the seed: Streamlit keeps a selectbox's
    shown label across runs, so after a language switch the old label would stay on screen;
    a new key per language draws it afresh from ``ss[canon]``."""
    ss = st.session_state
    key = f"{canon}__w_{lang}_{ss.get('ov_seed', 0)}"
    if multi:
        value = widget(label, options, default=[v for v in ss[canon] if v in options],
                       key=key, format_func=fmt, **kwargs)
    else:
        index = options.index(ss[canon]) if ss[canon] in options else 0
        value = widget(label, options, index=index, key=key, format_func=fmt, **kwargs)
    ss[canon] = value


def controls(ctx: Ctx) -> None:
    """Measure, classification, classes, months; the filters and the layers below them."""
    lang = ctx.lang
    c1, c2, c3, c4 = st.columns([1.6, 1.1, 0.9, 2.4])
    _choose(lang, c1.selectbox, "ov_measure", t("ov.measure", lang), list(MAP_MEASURES),
            ctx.mlabel)
    _choose(lang, c2.selectbox, "ov_method", t("ov.method", lang), list(METHODS),
            lambda m: t(f"ov.method.{m}", lang), help=t("ov.method_help", lang))
    c3.number_input(
        t("ov.classes", lang), min_value=K_RANGE[0], max_value=K_RANGE[1], step=1, key="ov_k"
    )
    c4.select_slider(t("ov.months", lang), options=ctx.all_months,
                     value=tuple(st.session_state["ov_months"]), key=state.months_key())
    f_col, l_col = st.columns([3, 2])
    _filters(ctx, f_col)
    _choose(lang, l_col.multiselect, "ov_layers", t("ov.layers", lang), list(LAYERS),
            lambda x: t(f"ov.layer.{x}", lang), multi=True,
            placeholder=t("ov.layers_none", lang))


def _filters(ctx: Ctx, col: DeltaGenerator) -> None:
    """One multiselect per filter dimension, in an expander (open when a filter is set)."""
    lang, ss = ctx.lang, st.session_state
    n_filters = sum(1 for d in FILTER_DIMS if ss.get(f"ov_f_{d}"))
    with col.expander(t("ov.filters", lang, n=n_filters), expanded=n_filters > 0):
        fc = st.columns(len(FILTER_DIMS))
        for c, d in zip(fc, FILTER_DIMS, strict=True):
            options = [
                str(m).lower() if isinstance(m, bool) else str(m)
                for m in data.cube_members(ctx.db, ctx.version, d, scope=ctx.scope)
                if m is not None
            ]
            ss[f"ov_f_{d}"] = [v for v in ss.get(f"ov_f_{d}", []) if v in options]
            _choose(lang, c.multiselect, f"ov_f_{d}", t(f"ov.filter.{d}", lang), options,
                    lambda v, d=d: ctx.member_label(d, v), multi=True,
                    placeholder=t("ov.all", lang))


# ---------------------------------------------------------------- breadcrumb
def breadcrumb(ctx: Ctx) -> str:
    """Buttons back up to the district and to everywhere, and the period; returns the name
    of the place in view."""
    lang, place = ctx.lang, ctx.place
    cities = [name for _, name, lvl in od.region_list(ctx.db, ctx.version, ctx.scope)
              if lvl == "city"]
    top_name = cities[0] if len(cities) == 1 else t("ov.all_regions", lang)
    crumbs = [(top_name, Place())]
    if place.district:
        crumbs.append((ctx.names.get(place.district, place.district), Place(place.district)))
    if place.grid:
        crumbs.append((t("ov.cell", lang, cell=place.grid), place))
    bc = st.columns([1] * len(crumbs) + [max(1, 8 - len(crumbs))])
    for i, (label, target) in enumerate(crumbs):
        bc[i].button(("› " if i else "") + label, key=f"ov_crumb_{i}",
                     disabled=i == len(crumbs) - 1, on_click=state.go, args=(target,),
                     type="tertiary")
    st.caption(
        t("ov.period", lang, start=ctx.months[0], end=ctx.months[1])
        + (" · " + t("ov.filtered", lang) if ctx.view.filters else "")
    )
    return crumbs[-1][0]


# ---------------------------------------------------------------- KPI tiles
def kpis(ctx: Ctx) -> None:
    """The KPI tiles of the place, against the previous period and last year."""
    lang = ctx.lang
    with st.spinner(t("ov.working", lang)):
        k = od.kpis(ctx.db, ctx.version, KPIS, ctx.pkey, ctx.months, ctx.where, ctx.scope,
                    min_cell=ctx.min_cell)
    values = {r.measure: r.value for r in k.itertuples()}
    changes = {
        r.measure: Change(
            r.prev_change, r.yoy_change, worse_when_up=not MAP_MEASURES[r.measure].higher_is_better
        )
        for r in k.itertuples()
    }
    labels = {m: t(f"kpi.{m}", lang) for m in KPIS}
    hidden = KPIS if "value" in k.attrs.get("hidden", ()) else ()
    kpi_tiles(values, labels, lang, changes, hidden=hidden, min_cell=ctx.min_cell)
    st.caption(
        t(
            "ov.kpi_note",
            lang,
            prev=comparison_words(k.attrs["previous_match"], lang),
            ly=comparison_words(k.attrs["last_year_match"], lang),
        )
    )


# ---------------------------------------------------------------- trend
def trend(ctx: Ctx, place_name: str) -> None:
    """This period against last year, month by month (kWh for measures outside the cube)."""
    lang = ctx.lang
    st.subheader(t("ov.trend", lang, place=place_name))
    measure = ctx.view.measure if ctx.mm.source == "cube" else "kwh"
    tr = od.trend(ctx.db, ctx.version, (measure,), ctx.pkey, ctx.months, ctx.where, ctx.scope,
                  min_cell=ctx.min_cell)
    if not len(tr):
        return
    this_label, last_label = t("ov.this_period", lang), t("ov.last_year", lang)
    st.vega_lite_chart(
        trend_data(list(tr["month"]), tr[measure].tolist(), tr[f"{measure}_prev"].tolist(),
                   this_label, last_label),
        trend_spec(ctx.mlabel(measure), this_label, last_label,
                   value_format(MAP_MEASURES[measure])),
        width="stretch",
    )
    if measure != ctx.view.measure:
        st.caption(t("ov.trend_kwh", lang))


# ---------------------------------------------------------------- ranked table
def ranking(ctx: Ctx) -> None:
    """The map's regions ranked, with share, against the average and a sparkline."""
    lang, v, level = ctx.lang, ctx.view, ctx.level
    st.subheader(t("ov.ranking", lang, level=t(f"ov.level.{level}", lang)))
    with st.spinner(t("ov.working", lang)):
        rk = od.ranking(ctx.db, ctx.version, v.measure, ctx.pkey, ctx.months, ctx.where,
                        ctx.scope, top=None if level == "district" else 30,
                        min_cell=ctx.min_cell)
        avg = od.place_value(ctx.db, ctx.version, v.measure, ctx.pkey, ctx.months, ctx.where,
                             ctx.scope, min_cell=ctx.min_cell)
    col_value = f"{ctx.mlabel(v.measure)}"
    table, config = _ranking_table(ctx, rk, col_value), _ranking_columns(ctx, col_value)
    if ctx.min_cell is not None:  # hidden regions read "<5": the values are shown as text
        table = disclosure.as_text(
            table, {col_value: (lambda x: f"{x:.1f}%") if ctx.mm.unit == "%" else ",.2f"},
            {col_value: rk["suppressed"].to_numpy()}, ctx.hidden_text)
        config[col_value] = disclosure.text_column()
    st.dataframe(table, hide_index=True, width="stretch", column_config=config)
    st.caption(t("ov.avg", lang, value=ctx.fmt_value(v.measure, avg)))
    hidden = int(rk["suppressed"].sum()) if "suppressed" in rk else 0
    if hidden:
        st.caption(disclosure.note(hidden, ctx.min_cell, lang))


def _ranking_table(ctx: Ctx, rk: pd.DataFrame, col_value: str) -> pd.DataFrame:
    lang = ctx.lang
    return pd.DataFrame(
        {
            t("home.table.rank", lang): rk["rank"],
            t("ov.col.name", lang): [
                ctx.child_label(x) if isinstance(x, str) else t("home.unlocated", lang)
                for x in rk["key"]
            ],
            col_value: rk["value"] * (100 if ctx.mm.unit == "%" else 1),
            t("ov.vs_avg", lang): rk["vs_avg"] * 100,
            t("ov.share", lang): rk["share"] * 100,
            t("ov.sparkline", lang): rk["trend"],
        }
    )


def _ranking_columns(ctx: Ctx, col_value: str) -> dict:
    lang = ctx.lang
    return {
        col_value: st.column_config.NumberColumn(
            format="%.1f%%" if ctx.mm.unit == "%" else "localized"
        ),
        t("ov.vs_avg", lang): st.column_config.NumberColumn(
            format="%+.1f%%", help=t("ov.vs_avg_help", lang)
        ),
        t("ov.share", lang): st.column_config.ProgressColumn(
            format="%.1f%%", min_value=0, max_value=100
        ),
        t("ov.sparkline", lang): st.column_config.LineChartColumn(width="medium"),
    }
