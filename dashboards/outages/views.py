"""Sections of the outage page: the controls, the index table, daily SAIDI with major event
days, the worst feeders and CEMI-n, and one event (a fragment).

Each function draws one section from a :class:`~dashboards.outages.context.Ctx`. Exact values
for tests and scripts are written as hidden spans (``span.gcrm-rel``, ``span.gcrm-event-class``;
floats as ``repr``).
"""

from __future__ import annotations

import html
import math
from functools import partial

import pandas as pd
import streamlit as st

from dashboards.components import auth, data, svgmap
from dashboards.components import maps as cmaps
from dashboards.components.mdtext import md
from dashboards.outages import data as od
from dashboards.outages import maps
from dashboards.outages.context import GROUPINGS, INDICES, Ctx, hidden
from gcrm.outages.queries import CONTACT_COLUMNS
from gcrm.security.exports import csv_bytes
from gcrm.vocab import CUSTOMER_CLASSES as CLASSES

#: rows of the most-interrupted customers shown (the most interrupted first; the count above
#: the table is of all of them, the CSV beside it holds them all): 377k rows of the
#: 1M-customer warehouse were 59 MB to send
CEMI_SHOWN = 100
#: index tables (and lists of flagged customers) of at most this many rows are plain tables,
#: longer ones sortable grids
SHORT_TABLE = 40
#: events in the event select (the largest first; any other by its id or from the map)
EVENTS_LISTED = 300


def _number(value: float, fmt: str) -> str:
    """``value`` in printf format ``fmt``, "–" when it is not a number."""
    return "–" if math.isnan(value) else fmt % value


def _table(columns: dict[str, list[str]]) -> None:
    """A short table as plain HTML (``st.table``; cells already formatted and escaped for
    Markdown): a few rows need no grid."""
    st.table(pd.DataFrame(columns), hide_index=True)


# ---------------------------------------------------------------- controls
def controls(ctx: Ctx, years: list[int]) -> None:
    """Year, grouping and exclusions (into ``ctx``)."""
    c1, c2, c3, c4 = st.columns([1, 1.4, 1, 1])
    ctx.year = c1.selectbox(ctx.t("outages.year"), years[::-1], key="out_year")
    ctx.by = c2.radio(ctx.t("outages.by"), GROUPINGS, horizontal=True, key="out_by",
                      format_func=lambda g: ctx.t(f"outages.by.{g}"))
    ctx.excl_planned = c3.toggle(ctx.t("outages.exclude_planned"), key="out_excl_planned")
    ctx.excl_med = c4.toggle(ctx.t("outages.exclude_med"), key="out_excl_med")


# ---------------------------------------------------------------- index table
def index_table(ctx: Ctx) -> None:
    """The indices of every group, with their exact values as hidden ``span.gcrm-rel``."""
    idx, by = ctx.idx, ctx.by
    st.subheader(ctx.t("outages.table.title"))
    fmt = {"asai": "%.6f", "rs_pct": "%.4f"}
    if len(idx) <= SHORT_TABLE:  # districts, substations: a plain table
        cols = {ctx.t("outages.col.group"): [md(ctx.group_name(g)) for g in idx[by]],
                ctx.t("outages.col.customers"): [f"{int(n):,}"
                                                 for n in idx["customers_served"]]}
        cols.update({ctx.t(f"outages.index.{k}"): [_number(v, fmt.get(k, "%.3f"))
                                                   for v in idx[k].to_numpy(float)]
                     for k in INDICES})
        _table(cols)
    else:  # feeders (1,429 on the benchmark): a sortable grid that draws its visible rows
        table = pd.DataFrame({
            ctx.t("outages.col.group"): [ctx.group_name(g) for g in idx[by]],
            ctx.t("outages.col.customers"): idx["customers_served"].astype(int),
            **{ctx.t(f"outages.index.{k}"): idx[k].to_numpy(float) for k in INDICES}})
        st.dataframe(table, hide_index=True, width="stretch", column_config={
            ctx.t(f"outages.index.{k}"): st.column_config.NumberColumn(
                format=fmt.get(k, "%.3f")) for k in INDICES})
    # exact values for tests and scripts (repr round-trips a float)
    hidden("".join(
        f'<span class="gcrm-rel" data-by="{by}" data-group="{html.escape(str(g or ""))}" '
        f'data-index="{k}" data-value="{float(v)!r}" style="display:none"></span>'
        for g, row in zip(idx[by], idx.to_dict("records"), strict=True)
        for k, v in ((k, row[k]) for k in INDICES)))
    st.caption(ctx.t("outages.table.note"))


