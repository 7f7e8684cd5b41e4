"""Drawing functions of the Customers page (customer 360): one per tab and one per part of the
customer card, plus the segment chart and the offline point map they use.

Each function draws with Streamlit and reads through :mod:`dashboards.customers.data`; the
widget keys, labels and hidden ``span.gcrm-card`` values are what the browser tests read.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, datetime

import altair as alt
import pandas as pd
import pydeck as pdk
import streamlit as st
from pydeck.types import String

from dashboards.components import data, maps, shell
from dashboards.components.session import Access
from dashboards.customers import data as cd
from gcrm.customers.card import Card
from gcrm.customers.records import KINDS, TRANSITIONS, NewRecord, RecordError
from gcrm.customers.search import SearchError
from gcrm.customers.segments import MONTH_LABELS, Segmentation
from gcrm.i18n import format_number, t, tn
from gcrm.security.masking import mask_frame

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
POINT = [214, 39, 40, 230]
HIGHLIGHT = [255, 140, 0, 255]


@dataclass(frozen=True)
class View:
    """What every drawing function needs: language, warehouse (path, data version), user."""

    lang: str
    db: str
    version: str
    who: Access


def _cols(df: pd.DataFrame, keys: dict[str, str], lang: str) -> pd.DataFrame:
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


# ==================================================================== page frame
def heading(v: View) -> None:
    """Title and caption; without ``read_customers`` a warning, and the page stops."""
    st.title(t("cust.title", v.lang))
    if not v.who.can("read_customers"):
        st.warning(t("cust.no_permission", v.lang, user=v.who.user))
        shell.page_done("customers", v.lang)
        st.stop()
    st.caption(t("cust.caption", v.lang, user=v.who.user))


def tabs(v: View) -> list:
    """The five tabs (Segments, Risk and Duplicates compute only while open)."""
    for key in ("cust_q", "cust_selected"):  # keep the search while another tab is open
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
    return st.tabs([t(k, v.lang) for k in TABS], key="cust_tab", on_change="rerun")


# ==================================================================== search + card
def search_tab(v: View) -> None:
    """Search, the card and service records (runs only while its tab is open)."""
    text = st.text_input(t("cust.search.label", v.lang), key="cust_q",
                         placeholder=t("cust.search.placeholder", v.lang))
    results = None
    try:
        results = _find(v, text)
    except SearchError as exc:  # also SearchLimitError: too many searches
        (st.info if not (text or "").strip() else st.error)(str(exc))
    regions = data.regions_geojson(v.db, v.version, "district", scope=v.who.scope)

    if results is not None and results.empty:
        st.info(t("cust.search.none", v.lang, text=text))
    elif results is not None:
        selected = _results(v, results, regions)
        customer_card(v, selected, regions)
        service_records(v, selected)


def _find(v: View, text: str | None) -> pd.DataFrame:
    """The customers ``text`` finds: one audited (and, masked, rate-limited) search per new
    text, data version and user; reruns of the page (picking a result, saving a record)
    reuse its results instead of searching again."""
    key = (v.version, v.who, (text or "").strip())
    last = st.session_state.get("cust_found")
    if last is not None and last[0] == key:
        return last[1]
    results = cd.find(v.db, text or "", v.who)
    st.session_state["cust_found"] = (key, results)
    return results


def _results(v: View, results: pd.DataFrame, regions: dict) -> str:
    """The result table and map; returns the customer picked to open."""
    shown = results if v.who.can("read_pii") else mask_frame(results)
    st.caption(tn("cust.search.count", len(results), v.lang))
    table_col, map_col = st.columns([3, 2])
    with table_col:
        st.dataframe(_cols(shown, RESULT_COLS, v.lang), hide_index=True, width="stretch",
                     height=320)
    ids = list(results["customer_id"])
    names = dict(zip(shown["customer_id"], shown["name"], strict=True))
    selected = st.selectbox(t("cust.search.open", v.lang), ids, key="cust_selected",
                            format_func=lambda c: f"{c} · {names.get(c) or ''}")
    with map_col:
        st.pydeck_chart(points_map(regions, shown, "<b>{name}</b><br/>{customer_id}",
                                   selected=selected), height=320, key="cust_results_map")
    return selected


# ------------------------------------------------------------ the card
def customer_card(v: View, selected: str, regions: dict) -> None:
    """The card of ``selected`` (its first view per selection is audited)."""
    c = cd.load_card(v.db, selected, v.who)
    if st.session_state.get("cust_audited") != selected:
        cd.audit_view(v.db, selected, v.who, c.masked)
        st.session_state["cust_audited"] = selected
    _card_heading(v.lang, selected, c)
    info_col, mini_col = st.columns([3, 2])
    with info_col:
        _card_fields(v.lang, c.archive)
    with mini_col:
        _card_map(v.lang, selected, c.archive, regions)
    _card_totals(v.lang, selected, c)
    _card_consumption(v.lang, c)
    _card_billing(v.lang, c)
    _card_channels_outages(v.lang, c)
    _card_timeline(v.lang, c)


def _card_heading(lang: str, selected: str, c: Card) -> None:
    st.divider()
    st.header(f"{c.archive.get('name') or ''} · {selected}")
    if c.masked:
        st.caption(t("cust.card.masked", lang))
    if c.merged_into:
        st.warning(t("cust.card.merged_into", lang, id=selected, survivor=c.merged_into))
    if c.merged_ids:
        st.info(t("cust.card.merged_ids", lang, ids=", ".join(c.merged_ids)))


def _card_fields(lang: str, a: dict) -> None:
    """The customer's archive as a field/value table."""
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


