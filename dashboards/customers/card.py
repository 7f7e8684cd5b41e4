"""The customer card (Search tab): heading, archive fields, mini map, totals, consumption,
billing and ageing, channels and outages, the timeline.

The exact totals are written as hidden ``span.gcrm-card`` values for the browser tests.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards.components.mdtext import md
from dashboards.customers import data as cd
from dashboards.customers.pointmap import points_map
from dashboards.customers.views import View, cols, hidden
from gcrm.customers.card import Card
from gcrm.i18n import format_number, t, tn

TIMELINE_COLS = {"when": "cust.col.when", "kind": "cust.col.kind", "topic": "cust.col.topic",
                 "status": "cust.col.status", "note": "cust.col.note",
                 "source": "cust.col.source", "record_id": "cust.col.record",
                 "merged_from": "cust.col.merged_from"}


def customer_card(v: View, selected: str, regions: dict) -> None:
    """The card of ``selected`` (its first view per selection is audited)."""
    c = cd.load_card(v.db, selected, v.who)
    k = cd.key_account(v.db, selected, v.who)  # the one source of the account manager
    if st.session_state.get("cust_audited") != selected:
        cd.audit_view(v.db, selected, v.who, c.masked)
        st.session_state["cust_audited"] = selected
    _card_heading(v.lang, selected, c)
    info_col, mini_col = st.columns([3, 2])
    with info_col:
        _card_fields(v.lang, c.archive, k["manager"])
    with mini_col:
        _card_map(v.lang, selected, c.archive, regions)
    _card_totals(v.lang, selected, c)
    _card_consumption(v.lang, c)
    _card_billing(v.lang, c)
    _card_channels_outages(v.lang, c)
    _card_key_account(v, selected, k)
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


def _card_fields(lang: str, a: dict, manager: str | None) -> None:
    """The customer's archive as a field/value table; the account ``manager`` is the key
    accounts' (:func:`gcrm.accounts.portfolios.manager_of`), as in the key-account section."""
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
        ("cust.f.manager", manager),
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
    st.markdown(hidden("customer_id", selected) + hidden("kwh", kwh_total)
                + hidden("amount", billed) + hidden("paid", paid),
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
        # labels such as ">180" would read as Markdown (a quote): shown literally
        st.table(pd.DataFrame({t("cust.col.bucket", lang): [md(b) for b in c.ageing_totals],
                               t("cust.col.outstanding", lang):
                               [format_number(v, lang) for v in c.ageing_totals.values()]}))


def _card_channels_outages(lang: str, c: Card) -> None:
    ch_col, out_col = st.columns(2)
    with ch_col:
        st.subheader(t("cust.card.channels", lang))
        st.dataframe(cols(c.channels, {"channel": "cust.col.channel",
                                        "payments": "cust.col.payments",
                                        "paid": "kpi.paid"}, lang), hide_index=True)
    with out_col:
        st.subheader(t("cust.card.outages", lang, n=len(c.outages)))
        st.dataframe(cols(c.outages, {"start_at": "cust.col.start", "end_at": "cust.col.end",
                                       "duration_min": "cust.col.minutes",
                                       "cause": "cust.col.cause",
                                       "planned": "cust.col.planned"}, lang),
                     hide_index=True, height=240)


HANDOVER_COLS = {"at": "acct.col.when", "from_manager": "acct.col.from",
                 "to_manager": "acct.col.to", "reason": "acct.col.reason",
                 "by_user": "acct.col.by", "merged_from": "acct.col.merged_from"}
RELATION_COLS = {"other": "acct.col.other", "name": "acct.col.name",
                 "kind": "acct.col.relation", "direction": "acct.col.direction",
                 "source": "acct.col.source"}


def _card_key_account(v: View, selected: str, k: dict) -> None:
    """Manager, group, relationships and the handover history (key accounts: ``k``, from
    :func:`dashboards.customers.data.key_account`)."""
    st.subheader(t("acct.card.title", v.lang))
    line = (t("acct.card.manager", v.lang, manager=k["manager"]) if k["manager"]
            else t("acct.card.no_manager", v.lang))
    if k["group"]:
        line += " · " + t("acct.card.group", v.lang, group=k["group"], n=k["group_size"])
    st.markdown(line + hidden("manager", k["manager"]), unsafe_allow_html=True)
    rel_col, hand_col = st.columns(2)
    with rel_col:
        st.caption(t("acct.card.relations", v.lang))
        if len(k["relations"]):
            st.table(cols(k["relations"].fillna(""), RELATION_COLS, v.lang))
    with hand_col:
        st.caption(t("acct.card.handovers", v.lang))
        if len(k["handovers"]):
            st.table(cols(k["handovers"].fillna(""), HANDOVER_COLS, v.lang))
        else:
            st.info(t("acct.card.no_handovers", v.lang))
    if v.who.can("edit_service"):
        _relate_form(v, selected)


RELATION_KEYS = {"parent_of": "acct.rel.parent_of", "pays_for": "acct.rel.pays_for",
                 "same_owner": "acct.rel.same_owner"}


def _relate_form(v: View, selected: str) -> None:
    """Relate this customer to another (or remove a relationship); audited."""
    with st.form("acct_relate"):
        c1, c2, c3 = st.columns(3)
        other = c1.text_input(t("acct.col.other", v.lang))
        kind = c2.selectbox(t("acct.col.relation", v.lang), list(RELATION_KEYS),
                            format_func=lambda k: t(RELATION_KEYS[k], v.lang))
        remove = c3.checkbox(t("acct.rel.remove", v.lang))
        go = st.form_submit_button(t("acct.rel.save", v.lang))
    if go:
        try:
            cd.edit_relation(v.db, v.who, selected, other, kind,
                             "remove" if remove else "add")
        except ValueError as exc:
            st.error(str(exc))
            return
        st.rerun()


def _card_timeline(lang: str, c: Card) -> None:
    st.subheader(t("cust.card.timeline", lang))
    timeline = c.timeline.copy()
    if len(timeline):
        timeline["record_id"] = timeline["record_id"].astype("Int64").astype(str).replace(
            "<NA>", "")
        timeline["when"] = pd.to_datetime(timeline["when"]).dt.strftime("%Y-%m-%d %H:%M")
        st.table(cols(timeline.head(30).fillna(""), TIMELINE_COLS, lang))
        if len(timeline) > 30:
            st.caption(tn("cust.card.timeline_more", len(timeline) - 30, lang))
    else:
        st.info(t("cust.card.no_timeline", lang))
