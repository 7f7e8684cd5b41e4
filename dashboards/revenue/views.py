"""Drawing functions of the revenue-protection page (no SQL: data from ``data``)."""

from __future__ import annotations

import html
from dataclasses import replace

import pandas as pd
import streamlit as st

from dashboards.components import data as cdata
from dashboards.components import svgmap
from dashboards.components.maps import bounds_of
from dashboards.revenue import data, suspects
from dashboards.revenue.context import Ctx, choose
from gcrm.i18n import format_number
from gcrm.placenames import label as place_label
from gcrm.revenue.queries import thresholds

#: map colours by status (the status of the 台区 thresholds in the settings)
COLORS = {"high": (215, 48, 39), "negative": (69, 117, 180), "not_computable": (200, 200, 200),
          "hidden": (200, 200, 200), "normal": (102, 189, 99)}
#: message of each KPI tile and each loss status
KPI_LABELS = {"supplied": "revenue.kpi.supplied", "billed": "revenue.kpi.billed",
              "loss": "revenue.kpi.loss", "rate": "revenue.kpi.rate",
              "money": "revenue.kpi.money"}
STATUS_LABELS = {"normal": "revenue.status.normal", "high": "revenue.status.high",
                 "negative": "revenue.status.negative",
                 "not_computable": "revenue.status.not_computable",
                 "hidden": "revenue.status.hidden"}

#: headers of the worst-areas table
WORST_COLS = {"area": "revenue.col.area", "name": "revenue.col.name", "loss": "revenue.col.loss",
              "money": "revenue.col.money", "rate": "revenue.col.rate",
              "status": "revenue.col.status", "change": "revenue.col.change"}


def controls(ctx: Ctx) -> Ctx:
    """Months (default: the latest) and the drill path district > feeder > 台区; the run
    with the months chosen and their losses by transformer."""
    first, last = st.select_slider(ctx.t("revenue.period"), options=list(ctx.months),
                                   value=(ctx.months[-1], ctx.months[-1]))
    a = data.losses(ctx.db, ctx.version, "transformer", first, last, ctx.who.scope,
                    ctx.min_cell)
    ctx = replace(ctx, first=first, last=last, areas=a)
    c1, c2, c3 = st.columns(3)
    places = cdata.region_names(ctx.db, ctx.version, ctx.who.scope)
    dists = sorted(a["district"].dropna().unique())
    _select(ctx, c1, "rev_d", "revenue.district", dists,
            {d: place_label(places.get(d, d), ctx.lang) for d in dists})
    feeders = a if not ctx.district else a[a["district"] == ctx.district]
    _select(ctx, c2, "rev_f", "revenue.feeder", sorted(feeders["feeder"].dropna().unique()), {})
    areas = feeders if not ctx.feeder else feeders[feeders["feeder"] == ctx.feeder]
    names = dict(zip(areas["transformer"], areas["name"], strict=True))
    _select(ctx, c3, "rev_t", "revenue.area", sorted(names), names)
    return ctx


def _select(ctx: Ctx, col, key: str, label: str, options: list[str],
            names: dict[str, str]) -> None:
    current = st.session_state.get(key) or ""
    opts = ["", *options]
    if current and current not in opts:
        opts.append(current)
    pick = col.selectbox(ctx.t(label), opts, index=opts.index(current),
                         format_func=lambda v: ctx.t("revenue.all") if not v else
                         f"{names.get(v, v)} ({v})" if names.get(v, v) != v else v)
    if pick != current:
        choose(key, pick)
        st.rerun()


def _scope_rows(ctx: Ctx) -> pd.DataFrame:
    a = ctx.areas
    if ctx.area:
        return a[a["transformer"] == ctx.area]
    return ctx.in_drill(a, "district", "feeder")


def kpis(ctx: Ctx) -> None:
    """Supplied, billed, loss, loss rate and money of the selection (computable areas)."""
    rows = _scope_rows(ctx)
    ok = rows[rows["status"] != "not_computable"]
    sup, billed = ok["supplied_kwh"].sum(), ok["billed_kwh"].sum()
    loss = sup - billed
    values = {"supplied": sup, "billed": billed, "loss": loss,
              "rate": loss / sup if sup else float("nan"), "money": ok["loss_yuan"].sum()}
    cols = st.columns(len(values))
    for col, (k, v) in zip(cols, values.items(), strict=True):
        text = (f"{format_number(v * 100, ctx.lang, digits=2)} %" if k == "rate"
                else format_number(v, ctx.lang))
        col.metric(ctx.t(KPI_LABELS[k]), text, border=True,
                   help=ctx.t("revenue.kpi.money_help") if k == "money" else None)
    spans = "".join(f'<span class="gcrm-kpi" data-kpi="{k}" data-value="{float(v)!r}">'
                    f"{float(v)!r}</span>" for k, v in values.items())
    st.markdown(f'<div class="gcrm-kpis" style="display:none">{spans}</div>',
                unsafe_allow_html=True)


def shown_status(status: str | None, rate: float | None) -> str:
    """The status people see: ``hidden`` when disclosure control suppressed the figures."""
    status = status or "not_computable"
    if status != "not_computable" and (rate is None or pd.isna(rate)):
        return "hidden"
    return status


def _fill(p: dict) -> tuple[int, int, int]:
    return COLORS[shown_status(p.get("status"), p.get("loss_rate"))]