# ---------------------------------------------------------------- daily SAIDI + MED
#: Vega's canvas renderer (``st.vega_lite_chart`` keeps ``usermeta.embedOptions.renderer``):
#: as SVG the year's 365 bars were ~3,200 DOM nodes, among the last parts of a first render
#: to settle; the tooltips work the same on a canvas
CANVAS = {"usermeta": {"embedOptions": {"renderer": "canvas"}}}


def daily_spec(threshold: float | None, day_label: str, saidi_label: str,
               threshold_label: str) -> dict:
    """Daily system SAIDI as bars (days over the major-event-day threshold in orange) with the
    threshold as a dashed rule: a plain Vega-Lite spec for ``st.vega_lite_chart`` (built
    through Altair it cost 0.07-0.16 s of server time per run). The data: ``day`` (ISO date),
    ``saidi`` and ``med`` (over the threshold). Drawn on a canvas (:data:`CANVAS`)."""
    bars = {
        "mark": {"type": "bar", "size": 3},
        "encoding": {
            "x": {"field": "day", "type": "temporal", "title": day_label},
            "y": {"field": "saidi", "type": "quantitative", "title": saidi_label},
            "color": {"condition": {"test": "datum.med", "value": "#d55e00"},
                      "value": "#0072b2"},
            "tooltip": [{"field": "day", "type": "temporal", "title": day_label,
                         "format": "%Y-%m-%d"},
                        {"field": "saidi", "type": "quantitative", "title": saidi_label,
                         "format": ",.2f"}]}}
    if threshold is None:
        return {**bars, **CANVAS}
    rule_data = {"values": [{"t": threshold, "label": threshold_label}]}
    rule = {"data": rule_data,
            "mark": {"type": "rule", "color": "#d55e00", "strokeDash": [6, 4], "size": 2},
            "encoding": {"y": {"field": "t", "type": "quantitative"},
                         "tooltip": [{"field": "t", "type": "quantitative",
                                      "title": threshold_label, "format": ",.2f"}]}}
    text = {"data": rule_data,
            "mark": {"type": "text", "align": "left", "dx": 4, "dy": -6, "color": "#d55e00"},
            "encoding": {"y": {"field": "t", "type": "quantitative"}, "x": {"value": 0},
                         "text": {"field": "label", "type": "nominal"}}}
    return {"layer": [bars, rule, text], **CANVAS}


def daily_frame(daily: pd.Series, threshold: float | None) -> pd.DataFrame:
    """The chart's rows: ``day``, ``saidi``, ``med`` (over the threshold)."""
    saidi = daily.to_numpy(float)
    return pd.DataFrame({"day": pd.to_datetime(daily.index).strftime("%Y-%m-%d"),
                         "saidi": saidi,
                         "med": saidi > threshold if threshold is not None else False})


def daily_saidi(ctx: Ctx) -> None:
    """Daily system SAIDI of the year, the major-event-day threshold and the days over it."""
    st.subheader(ctx.t("outages.daily.title"))
    try:
        m = od.med(ctx.db, ctx.version, ctx.year, ctx.excl_planned, ctx.scope)
    except Exception as exc:
        ctx.fail(exc)
        return
    if m.threshold_min is None or (isinstance(m.threshold_min, float)
                                   and math.isnan(m.threshold_min)):
        threshold = None
        st.caption(ctx.t("outages.daily.no_threshold"))
    else:
        threshold = float(m.threshold_min)
        st.caption(ctx.t("outages.daily.caption", threshold=f"{threshold:,.2f}",
                         days=len(m.days), basis=m.basis))
    if len(m.daily):
        st.vega_lite_chart(daily_frame(m.daily, threshold), daily_spec(
            threshold, ctx.t("outages.daily.day"), ctx.t("outages.daily.saidi"),
            ctx.t("outages.daily.threshold")), width="stretch", key="out_daily")
    if m.days:
        st.caption(ctx.t("outages.daily.meds",
                         days=", ".join(f"{pd.Timestamp(d):%Y-%m-%d}" for d in m.days)))


