"""Customers (customer 360): search, the customer card, service records, load-profile
segments, risk lists, duplicates and merges, anniversaries.

The Segments, Risk and Duplicates tabs compute only while open (``st.tabs(on_change="rerun")``
and ``tab.open``); they call the same :mod:`gcrm.crm` functions as ``gcrm customers``."""

from __future__ import annotations

import html
import re
from datetime import date, datetime

import pandas as pd
import streamlit as st

from dashboards.components import data, shell
from dashboards.customers import data as cd
from dashboards.customers.charts import seg_chart
from dashboards.customers.maps import points_map
from gcrm.customers.records import KINDS, TRANSITIONS, NewRecord, RecordError
from gcrm.customers.search import SearchError
from gcrm.i18n import format_number, t
from gcrm.security.masking import mask_frame


def render() -> None:
    """Draw the page (``dashboards/app.py`` calls it on every run)."""
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


    def _md(text: str) -> str:
        """``text`` shown literally in Markdown (masked names contain '*')."""
        return re.sub(r"([\\`*_{}\[\]<>()#+!|~-])", r"\\\1", str(text))


    RESULT_COLS = {"customer_id": "cust.col.id", "name": "cust.col.name",
                   "customer_class": "cust.col.class", "phone": "cust.col.phone",
                   "id_number": "cust.col.id_number", "address": "cust.col.address",
                   "district_id": "cust.col.district", "score": "cust.col.score"}
    TIMELINE_COLS = {"when": "cust.col.when", "kind": "cust.col.kind", "topic": "cust.col.topic",
                     "status": "cust.col.status", "note": "cust.col.note",
                     "source": "cust.col.source", "record_id": "cust.col.record",
                     "merged_from": "cust.col.merged_from"}
    TABS = ("cust.tab.search", "cust.tab.segments", "cust.tab.risk", "cust.tab.duplicates",
            "cust.tab.anniversaries")

    for _key in ("cust_q", "cust_selected"):  # keep the search while another tab is open
        if _key in st.session_state:
            st.session_state[_key] = st.session_state[_key]
    tab_search, tab_seg, tab_risk, tab_dup, tab_anniv = st.tabs(
        [t(k, lang) for k in TABS], key="cust_tab", on_change="rerun")


    # ==================================================================== search + card
    def _search_tab() -> None:
        """Search, the card and service records (runs only while its tab is open)."""
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
            if c.merged_into:
                st.warning(t("cust.card.merged_into", lang, id=selected, survivor=c.merged_into))
            if c.merged_ids:
                st.info(t("cust.card.merged_ids", lang, ids=", ".join(c.merged_ids)))

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

    with tab_search:
        if tab_search.open is not False:
            _search_tab()

    # ==================================================================== segments
    with tab_seg:
        if tab_seg.open:
            k = st.slider(t("cust.seg.k", lang), min_value=2, max_value=12, value=8,
                          key="cust_seg_k")
            seg = cd.segments(db, version, scope, int(k), lang)
            st.caption(t("cust.seg.method", lang))
            if seg.segments.empty:
                st.info(t("cust.seg.none", lang))
            else:
                st.caption(t("cust.seg.caption", lang,
                             customers=f"{int(seg.segments['customers'].sum()):,}",
                             start=seg.window[0], end=seg.window[1], n=len(seg.segments),
                             excluded=f"{seg.excluded:,}"))
                table = seg.segments.assign(
                    share=[f"{v:.1%}" for v in seg.segments["share"]],
                    customers=[f"{int(v):,}" for v in seg.segments["customers"]],
                    median_kwh_month=[format_number(float(v), lang)
                                      for v in seg.segments["median_kwh_month"]])
                st.table(_cols(table, {"segment": "cust.seg.col.segment",
                                       "words": "cust.seg.col.words",
                                       "customers": "cust.seg.col.customers",
                                       "share": "cust.seg.col.share",
                                       "median_kwh_month": "cust.seg.col.kwh"}))
                st.markdown(_hidden("segments", len(seg.segments)), unsafe_allow_html=True)
                st.subheader(t("cust.seg.chart", lang))
                st.altair_chart(seg_chart(seg, lang), width="stretch")
                labels = dict(zip(seg.segments["segment"], seg.segments["name"], strict=True))
                pick = st.selectbox(t("cust.seg.members", lang), list(labels), key="cust_seg_pick",
                                    format_func=lambda s: f"{s} · {labels[s]}")
                typical = cd.segment_members(db, version, scope, int(k), lang, int(pick))
                typical = typical if who.can("read_pii") else mask_frame(typical)
                st.dataframe(_cols(typical, {"customer_id": "cust.col.id", "name": "cust.col.name",
                                             "customer_class": "cust.col.class",
                                             "district_id": "cust.col.district",
                                             "distance": "cust.seg.col.distance"}),
                             hide_index=True, width="stretch", height=260)

    # ==================================================================== risk
    with tab_risk:
        if tab_risk.open:
            by = st.radio(t("cust.risk.by", lang), ("arrears", "churn"), horizontal=True,
                          key="cust_risk_by", format_func=lambda b: t(f"cust.risk.by.{b}", lang))
            today = date.today()
            ranked = cd.risk_list(db, version, cd.store_stamp(db), scope, by, today, lang,
                                  who.can("read_pii"))
            if st.session_state.get("cust_risk_audited") != by:  # a list of customers: audited
                cd.audit_list(db, who, "customers.risk", by=by, rows=len(ranked))
                st.session_state["cust_risk_audited"] = by
            st.caption(t("cust.risk.caption", lang, date=today.isoformat()))
            if ranked.empty:
                st.info(t("cust.risk.empty", lang))
            else:
                top = ranked.iloc[0]
                st.markdown(_hidden("risk_top", top["customer_id"])
                            + _hidden("risk_top_score", float(top[f"{by}_score"])),
                            unsafe_allow_html=True)
                st.subheader(t("cust.risk.top", lang))
                label = t(f"cust.risk.by.{by}", lang)
                lines = [t("cust.risk.line", lang, rank=int(r["rank"]), name=_md(r["name"] or ""),
                           id=_md(r["customer_id"]), label=label,
                           score=f"{r[f'{by}_score']:.1f}", why=_md(r[f"{by}_why"]))
                         for _, r in ranked.head(5).iterrows()]
                st.markdown("\n".join(f"- {line}" for line in lines))
                st.dataframe(_cols(ranked, {
                    "rank": "cust.risk.col.rank", "customer_id": "cust.col.id",
                    "name": "cust.col.name", "customer_class": "cust.col.class",
                    "district_id": "cust.col.district", "phone": "cust.col.phone",
                    f"{by}_score": f"cust.risk.col.{by}", f"{by}_why": f"cust.risk.col.{by}_why",
                    "days_overdue": "cust.risk.col.days", "overdue_amount": "cust.risk.col.overdue",
                    "late_share": "cust.risk.col.late", "kwh_ratio_12": "cust.risk.col.kwh_ratio",
                    "complaints": "cust.risk.col.complaints", "billed_12m": "cust.risk.col.billed"}),
                    hide_index=True, width="stretch", height=420)

    # ==================================================================== duplicates + merge
    with tab_dup:
        if tab_dup.open:
            st.caption(t("cust.dup.caption", lang))
            if flash := st.session_state.pop("cust_merge_flash", None):
                st.success(flash)
            stamp = cd.store_stamp(db)
            dups = cd.duplicate_groups(db, version, stamp, scope, who.can("read_pii"))
            if not st.session_state.get("cust_dup_audited"):
                cd.audit_list(db, who, "customers.duplicates", rows=len(dups))
                st.session_state["cust_dup_audited"] = True
            if dups.empty:
                st.info(t("cust.dup.none", lang))
            else:
                shown = dups.assign(rule=[t(f"cust.dup.rule.{r}", lang) for r in dups["rule"]])
                st.dataframe(_cols(shown, {"group": "cust.dup.col.group", "rule": "cust.dup.col.rule",
                                           "customer_id": "cust.col.id", "name": "cust.col.name",
                                           "phone": "cust.col.phone",
                                           "id_number": "cust.col.id_number",
                                           "address": "cust.col.address",
                                           "district_id": "cust.col.district",
                                           "opened_on": "cust.f.opened"}),
                             hide_index=True, width="stretch", height=300)
            st.subheader(t("cust.merge.title", lang))
            if not who.can("merge_customers"):
                st.caption(t("cust.merge.no_permission", lang))
            else:
                # suggest the oldest account as the survivor (the longest history)
                members = {g: list(sub.sort_values(["opened_on", "customer_id"])["customer_id"])
                           for g, sub in dups.groupby("group")} if len(dups) else {}
                group = st.selectbox(t("cust.merge.group", lang), [0, *members], key="cust_dup_group",
                                     format_func=lambda g: t("cust.merge.group_none", lang) if not g
                                     else f"{g} · {', '.join(members[g])}")
                pair = members.get(group, ["", ""])
                with st.form(f"cust_merge_{group}", clear_on_submit=True):
                    f1, f2 = st.columns(2)
                    survivor = f1.text_input(t("cust.merge.survivor", lang), value=pair[0])
                    merged = f2.text_input(t("cust.merge.merged", lang), value=pair[1])
                    reason = st.text_input(t("cust.merge.reason", lang))
                    if st.form_submit_button(t("cust.merge.submit", lang), type="primary"):
                        try:
                            r = cd.merge(db, survivor, merged, reason, who)
                        except ValueError as exc:
                            st.error(t("cust.merge.error", lang, error=exc))
                        else:
                            st.session_state["cust_merge_flash"] = t(
                                "cust.merge.done", lang, id=r.merge_id, merged=r.merged_id,
                                survivor=r.survivor_id, n=len(r.records))
                            st.rerun()
            st.subheader(t("cust.merge.list", lang))
            done = cd.merges(db, who)
            if done.empty:
                st.caption(t("cust.merge.none", lang))
            else:
                st.table(_cols(done.fillna(""), {
                    "merge_id": "cust.merge.col.id", "survivor_id": "cust.merge.col.survivor",
                    "merged_id": "cust.merge.col.merged", "merged_by": "cust.merge.col.by",
                    "merged_at": "cust.merge.col.at", "reason": "cust.merge.col.reason",
                    "records": "cust.merge.col.records", "undone_at": "cust.merge.col.undone"}))
                active = done[done["undone_at"].isna()]
                if who.can("merge_customers") and len(active):
                    with st.form("cust_unmerge", clear_on_submit=True):
                        st.markdown(f"**{t('cust.merge.undo_title', lang)}**")
                        mid = st.selectbox(t("cust.merge.undo_pick", lang), list(active["merge_id"]),
                                           format_func=lambda m: "#{} · {} → {}".format(
                                               m, *active.set_index("merge_id").loc[
                                                   m, ["merged_id", "survivor_id"]]))
                        why = st.text_input(t("cust.merge.undo_reason", lang))
                        if st.form_submit_button(t("cust.merge.undo", lang)):
                            try:
                                r = cd.unmerge(db, int(mid), why, who)
                            except ValueError as exc:
                                st.error(t("cust.merge.undo_error", lang, error=exc))
                            else:
                                st.session_state["cust_merge_flash"] = t(
                                    "cust.merge.undone", lang, id=r.merge_id, n=len(r.records),
                                    merged=r.merged_id)
                                st.rerun()

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
