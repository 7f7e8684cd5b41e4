"""The trading-area page's results: what lies inside the area (tiles beside the district,
indicator table, classes, channels, cells), the Huff model's expected customers per service
point, and the proposed new sites; with the helpers that label and format their numbers.

Tiles follow :func:`dashboards.components.kpi.kpi_tiles` (an ``st.metric`` for people plus an
invisible ``span.gcrm-kpi[data-kpi][data-value]`` with ``repr(float)``), for the indicators
that are not cube measures (shares, per-customer outages, population, penetration). Every
indicator of the summary is also written as ``span.gcrm-ta-metric`` with ``data-metric``,
``data-area`` and ``data-district`` (exact values, ``repr(float)``).

For a role without ``read_pii`` the summary is computed with ``min_cell``
(:mod:`dashboards.components.disclosure`): a value it hid reads "<5" in the tiles, the
indicator table and the class, channel and cell tables (its span's value is ``nan``), with one
note under the tiles.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from dashboards.components import disclosure
from dashboards.components.kpi import kpi_tiles
from dashboards.components.mdtext import md
from dashboards.tradearea import data as td
from dashboards.tradearea.state import Area, Choice, Context, fail, keep
from dashboards.tradearea.state import widget_key as wkey
from gcrm.i18n import format_number, t
from gcrm.tradearea import queries as tradearea

TILE_KPIS = ("customers", "kwh", "amount", "paid", "arrears")
TILES_2 = ("online_share", "counter_share", "interruptions_per_customer",
           "outage_minutes_per_customer")
TILES_3 = ("resident", "floating", "penetration", "potential_customers")
SHARES = ("online_share", "counter_share", "share", "before_share", "after_share")
WHOLE = ("customers", "residential_customers", "payments", "customer_interruptions",
         "resident", "floating", "potential_customers", "before", "after", "total")
#: indicators that are ratios: compared with the district directly (area / district)
RATIOS = ("kwh_per_customer", "arrears_per_customer", "online_share", "counter_share",
          "interruptions_per_customer", "outage_minutes_per_customer", "penetration",
          "potential_per_1000_residents")
UNIT_KEYS = {"accounts": "ta.unit.accounts", "kWh": "ta.unit.kwh", "yuan": "ta.unit.yuan",
             "payments": "ta.unit.payments", "share": "ta.unit.share",
             "events": "ta.unit.events", "minutes": "ta.unit.minutes",
             "persons": "ta.unit.persons", "per 1,000 residents": "ta.unit.per_1000",
             "households": "ta.unit.households"}


def _nan(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def fmt(name: str, value: float | None, lang: str) -> str:
    """``value`` of indicator ``name`` for people (shares as %, counts whole, 万/K scaled)."""
    if _nan(value):
        return "–"
    if name in SHARES:
        return f"{float(value):.1%}"
    return format_number(float(value), lang, whole=name in WHOLE)


@dataclass(frozen=True)
class Hidden:
    """The indicators of a summary that disclosure control hid, per column."""

    area: frozenset[str] = frozenset()
    district: frozenset[str] = frozenset()
    min_cell: int | None = None

    @classmethod
    def of(cls, summary: tradearea.AreaSummary) -> Hidden:
        def names(col: str) -> frozenset[str]:
            mask = summary.hidden.get(col)
            return frozenset() if mask is None else frozenset(summary.metrics.loc[mask, "metric"])

        return cls(names("area"), names("district"), summary.min_cell)

    def show(self, col: str, name: str, value: float | None, lang: str) -> str:
        """``value`` of indicator ``name`` in column ``col`` (area, district) for people."""
        if name in getattr(self, col):
            return disclosure.below(self.min_cell or 0)
        return fmt(name, value, lang)


NOTHING_HIDDEN = Hidden()


def unit(u: str, lang: str) -> str:
    key = UNIT_KEYS.get(u)
    return t(key, lang) if key else u


def label(name: str, lang: str) -> str:
    return t(f"ta.metric.{name}", lang)


def exact_spans(values: dict[str, float]) -> None:
    """Hidden ``span.gcrm-kpi`` elements (the format of :mod:`dashboards.components.kpi`)."""
    st.markdown('<div class="gcrm-kpis" style="display:none">' + "".join(
        f'<span class="gcrm-kpi" data-kpi="{html.escape(k)}" data-value="{float(v)!r}">'
        f"{float(v)!r}</span>" for k, v in values.items()) + "</div>", unsafe_allow_html=True)


def tiles(names: Sequence[str], area: dict[str, float], district: dict[str, float] | None,
          units: dict[str, str], lang: str, hidden: Hidden = NOTHING_HIDDEN) -> None:
    """One bordered ``st.metric`` per indicator, the district's value as a grey delta."""
    cols = st.columns(len(names))
    for col, name in zip(cols, names, strict=True):
        u = unit(units.get(name, ""), lang)
        text = f"{label(name, lang)} ({u})" if u and name not in SHARES else label(name, lang)
        dv = None if district is None else district.get(name)
        col.metric(text, hidden.show("area", name, area[name], lang),
                   delta=None if district is None else hidden.show("district", name, dv, lang),
                   delta_color="off", delta_arrow="off",
                   delta_description=None if district is None else t("ta.vs_district", lang),
                   help=t("disclosure.tile_help", lang, min=hidden.min_cell)
                   if name in hidden.area else t("ta.exact", lang, value=f"{area[name]!r}"),
                   border=True)
    exact_spans({n: area[n] for n in names})