# ---------------------------------------------------------------- worst feeders / CEMI-n
def worst_and_cemi(ctx: Ctx) -> None:
    """The worst feeders (left) and the customers interrupted more than n times (right)."""
    left, right = st.columns(2)
    with left:
        st.subheader(ctx.t("outages.worst.title"))
        try:
            wf = od.worst_feeders(ctx.db, ctx.version, ctx.year, 10, ctx.excl_planned,
                                  ctx.scope)
            _table({  # ten rows: a plain table (a grid costs the browser ~0.3 s more)
                ctx.t("outages.col.feeder"): [md(f"{ctx.feeder_names.get(f, f)} ({f})")
                                              for f in wf["feeder"]],
                ctx.t("outages.col.customer_minutes"): [f"{v:,.0f}"
                                                        for v in wf["customer_minutes"]],
                ctx.t("outages.index.saidi"): [f"{v:,.2f}" for v in wf["saidi"]],
                ctx.t("outages.index.saifi"): [f"{v:,.3f}" for v in wf["saifi"]],
            })
        except Exception as exc:
            ctx.fail(exc)
    with right:
        st.subheader(ctx.t("outages.cemi.title"))
        n = st.number_input(ctx.t("outages.cemi.n"), min_value=0, max_value=50, value=3,
                            key="out_cemi_n")
        try:
            total, mi = od.most_interrupted(ctx.db, ctx.version, ctx.year, int(n), ctx.scope,
                                            CEMI_SHOWN)
            st.caption(ctx.tn("outages.cemi.count", total, count=total))
            if ctx.who.read_customers:
                if total > len(mi):
                    st.caption(ctx.t("outages.cemi.shown", shown=f"{len(mi):,}"))
                st.dataframe(ctx.show_pii(mi), hide_index=True, width="stretch", height=280)
                _cemi_export(ctx, int(n), total)
            else:
                st.info(ctx.t("outages.no_customer_rows"))
        except Exception as exc:
            ctx.fail(exc)


def _cemi_csv(ctx: Ctx, more_than: int) -> bytes:
    """Every most-interrupted customer as CSV (masked unless the user may read PII)."""
    return csv_bytes(ctx.show_pii(od.all_interrupted(ctx.db, ctx.year, more_than, ctx.scope)))


def _record_cemi(ctx: Ctx, more_than: int, rows: int) -> None:
    """Audit the CSV download (the button's ``on_click``)."""
    try:
        auth.record_export("outages.cemi", rows, year=ctx.year, more_than=more_than,
                           format="csv", masked=not ctx.who.read_pii)
    except Exception as exc:  # the download happened; say the audit failed
        st.session_state["out_audit_error"] = str(exc)


def _cemi_export(ctx: Ctx, more_than: int, total: int) -> None:
    """The whole list of the most-interrupted customers as CSV, written on the click (for
    users who may export)."""
    if total and ctx.who.export:
        st.download_button(ctx.t("outages.cemi.export", count=f"{total:,}"),
                           partial(_cemi_csv, ctx, more_than), key="out_cemi_csv",
                           file_name=f"cemi_{more_than}_{ctx.year}.csv", mime="text/csv",
                           on_click=partial(_record_cemi, ctx, more_than, total))


