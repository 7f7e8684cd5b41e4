"""Customers (customer 360): search, the customer card, service records, anniversaries."""

from __future__ import annotations

import html
from datetime import date, datetime

import pandas as pd
import streamlit as st

from dashboards.components import customer_data as cd
from dashboards.components import data, shell
from dashboards.components.customer_maps import points_map
from gcrm.crm.records import KINDS, TRANSITIONS, NewRecord, RecordError
from gcrm.crm.search import SearchError
from gcrm.i18n import format_number, t
from gcrm.security.masking import mask_frame

lang = shell.current_lang()
wh = shell.warehouse()
db, version = wh.path, wh.version
who = cd.principal()
scope = None if who.scope is None else tuple(who.scope)

st.title(t("cust.title", lang))
if not who.can("read_customers"):
    st.warning(t("cust.no_permission", lang, user=who.name))
    shell.page_done("customers", lang)
    st.stop()
st.caption(t("cust.caption", lang, user=who.name))


def _cols(df: pd.DataFrame, keys: dict[str, str]) -> pd.DataFrame:
    """``df`` limited to ``keys`` (column -> message key), columns renamed for people."""
    out = df[[c for c in keys if c in df.columns]]
    return out.rename(columns={c: t(k, lang) for c, k in keys.items()})


def _hidden(name: str, value: object) -> str:
    """An invisible exact value for browser tests (like the KPI spans)."""
    return (f'<span class="gcrm-card" data-field="{html.escape(name)}" '
            f'data-value="{html.escape(repr(value))}" style="display:none"></span>')


RESULT_COLS = {"customer_id": "cust.col.id", "name": "cust.col.name",
               "customer_class": "cust.col.class", "phone": "cust.col.phone",
               "id_number": "cust.col.id_number", "address": "cust.col.address",
               "district_id": "cust.col.district", "score": "cust.col.score"}
TIMELINE_COLS = {"when": "cust.col.when", "kind": "cust.col.kind", "topic": "cust.col.topic",
                 "status": "cust.col.status", "note": "cust.col.note",
                 "source": "cust.col.source", "record_id": "cust.col.record"}

tab_search, tab_anniv = st.tabs([t("cust.tab.search", lang), t("cust.tab.anniversaries", lang)])