def metric_spans(metrics: pd.DataFrame) -> None:
    """Every indicator's exact area and district values (hidden)."""
    st.markdown("".join(
        f'<span class="gcrm-ta-metric" data-metric="{html.escape(str(r.metric))}" '
        f'data-area="{float(r.area)!r}" data-district="{float(r.district)!r}" '
        'style="display:none"></span>' for r in metrics.itertuples(index=False)),
        unsafe_allow_html=True)


def metrics_table(metrics: pd.DataFrame, lang: str,
                  hidden: Hidden = NOTHING_HIDDEN) -> pd.DataFrame:
    """The summary's indicators for people: label, unit, area, district, area / district."""
    rows = []
    for r in metrics.itertuples(index=False):
        ratio = (float(r.area) / float(r.district)
                 if r.metric in RATIOS and not _nan(r.district) and float(r.district) != 0
                 and not _nan(r.area) else None)
        rows.append({t("ta.col.indicator", lang): label(r.metric, lang),
                     t("ta.col.unit", lang): unit(r.unit, lang),
                     t("ta.col.area", lang): hidden.show("area", r.metric, r.area, lang),
                     t("ta.col.district", lang): hidden.show("district", r.metric, r.district,
                                                             lang),
                     t("ta.col.index", lang): None if ratio is None else round(100 * ratio)})
    out = pd.DataFrame(rows)
    out[t("ta.col.index", lang)] = out[t("ta.col.index", lang)].astype("Int64")
    return out


def translate(value: object, prefix: str, lang: str) -> str:
    """``t(prefix + value)`` when the catalogue has it, else the value itself."""
    try:
        return t(f"{prefix}{value}", lang)
    except KeyError:
        return "" if value is None else str(value)


def kind_label(kind: object, lang: str) -> str:
    """A service-point kind for people."""
    return translate(kind, "report.kind.", lang)


def parse_numbers(text: str) -> list[float]:
    """``"1, 3,5"`` -> ``[1.0, 3.0, 5.0]`` (ValueError naming the bad part)."""
    out = []
    for part in (text or "").replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            v = float(part)
        except ValueError:
            raise ValueError(part) from None
        if not math.isfinite(v) or v <= 0:
            raise ValueError(part)
        out.append(v)
    if not out:
        raise ValueError(text or "")
    return sorted(set(out))


# --------------------------------------------------------------------------- inside the area
def summary_args(ctx: Context, choice: Choice, area: Area) -> tuple:
    """The arguments of the area's :func:`dashboards.tradearea.data.summary`."""
    return (ctx.db, ctx.version, area.spec, choice.months, ctx.scope, choice.household_size,
            disclosure.min_cell_for(ctx.who))


def inside(ctx: Context, choice: Choice, area: Area,
           later: Future | None = None) -> tradearea.AreaSummary | None:
    """What lies inside the area, beside its district (None: no area, or a message);
    ``later``: the summary under way in another thread (:func:`summary_args`)."""
    lang, summary = ctx.lang, None
    st.subheader(t("ta.inside.title", lang))
    if area.spec is None:
        st.info(t("ta.inside.none", lang), icon=":material/info:")
    else:
        try:
            with st.spinner(t("ta.working", lang)):
                summary = (later.result() if later is not None
                           else td.summary(*summary_args(ctx, choice, area)))
        except Exception as exc:  # bad input or missing data: a message, never a traceback
            fail(exc, lang)
    if summary is not None:
        _summary_numbers(ctx, summary, area)
        with st.expander(t("ta.inside.all", lang), expanded=False):
            table = metrics_table(summary.metrics, lang, Hidden.of(summary))
            for c in (t("ta.col.indicator", lang), t("ta.col.unit", lang)):
                table[c] = table[c].map(md)
            index = t("ta.col.index", lang)
            table[index] = [f"{v:,}" if pd.notna(v) else "" for v in table[index]]
            short_table(table)
            st.caption(t("ta.inside.note", lang, size=f"{choice.household_size:g}"))
        left, right = st.columns([3, 2])
        with left:
            _by_class(summary, lang)
        with right:
            _by_channel(summary, lang)
        _cells(summary, lang)
    return summary