def _card_map(lang: str, selected: str, a: dict, regions: dict) -> None:
    me = pd.DataFrame([{"customer_id": selected, "name": a.get("name") or "",
                        "lon": a.get("lon"), "lat": a.get("lat")}])
    if me[["lon", "lat"]].notna().all(axis=None):
        st.pydeck_chart(points_map(regions, me, "<b>{name}</b>", selected=selected,
                                   height=300), height=300, key="cust_mini_map")
    else:
        st.info(t("cust.card.unlocated", lang))


def _card_totals(lang: str, selected: str, c: Card) -> None:
    """kWh, billed, paid and arrears, with their exact values hidden for the tests."""
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


def _card_consumption(lang: str, c: Card) -> None:
    st.subheader(t("cust.card.consumption", lang))
    if len(c.consumption):
        tou = c.consumption.set_index("month")[["peak_kwh", "flat_kwh", "valley_kwh"]]
        st.bar_chart(tou.rename(columns={"peak_kwh": t("cust.tou.peak", lang),
                                         "flat_kwh": t("cust.tou.flat", lang),
                                         "valley_kwh": t("cust.tou.valley", lang)}),
                     height=260)
    else:
        st.info(t("cust.card.no_consumption", lang))


def _card_billing(lang: str, c: Card) -> None:
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


def _card_channels_outages(lang: str, c: Card) -> None:
    ch_col, out_col = st.columns(2)
    with ch_col:
        st.subheader(t("cust.card.channels", lang))
        st.dataframe(_cols(c.channels, {"channel": "cust.col.channel",
                                        "payments": "cust.col.payments",
                                        "paid": "kpi.paid"}, lang), hide_index=True)
    with out_col:
        st.subheader(t("cust.card.outages", lang, n=len(c.outages)))
        st.dataframe(_cols(c.outages, {"start_at": "cust.col.start", "end_at": "cust.col.end",
                                       "duration_min": "cust.col.minutes",
                                       "cause": "cust.col.cause",
                                       "planned": "cust.col.planned"}, lang),
                     hide_index=True, height=240)