# ==================================================================== search + card
with tab_search:
    text = st.text_input(t("cust.search.label", lang), key="cust_q",
                         placeholder=t("cust.search.placeholder", lang))
    results = None
    try:
        results = cd.find(db, version, text, scope)
    except SearchError as exc:
        (st.info if not (text or "").strip() else st.error)(str(exc))
    regions = data.regions_geojson(db, version, "district", scope=who.scope)

    if results is not None and results.empty:
        st.info(t("cust.search.none", lang, text=text))
    elif results is not None:
        shown = results if who.can("read_pii") else mask_frame(results)
        st.caption(t("cust.search.count", lang, n=len(results)))
        table_col, map_col = st.columns([3, 2])
        with table_col:
            st.dataframe(_cols(shown, RESULT_COLS), hide_index=True, width="stretch",
                         height=320)
        ids = list(results["customer_id"])
        names = dict(zip(shown["customer_id"], shown["name"], strict=True))
        selected = st.selectbox(t("cust.search.open", lang), ids, key="cust_selected",
                                format_func=lambda c: f"{c} · {names.get(c) or ''}")
        with map_col:
            st.pydeck_chart(points_map(regions, shown, "<b>{name}</b><br/>{customer_id}",
                                       selected=selected), height=320, key="cust_results_map")

        # ------------------------------------------------------------ the card
        c = cd.load_card(db, selected, who)
        if st.session_state.get("cust_audited") != selected:
            cd.audit_view(db, selected, who, c.masked)
            st.session_state["cust_audited"] = selected
        a = c.archive
        st.divider()
        st.header(f"{a.get('name') or ''} · {selected}")
        if c.masked:
            st.caption(t("cust.card.masked", lang))

        info_col, mini_col = st.columns([3, 2])
        with info_col:
            fields = [
                ("cust.col.class", a.get("customer_class")), ("cust.f.segment", a.get("segment")),
                ("cust.f.tariff", a.get("tariff")),
                ("cust.f.big", t("report.yes" if a.get("big_customer") else "report.no", lang)),
                ("cust.col.phone", a.get("phone")), ("cust.col.id_number", a.get("id_number")),
                ("cust.col.address", a.get("address")),
                ("cust.col.district", " ".join(str(x) for x in (a.get("city_name"),
                                                                a.get("district_name")) if x)),
                ("cust.f.feeder", " / ".join(str(x) for x in (a.get("substation_name"),
                                                              a.get("feeder_name")) if x)),
                ("cust.f.service_point", a.get("service_point_name")),
                ("cust.f.manager", a.get("account_manager")),
                ("cust.f.opened", a.get("opened_on")),
            ]
            st.table(pd.DataFrame({t("cust.f.field", lang): [t(k, lang) for k, _ in fields],
                                   t("cust.f.value", lang): ["" if v is None else str(v)
                                                             for _, v in fields]}))
        with mini_col:
            me = pd.DataFrame([{"customer_id": selected, "name": a.get("name") or "",
                                "lon": a.get("lon"), "lat": a.get("lat")}])
            if me[["lon", "lat"]].notna().all(axis=None):
                st.pydeck_chart(points_map(regions, me, "<b>{name}</b>", selected=selected,
                                           height=300), height=300, key="cust_mini_map")
            else:
                st.info(t("cust.card.unlocated", lang))

        # consumption
        kwh_total = float(c.consumption["kwh"].sum()) if len(c.consumption) else 0.0
        billed = float(c.billing["amount"].fillna(0).sum()) if len(c.billing) else 0.0
        paid = float(c.billing["paid"].fillna(0).sum()) if len(c.billing) else 0.0
        m1, m2, m3, m4 = st.columns(4)
        m1.metric(t("kpi.kwh", lang) + " (kWh)", format_number(kwh_total, lang))
        m2.metric(t("kpi.amount", lang), format_number(billed, lang))
        m3.metric(t("kpi.paid", lang), format_number(paid, lang))
        m4.metric(t("kpi.arrears", lang), format_number(billed - paid, lang))
        st.markdown(_hidden("customer_id", selected) + _hidden("kwh", kwh_total)
                    + _hidden("amount", billed) + _hidden("paid", paid),
                    unsafe_allow_html=True)

        st.subheader(t("cust.card.consumption", lang))
        if len(c.consumption):
            tou = c.consumption.set_index("month")[["peak_kwh", "flat_kwh", "valley_kwh"]]
            st.bar_chart(tou.rename(columns={"peak_kwh": t("cust.tou.peak", lang),
                                             "flat_kwh": t("cust.tou.flat", lang),
                                             "valley_kwh": t("cust.tou.valley", lang)}),
                         height=260)
        else:
            st.info(t("cust.card.no_consumption", lang))

        bill_col, age_col = st.columns([3, 2])
        with bill_col:
            st.subheader(t("cust.card.billing", lang))
            if len(c.billing):
                st.line_chart(c.billing.set_index("month")[["amount", "paid"]].fillna(0).rename(
                    columns={"amount": t("kpi.amount", lang), "paid": t("kpi.paid", lang)}),
                    height=240)
        with age_col:
            st.subheader(t("cust.card.ageing", lang))
            st.table(pd.DataFrame({t("cust.col.bucket", lang): list(c.ageing_totals),
                                   t("cust.col.outstanding", lang):
                                   [format_number(v, lang) for v in c.ageing_totals.values()]}))

        ch_col, out_col = st.columns(2)
        with ch_col:
            st.subheader(t("cust.card.channels", lang))
            st.dataframe(_cols(c.channels, {"channel": "cust.col.channel",
                                            "payments": "cust.col.payments",
                                            "paid": "kpi.paid"}), hide_index=True)
        with out_col:
            st.subheader(t("cust.card.outages", lang, n=len(c.outages)))
            st.dataframe(_cols(c.outages, {"start_at": "cust.col.start", "end_at": "cust.col.end",
                                           "duration_min": "cust.col.minutes",
                                           "cause": "cust.col.cause",
                                           "planned": "cust.col.planned"}),
                         hide_index=True, height=240)

        st.subheader(t("cust.card.timeline", lang))
        timeline = c.timeline.copy()
        if len(timeline):
            timeline["record_id"] = timeline["record_id"].astype("Int64").astype(str).replace(
                "<NA>", "")
            timeline["when"] = pd.to_datetime(timeline["when"]).dt.strftime("%Y-%m-%d %H:%M")
            st.table(_cols(timeline.head(30).fillna(""), TIMELINE_COLS))
            if len(timeline) > 30:
                st.caption(t("cust.card.timeline_more", lang, n=len(timeline) - 30))
        else:
            st.info(t("cust.card.no_timeline", lang))

        # ------------------------------------------------------------ service records
        if flash := st.session_state.pop("cust_flash", None):
            st.success(flash)
        rec_col, flow_col = st.columns(2)
        with rec_col:
            st.subheader(t("cust.rec.title", lang))
            if not who.can("edit_service"):
                st.caption(t("cust.rec.no_permission", lang))
            else:
                now = datetime.now().replace(second=0, microsecond=0)
                with st.form("cust_record", clear_on_submit=True):
                    kind = st.selectbox(t("cust.col.kind", lang), KINDS,
                                        format_func=lambda k: t(f"cust.kind.{k}", lang))
                    d_col, t_col = st.columns(2)
                    day = d_col.date_input(t("cust.rec.date", lang), value=now.date(),
                                           max_value=date.today())
                    at = t_col.time_input(t("cust.rec.time", lang), value=now.time(), step=60)
                    topic = st.text_input(t("cust.col.topic", lang))
                    note = st.text_area(t("cust.col.note", lang))
                    contact = st.text_input(t("cust.rec.contact", lang))
                    if st.form_submit_button(t("cust.rec.save", lang), type="primary"):
                        rec = NewRecord(selected, kind, cd.local_to_utc(datetime.combine(day, at)),
                                        topic.strip() or None, note.strip() or None,
                                        contact.strip() or None)
                        try:
                            rid = cd.add_record(db, rec, who)
                        except RecordError as exc:
                            st.error(t("cust.rec.error", lang, error=exc))
                        else:
                            st.session_state["cust_flash"] = t("cust.rec.saved", lang, id=rid)
                            st.rerun()
        with flow_col:
            st.subheader(t("cust.flow.title", lang))
            own = cd.customer_records(db, selected)
            if own.empty:
                st.caption(t("cust.flow.none", lang))
            else:
                by_id = own.set_index("record_id")

                def _label(r: int) -> str:
                    row = by_id.loc[r]
                    text = f"{row['topic'] or row['note'] or ''}"[:60]
                    return (f"#{r} · {t('cust.kind.' + row['kind'], lang)} · "
                            f"{t('cust.status.' + row['status'], lang)} · {text}")

                rid = st.selectbox(t("cust.flow.record", lang), list(by_id.index),
                                   key="cust_record_sel", format_func=_label)
                status = by_id.at[rid, "status"]
                st.caption(t("cust.flow.status", lang, status=t(f"cust.status.{status}", lang)))
                if who.can("edit_service") and by_id.at[rid, "kind"] in ("complaint", "request"):
                    nxt = TRANSITIONS[status]
                    for col, new in zip(st.columns(max(len(nxt), 1)), nxt, strict=False):
                        if col.button(t(f"cust.status.{new}", lang), key=f"cust_to_{rid}_{new}"):
                            try:
                                cd.set_status(db, int(rid), new, who)
                            except RecordError as exc:
                                st.error(t("cust.rec.error", lang, error=exc))
                            else:
                                st.session_state["cust_flash"] = t(
                                    "cust.flow.moved", lang, id=rid,
                                    status=t(f"cust.status.{new}", lang))
                                st.rerun()
                hours = by_id.at[rid, "hours_to_resolve"]
                if pd.notna(hours):
                    st.caption(t("cust.flow.resolved_in", lang,
                                 hours=format_number(float(hours), lang)))
                st.markdown(f"**{t('cust.flow.history', lang)}**")
                st.table(_cols(cd.record_history(db, int(rid)).fillna(""),
                               {"ts": "cust.col.when", "user": "cust.col.user",
                                "field": "cust.col.field", "old_value": "cust.col.old",
                                "new_value": "cust.col.new"}))

# ==================================================================== anniversaries
with tab_anniv:
    days = st.number_input(t("cust.anniv.days", lang), min_value=1, max_value=366, value=30,
                           step=1, key="cust_anniv_days")
    ann = cd.upcoming(db, version, int(days), date.today(), scope)
    st.caption(t("cust.anniv.count", lang, n=len(ann), days=int(days)))
    if len(ann):
        ann = ann if who.can("read_pii") else mask_frame(ann)
        st.dataframe(_cols(ann, {"anniversary": "cust.anniv.date", "in_days": "cust.anniv.in",
                                 "years": "cust.anniv.years", "customer_id": "cust.col.id",
                                 "name": "cust.col.name", "customer_class": "cust.col.class",
                                 "phone": "cust.col.phone", "district_id": "cust.col.district"}),
                     hide_index=True, width="stretch")

shell.page_done("customers", lang)