def _summary_numbers(ctx: Context, summary: tradearea.AreaSummary, area: Area) -> None:
    """The area's label and period, its tiles beside the district, the exact values."""
    lang = ctx.lang
    m = summary.metrics.set_index("metric")
    area_vals = {k: float(v) for k, v in m["area"].items()}
    dist_vals = {k: float(v) for k, v in m["district"].items()}
    units = dict(m["unit"])
    district_name = ctx.names.get(summary.district_id or "", summary.district_id or "–")
    st.markdown(f"**{summary.label}**")
    st.caption(t("ta.inside.caption", lang, start=summary.months[0], end=summary.months[1],
                 district=district_name))
    hidden = Hidden.of(summary)
    kpi_tiles({k: area_vals[k] for k in TILE_KPIS}, {k: label(k, lang) for k in TILE_KPIS}, lang,
              hidden=hidden.area, min_cell=summary.min_cell)
    tiles(TILES_2, area_vals, dist_vals, units, lang, hidden)
    tiles(TILES_3, area_vals, dist_vals, units, lang, hidden)
    metric_spans(summary.metrics)
    if summary.suppressed:
        st.caption(disclosure.note(summary.suppressed, summary.min_cell, lang))
    if area.huff_points is not None and area.band_col == "service_point_id":
        row = area.huff_points[area.huff_points["service_point_id"] == area.band_value]
        if len(row):
            r0 = row.iloc[0]
            st.caption(t("ta.huff.expected_caption", lang, expected=f"{r0['expected']:,.0f}",
                         share=f"{r0['share']:.1%}", home=int(r0["actual_home_customers"]),
                         payers=int(r0["actual_payers"])))


def short_table(table: pd.DataFrame) -> None:
    """A short table (the indicators, classes, channels: a few rows) as plain HTML
    (``st.table``; cells already text, names escaped for Markdown: :func:`md`): no grid that
    the browser draws 0.2-0.3 s after the rest of the page (measured: a new area's last
    elements to settle)."""
    st.table(table, hide_index=True)


def _as_text(summary: tradearea.AreaSummary, part: str, table: pd.DataFrame,
             formats: Mapping[str, str | Callable[[float], str]]) -> pd.DataFrame:
    """``table`` (rows of ``summary.<part>``) with the number columns of ``formats`` as
    text, its rows hidden by disclosure control reading "<5"."""
    rows = summary.hidden.get(part, np.zeros(len(table), dtype=bool))
    return disclosure.as_text(table, formats, dict.fromkeys(formats, rows),
                              disclosure.below(summary.min_cell or 0))


def _hidden_as_text(summary: tradearea.AreaSummary, part: str, table: pd.DataFrame,
                    formats: Mapping[str, str | Callable[[float], str]],
                    config: dict) -> pd.DataFrame:
    """``table`` (rows of ``summary.<part>``) with its rows hidden by disclosure control
    reading "<5" in the columns of ``formats`` (made text: ``config`` is updated); unchanged
    when nothing of it is hidden."""
    if not summary.hidden.get(part, np.zeros(0, dtype=bool)).any():
        return table
    config.update(dict.fromkeys(formats, disclosure.text_column()))
    return _as_text(summary, part, table, formats)


def _by_class(summary: tradearea.AreaSummary, lang: str) -> None:
    st.markdown(f"**{t('ta.by_class', lang)}**")
    bc = summary.by_class
    col = {c: t(f"ta.col.{c}", lang) for c in ("customers", "kwh", "amount", "paid", "arrears")}
    table = pd.DataFrame({
        t("ta.col.class", lang): [md(translate(c, "report.class.", lang))
                                  for c in bc["customer_class"]],
        t("ta.col.tariff", lang): bc["tariff"].map(md),
        col["customers"]: bc["customers"],
        col["kwh"]: bc["kwh"], col["amount"]: bc["amount"], col["paid"]: bc["paid"],
        col["arrears"]: bc["arrears"]})
    short_table(_as_text(summary, "by_class", table, {
        col["customers"]: ",.0f", col["kwh"]: ",.0f", col["amount"]: ",.2f",
        col["paid"]: ",.2f", col["arrears"]: ",.2f"}))


def _by_channel(summary: tradearea.AreaSummary, lang: str) -> None:
    st.markdown(f"**{t('ta.by_channel', lang)}**")
    ch = summary.by_channel
    if ch.empty:
        st.caption(t("ta.no_payments", lang))
        return
    col = {c: t(f"ta.col.{c}", lang) for c in ("payments", "paid", "share")}
    table = pd.DataFrame({
        t("ta.col.channel", lang): [md(translate(c, "report.channel.", lang))
                                    for c in ch["channel"]],
        col["payments"]: ch["payments"], col["paid"]: ch["paid"],
        col["share"]: 100 * ch["share"]})
    short_table(_as_text(summary, "by_channel", table, {
        col["payments"]: ",.0f", col["paid"]: ",.2f", col["share"]: lambda v: f"{v:.1f}%"}))


