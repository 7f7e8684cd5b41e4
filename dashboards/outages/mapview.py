"""The outage page's index map (a fragment: a click or a control reruns only the map).

District choropleth; a click on a district, a feeder line or an event cluster (or the "Area"
select, kept in the URL as ``?out_drill=<name>``) drills into its H3 cells; the breadcrumb goes
back up. Feeder lines on both levels; the events (filtered by the day slider) as clusters per
substation in the city, one point per event in a district, where a click on one opens it in
the event view below (a full rerun). The map is SVG (:mod:`dashboards.components.svgmap`).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from dashboards.components import data, svgmap
from dashboards.components import maps as cmaps
from dashboards.outages import context, maps
from dashboards.outages import data as od
from dashboards.outages.context import INDICES, Ctx, hidden


@dataclass(frozen=True)
class MapChoice:
    """The map's controls: the ``index`` shown, the district drilled into ("" for none), the
    ``days`` whose events are drawn and whether feeder ``lines`` are drawn."""

    index: str
    drill: str
    days: tuple[date, date]
    lines: bool


def index_map(ctx: Ctx) -> None:
    """The map section: its data (into ``ctx``), then the map fragment."""
    ss = st.session_state
    ss.setdefault("out_map_nonce", 0)
    st.subheader(ctx.t("outages.map.title"))
    context.load_map(ctx)
    if "out_drill" in ss and ss["out_drill"] not in ("", *ctx.district_ids):
        ss["out_drill"] = ""
    _index_map(ctx)


# ---------------------------------------------------------------- clicks
def _bump_map() -> None:
    """A fresh map widget (its zoom reset) after a drill from the select box."""
    st.session_state["out_map_nonce"] += 1


def _drill_up() -> None:
    st.session_state["out_drill"] = ""
    _bump_map()


def _on_map_click(clicked: str) -> None:
    """A click on the map: a district (or a feeder line or event cluster in it) drills down;
    an event opens in the event view below (ids: :mod:`dashboards.outages.maps`)."""
    ss = st.session_state
    if clicked.startswith(maps.EVENT):
        ss["out_event_pick"] = clicked.removeprefix(maps.EVENT)
        ss["out_event_rerun"] = True
        return
    rid = clicked.removeprefix(maps.FEEDER).removeprefix(maps.CLUSTER)
    if rid and not ss.get("out_drill"):
        ss["out_drill"] = rid
        _bump_map()


# ---------------------------------------------------------------- the fragment
@data.fragment
def _index_map(ctx: Ctx) -> None:
    """The map and its controls: a click or a control reruns only this part of the page."""
    if st.session_state.pop("out_event_rerun", False):  # an event dot was clicked: show it
        st.rerun(scope="app")
    choice = _controls(ctx)
    shown_evs = maps.in_days(ctx.evs, choice.days[0], choice.days[1])
    if not ctx.geo["features"]:
        st.info(ctx.t("outages.map.no_regions"))
    elif not choice.drill:
        _district_map(ctx, choice, shown_evs)
    else:
        _cell_map(ctx, choice, shown_evs)


def _controls(ctx: Ctx) -> MapChoice:
    m1, m2, m3, m4 = st.columns([1, 1, 1.6, 0.8])
    map_index = m1.selectbox(ctx.t("outages.map.index"), INDICES, index=1, key="out_map_index",
                             format_func=lambda k: ctx.t(f"outages.index.{k}"))
    drill = m2.selectbox(ctx.t("outages.drill.area"), ["", *ctx.district_ids], key="out_drill",
                         bind="query-params", on_change=_bump_map, format_func=ctx.area_name)
    first_day, last_day = date(ctx.year, 1, 1), date(ctx.year, 12, 31)
    days = m3.slider(ctx.t("outages.map.days"), min_value=first_day, max_value=last_day,
                     value=(first_day, last_day), format="YYYY-MM-DD",
                     key=f"out_map_days_{ctx.year}")
    show_lines = m4.toggle(ctx.t("outages.map.lines"), value=True, key="out_map_lines")
    return MapChoice(index=map_index, drill=drill, days=days, lines=show_lines)


def _lines(ctx: Ctx, within: str | None,
           show: bool) -> tuple[list[dict], cmaps.Classes | None]:
    """Feeder lines coloured by SAIDI contribution: in one district, from each feeder's
    substation to each H3 cell it serves; at the city level bundled, one line per substation
    and district it feeds (:func:`~dashboards.outages.maps.feeder_bundles`; a line per feeder
    and district was 1,469 lines and 0.26 MB of scene on the 1M-customer warehouse, a line per
    cell ~20,000)."""
    if not show:
        return [], None
    fi = od.indices(ctx.db, ctx.version, ctx.year, "feeder", ctx.excl_planned, ctx.excl_med,
                    ctx.scope, within)
    served = float(fi["customers_served"].sum())
    contribution = {r["feeder"]: (float(r["customer_minutes"]) / served if served else 0.0)
                    for r in fi.to_dict("records") if isinstance(r["feeder"], str)}
    reach = od.feeder_reach(ctx.db, ctx.version, "h3" if within else "district", ctx.scope,
                            within)

    total = sum(contribution.values())

    def label(feeder: str, minutes: float, share: float) -> str:
        return ctx.t("outages.map.line_tip", minutes=f"{minutes:,.2f}", share=f"{share:.0%}")

    def bundle(sub: str, district: str, n: int, minutes: float, worst: str,
               worst_minutes: float) -> tuple[str, str, str]:
        return (ctx.tn("outages.map.bundle_title", n, substation=sub,
                       district=ctx.names.get(district, district), count=n),
                label("", minutes, minutes / total if total > 0 else 0.0),
                ctx.t("outages.map.bundle_worst", feeder=worst, minutes=f"{worst_minutes:,.2f}"))

    if within:
        rows, classes = maps.feeder_lines(reach, ctx.feeders, contribution, served, label)
    else:
        rows, classes = maps.feeder_bundles(reach, ctx.feeders, contribution, bundle)
    return rows, classes if rows else None


def _map_and_legend(ctx: Ctx, scene: dict, map_key: str, legend: str,
                    line_classes: cmaps.Classes | None, lines_title: str):
    """The clickable map (5/6 of the width) and its legend beside it: the index classes and,
    when feeder lines are drawn, their classes (titled by message ``lines_title``). Returns
    the legend column for more."""
    map_col, legend_col = st.columns([5, 1])
    with map_col:
        svgmap.show(scene, key=map_key, on_click=_on_map_click)
    with legend_col:  # raw HTML (st.html): no Markdown for the browser to parse
        st.html(legend)
        if line_classes is not None:
            st.html(maps.line_legend_html(line_classes, html.escape(ctx.t(lines_title)),
                                          html.escape(ctx.t("outages.map.lines_note"))))
    return legend_col


# ---------------------------------------------------------------- districts
def _district_map(ctx: Ctx, choice: MapChoice, shown_evs: pd.DataFrame) -> None:
    """The districts coloured by the index, feeder lines, events; the causes' legend."""
    index_label = ctx.t(f"outages.index.{choice.index}")
    no_data = ctx.t("outages.map.no_data")
    values = {r["district"]: float(r[choice.index])
              for r in ctx.by_district.to_dict("records")
              if isinstance(r["district"], str) and r["district"]}
    fc, classes = cmaps.fill_regions(ctx.geo, values, lambda v: f"{index_label}: {v:,.3f}",
                                     f"{index_label}: {no_data}")
    for f in fc["features"]:
        p = f["properties"]
        p.update(title=p["name"], line1=p["value_text"], line2=ctx.t("outages.drill.hint"))
    try:
        lines, line_classes = _lines(ctx, None, choice.lines)
    except Exception as exc:
        ctx.fail(exc)
        lines, line_classes = [], None
    points, clusters = maps.event_clusters(shown_evs, ctx.feeders, ctx.cause,
                                           lambda *a: _cluster_tip(ctx, *a))
    scene = maps.district_scene(fc, lines, points, "districts", svgmap.buttons(ctx.lang))
    st.caption(ctx.t("outages.map.cluster_caption"))
    legend_col = _map_and_legend(
        ctx, scene, f"out_map_{st.session_state['out_map_nonce']}",
        cmaps.legend_html(classes, index_label, fmt=",.3f", no_data=no_data), line_classes,
        "outages.map.bundles_legend")
    with legend_col:
        causes = sorted(set(ctx.evs["cause"].astype(str)))
        st.html(
            f'<div style="font-size:0.85rem;line-height:1.6;margin-top:1em">'
            f"<b>{html.escape(ctx.t('outages.map.causes'))}</b>"
            + "".join(maps.swatch(maps.cause_color(c), ctx.cause(c)) for c in causes)
            + f"<div>{html.escape(ctx.t('outages.map.cluster_size'))}</div></div>")
    _cluster_spans(clusters)