def _card_timeline(lang: str, c: Card) -> None:
    st.subheader(t("cust.card.timeline", lang))
    timeline = c.timeline.copy()
    if len(timeline):
        timeline["record_id"] = timeline["record_id"].astype("Int64").astype(str).replace(
            "<NA>", "")
        timeline["when"] = pd.to_datetime(timeline["when"]).dt.strftime("%Y-%m-%d %H:%M")
        st.table(_cols(timeline.head(30).fillna(""), TIMELINE_COLS, lang))
        if len(timeline) > 30:
            st.caption(tn("cust.card.timeline_more", len(timeline) - 30, lang))
    else:
        st.info(t("cust.card.no_timeline", lang))


# ------------------------------------------------------------ service records
def service_records(v: View, selected: str) -> None:
    """A new record (with ``edit_service``) and the customer's records with their workflow."""
    lang = v.lang
    if flash := st.session_state.pop("cust_flash", None):
        st.success(flash)
    rec_col, flow_col = st.columns(2)
    with rec_col:
        st.subheader(t("cust.rec.title", lang))
        if not v.who.can("edit_service"):
            st.caption(t("cust.rec.no_permission", lang))
        else:
            _record_form(v, selected)
    with flow_col:
        st.subheader(t("cust.flow.title", lang))
        own = cd.customer_records(v.db, selected)
        if own.empty:
            st.caption(t("cust.flow.none", lang))
        else:
            _record_flow(v, own.set_index("record_id"))


def _record_form(v: View, selected: str) -> None:
    lang = v.lang
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
                rid = cd.add_record(v.db, rec, v.who)
            except RecordError as exc:
                st.error(t("cust.rec.error", lang, error=exc))
            else:
                st.session_state["cust_flash"] = t("cust.rec.saved", lang, id=rid)
                st.rerun()


def _record_flow(v: View, by_id: pd.DataFrame) -> None:
    """Pick one of the customer's records: its status, the next steps, its history."""
    lang = v.lang

    def _label(r: int) -> str:
        row = by_id.loc[r]
        text = f"{row['topic'] or row['note'] or ''}"[:60]
        return (f"#{r} · {t('cust.kind.' + row['kind'], lang)} · "
                f"{t('cust.status.' + row['status'], lang)} · {text}")

    rid = st.selectbox(t("cust.flow.record", lang), list(by_id.index),
                       key="cust_record_sel", format_func=_label)
    status = by_id.at[rid, "status"]
    st.caption(t("cust.flow.status", lang, status=t(f"cust.status.{status}", lang)))
    if v.who.can("edit_service") and by_id.at[rid, "kind"] in ("complaint", "request"):
        _status_buttons(v, rid, status)
    hours = by_id.at[rid, "hours_to_resolve"]
    if pd.notna(hours):
        st.caption(t("cust.flow.resolved_in", lang,
                     hours=format_number(float(hours), lang)))
    st.markdown(f"**{t('cust.flow.history', lang)}**")
    st.table(_cols(cd.record_history(v.db, int(rid)).fillna(""),
                   {"ts": "cust.col.when", "user": "cust.col.user",
                    "field": "cust.col.field", "old_value": "cust.col.old",
                    "new_value": "cust.col.new"}, lang))


def _status_buttons(v: View, rid: int, status: str) -> None:
    """One button per status the record may move to next."""
    lang = v.lang
    nxt = TRANSITIONS[status]
    for col, new in zip(st.columns(max(len(nxt), 1)), nxt, strict=False):
        if col.button(t(f"cust.status.{new}", lang), key=f"cust_to_{rid}_{new}"):
            try:
                cd.set_status(v.db, int(rid), new, v.who)
            except RecordError as exc:
                st.error(t("cust.rec.error", lang, error=exc))
            else:
                st.session_state["cust_flash"] = t(
                    "cust.flow.moved", lang, id=rid,
                    status=t(f"cust.status.{new}", lang))
                st.rerun()