# ---------------------------------------------------------------- one event
@data.fragment
def event_view(ctx: Ctx) -> None:
    """One outage: figures, customers by class, the area on a map, big/sensitive customers."""
    st.subheader(ctx.t("outages.event.title"))
    if ctx.evs.empty:
        st.info(ctx.t("outages.event.none"))
        return
    ranked = ctx.evs.sort_values(["customer_minutes", "outage_id"], ascending=[False, True])
    oid = _pick_event(ctx, ranked)
    ev = ranked.set_index("outage_id").loc[oid]
    _event_figures(ctx, ev)
    try:
        by_class, affected = od.event_detail(ctx.db, ctx.version, oid, ctx.scope)
        cells = od.event_cells(ctx.db, ctx.version, oid, ctx.scope)
    except Exception as exc:
        ctx.fail(exc)
        return
    e1, e2 = st.columns([2, 3])
    with e1:
        _event_classes(ctx, oid, by_class)
    with e2:
        _event_area(ctx, ev, cells)
    _event_flagged(ctx, affected)


def _find_event() -> None:
    """The "outage id" box: open that event (as a click on its dot does)."""
    st.session_state["out_event_pick"] = st.session_state.get("out_event_id", "").strip()


def _pick_event(ctx: Ctx, ranked: pd.DataFrame) -> str:
    """The event select (the ``EVENTS_LISTED`` largest, plus one clicked on the map or
    typed by id), the id box and the whole list as CSV; the chosen event's id. The select held
    all 7,881 events of a year on the 1M-customer warehouse: 0.54 MB sent on every run."""
    ss = st.session_state
    listed = ranked.head(EVENTS_LISTED)
    pick = ss.pop("out_event_pick", None)
    if pick and pick not in set(listed["outage_id"]):
        extra = ranked[ranked["outage_id"] == pick]
        if extra.empty:
            st.warning(ctx.t("outages.event.not_found", id=pick, year=ctx.year))
        listed = pd.concat([extra, listed])
    if ss.get("out_event") not in set(listed["outage_id"]):  # kept from an earlier run
        extra = ranked[ranked["outage_id"] == ss.get("out_event")]
        listed = pd.concat([extra, listed])
    causes = {c: ctx.cause(c) for c in listed["cause"].unique()}
    starts = maps.times(listed["start_at"]).dt.strftime("%Y-%m-%d %H:%M")
    labels = {o: f"{o} · {at} · {ctx.feeder_names.get(fid, fid)} · {causes[c]}"
              for o, at, fid, c in zip(listed["outage_id"], starts, listed["feeder_id"],
                                       listed["cause"], strict=True)}
    if pick in labels:  # clicked on the map or typed
        ss["out_event"] = pick
    c1, c2 = st.columns([3, 1])
    oid = c1.selectbox(ctx.t("outages.event.pick"), list(labels), key="out_event",
                       format_func=labels.__getitem__)
    c2.text_input(ctx.t("outages.event.find"), key="out_event_id", on_change=_find_event)
    if len(ranked) > EVENTS_LISTED:
        st.caption(ctx.t("outages.event.listed", shown=f"{EVENTS_LISTED:,}",
                         count=f"{len(ranked):,}"))
    st.download_button(ctx.t("outages.event.export", count=f"{len(ranked):,}"),
                       partial(_events_csv, ranked), key="out_events_csv",
                       file_name=f"outages_{ctx.year}.csv", mime="text/csv")
    return oid


def _events_csv(ranked: pd.DataFrame) -> bytes:
    """The year's events in scope (largest first) as CSV: :func:`gcrm.outages.queries.events`'
    columns (no customer rows)."""
    return csv_bytes(ranked)


def _event_figures(ctx: Ctx, ev: pd.Series) -> None:
    """Duration, cause, customers affected (all, big, sensitive), when and where."""
    k1, k2, k3, k4, k5 = st.columns([1, 1.5, 1, 1, 1])
    k1.metric(ctx.t("outages.event.duration"), f"{float(ev['duration_min']):,.0f} min")
    k2.metric(ctx.t("outages.event.cause"),
              ctx.cause(ev["cause"]) + (f" ({ctx.t('outages.event.planned')})"
                                        if bool(ev["planned"]) else ""))
    k3.metric(ctx.t("outages.col.affected"), f"{int(ev['customers_affected']):,}")
    k4.metric(ctx.t("outages.event.big"), f"{int(ev['big_customers_affected']):,}")
    k5.metric(ctx.t("outages.event.sensitive"), f"{int(ev['sensitive_customers_affected']):,}")
    st.caption(ctx.t("outages.event.when",
                     start=f"{pd.Timestamp(ev['start_at']):%Y-%m-%d %H:%M}",
                     end=f"{pd.Timestamp(ev['end_at']):%Y-%m-%d %H:%M}",
                     feeder=f"{ctx.feeder_names.get(ev['feeder_id'], ev['feeder_id'])} "
                            f"({ev['feeder_id']})",
                     substation=str(ev["substation_name"] or ev["substation_id"] or "–")))