def _cluster_tip(ctx: Ctx, substation: str, events: int,
                 customers: int) -> tuple[str, str, str]:
    """An event cluster's tooltip: title, first line (the causes' counts follow), hint."""
    return (ctx.tn("outages.map.cluster_title", events, substation=substation,
                   count=f"{events:,}"),
            ctx.t("outages.map.cluster_customers", n=f"{customers:,}"),
            ctx.t("outages.map.cluster_hint"))


def _cluster_spans(clusters: pd.DataFrame) -> None:
    """Exact numbers of the event clusters for tests and scripts (``span.gcrm-cluster``)."""
    hidden("".join(
        f'<span class="gcrm-cluster" data-substation="{html.escape(str(r["substation"]))}" '
        f'data-district="{html.escape(str(r["district"]))}" data-events="{int(r["events"])}" '
        f'data-customers="{int(r["customers_affected"])}" style="display:none"></span>'
        for r in clusters.to_dict("records")))


# ---------------------------------------------------------------- one district's cells
def _breadcrumb(ctx: Ctx, drill: str) -> None:
    """All districts > district (H3 cells); the button goes back up."""
    b1, b2 = st.columns([1, 5], vertical_alignment="center")
    b1.button(ctx.t("outages.drill.all"), key="out_drill_up", on_click=_drill_up,
              icon=":material/arrow_upward:")
    b2.markdown(f'<div class="gcrm-drill" data-district="{html.escape(drill)}">'
                f"{html.escape(ctx.t('outages.drill.all'))} › "
                f"<b>{html.escape(ctx.names.get(drill, drill))}</b> · "
                f"{html.escape(ctx.t('outages.drill.cells'))}</div>", unsafe_allow_html=True)