# ==================================================================== segments
def segments_tab(v: View) -> None:
    """Load-profile segments of the user's customers, their profiles and typical members."""
    lang = v.lang
    k = st.slider(t("cust.seg.k", lang), min_value=2, max_value=12, value=8, key="cust_seg_k")
    seg = cd.segments(v.db, v.version, v.who.scope, int(k), lang)
    st.caption(t("cust.seg.method", lang))
    if seg.segments.empty:
        st.info(t("cust.seg.none", lang))
        return
    st.caption(t("cust.seg.caption", lang,
                 customers=f"{int(seg.segments['customers'].sum()):,}",
                 start=seg.window[0], end=seg.window[1], n=len(seg.segments),
                 excluded=f"{seg.excluded:,}"))
    table = seg.segments.assign(
        share=[f"{x:.1%}" for x in seg.segments["share"]],
        customers=[f"{int(x):,}" for x in seg.segments["customers"]],
        median_kwh_month=[format_number(float(x), lang)
                          for x in seg.segments["median_kwh_month"]])
    st.table(_cols(table, {"segment": "cust.seg.col.segment", "words": "cust.seg.col.words",
                           "customers": "cust.seg.col.customers",
                           "share": "cust.seg.col.share",
                           "median_kwh_month": "cust.seg.col.kwh"}, lang))
    st.markdown(_hidden("segments", len(seg.segments)), unsafe_allow_html=True)
    st.subheader(t("cust.seg.chart", lang))
    st.altair_chart(seg_chart(seg, lang), width="stretch")
    _segment_members(v, seg, int(k))


def _segment_members(v: View, seg: Segmentation, k: int) -> None:
    """The most typical customers of the segment picked."""
    lang = v.lang
    labels = dict(zip(seg.segments["segment"], seg.segments["name"], strict=True))
    pick = st.selectbox(t("cust.seg.members", lang), list(labels), key="cust_seg_pick",
                        format_func=lambda s: f"{s} · {labels[s]}")
    typical = cd.segment_members(v.db, v.version, v.who.scope, k, lang, int(pick))
    typical = typical if v.who.can("read_pii") else mask_frame(typical)
    st.dataframe(_cols(typical, {"customer_id": "cust.col.id", "name": "cust.col.name",
                                 "customer_class": "cust.col.class",
                                 "district_id": "cust.col.district",
                                 "distance": "cust.seg.col.distance"}, lang),
                 hide_index=True, width="stretch", height=260)


def seg_chart(seg: Segmentation, lang: str = "en", height: int = 320) -> alt.Chart:
    """One line per segment: kWh of each calendar month / the mean month (1 = flat)."""
    names = dict(zip(seg.segments["segment"], seg.segments["name"], strict=True))
    long = (seg.centroids.reset_index()
            .melt(id_vars="segment", var_name="month", value_name="value"))
    long["label"] = [f"{s} · {names[s]}" for s in long["segment"]]
    month, profile = t("cust.seg.month", lang), t("cust.seg.profile", lang)
    segment = t("cust.seg.col.segment", lang)
    return (alt.Chart(long).mark_line(point=True)
            .encode(x=alt.X("month:O", sort=list(MONTH_LABELS), title=month),
                    y=alt.Y("value:Q", title=profile),
                    color=alt.Color("label:N", title=segment,
                                    legend=alt.Legend(orient="right", labelLimit=320)),
                    tooltip=[alt.Tooltip("label:N", title=segment),
                             alt.Tooltip("month:O", title=month),
                             alt.Tooltip("value:Q", title=profile, format=".2f")])
            .properties(height=height))


