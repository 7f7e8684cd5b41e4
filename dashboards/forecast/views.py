"""Drawing functions of the Forecast page: controls, the series with its fan, the market view."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape
from urllib.parse import quote

import altair as alt
import pandas as pd
import streamlit as st

from dashboards.components import data as common
from dashboards.components import maps, shell
from dashboards.components.disclosure import below, min_cell_for
from dashboards.components.session import Access, access
from dashboards.forecast import data
from gcrm.cube.model import MEASURES
from gcrm.forecast import growth
from gcrm.forecast.queries import FORECASTABLE
from gcrm.i18n import format_quantity, t
from gcrm.security.exports import csv_bytes, xlsx_bytes
from gcrm.vocab import CUSTOMER_CLASSES


@dataclass
class Ctx:
    """Who is looking, what they picked and the names to show."""

    lang: str
    db: str
    version: str
    who: Access
    min_cell: int | None
    measure: str = "kwh"
    district: str | None = None
    klass: str | None = None
    names: dict = field(default_factory=dict)

    def t(self, key: str, **params: object) -> str:
        return t(key, self.lang, **params)

    def qty(self, value: float) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return below(self.min_cell or 5)
        return format_quantity(value, MEASURES[self.measure].unit, self.lang)

    def klass_name(self, k: str) -> str:
        dim = "customer_class"  # the explorer's member names
        return t(f"ov.member.{dim}.{k}", self.lang) if k in CUSTOMER_CLASSES else str(k)


def start() -> Ctx:
    """Title, who is looking, the region names."""
    lang = shell.current_lang()
    wh = shell.warehouse()
    who = access()
    ctx = Ctx(lang, wh.path, wh.version, who, min_cell_for(who))
    st.title(ctx.t("forecast.title"))
    st.caption(ctx.t("forecast.intro"))
    ctx.names = common.region_names(ctx.db, ctx.version, who.scope)
    return ctx


def controls(ctx: Ctx) -> None:
    """Measure, area, class."""
    districts, classes = data.members(ctx.db, ctx.version, ctx.who.scope)
    c1, c2, c3 = st.columns(3)
    ctx.measure = c1.selectbox(ctx.t("forecast.measure"), FORECASTABLE, key="fc_measure",
                               format_func=lambda m: MEASURES[m].label(ctx.lang))
    ctx.district = c2.selectbox(ctx.t("forecast.area"), [None, *districts], key="fc_area",
                                format_func=lambda d: ctx.t("forecast.all_areas") if d is None
                                else ctx.names.get(d, d))
    ctx.klass = c3.selectbox(ctx.t("forecast.class"), [None, *classes], key="fc_class",
                             format_func=lambda k: ctx.t("forecast.all_classes") if k is None
                             else ctx.klass_name(k))


def _chart(ctx: Ctx, s: data.Series) -> alt.LayerChart:
    hist = s.history.assign(date=pd.to_datetime(s.history["month"] + "-01"))
    fc = s.forecast.assign(date=pd.to_datetime(s.forecast["month"] + "-01"))
    # the year on every label, month names in the page's language (Vega's own are English)
    x = alt.X("date:T", title=None,
              axis=alt.Axis(format=ctx.t("forecast.axis_month"), formatType="time"))
    band = alt.Chart(fc).mark_area(opacity=0.25, color="#e4572e").encode(
        x=x, y=alt.Y("lo:Q", title=MEASURES[ctx.measure].label(ctx.lang)), y2="hi:Q")
    line = alt.Chart(fc).mark_line(color="#e4572e", strokeDash=[5, 3]).encode(
        x=x, y="forecast:Q", tooltip=["month", "forecast", "lo", "hi"])
    past = alt.Chart(hist).mark_line(color="#2e86ab").encode(x=x, y="actual:Q",
                                                             tooltip=["month", "actual"])
    return alt.layer(band, past, line).properties(height=320)


def _kpis(ctx: Ctx, s: data.Series) -> None:
    last = float(s.history["actual"].tail(12).sum())
    nxt = float(s.forecast["forecast"].head(12).sum())
    change = (nxt - last) / last if last else float("nan")
    past, ahead = s.history["month"].tail(12), s.forecast["month"].head(12)
    c1, c2, c3 = st.columns(3)
    c1.metric(ctx.t("forecast.span", first=past.iloc[0], last=past.iloc[-1]), ctx.qty(last))
    c2.metric(ctx.t("forecast.span_ahead", first=ahead.iloc[0], last=ahead.iloc[-1]),
              ctx.qty(nxt), None if math.isnan(change) else f"{change:+.1%}",
              help=ctx.t("forecast.like_for_like"))
    c3.metric(ctx.t("forecast.model"), s.model)
    st.markdown('<div class="gcrm-kpis" style="display:none">'
                f'<span class="gcrm-kpi" data-kpi="next_12" data-value="{nxt!r}"></span>'
                f'<span class="gcrm-kpi" data-kpi="last_12" data-value="{last!r}"></span>'
                '</div>', unsafe_allow_html=True)


def quality_words(ctx: Ctx, s: data.Series) -> str:
    """The backtest in words."""
    if s.backtest_months == 0 or math.isnan(s.wape):
        return ctx.t("forecast.quality.none")
    return ctx.t("forecast.quality", pct=f"{s.wape * 100:.0f}", months=s.backtest_months,
                 mase=f"{s.mase:.2f}", coverage=f"{s.coverage * 100:.0f}")


def series_view(ctx: Ctx) -> None:
    """History with the forecast fan, next 12 vs last 12, quality, downloads."""
    try:
        with st.spinner(ctx.t("forecast.working")):
            s = data.series(ctx.db, ctx.version, ctx.measure, ctx.district, ctx.klass,
                            ctx.who.scope, ctx.min_cell)
    except ValueError as exc:
        st.warning(str(exc))
        return
    if s.hidden:
        st.info(ctx.t("forecast.hidden", min=ctx.min_cell))
        return
    _kpis(ctx, s)
    st.altair_chart(_chart(ctx, s), use_container_width=True)
    st.markdown(f'<p class="gcrm-forecast-quality">{quality_words(ctx, s)}</p>',
                unsafe_allow_html=True)
    _downloads(ctx, s.forecast, "forecast", "fc_dl")


def _downloads(ctx: Ctx, df: pd.DataFrame, name: str, key: str) -> None:
    c1, c2 = st.columns(2)
    c1.download_button(ctx.t("forecast.download_csv"), csv_bytes(df), f"{name}.csv",
                       "text/csv", key=f"{key}_csv")
    c2.download_button(ctx.t("forecast.download_xlsx"), xlsx_bytes(df, name), f"{name}.xlsx",
                       key=f"{key}_xlsx")


def market_view(ctx: Ctx) -> None:
    """Expected growth by district (map) and the district x class cells driving it."""
    st.subheader(ctx.t("forecast.market"))
    try:
        by_d = data.market(ctx.db, ctx.version, ctx.measure, ("district",), ctx.who.scope,
                           ctx.min_cell)
        cells = data.market(ctx.db, ctx.version, ctx.measure, ("district", "customer_class"),
                            ctx.who.scope, ctx.min_cell)
    except ValueError as exc:
        st.warning(str(exc))
        return
    _growth_map(ctx, by_d)
    _targets(ctx, by_d)
    _drivers(ctx, cells)


def _growth_map(ctx: Ctx, by_d: pd.DataFrame) -> None:
    geo = common.regions_geojson(ctx.db, ctx.version, "district", ctx.who.scope)
    if not geo["features"]:
        return
    vals = {d: float(v) for d, v in zip(by_d["district"], by_d["change_pct"], strict=True)
            if d and not pd.isna(v)}
    fc, classes = maps.fill_regions(geo, vals, lambda v: f"{v:+.1%}",
                                    ctx.t("forecast.no_data"))
    tooltip = f"<b>{{name}}</b><br/>{ctx.t('forecast.growth')}: {{value_text}}"
    st.pydeck_chart(maps.choropleth(fc, tooltip, height=420), height=420, key="fc_map")
    st.markdown(maps.legend_html(classes, ctx.t("forecast.growth"), fmt="+.1%"),
                unsafe_allow_html=True)


def _drivers(ctx: Ctx, cells: pd.DataFrame) -> None:
    st.markdown(f"**{ctx.t('forecast.drivers')}**")
    df = cells.assign(_abs=cells["change"].abs()).sort_values("_abs", ascending=False,
                                                              na_position="last")
    shown = pd.DataFrame({
        ctx.t("forecast.col.district"): [ctx.names.get(d, d) or "—" for d in df["district"]],
        ctx.t("forecast.col.class"): [ctx.klass_name(k) for k in df["customer_class"]],
        ctx.t("forecast.last_12"): [ctx.qty(v) for v in df["last_12"]],
        ctx.t("forecast.next_12"): [ctx.qty(v) for v in df["next_12"]],
        ctx.t("forecast.growth"): ["" if pd.isna(v) else f"{v:+.1%}" for v in df["change_pct"]],
        ctx.t("forecast.share"): ["" if pd.isna(v) else f"{v:.1%}"
                                  for v in df["share_of_growth"]],
    })
    st.dataframe(shown, hide_index=True, use_container_width=True)
    _downloads(ctx, cells, "market", "mk_dl")


def _targets(ctx: Ctx, by_d: pd.DataFrame) -> None:
    """Target markets: the districts growing most, each linked to the trading-area page
    opened on its business hall (``?sp=``, which that page reads on its first run)."""
    top = growth.targets(by_d, data.entry_points(ctx.db, ctx.version))
    st.markdown(f"**{ctx.t('forecast.targets')}**")
    if top.empty:
        st.markdown(f"{ctx.t('forecast.no_targets')} "
                    f"[{ctx.t('forecast.to_tradearea')}](./tradearea)")
        return
    items = []
    for row in top.itertuples(index=False):
        share = "" if pd.isna(row.share_of_growth) else f"{row.share_of_growth:.0%}"
        text = ctx.t("forecast.target", area=ctx.names.get(row.district, row.district),
                     growth="" if pd.isna(row.change_pct) else f"{row.change_pct:+.1%}",
                     share=share)
        if row.service_point:
            href = f"./tradearea?sp={quote(str(row.service_point))}"
            link = (f'<a class="gcrm-fc-target" data-district="{escape(str(row.district))}" '
                    f'href="{escape(href)}" target="_self">{escape(ctx.t("forecast.to_tradearea"))}'
                    f"</a>")
        else:
            link = escape(ctx.t("forecast.no_service_point"))
        items.append(f"<li>{escape(text)} {link}</li>")
    st.markdown(f'<ul class="gcrm-fc-targets">{"".join(items)}</ul>', unsafe_allow_html=True)