def _cells(summary: tradearea.AreaSummary, lang: str) -> None:
    cells = summary.cells
    col = {c: t(f"ta.col.{c}", lang) for c in ("residential_customers", "potential")}
    table = cells.rename(columns={
        "cell_id": t("ta.col.cell", lang), "resident": t("ta.col.resident", lang),
        "floating": t("ta.col.floating", lang), **col}).round(1)
    config: dict = {}
    table = _hidden_as_text(summary, "cells", table, {
        col["residential_customers"]: ",.0f", col["potential"]: ",.1f"}, config)
    with st.expander(t("ta.cells.title", lang, n=len(cells)), expanded=False):
        st.dataframe(table, hide_index=True, width="stretch", height=260,
                     column_config=config or None)


# --------------------------------------------------------------------------- Huff per point
def huff_table(area: Area, lang: str) -> None:
    """Expected demand per service point beside its actual home customers and payers."""
    if area.huff_points is None:
        return
    st.subheader(t("ta.huff.title", lang))
    st.caption(t("ta.huff.caption", lang))
    hp = area.huff_points.sort_values("expected", ascending=False)
    st.dataframe(pd.DataFrame({
        t("ta.col.service_point", lang): hp["service_point_id"],
        t("ta.col.name", lang): hp["name"],
        t("ta.col.kind", lang): [kind_label(k, lang) for k in hp["kind"]],
        t("ta.col.attractiveness", lang): hp["attractiveness"].round(2),
        t("ta.col.expected", lang): hp["expected"].round(0),
        t("ta.col.share", lang): (100 * hp["share"]).round(2),
        t("ta.col.home", lang): hp["actual_home_customers"],
        t("ta.col.payers", lang): hp["actual_payers"]}), hide_index=True, width="stretch",
        height=300)


# --------------------------------------------------------------------------- site selection
def _site_controls(lang: str) -> tuple[int, float, str, bool]:
    """``(k, km, weight, run)``."""
    s1, s2, s3, s4 = st.columns([1, 1, 1.4, 1.2])
    k = int(s1.number_input(t("ta.sites.k", lang), 1, 20, 3, 1, key="ta_sites_k"))
    site_km = float(s2.number_input(t("ta.sites.km", lang), 0.5, 50.0, 3.0, 0.5,
                                    key="ta_sites_km"))
    weight = keep("ta_weight", s3.selectbox(
        t("ta.sites.weight", lang), ("resident", "floating", "population", "customers"),
        key=wkey("ta_weight", lang), format_func=lambda w: t(f"ta.weight.{w}", lang)))
    run_sites = s4.toggle(t("ta.sites.run", lang), key="ta_sites_on")
    return k, site_km, weight, run_sites


def _show_sites(ctx: Context, sites: tradearea.Sites) -> None:
    lang = ctx.lang
    cov = sites.coverage.iloc[0]
    names = ("before", "after", "total", "before_share", "after_share")
    tiles(names, {n: float(cov[n]) for n in names}, None, {}, lang)
    s = sites.sites
    st.dataframe(pd.DataFrame({
        t("ta.col.rank", lang): s["rank"],
        t("ta.col.cell", lang): s["cell_id"],
        t("ta.col.district", lang): [ctx.names.get(d, d) for d in s["district_id"]],
        t("ta.lon", lang): s["lon"], t("ta.lat", lang): s["lat"],
        t("ta.col.resident", lang): s["resident"],
        t("ta.col.floating", lang): s["floating"],
        t("ta.col.gain", lang): s["gain"].round(0)}), hide_index=True, width="stretch")


def site_selection(ctx: Context, choice: Choice,
                   layers: dict) -> tuple[tradearea.Sites | None, float]:
    """K new service points maximising covered demand: ``(sites or None, coverage km)``."""
    lang, sites, site_km = ctx.lang, None, 0.0
    st.subheader(t("ta.sites.title", lang))
    if ctx.all_sp is None:
        st.info(t("ta.needs_service_points", lang), icon=":material/info:")
    else:
        k, site_km, weight, run_sites = _site_controls(lang)
        st.caption(t("ta.sites.caption", lang))
        if run_sites:
            try:
                with st.spinner(t("ta.sites.working", lang)):
                    sites = td.sites(ctx.db, ctx.version, k, site_km, weight, choice.kinds,
                                     ctx.scope)
            except Exception as exc:  # a message, never a traceback
                fail(exc, lang)
    if sites is not None:
        _show_sites(ctx, sites)
        layers["sites"] = tradearea.points_layer(sites.sites)
    return sites, site_km