# ==================================================================== risk
def risk_tab(v: View) -> None:
    """Customers ranked by arrears or churn risk (the list is audited once per choice)."""
    lang = v.lang
    by = st.radio(t("cust.risk.by", lang), ("arrears", "churn"), horizontal=True,
                  key="cust_risk_by", format_func=lambda b: t(f"cust.risk.by.{b}", lang))
    today = date.today()
    ranked = cd.risk_list(v.db, v.version, cd.store_stamp(v.db), v.who.scope, by, today, lang,
                          v.who.can("read_pii"))
    if st.session_state.get("cust_risk_audited") != by:  # a list of customers: audited
        cd.audit_list(v.db, v.who, "customers.risk", by=by, rows=len(ranked))
        st.session_state["cust_risk_audited"] = by
    st.caption(t("cust.risk.caption", lang, date=today.isoformat()))
    if ranked.empty:
        st.info(t("cust.risk.empty", lang))
        return
    _risk_top(lang, ranked, by)
    st.dataframe(_cols(ranked, {
        "rank": "cust.risk.col.rank", "customer_id": "cust.col.id",
        "name": "cust.col.name", "customer_class": "cust.col.class",
        "district_id": "cust.col.district", "phone": "cust.col.phone",
        f"{by}_score": f"cust.risk.col.{by}", f"{by}_why": f"cust.risk.col.{by}_why",
        "days_overdue": "cust.risk.col.days", "overdue_amount": "cust.risk.col.overdue",
        "late_share": "cust.risk.col.late", "kwh_ratio_12": "cust.risk.col.kwh_ratio",
        "complaints": "cust.risk.col.complaints", "billed_12m": "cust.risk.col.billed"}, lang),
        hide_index=True, width="stretch", height=420)


def _risk_top(lang: str, ranked: pd.DataFrame, by: str) -> None:
    """The first five to act on, in words (and the first one hidden for the tests)."""
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


# ==================================================================== duplicates + merge
def duplicates_tab(v: View) -> None:
    """Suspected duplicates (audited once), the merge form and the merges made."""
    lang = v.lang
    st.caption(t("cust.dup.caption", lang))
    if flash := st.session_state.pop("cust_merge_flash", None):
        st.success(flash)
    stamp = cd.store_stamp(v.db)
    dups = cd.duplicate_groups(v.db, v.version, stamp, v.who.scope, v.who.can("read_pii"))
    if not st.session_state.get("cust_dup_audited"):
        cd.audit_list(v.db, v.who, "customers.duplicates", rows=len(dups))
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
                                   "opened_on": "cust.f.opened"}, lang),
                     hide_index=True, width="stretch", height=300)
    st.subheader(t("cust.merge.title", lang))
    if not v.who.can("merge_customers"):
        st.caption(t("cust.merge.no_permission", lang))
    else:
        _merge_form(v, dups)
    _merges_made(v)


def _merge_form(v: View, dups: pd.DataFrame) -> None:
    """Merge two customers, prefilled from a duplicate group."""
    lang = v.lang
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
                r = cd.merge(v.db, survivor, merged, reason, v.who)
            except ValueError as exc:
                st.error(t("cust.merge.error", lang, error=exc))
            else:
                st.session_state["cust_merge_flash"] = t(
                    "cust.merge.done", lang, id=r.merge_id, merged=r.merged_id,
                    survivor=r.survivor_id, n=len(r.records))
                st.rerun()


def _merges_made(v: View) -> None:
    """The merges the user may see, and a form to undo one (with ``merge_customers``)."""
    lang = v.lang
    st.subheader(t("cust.merge.list", lang))
    done = cd.merges(v.db, v.who)
    if done.empty:
        st.caption(t("cust.merge.none", lang))
        return
    st.table(_cols(done.fillna(""), {
        "merge_id": "cust.merge.col.id", "survivor_id": "cust.merge.col.survivor",
        "merged_id": "cust.merge.col.merged", "merged_by": "cust.merge.col.by",
        "merged_at": "cust.merge.col.at", "reason": "cust.merge.col.reason",
        "records": "cust.merge.col.records", "undone_at": "cust.merge.col.undone"}, lang))
    active = done[done["undone_at"].isna()]
    if v.who.can("merge_customers") and len(active):
        _unmerge_form(v, active)


