"""Outages: reliability indices, where and why the lights went out, planned-outage notices.

The index map drills from districts to H3 cells (click, or ``?out_drill=<name>``), with feeder
lines and event points; the event view shows one outage; notices go to the customers on feeders, in
H3 cells picked on the map, or in an uploaded GeoJSON area. The map, the event view and the
notice are fragments (a click there reruns only that part). No SQL here: data comes from
:mod:`dashboards.outages.data`.
"""

from __future__ import annotations

import html
import math
from datetime import date, datetime, time
from functools import partial

import pandas as pd
import streamlit as st

from dashboards.components import data, maps, shell
from dashboards.outages import data as od
from dashboards.outages import views as ov
from gcrm.i18n import t
from gcrm.outages import queries as outages
from gcrm.security import audit
from gcrm.security.masking import mask_frame
from gcrm.storage.store import connect_store
from gcrm.vocab import CUSTOMER_CLASSES as CLASSES


def render() -> None:
    """Draw the page (``dashboards/app.py`` calls it on every run)."""
    INDICES = ("saifi", "saidi", "caidi", "asai", "maifi", "cemi_3", "celid_6h", "rs_pct")
    GROUPINGS = ("district", "feeder", "substation")
    NOTICE_MODES = ("feeders", "cells", "file")
    DATUMS = ("auto", "wgs84", "gcj02", "bd09")
    #: above this many cells the picker asks for one district first (a light map)
    PICKER_MAX_CELLS = 3000

    lang = shell.current_lang()
    wh = shell.warehouse()
    db, version = wh.path, wh.version
    who = od.access()
    scope = who.scope


    def _cause(c: object) -> str:
        key = f"outages.cause.{c}"
        try:
            return t(key, lang)
        except KeyError:
            return str(c)


    def _show_pii(df: pd.DataFrame) -> pd.DataFrame:
        return df if who.read_pii else mask_frame(df)


    def _fail(exc: Exception) -> None:
        st.error(t("outages.error", lang, error=exc))


    st.title(t("outages.title", lang))
    try:
        years = od.years(db, version)
    except Exception as exc:  # a warehouse without the outage tables: say so
        _fail(exc)
        st.stop()
    if not years:
        st.info(t("outages.no_data", lang))
        shell.page_done("outages", lang)
        st.stop()

    # ---------------------------------------------------------------- controls
    c1, c2, c3, c4 = st.columns([1, 1.4, 1, 1])
    year = c1.selectbox(t("outages.year", lang), years[::-1], key="out_year")
    by = c2.radio(t("outages.by", lang), GROUPINGS, horizontal=True, key="out_by",
                  format_func=lambda g: t(f"outages.by.{g}", lang))
    excl_planned = c3.toggle(t("outages.exclude_planned", lang), key="out_excl_planned")
    excl_med = c4.toggle(t("outages.exclude_med", lang), key="out_excl_med")

    try:
        idx = od.indices(db, version, year, by, excl_planned, excl_med, scope)
        names = data.region_names(db, version, scope=scope)
        feeders = od.feeders(db, version, scope)
    except Exception as exc:
        _fail(exc)
        st.stop()
    feeder_names = dict(zip(feeders["feeder_id"], feeders["name"], strict=True))
    substation_names = dict(zip(feeders["substation_id"], feeders["substation_name"], strict=False))


    def _group_name(g: object) -> str:
        if not isinstance(g, str) or not g:
            return t("outages.unlocated", lang)
        lookup = {"district": names, "feeder": feeder_names, "substation": substation_names}[by]
        return f"{lookup.get(g) or g} ({g})" if by != "district" else lookup.get(g, g)


    # ---------------------------------------------------------------- index table
    st.subheader(t("outages.table.title", lang))
    table = pd.DataFrame({t("outages.col.group", lang): [_group_name(g) for g in idx[by]],
                          t("outages.col.customers", lang): idx["customers_served"].astype(int)})
    fmt = {"asai": "%.6f", "rs_pct": "%.4f"}
    for k in INDICES:
        table[t(f"outages.index.{k}", lang)] = idx[k].to_numpy(float)
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        t(f"outages.index.{k}", lang): st.column_config.NumberColumn(format=fmt.get(k, "%.3f"))
        for k in INDICES})
    # exact values for tests and scripts (repr round-trips a float)
    st.markdown("".join(
        f'<span class="gcrm-rel" data-by="{by}" data-group="{html.escape(str(g or ""))}" '
        f'data-index="{k}" data-value="{float(v)!r}" style="display:none"></span>'
        for g, row in zip(idx[by], idx.to_dict("records"), strict=True)
        for k, v in ((k, row[k]) for k in INDICES)), unsafe_allow_html=True)
    st.caption(t("outages.table.note", lang))

    # ---------------------------------------------------------------- map
    # District choropleth; a click on a district (or the "Area" select, kept in the URL as
    # ?out_drill=<name>) drills into its H3 cells; the breadcrumb goes back up. Feeder lines and
    # event points (filtered by the day slider) on both levels; a click on an event opens it below.
    ss = st.session_state
    ss.setdefault("out_map_nonce", 0)


    def _bump_map() -> None:
        """A fresh map widget: a kept selection must not drill again (selections are read-only)."""
        ss["out_map_nonce"] += 1


    def _drill_up() -> None:
        ss["out_drill"] = ""
        _bump_map()


    def _on_map_select(key: str) -> None:
        """A click on the map: a district (or a feeder line in it) drills down; an event opens."""
        state = ss.get(key)
        drill_to = [(o.get("properties") or {}).get("region_id") for o in ov.selected(state, "regions")]
        if not ss.get("out_drill"):
            drill_to += [o.get("district_id") for o in ov.selected(state, "feeders")]
        for rid in drill_to:
            if rid:
                ss["out_drill"] = rid
                _bump_map()
                return
        for obj in ov.selected(state, "events"):
            if obj.get("outage_id"):
                ss["out_event_pick"] = obj["outage_id"]
                ss["out_event_rerun"] = True
                _bump_map()  # a fresh map: no greyed-out selection left behind
                return


    st.subheader(t("outages.map.title", lang))
    try:
        by_district = (idx if by == "district" else
                       od.indices(db, version, year, "district", excl_planned, excl_med, scope))
        geo = data.regions_geojson(db, version, "district", scope=scope)
        evs = od.events(db, version, year, scope)
    except Exception as exc:
        _fail(exc)
        st.stop()
    if excl_planned:
        evs = evs[~evs["planned"]]
    district_ids = [f["properties"]["region_id"] for f in geo["features"]]
    if "out_drill" in ss and ss["out_drill"] not in ("", *district_ids):
        ss["out_drill"] = ""
    tooltip = "<b>{name}</b><br/>{value_text}<br/>{rank_text}"


    def _map_and_legend(deck, map_key: str, legend: str, line_classes):
        """The clickable map (5/6 of the width) and its legend beside it: the index classes and,
        when feeder lines are drawn, their classes. Returns the legend column for more."""
        map_col, legend_col = st.columns([5, 1])
        with map_col:
            st.pydeck_chart(deck, height=520, key=map_key, on_select=partial(_on_map_select, map_key),
                            selection_mode="single-object")
        with legend_col:
            st.markdown(legend, unsafe_allow_html=True)
            if line_classes is not None:
                st.markdown(ov.line_legend_html(line_classes,
                                                html.escape(t("outages.map.lines_legend", lang)),
                                                html.escape(t("outages.map.lines_note", lang))),
                            unsafe_allow_html=True)
        return legend_col


    def _area_name(d: str) -> str:
        return names.get(d, d) if d else t("outages.drill.all", lang)


    def _line_label(feeder: str, minutes: float, share: float) -> str:
        return t("outages.map.line_tip", lang, minutes=f"{minutes:,.2f}", share=f"{share:.0%}")


    def _lines(within: str | None, show: bool) -> tuple[list[dict], maps.Classes | None]:
        """Feeder lines of the scope (or of one district) coloured by SAIDI contribution: from the
        substation to each H3 cell the feeder serves there."""
        if not show:
            return [], None
        fi = od.indices(db, version, year, "feeder", excl_planned, excl_med, scope, within)
        served = float(fi["customers_served"].sum())
        contribution = {r["feeder"]: (float(r["customer_minutes"]) / served if served else 0.0)
                        for r in fi.to_dict("records") if isinstance(r["feeder"], str)}
        reach = od.feeder_reach(db, version, "h3", scope, within)
        rows, classes = ov.feeder_lines(reach, feeders, contribution, served, _line_label)
        return rows, classes if rows else None


    @st.fragment
    def _index_map() -> None:
        """The map and its controls: a click or a control reruns only this part of the page."""
        if ss.pop("out_event_rerun", False):  # an event dot was clicked: show it below
            st.rerun(scope="app")
        m1, m2, m3, m4 = st.columns([1, 1, 1.6, 0.8])
        map_index = m1.selectbox(t("outages.map.index", lang), INDICES, index=1, key="out_map_index",
                                 format_func=lambda k: t(f"outages.index.{k}", lang))
        drill = m2.selectbox(t("outages.drill.area", lang), ["", *district_ids], key="out_drill",
                             bind="query-params", on_change=_bump_map, format_func=_area_name)
        first_day, last_day = date(year, 1, 1), date(year, 12, 31)
        days = m3.slider(t("outages.map.days", lang), min_value=first_day, max_value=last_day,
                         value=(first_day, last_day), format="YYYY-MM-DD", key=f"out_map_days_{year}")
        show_lines = m4.toggle(t("outages.map.lines", lang), value=True, key="out_map_lines")
        shown_evs = ov.in_days(evs, days[0], days[1])
        index_label = t(f"outages.index.{map_index}", lang)
        no_data = t("outages.map.no_data", lang)
        if not geo["features"]:
            st.info(t("outages.map.no_regions", lang))
        elif not drill:
            values = {r["district"]: float(r[map_index]) for r in by_district.to_dict("records")
                      if isinstance(r["district"], str) and r["district"]}
            fc, classes = maps.fill_regions(geo, values, lambda v: f"{index_label}: {v:,.3f}",
                                            f"{index_label}: {no_data}")
            for f in fc["features"]:
                f["properties"]["rank_text"] = t("outages.drill.hint", lang)
            try:
                lines, line_classes = _lines(None, show_lines)
            except Exception as exc:
                _fail(exc)
                lines, line_classes = [], None
            points = ov.event_points(shown_evs, feeders, _cause, t("outages.col.affected", lang))
            deck = maps.choropleth(fc, tooltip)
            if lines:
                deck.layers.insert(1, ov.lines_layer(lines))
            deck = ov.add_event_layer(deck, points)
            st.caption(t("outages.drill.caption", lang))
            legend_col = _map_and_legend(
                deck, f"out_map_{ss['out_map_nonce']}",
                maps.legend_html(classes, index_label, fmt=",.3f", no_data=no_data), line_classes)
            with legend_col:
                causes = sorted(set(evs["cause"].astype(str)))
                st.markdown(
                    f'<div style="font-size:0.85rem;line-height:1.6;margin-top:1em">'
                    f"<b>{html.escape(t('outages.map.causes', lang))}</b>"
                    + "".join(ov.swatch(ov.cause_color(c), _cause(c)) for c in causes)
                    + f"<div>{html.escape(t('outages.map.size', lang))}</div></div>",
                    unsafe_allow_html=True)
        else:
            # breadcrumb: All districts > district (H3 cells)
            b1, b2 = st.columns([1, 5], vertical_alignment="center")
            b1.button(t("outages.drill.all", lang), key="out_drill_up", on_click=_drill_up,
                      icon=":material/arrow_upward:")
            b2.markdown(f'<div class="gcrm-drill" data-district="{html.escape(drill)}">'
                        f"{html.escape(t('outages.drill.all', lang))} › "
                        f"<b>{html.escape(names.get(drill, drill))}</b> · "
                        f"{html.escape(t('outages.drill.cells', lang))}</div>", unsafe_allow_html=True)
            try:
                cell_idx = od.indices(db, version, year, "h3", excl_planned, excl_med, scope, drill)
                lines, line_classes = _lines(drill, show_lines)
            except Exception as exc:
                _fail(exc)
                return
            cell_idx = cell_idx[cell_idx["h3"].notna() & (cell_idx["h3"] != "")]
            if cell_idx.empty:
                st.info(t("outages.drill.no_cells", lang))
            else:
                cvalues = {r["h3"]: float(r[map_index]) for r in cell_idx.to_dict("records")}
                classes = maps.classify(cvalues.values())
                served_txt = {r["h3"]: t("outages.drill.served", lang,
                                         n=f"{int(r['customers_served']):,}")
                              for r in cell_idx.to_dict("records")}
                rows = ov.cell_features(list(cvalues), cvalues, classes,
                                        lambda v: f"{index_label}: {v:,.3f}", served_txt)
                district_geo = {"type": "FeatureCollection", "features": [
                    f for f in geo["features"] if f["properties"]["region_id"] == drill]}
                here = shown_evs[shown_evs["districts"].fillna("").str.split(",").map(
                    lambda ds: drill in ds)]
                points = ov.event_points(here, feeders, _cause, t("outages.col.affected", lang))
                deck = ov.cell_deck(district_geo, rows, lines, points, tooltip)
                _map_and_legend(
                    deck, f"out_map_{drill}_{ss['out_map_nonce']}",
                    maps.legend_html(classes, index_label, fmt=",.3f"), line_classes)
                # exact values for tests and scripts, as for the index table
                st.markdown("".join(
                    f'<span class="gcrm-cell" data-district="{html.escape(drill)}" '
                    f'data-cell="{html.escape(r["h3"])}" data-index="{k}" '
                    f'data-value="{float(r[k])!r}" style="display:none"></span>'
                    for r in cell_idx.to_dict("records") for k in ("customers_served", map_index)),
                    unsafe_allow_html=True)
                st.caption(t("outages.drill.note", lang, n=len(cell_idx)))


    _index_map()

    # ---------------------------------------------------------------- daily SAIDI + MED
    st.subheader(t("outages.daily.title", lang))
    try:
        m = od.med(db, version, year, excl_planned, scope)
    except Exception as exc:
        _fail(exc)
    else:
        if m.threshold_min is None or (isinstance(m.threshold_min, float)
                                       and math.isnan(m.threshold_min)):
            threshold = None
            st.caption(t("outages.daily.no_threshold", lang))
        else:
            threshold = float(m.threshold_min)
            st.caption(t("outages.daily.caption", lang, threshold=f"{threshold:,.2f}",
                         days=len(m.days), basis=m.basis))
        if len(m.daily):
            st.altair_chart(ov.daily_chart(
                m.daily, threshold, t("outages.daily.day", lang), t("outages.daily.saidi", lang),
                t("outages.daily.threshold", lang)), width="stretch", key="out_daily")
        if m.days:
            st.caption(t("outages.daily.meds", lang,
                         days=", ".join(f"{pd.Timestamp(d):%Y-%m-%d}" for d in m.days)))

    # ---------------------------------------------------------------- worst feeders / CEMI-n
    left, right = st.columns(2)
    with left:
        st.subheader(t("outages.worst.title", lang))
        try:
            wf = od.worst_feeders(db, version, year, 10, excl_planned, scope)
            st.dataframe(pd.DataFrame({
                t("outages.col.feeder", lang): [f"{feeder_names.get(f, f)} ({f})"
                                                for f in wf["feeder"]],
                t("outages.col.customer_minutes", lang): wf["customer_minutes"].round(0),
                t("outages.index.saidi", lang): wf["saidi"].round(2),
                t("outages.index.saifi", lang): wf["saifi"].round(3),
            }), hide_index=True, width="stretch")
        except Exception as exc:
            _fail(exc)
    with right:
        st.subheader(t("outages.cemi.title", lang))
        n = st.number_input(t("outages.cemi.n", lang), min_value=0, max_value=50, value=3,
                            key="out_cemi_n")
        try:
            mi = od.most_interrupted(db, version, year, int(n), scope)
            st.caption(t("outages.cemi.count", lang, count=len(mi)))
            if who.read_customers:
                st.dataframe(_show_pii(mi), hide_index=True, width="stretch", height=280)
            else:
                st.info(t("outages.no_customer_rows", lang))
        except Exception as exc:
            _fail(exc)

    # ---------------------------------------------------------------- one event
    @st.fragment
    def _event_view() -> None:
        """One outage: figures, customers by class, the area on a map, big/sensitive customers."""
        st.subheader(t("outages.event.title", lang))
        if evs.empty:
            st.info(t("outages.event.none", lang))
        else:
            ranked = evs.sort_values(["customer_minutes", "outage_id"], ascending=[False, True])
            labels = {r.outage_id: (f"{r.outage_id} · {pd.Timestamp(r.start_at):%Y-%m-%d %H:%M} · "
                                    f"{feeder_names.get(r.feeder_id, r.feeder_id)} · {_cause(r.cause)}")
                      for r in ranked.itertuples(index=False)}
            if (pick := ss.pop("out_event_pick", None)) in labels:  # clicked on the map
                ss["out_event"] = pick
            oid = st.selectbox(t("outages.event.pick", lang), list(labels), key="out_event",
                               format_func=labels.__getitem__)
            ev = ranked.set_index("outage_id").loc[oid]
            k1, k2, k3, k4, k5 = st.columns([1, 1.5, 1, 1, 1])
            k1.metric(t("outages.event.duration", lang), f"{float(ev['duration_min']):,.0f} min")
            k2.metric(t("outages.event.cause", lang),
                      _cause(ev["cause"]) + (f" ({t('outages.event.planned', lang)})"
                                             if bool(ev["planned"]) else ""))
            k3.metric(t("outages.col.affected", lang), f"{int(ev['customers_affected']):,}")
            k4.metric(t("outages.event.big", lang), f"{int(ev['big_customers_affected']):,}")
            k5.metric(t("outages.event.sensitive", lang),
                      f"{int(ev['sensitive_customers_affected']):,}")
            st.caption(t("outages.event.when", lang,
                         start=f"{pd.Timestamp(ev['start_at']):%Y-%m-%d %H:%M}",
                         end=f"{pd.Timestamp(ev['end_at']):%Y-%m-%d %H:%M}",
                         feeder=f"{feeder_names.get(ev['feeder_id'], ev['feeder_id'])} "
                                f"({ev['feeder_id']})",
                         substation=str(ev["substation_name"] or ev["substation_id"] or "–")))
            try:
                by_class, affected = od.event_detail(db, version, oid, scope)
                cells = od.event_cells(db, version, oid, scope)
            except Exception as exc:
                _fail(exc)
            else:
                e1, e2 = st.columns([2, 3])
                with e1:
                    st.markdown(f"**{t('outages.event.by_class', lang)}**")
                    st.dataframe(pd.DataFrame({
                        t("outages.event.col.class", lang): [
                            t(f"report.class.{c}", lang) if c in CLASSES else str(c)
                            for c in by_class["customer_class"]],
                        t("outages.event.col.customers", lang): by_class["customers"].astype(int),
                        t("outages.event.col.big", lang): by_class["big_customers"].astype(int),
                        t("outages.event.col.sensitive", lang):
                            by_class["sensitive_customers"].astype(int),
                    }), hide_index=True, width="stretch")
                    # exact numbers for tests and scripts
                    st.markdown("".join(
                        f'<span class="gcrm-event-class" data-outage="{html.escape(str(oid))}" '
                        f'data-class="{html.escape(str(r["customer_class"]))}" '
                        f'data-customers="{int(r["customers"])}" data-big="{int(r["big_customers"])}" '
                        f'data-sensitive="{int(r["sensitive_customers"])}" style="display:none"></span>'
                        for r in by_class.to_dict("records")), unsafe_allow_html=True)
                with e2:
                    st.markdown(f"**{t('outages.event.area', lang)}**")
                    if cells.empty:
                        st.caption(t("outages.event.no_cells", lang))
                    else:
                        cvals = {r["cell"]: float(r["customers"]) for r in cells.to_dict("records")}
                        big_txt = {r["cell"]: t("outages.event.cell_big", lang,
                                                n=f"{int(r['big_customers']):,}")
                                   for r in cells.to_dict("records")}
                        rows = ov.cell_features(
                            list(cvals), cvals, maps.classify(cvals.values()),
                            lambda v: f"{t('outages.col.affected', lang)}: {v:,.0f}", big_txt)
                        fd = feeders.set_index("feeder_id")
                        sub = None
                        if ev["feeder_id"] in fd.index and pd.notna(fd.at[ev["feeder_id"], "lon"]):
                            sub = (float(fd.at[ev["feeder_id"], "lon"]),
                                   float(fd.at[ev["feeder_id"], "lat"]))
                        st.pydeck_chart(ov.event_deck(geo, rows, sub, tooltip), height=380,
                                        key="out_event_map")
                        st.caption(t("outages.event.area_note", lang, n=len(cells)))
                flagged = affected[affected["big_customer"].astype(bool)
                                   | affected["sensitive"].astype(bool)]
                st.caption(t("outages.event.flagged", lang, count=len(flagged),
                             big=int(affected["big_customer"].astype(bool).sum()),
                             sensitive=int(affected["sensitive"].astype(bool).sum())))
                if who.read_customers:
                    cols = [*outages.CONTACT_COLUMNS, "segment", "sensitive"]
                    st.dataframe(_show_pii(flagged[cols]), hide_index=True, width="stretch")


    _event_view()

    # ---------------------------------------------------------------- planned-outage notice
    def _notice_error(exc: outages.NoticeError) -> str:
        try:
            return t(f"outages.err.{exc.code}", lang, **exc.params)
        except KeyError:
            return t("outages.error", lang, error=exc)


    def _offer(notice: pd.DataFrame, start: datetime, end: datetime, stem: str, target: str,
               detail: dict) -> None:
        """Show the list and offer CSV/XLSX; each download is recorded in the audit log."""
        shown = _show_pii(notice).assign(window_start=start.isoformat(timespec="minutes"),
                                          window_end=end.isoformat(timespec="minutes"))
        st.caption(t("outages.notice.count", lang, count=len(shown),
                     start=f"{start:%Y-%m-%d %H:%M}", end=f"{end:%H:%M}"))
        if not who.read_pii:
            st.caption(t("outages.notice.masked", lang))
        st.dataframe(shown, hide_index=True, width="stretch", height=300)

        def _record(fmt: str, rows: int, window: tuple[str, str]) -> None:
            try:
                con = connect_store(db)
                try:
                    audit.record(con, who.user or "dashboard", "notice.prepare", target, **detail,
                                 window_start=window[0], window_end=window[1], rows=rows,
                                 format=fmt, masked=not who.read_pii)
                finally:
                    con.close()
            except Exception as exc:  # the download happened; say the audit failed
                ss["out_audit_error"] = str(exc)

        audit_args = (len(shown), (start.isoformat(), end.isoformat()))
        d1, d2, _ = st.columns([1, 1, 3])
        d1.download_button(t("outages.notice.csv", lang), ov.csv_bytes(shown),
                           file_name=f"{stem}.csv", mime="text/csv",
                           key="out_notice_csv", on_click=_record, args=("csv", *audit_args))
        d2.download_button(
            t("outages.notice.xlsx", lang), ov.xlsx_bytes(shown), file_name=f"{stem}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="out_notice_xlsx", on_click=_record, args=("xlsx", *audit_args))
        if err := ss.pop("out_audit_error", None):
            st.error(t("outages.notice.audit_failed", lang, error=err))


    def _clear_cells() -> None:
        ss["out_area_nonce"] = ss.get("out_area_nonce", 0) + 1


    @st.fragment
    def _notice() -> None:
        """The planned-outage notice: picking cells or uploading an area reruns only this part.

        A fragment rerun skips the app shell, so the session is checked here as a full run does
        (a revoked session or a changed role must not keep exporting).
        """
        nonlocal who
        if not od.still_signed_in():
            st.rerun(scope="app")
        who = od.access()
        st.subheader(t("outages.notice.title", lang))
        if not who.prepare_notice:
            st.info(t("outages.notice.not_allowed", lang))
        else:
            mode = st.radio(t("outages.area.mode", lang), NOTICE_MODES, horizontal=True,
                            key="out_notice_mode",
                            format_func=lambda m: t(f"outages.area.mode.{m}", lang))
            chosen: list[str] = []
            area: outages.Area | None = None
            if mode == "feeders":
                chosen = st.multiselect(t("outages.notice.feeders", lang), list(feeders["feeder_id"]),
                                        key="out_notice_feeders",
                                        format_func=lambda f: f"{f} · {feeder_names.get(f, '')}")
            elif mode == "cells":
                a1, a2 = st.columns([1, 3], vertical_alignment="bottom")
                where = a1.selectbox(t("outages.drill.area", lang), ["", *district_ids],
                                     key="out_area_district", on_change=_clear_cells,
                                     format_func=lambda d: names.get(d, d) if d
                                     else t("outages.drill.all", lang))
                a2.caption(t("outages.area.cells_help", lang))
                try:
                    pick_cells = od.customer_cells(db, version, scope, where or None)
                except Exception as exc:
                    _fail(exc)
                    pick_cells = pd.DataFrame(columns=["cell", "customers", "big_customers"])
                if len(pick_cells) > PICKER_MAX_CELLS:
                    st.info(t("outages.area.too_many", lang, n=f"{len(pick_cells):,}"))
                elif pick_cells.empty:
                    st.info(t("outages.area.no_cells", lang))
                else:
                    counts = {r["cell"]: float(r["customers"]) for r in pick_cells.to_dict("records")}
                    pick_key = f"out_area_cells_{where or 'all'}_{ss.get('out_area_nonce', 0)}"
                    before = [o.get("cell") for o in ov.selected(ss.get(pick_key), "cells")]
                    rows = ov.cell_features(list(counts), counts, maps.classify(counts.values()),
                                            lambda v: f"{t('outages.col.customers', lang)}: {v:,.0f}",
                                            alpha=150)
                    state = st.pydeck_chart(ov.picker_deck(geo, rows, before, tooltip), height=460,
                                            key=pick_key, on_select="rerun",
                                            selection_mode="multi-object")
                    picked = [c for c in (o.get("cell") for o in ov.selected(state, "cells")) if c]
                    p1, p2 = st.columns([4, 1], vertical_alignment="center")
                    p1.markdown(
                        f'<span class="gcrm-picked" data-cells="{html.escape(",".join(picked))}">'
                        + html.escape(t("outages.area.picked", lang, n=len(picked),
                                        customers=f"{sum(counts.get(c, 0) for c in picked):,.0f}"))
                        + "</span>", unsafe_allow_html=True)
                    p2.button(t("outages.area.clear", lang), key="out_area_clear",
                              on_click=_clear_cells, disabled=not picked)
                    if picked:
                        try:
                            area = outages.area_from_cells(picked)
                        except outages.NoticeError as exc:
                            st.error(_notice_error(exc))
            else:
                f1, f2 = st.columns([2, 3])
                upload = f1.file_uploader(t("outages.area.file", lang), type=["geojson", "json"],
                                          key="out_area_file", help=t("outages.area.file_help", lang))
                datum = f2.radio(t("outages.area.datum", lang), DATUMS, horizontal=True,
                                 key="out_area_datum",
                                 format_func=lambda d: t(f"outages.area.datum.{d}", lang))
                if upload is not None:
                    try:
                        area = outages.area_from_geojson(upload.getvalue(),
                                                         None if datum == "auto" else datum)
                    except outages.NoticeError as exc:
                        st.error(_notice_error(exc))
                    else:
                        if area.datum != "wgs84":
                            st.caption(t("outages.area.converted", lang,
                                         datum=t(f"outages.area.datum.{area.datum}", lang)))
                        st.pydeck_chart(ov.area_deck(geo, area.geometry), height=380,
                                        key="out_area_preview")
                        st.caption(t("outages.area.size", lang, km2=f"{area.area_km2:,.2f}"))
            w1, w2, w3 = st.columns(3)
            day = w1.date_input(t("outages.notice.date", lang), value=date.today(),
                                key="out_notice_day")
            start_t = w2.time_input(t("outages.notice.start", lang), value=time(8, 0),
                                    key="out_notice_start")
            end_t = w3.time_input(t("outages.notice.end", lang), value=time(12, 0),
                                  key="out_notice_end")
            start, end = datetime.combine(day, start_t), datetime.combine(day, end_t)
            if mode == "feeders" and not chosen:
                st.caption(t("outages.notice.pick", lang))
            elif mode != "feeders" and area is None:
                st.caption(t(f"outages.area.pick.{mode}", lang))
            else:
                try:
                    outages.check_window(start, end)
                    if mode == "feeders":
                        notice = od.notice_list(db, chosen, scope)
                        target, detail = outages.notice_audit(feeders=chosen)
                        stem = f"notice_{'_'.join(chosen)}_{start:%Y%m%d_%H%M}"
                    else:
                        notice = od.notice_list_area(db, area, (start, end), scope)
                        target, detail = outages.notice_audit(area=area)
                        stem = f"notice_area_{start:%Y%m%d_%H%M}"
                except outages.NoticeError as exc:
                    st.error(_notice_error(exc))
                except Exception as exc:
                    _fail(exc)
                else:
                    if notice.empty and mode != "feeders":
                        st.info(t("outages.area.nobody", lang))
                    else:
                        _offer(notice, start, end, stem, target, detail)


    _notice()

    shell.page_done("outages", lang)