def legend(ctx: Ctx) -> str:
    """The map legend with the 台区 thresholds of the settings."""
    th = thresholds("transformer")
    return ctx.t("revenue.legend", high=format_number(th.high * 100, ctx.lang, digits=1),
                 negative=format_number(th.negative * 100, ctx.lang, digits=1))


def area_map(ctx: Ctx) -> None:
    """Voronoi cells of the 台区 coloured by loss rate; a click opens the 台区."""
    st.subheader(ctx.t("revenue.map"))
    geo = data.area_map(ctx.db, ctx.version, ctx.first, ctx.last, ctx.who.scope, ctx.min_cell)
    feats = [f for f in geo["features"]
             if (not ctx.district or f["properties"]["district"] == ctx.district)
             and (not ctx.feeder or f["properties"]["feeder"] == ctx.feeder)]
    if not feats:
        return
    for f in feats:
        p = f["properties"]
        rate = p.get("loss_rate")
        p["fill"] = _fill(p)
        p["title"] = f"{p.get('name') or p['region_id']} ({p['region_id']})"
        p["line1"] = ctx.t(STATUS_LABELS[shown_status(p.get("status"), rate)]) + (
            f" · {format_number(rate * 100, ctx.lang, digits=1)} %"
            if rate is not None and not pd.isna(rate) else "")
        p["line2"] = f"{format_number(p.get('loss_kwh'), ctx.lang)} kWh"
    fc = {"type": "FeatureCollection", "features": feats}
    frame = svgmap.Frame.fit(bounds_of(fc), 900, 480)
    layers = [svgmap.areas(fc, frame, "areas", opacity=0.8),
              svgmap.outline(fc, frame, "edges", (90, 90, 90, 120), 0.6)]
    if ctx.area:
        sel = {"type": "FeatureCollection",
               "features": [f for f in feats if f["properties"]["region_id"] == ctx.area]}
        layers.append(svgmap.outline(sel, frame, "selected", (20, 20, 20), 3))
    svgmap.show(svgmap.scene(frame, layers, f"rev/{ctx.district}/{ctx.feeder}",
                             svgmap.buttons(ctx.lang)),
                key="rev_map", on_click=lambda tid: _open_area(ctx, tid))
    st.caption(legend(ctx))


def _open_area(ctx: Ctx, tid: str) -> None:
    row = ctx.areas[ctx.areas["transformer"] == tid]
    if row.empty:
        return
    choose("rev_d", row["district"].iloc[0] or "")
    choose("rev_f", row["feeder"].iloc[0] or "")
    choose("rev_t", tid)


def worst_areas(ctx: Ctx) -> None:
    """The areas of the selection ranked by loss kWh, with money at the average price."""
    st.subheader(ctx.t("revenue.worst"))
    rows = ctx.in_drill(ctx.areas, "district", "feeder")
    rows = rows[rows["status"] != "not_computable"].sort_values("loss_kwh", ascending=False)
    c = {k: ctx.t(key) for k, key in WORST_COLS.items()}
    show = pd.DataFrame({
        c["area"]: rows["transformer"],
        c["name"]: rows["name"],
        c["loss"]: rows["loss_kwh"].round(0),
        c["money"]: rows["loss_yuan"].round(0),
        c["rate"]: (rows["loss_rate"] * 100).round(2),
        c["status"]: [ctx.t(STATUS_LABELS[shown_status(s, r)])
                      for s, r in zip(rows["status"], rows["loss_rate"], strict=True)],
        c["change"]: (rows["change"] * 100).round(2),
    })
    config = {c["loss"]: st.column_config.NumberColumn(format="localized"),
              c["money"]: st.column_config.NumberColumn(format="localized"),
              c["rate"]: st.column_config.NumberColumn(format="%.2f %%"),
              c["change"]: st.column_config.NumberColumn(
                  format=f"%+.2f {ctx.t('revenue.unit.pp')}")}
    st.dataframe(show.head(20), hide_index=True, use_container_width=True,
                 column_config=config)


def area_detail(ctx: Ctx) -> None:
    """The chosen 台区: its monthly loss over every month, and its suspects."""
    if not ctx.area:
        return
    row = ctx.areas[ctx.areas["transformer"] == ctx.area]
    name = row["name"].iloc[0] if len(row) else ctx.area
    st.subheader(ctx.t("revenue.area_title", name=name))
    monthly = data.losses(ctx.db, ctx.version, "transformer", ctx.months[0], ctx.months[-1],
                          ctx.who.scope, ctx.min_cell, by_month=True)
    monthly = monthly[monthly["transformer"] == ctx.area].set_index("month")
    st.line_chart(monthly[["supplied_kwh", "billed_kwh", "loss_kwh"]].rename(columns={
        "supplied_kwh": ctx.t("revenue.col.supplied"), "billed_kwh": ctx.t("revenue.col.billed"),
        "loss_kwh": ctx.t("revenue.col.loss")}))
    st.markdown(f'<div class="gcrm-rev-area" data-area="{html.escape(ctx.area)}" '
                f'data-status="{html.escape(str(row["status"].iloc[0]) if len(row) else "")}" '
                'style="display:none"></div>', unsafe_allow_html=True)
    if ctx.who.read_customers:
        st.markdown(f"**{ctx.t('revenue.area_suspects')}**")
        suspects.suspect_table(ctx, area=ctx.area)