def _unmerge_form(v: View, active: pd.DataFrame) -> None:
    lang = v.lang
    with st.form("cust_unmerge", clear_on_submit=True):
        st.markdown(f"**{t('cust.merge.undo_title', lang)}**")
        mid = st.selectbox(t("cust.merge.undo_pick", lang), list(active["merge_id"]),
                           format_func=lambda m: "#{} · {} → {}".format(
                               m, *active.set_index("merge_id").loc[
                                   m, ["merged_id", "survivor_id"]]))
        why = st.text_input(t("cust.merge.undo_reason", lang))
        if st.form_submit_button(t("cust.merge.undo", lang)):
            try:
                r = cd.unmerge(v.db, int(mid), why, v.who)
            except ValueError as exc:
                st.error(t("cust.merge.undo_error", lang, error=exc))
            else:
                st.session_state["cust_merge_flash"] = t(
                    "cust.merge.undone", lang, id=r.merge_id, n=len(r.records),
                    merged=r.merged_id)
                st.rerun()


# ==================================================================== anniversaries
def anniversaries_tab(v: View) -> None:
    """Big customers' account anniversaries in the next days."""
    lang = v.lang
    days = st.number_input(t("cust.anniv.days", lang), min_value=1, max_value=366, value=30,
                           step=1, key="cust_anniv_days")
    ann = cd.upcoming(v.db, v.version, int(days), date.today(), v.who.scope)
    st.caption(tn("cust.anniv.count", len(ann), lang, days=int(days)))
    if len(ann):
        ann = ann if v.who.can("read_pii") else mask_frame(ann)
        st.dataframe(_cols(ann, {"anniversary": "cust.anniv.date", "in_days": "cust.anniv.in",
                                 "years": "cust.anniv.years", "customer_id": "cust.col.id",
                                 "name": "cust.col.name", "customer_class": "cust.col.class",
                                 "phone": "cust.col.phone", "district_id": "cust.col.district"},
                           lang), hide_index=True, width="stretch")


# ==================================================================== point map
def points_map(regions: dict, points: pd.DataFrame, tooltip_html: str,
               selected: str | None = None, height: int = 320) -> pdk.Deck:
    """District outlines plus ``points`` (columns lon, lat, customer_id, name, ...).

    Same rule as :mod:`dashboards.components.maps`: no basemap unless ``basemap_url`` is set,
    so the map works with no network (district outlines are the basemap)."""
    pts = points.dropna(subset=["lon", "lat"]).copy()
    pts["color"] = [HIGHLIGHT if cid == selected else POINT for cid in pts["customer_id"]]
    pts = pts.astype({c: str for c in pts.columns if c not in ("lon", "lat", "color")})
    layers = [
        pdk.Layer("GeoJsonLayer", regions, id="districts", pickable=False, stroked=True,
                  filled=True, get_fill_color=[235, 238, 242, 255],
                  get_line_color=[120, 120, 120, 255], line_width_min_pixels=1),
        pdk.Layer("ScatterplotLayer", pts.to_dict("records"), id="customers", pickable=True,
                  get_position=["lon", "lat"], get_fill_color="color", get_radius=6,
                  radius_units=String("pixels"), stroked=True, get_line_color=[255, 255, 255, 255],
                  line_width_min_pixels=1),
    ]
    if len(pts):
        x0, x1 = float(pts["lon"].min()), float(pts["lon"].max())
        y0, y1 = float(pts["lat"].min()), float(pts["lat"].max())
        pad = 0.02  # a lone point: show its neighbourhood, not the whole world
        view = maps.fit_view((x0 - pad, y0 - pad, x1 + pad, y1 + pad), height=height)
    else:
        b = maps.bounds_of(regions)
        view = maps.fit_view(b, height=height) if b else pdk.ViewState(
            longitude=125.9, latitude=41.7, zoom=7)
    return maps.deck(layers, view, tooltip_html)
