"""Outages: reliability indices, where and why the lights went out, planned-outage notices."""

from __future__ import annotations

import html
import math
from datetime import date, datetime, time

import pandas as pd
import streamlit as st

from dashboards.components import data, maps, shell
from dashboards.components import outage_data as od
from dashboards.components import outage_views as ov
from gcrm import outages
from gcrm.i18n import t
from gcrm.security import audit
from gcrm.security.masking import mask_frame
from gcrm.store import connect_store

INDICES = ("saifi", "saidi", "caidi", "asai", "maifi", "cemi_3", "celid_6h", "rs_pct")
GROUPINGS = ("district", "feeder", "substation")

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
st.subheader(t("outages.map.title", lang))
map_index = st.selectbox(t("outages.map.index", lang), INDICES, index=1, key="out_map_index",
                         format_func=lambda k: t(f"outages.index.{k}", lang))
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
values = {r["district"]: float(r[map_index]) for r in by_district.to_dict("records")
          if isinstance(r["district"], str) and r["district"]}
if not geo["features"]:
    st.info(t("outages.map.no_regions", lang))
else:
    fc, classes = maps.fill_regions(geo, values, lambda v: f"{v:,.3f}",
                                    t("outages.map.no_data", lang))
    for f in fc["features"]:
        f["properties"]["rank_text"] = ""
    points = ov.event_points(evs, feeders, _cause, t("outages.col.affected", lang))
    deck = ov.add_event_layer(maps.choropleth(
        fc, f"<b>{{name}}</b><br/>{t(f'outages.index.{map_index}', lang)}: {{value_text}}"
            "<br/>{rank_text}"), points)
    map_col, legend_col = st.columns([5, 1])
    with map_col:
        st.pydeck_chart(deck, height=520, key="out_map")
    with legend_col:
        st.markdown(maps.legend_html(classes, t(f"outages.index.{map_index}", lang),
                                     fmt=",.3f", no_data=t("outages.map.no_data", lang)),
                    unsafe_allow_html=True)
        causes = sorted(set(evs["cause"].astype(str)))
        st.markdown(
            f'<div style="font-size:0.85rem;line-height:1.6;margin-top:1em">'
            f"<b>{html.escape(t('outages.map.causes', lang))}</b>"
            + "".join(maps._swatch(ov.cause_color(c), _cause(c)) for c in causes)
            + f"<div>{html.escape(t('outages.map.size', lang))}</div></div>",
            unsafe_allow_html=True)

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
st.subheader(t("outages.event.title", lang))
if evs.empty:
    st.info(t("outages.event.none", lang))
else:
    ranked = evs.sort_values(["customer_minutes", "outage_id"], ascending=[False, True])
    labels = {r.outage_id: (f"{r.outage_id} · {pd.Timestamp(r.start_at):%Y-%m-%d %H:%M} · "
                            f"{feeder_names.get(r.feeder_id, r.feeder_id)} · {_cause(r.cause)}")
              for r in ranked.itertuples(index=False)}
    oid = st.selectbox(t("outages.event.pick", lang), list(labels), key="out_event",
                       format_func=labels.__getitem__)
    ev = ranked.set_index("outage_id").loc[oid]
    k1, k2, k3, k4 = st.columns(4)
    k1.metric(t("outages.event.duration", lang), f"{float(ev['duration_min']):,.0f} min")
    k2.metric(t("outages.event.cause", lang),
              _cause(ev["cause"]) + (f" ({t('outages.event.planned', lang)})"
                                     if bool(ev["planned"]) else ""))
    k3.metric(t("outages.col.affected", lang), f"{int(ev['customers_affected']):,}")
    k4.metric(t("outages.event.big", lang), f"{int(ev['big_customers_affected']):,}")
    try:
        by_class, affected = od.event_detail(db, version, oid, scope)
        e1, e2 = st.columns([1, 2])
        e1.dataframe(by_class, hide_index=True, width="stretch")
        big = affected[affected["big_customer"].astype(bool)]
        e2.caption(t("outages.event.big_list", lang, count=len(big)))
        if who.read_customers:
            e2.dataframe(_show_pii(big), hide_index=True, width="stretch")
    except Exception as exc:
        _fail(exc)

# ---------------------------------------------------------------- planned-outage notice
st.subheader(t("outages.notice.title", lang))
if not who.prepare_notice:
    st.info(t("outages.notice.not_allowed", lang))
else:
    chosen = st.multiselect(t("outages.notice.feeders", lang), list(feeders["feeder_id"]),
                            key="out_notice_feeders",
                            format_func=lambda f: f"{f} · {feeder_names.get(f, '')}")
    w1, w2, w3 = st.columns(3)
    day = w1.date_input(t("outages.notice.date", lang), value=date.today(), key="out_notice_day")
    start_t = w2.time_input(t("outages.notice.start", lang), value=time(8, 0),
                            key="out_notice_start")
    end_t = w3.time_input(t("outages.notice.end", lang), value=time(12, 0),
                          key="out_notice_end")
    if not chosen:
        st.caption(t("outages.notice.pick", lang))
    else:
        start, end = datetime.combine(day, start_t), datetime.combine(day, end_t)
        try:
            outages.check_window(start, end)
            notice = od.notice_list(db, chosen, scope)
        except ValueError as exc:
            _fail(exc)
        except Exception as exc:
            _fail(exc)
        else:
            shown = _show_pii(notice).assign(window_start=start.isoformat(timespec="minutes"),
                                              window_end=end.isoformat(timespec="minutes"))
            st.caption(t("outages.notice.count", lang, count=len(shown),
                         start=f"{start:%Y-%m-%d %H:%M}", end=f"{end:%H:%M}"))
            if not who.read_pii:
                st.caption(t("outages.notice.masked", lang))
            st.dataframe(shown, hide_index=True, width="stretch", height=300)
            stem = f"notice_{'_'.join(chosen)}_{start:%Y%m%d_%H%M}"

            def _record(fmt: str, feeders: tuple[str, ...], rows: int,
                        window: tuple[str, str]) -> None:
                try:
                    con = connect_store(db)
                    try:
                        audit.record(con, who.user or "dashboard", "notice.prepare",
                                     ",".join(feeders), feeders=list(feeders),
                                     window_start=window[0], window_end=window[1], rows=rows,
                                     format=fmt, masked=not who.read_pii)
                    finally:
                        con.close()
                except Exception as exc:  # the download happened; say the audit failed
                    st.session_state["out_audit_error"] = str(exc)

            audit_args = (tuple(chosen), len(shown), (start.isoformat(), end.isoformat()))
            d1, d2, _ = st.columns([1, 1, 3])
            d1.download_button(t("outages.notice.csv", lang), ov.csv_bytes(shown),
                               file_name=f"{stem}.csv", mime="text/csv",
                               key="out_notice_csv", on_click=_record, args=("csv", *audit_args))
            d2.download_button(
                t("outages.notice.xlsx", lang), ov.xlsx_bytes(shown), file_name=f"{stem}.xlsx",
                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                key="out_notice_xlsx", on_click=_record, args=("xlsx", *audit_args))
            if err := st.session_state.pop("out_audit_error", None):
                st.error(t("outages.notice.audit_failed", lang, error=err))

shell.page_done("outages", lang)