def _event_classes(ctx: Ctx, oid: str, by_class: pd.DataFrame) -> None:
    """Customers affected by class, with exact numbers as hidden ``span.gcrm-event-class``."""
    st.markdown(f"**{ctx.t('outages.event.by_class')}**")
    _table({
        ctx.t("outages.event.col.class"): [
            md(ctx.t(f"report.class.{c}") if c in CLASSES else str(c))
            for c in by_class["customer_class"]],
        ctx.t("outages.event.col.customers"): [f"{int(v):,}" for v in by_class["customers"]],
        ctx.t("outages.event.col.big"): [f"{int(v):,}" for v in by_class["big_customers"]],
        ctx.t("outages.event.col.sensitive"): [f"{int(v):,}"
                                               for v in by_class["sensitive_customers"]],
    })
    # exact numbers for tests and scripts
    hidden("".join(
        f'<span class="gcrm-event-class" data-outage="{html.escape(str(oid))}" '
        f'data-class="{html.escape(str(r["customer_class"]))}" '
        f'data-customers="{int(r["customers"])}" data-big="{int(r["big_customers"])}" '
        f'data-sensitive="{int(r["sensitive_customers"])}" style="display:none"></span>'
        for r in by_class.to_dict("records")))


def _event_area(ctx: Ctx, ev: pd.Series, cells: pd.DataFrame) -> None:
    """The H3 cells the event interrupted, over the districts, with the substation."""
    st.markdown(f"**{ctx.t('outages.event.area')}**")
    if cells.empty:
        st.caption(ctx.t("outages.event.no_cells"))
        return
    cvals = {r["cell"]: float(r["customers"]) for r in cells.to_dict("records")}
    big_txt = {r["cell"]: ctx.t("outages.event.cell_big", n=f"{int(r['big_customers']):,}")
               for r in cells.to_dict("records")}
    cells_fc = maps.cell_features(
        list(cvals), cvals, cmaps.classify(cvals.values()),
        lambda v: f"{ctx.t('outages.col.affected')}: {v:,.0f}", big_txt)
    fd = ctx.feeders.set_index("feeder_id")
    sub = None
    if ev["feeder_id"] in fd.index and pd.notna(fd.at[ev["feeder_id"], "lon"]):
        sub = (float(fd.at[ev["feeder_id"], "lon"]), float(fd.at[ev["feeder_id"], "lat"]))
    svgmap.show(maps.event_scene(ctx.geo, cells_fc, sub, f"event/{ev.name}",
                                 svgmap.buttons(ctx.lang)),
                key="out_event_map", on_click=lambda _id: None)
    st.caption(ctx.tn("outages.event.area_note", len(cells)))


def _event_flagged(ctx: Ctx, affected: pd.DataFrame) -> None:
    """The big and sensitive customers the event interrupted (if the user may see them)."""
    flagged = affected[affected["big_customer"].astype(bool)
                       | affected["sensitive"].astype(bool)]
    st.caption(ctx.t("outages.event.flagged", count=len(flagged),
                     big=int(affected["big_customer"].astype(bool).sum()),
                     sensitive=int(affected["sensitive"].astype(bool).sum())))
    if ctx.who.read_customers:
        shown = ctx.show_pii(flagged[[*CONTACT_COLUMNS, "segment", "sensitive"]])
        if len(shown) <= SHORT_TABLE:  # usually a few (10 for the largest event of the
            # benchmark): a plain table, not a grid that settles 0.3 s after the page
            _table({md(c): ["" if v is None or v is pd.NA or v != v else md(v)
                            for v in shown[c]] for c in shown.columns})
        else:
            st.dataframe(shown, hide_index=True, width="stretch")
