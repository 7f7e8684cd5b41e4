"""Service records of the customer picked (Search tab): a new record (with ``edit_service``)
and the customer's records with their workflow (status buttons, history)."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import streamlit as st

from dashboards.customers import data as cd
from dashboards.customers.views import View, cols
from gcrm.customers.records import KINDS, TRANSITIONS, NewRecord, RecordError
from gcrm.i18n import format_number, t


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
    st.table(cols(cd.record_history(v.db, int(rid)).fillna(""),
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
