"""The Duplicates tab of the Customers page: suspected duplicates, the merge form and the
merges made (with a form to undo one)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards.customers import data as cd
from dashboards.customers.views import View, cols
from gcrm.i18n import t


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
        st.dataframe(cols(shown, {"group": "cust.dup.col.group", "rule": "cust.dup.col.rule",
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
    st.table(cols(done.fillna(""), {
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