def _cell_map(ctx: Ctx, choice: MapChoice, shown_evs: pd.DataFrame) -> None:
    """One district's H3 cells coloured by the index, its feeder lines and events."""
    drill, index_label = choice.drill, ctx.t(f"outages.index.{choice.index}")
    _breadcrumb(ctx, drill)
    try:
        cell_idx = od.indices(ctx.db, ctx.version, ctx.year, "h3", ctx.excl_planned,
                              ctx.excl_med, ctx.scope, drill)
        lines, line_classes = _lines(ctx, drill, choice.lines)
    except Exception as exc:
        ctx.fail(exc)
        return
    cell_idx = cell_idx[cell_idx["h3"].notna() & (cell_idx["h3"] != "")]
    if cell_idx.empty:
        st.info(ctx.t("outages.drill.no_cells"))
        return
    records = cell_idx.to_dict("records")
    cvalues = {r["h3"]: float(r[choice.index]) for r in records}
    classes = cmaps.classify(cvalues.values())
    served_txt = {r["h3"]: ctx.t("outages.drill.served", n=f"{int(r['customers_served']):,}")
                  for r in records}
    cells = maps.cell_features(list(cvalues), cvalues, classes,
                               lambda v: f"{index_label}: {v:,.3f}", served_txt)
    district_geo = {"type": "FeatureCollection", "features": [
        f for f in ctx.geo["features"] if f["properties"]["region_id"] == drill]}
    here = maps.events_in(shown_evs, drill)
    points = maps.event_points(here, ctx.feeders, ctx.cause, ctx.t("outages.col.affected"))
    scene = maps.cell_scene(district_geo, cells, lines, points, drill, svgmap.buttons(ctx.lang))
    _map_and_legend(ctx, scene, f"out_map_{drill}_{st.session_state['out_map_nonce']}",
                    cmaps.legend_html(classes, index_label, fmt=",.3f"), line_classes,
                    "outages.map.lines_legend")
    # exact values for tests and scripts, as for the index table
    hidden("".join(
        f'<span class="gcrm-cell" data-district="{html.escape(drill)}" '
        f'data-cell="{html.escape(r["h3"])}" data-index="{k}" '
        f'data-value="{float(r[k])!r}" style="display:none"></span>'
        for r in records for k in ("customers_served", choice.index)))
    st.caption(ctx.tn("outages.drill.note", len(cell_idx)))
