"""The scenario on the page: pick an example or a saved one, edit its TOML, save it; compare
saved scenarios side by side; the campaign lists of the scenario (masked, audited)."""

from __future__ import annotations

import streamlit as st

from dashboards.components import auth
from dashboards.tariff import data as td
from dashboards.tariff import tables
from dashboards.tariff.views import Ctx, downloads, fail
from gcrm.i18n import t, tn
from gcrm.security import audit
from gcrm.tariff.scenario import ScenarioError, parse

KIND_KEYS = {"invite": "tf.targets.invite", "warn": "tf.targets.warn"}
KIND_HELP = {"invite": "tf.targets.invite.help", "warn": "tf.targets.warn.help"}


def _audit(ctx: Ctx, action: str, target: str, **detail) -> None:
    """One audit entry (as ``gcrm tariff ...`` writes); a failure is said, not raised."""
    try:
        with auth.store() as con:
            audit.record(con, ctx.who.user, action, target, via="dashboard", **detail)
    except Exception as exc:
        st.error(t("tf.audit_failed", ctx.lang, error=str(exc)))


def _audit_list_once(ctx: Ctx, name: str, kind: str, rows: int, mask: bool) -> None:
    """Audit a campaign list when it is first shown in the session (not on every rerun)."""
    seen = st.session_state.setdefault("tf_lists_seen", set())
    key = (name, kind, ctx.period, mask)
    if key not in seen:
        _audit(ctx, "tariff.targets", name, kind=kind, rows=rows, masked=mask,
               months=list(ctx.period))
        seen.add(key)


def choose(ctx: Ctx) -> tuple[str, str] | None:
    """``(name, TOML text)`` of the scenario to run, or None (a message says why)."""
    lang = ctx.lang
    st.subheader(t("tf.scenario.title", lang))
    known = td.scenarios(ctx.db)
    if not known:
        st.info(t("tf.scenario.none", lang))
        return None
    pick = st.selectbox(t("tf.scenario.pick", lang), list(known), key="tf_pick")
    text = st.text_area(t("tf.scenario.edit", lang), known[pick], height=260,
                        key=f"tf_text_{pick}", help=t("tf.scenario.help", lang))
    try:
        s = parse(text)
    except ScenarioError as exc:
        fail(exc, lang)
        return None
    if st.button(t("tf.scenario.save", lang), key="tf_save", icon=":material/save:"):
        try:
            path = td.save(ctx.db, text)
            _audit(ctx, "tariff.save", s.name, path=str(path))
            st.success(t("tf.scenario.saved", lang, name=s.name, path=str(path)))
        except (OSError, ValueError) as exc:
            fail(exc, lang)
    return s.name, text


def compare(ctx: Ctx) -> None:
    """Two or more scenarios side by side (totals, or by class)."""
    lang = ctx.lang
    st.subheader(t("tf.compare.title", lang))
    known = td.scenarios(ctx.db)
    picked = st.multiselect(t("tf.compare.pick", lang), list(known), default=list(known)[:2],
                            key="tf_compare")
    if len(picked) < 2:
        st.caption(t("tf.compare.need_two", lang))
        return
    try:
        df = td.compare(ctx.db, ctx.version, tuple(known[n] for n in picked), (), ctx.period,
                        ctx.scope, ctx.min_cell)
    except Exception as exc:
        fail(exc, lang)
        return
    tables.show(df, lang, ctx.names)
    downloads(ctx, df, "tariff_compare", "tariff.compare:" + ",".join(picked), "tf_cmp")


def targets(ctx: Ctx, name: str, text: str) -> None:
    """Who to invite (bill falls most) and who to warn (bill rises most after the shift)."""
    lang, who = ctx.lang, ctx.who
    st.subheader(t("tf.targets.title", lang))
    if not who.read_customers:
        st.info(t("tf.targets.not_allowed", lang), icon=":material/block:")
        return
    kind = st.radio(t("tf.targets.kind", lang), ("invite", "warn"), horizontal=True,
                    key="tf_kind", format_func=lambda k: t(KIND_KEYS[k], lang))
    mask = not who.read_pii
    try:
        rows = td.targets(ctx.db, ctx.version, text, kind, ctx.period, ctx.scope, mask, 200)
    except Exception as exc:
        fail(exc, lang)
        return
    st.caption(t(KIND_HELP[kind], lang) + " " + tn("tf.targets.count", len(rows),
                                                             lang))
    _audit_list_once(ctx, name, kind, len(rows), mask)
    if mask:
        st.caption(t("tf.targets.masked", lang))
    tables.show(rows, lang, ctx.names, height=280)
    st.markdown(f'<div class="gcrm-tf-targets" data-rows="{len(rows)}" data-kind="{kind}" '
                'style="display:none"></div>', unsafe_allow_html=True)
    downloads(ctx, rows, f"tariff_{kind}_{name}", f"tariff.targets:{kind}", "tf_targets",
              scenario=name, masked=mask)
