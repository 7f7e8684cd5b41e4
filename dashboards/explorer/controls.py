"""The Cube Explorer's controls: widgets <-> :class:`~dashboards.explorer.state.View` <-> URL.

The widgets keep the view in session state (keys ``ex_*``); :func:`restore` seeds them from
the URL on a first visit, a shared link or back/forward, and :func:`sync_url` writes the view
back into ``st.query_params``. Drill-down (a table row click), roll-up (the breadcrumb) and
the downloads' audit are callbacks, run before the next run of the page.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from dashboards.components import auth, data
from dashboards.explorer.data import Context
from dashboards.explorer.state import FILTER_PREFIX, KEYS, View, member_str
from gcrm.cube import DIMENSIONS, MEASURES
from gcrm.cube.disclosure import PERSONAL_DIMENSIONS
from gcrm.i18n import t

FILTER_DIMS = [d for d in DIMENSIONS if d != "month"]  # months: the range slider


# --------------------------------------------------------------------------- state
def url_params() -> dict[str, str]:
    """The explorer's parameters of the URL (others, like ``lang``, are left out)."""
    return {k: st.query_params[k] for k in st.query_params
            if k in KEYS or k.startswith(FILTER_PREFIX)}


def seed(view: View, full: tuple[str, str]) -> None:
    """Put ``view`` into the widgets' session state (before they are drawn)."""
    ss = st.session_state
    ss["ex_measures"] = list(view.measures)
    ss["ex_rows"] = list(view.rows)
    ss["ex_col"] = view.column or ""
    where = view.where
    for d in FILTER_DIMS:
        ss[f"ex_f_{d}"] = list(where.get(d, []))
    ss["ex_months"] = tuple(view.months or full)  # the slider's start value, see months_key
    ss["ex_seed"] = ss.get("ex_seed", 0) + 1
    ss["ex_top"] = int(view.top or 0)
    ss["ex_sort"] = view.sort.lstrip("-") if view.sort else ""
    ss["ex_desc"] = not view.sort or view.sort.startswith("-")
    ss["ex_totals"] = bool(view.totals)
    ss["ex_compare"] = view.compare or ""
    ss["ex_drill"] = tuple(view.drill)


def months_key() -> str:
    """The month slider's key: new at each seed. A range select_slider must get its value
    from ``value=`` (set through session state only, a callback reads back one month)."""
    return f"ex_months_{st.session_state.get('ex_seed', 0)}"


def view_from_state(full: tuple[str, str]) -> View:
    """The view the widgets show."""
    ss = st.session_state
    months = tuple(ss.get(months_key(), ss["ex_months"]))
    totals = bool(ss["ex_totals"])
    sort = ss["ex_sort"] or None
    if sort:
        sort = ("-" if ss["ex_desc"] else "") + sort
    filters = tuple(sorted((d, tuple(ss[f"ex_f_{d}"])) for d in FILTER_DIMS
                           if ss.get(f"ex_f_{d}")))
    return View(tuple(ss["ex_measures"]), tuple(ss["ex_rows"]), ss["ex_col"] or None, filters,
                None if months == full else months,
                None if totals else (int(ss["ex_top"]) or None),
                None if totals else sort, totals, ss["ex_compare"] or None,
                tuple(ss.get("ex_drill", ())))


def restore(ctx: Context) -> None:
    """Seed the widgets from the URL on a first visit, a shared URL, or back/forward.

    For a role that sees aggregates only, a personal dimension in the URL (``rows=customer``,
    ``f.customer=...``) is dropped and the page says why (``ex_refused``)."""
    ss = st.session_state
    url_view = View.from_params(url_params(), ctx.months)
    if ctx.min_cell is not None:
        url_view, refused = url_view.without(PERSONAL_DIMENSIONS)
        if refused:
            ss["ex_refused"] = refused
    if ss.get("ex_synced") != url_view.to_params() or "ex_measures" not in ss:
        seed(url_view, ctx.full)
        ss["ex_synced"] = url_view.to_params()  # (callbacks seed too, but leave this alone)


def sync_url(view: View) -> dict[str, str]:
    """Write ``view`` into the URL (dropping the explorer's parameters it does not set)."""
    params = view.to_params()
    for k in [k for k in st.query_params if (k in KEYS or k.startswith(FILTER_PREFIX))
              and k not in params]:
        del st.query_params[k]
    for k, v in params.items():
        if st.query_params.get(k) != v:
            st.query_params[k] = v
    st.session_state["ex_synced"] = params
    return params


# --------------------------------------------------------------------------- callbacks
def apply(view: View, full: tuple[str, str]) -> None:
    """Show ``view`` (from a callback): widgets, drill path, and a fresh table selection."""
    seed(view, full)
    st.session_state["ex_table_n"] = st.session_state.get("ex_table_n", 0) + 1


def on_select(key: str, ctx: Context) -> None:
    """A table row was clicked: drill into it (or say there is no lower level)."""
    ss = st.session_state
    picked = ss[key].selection.rows if key in ss else []
    keys = ss.get("ex_row_keys", [])
    if not picked or picked[0] >= len(keys):
        return
    current = view_from_state(ctx.full)
    new = current.drill_into(keys[picked[0]])
    if new is None:
        last = current.rows[-1] if current.rows else ""
        ss["ex_message"] = t("explorer.no_lower", ctx.lang,
                             dim=ctx.labels.dim(last) if last else "")
        ss["ex_table_n"] = ss.get("ex_table_n", 0) + 1
        return
    apply(new, ctx.full)


def roll_up(depth: int, full: tuple[str, str]) -> None:
    """A breadcrumb was clicked: back to the view before drill step ``depth``."""
    apply(view_from_state(full).roll_up_to(depth), full)


def audit_export(what: str, rows: int, detail: dict, lang: str) -> None:
    """Download button callback: every export goes to the audit log (with its row count)."""
    try:
        auth.record_export(what, rows, **detail)
    except Exception as exc:  # the file was downloaded: say that it was not recorded
        st.session_state["ex_message"] = t("auth.audit_failed", lang, error=exc)


# --------------------------------------------------------------------------- widgets
def draw(ctx: Context) -> list[str]:
    """The control column; returns the filter values dropped (not members in the scope)."""
    _layout(ctx)
    ignored = _filters(ctx)
    _ranking(ctx)
    return ignored


def _layout(ctx: Context) -> None:
    """Measures, rows, the pivot column and the month range."""
    ss, lang, lab = st.session_state, ctx.lang, ctx.labels
    st.multiselect(t("explorer.measures", lang), list(MEASURES), format_func=lab.measure,
                   key="ex_measures")
    if ctx.min_cell is not None:  # aggregates only: no personal dimension
        ss["ex_rows"] = [d for d in ss["ex_rows"] if d in ctx.dims]
    st.multiselect(t("explorer.rows", lang), ctx.dims, format_func=lab.dim,
                   key="ex_rows", help=t("explorer.rows_help", lang))
    col_options = ["", *(d for d in ctx.dims if d not in ss["ex_rows"])]
    if ss["ex_col"] not in col_options:
        ss["ex_col"] = ""
    st.selectbox(t("explorer.column", lang), col_options, key="ex_col",
                 format_func=lambda d: lab.dim(d) if d else t("explorer.none", lang))
    st.select_slider(t("explorer.months", lang), options=ctx.months, value=ss["ex_months"],
                     key=months_key())


def _filters(ctx: Context) -> list[str]:
    """One member multiselect per dimension, in an expander; returns the values dropped."""
    ss, lang, lab = st.session_state, ctx.lang, ctx.labels
    n_filters = sum(1 for d in FILTER_DIMS if ss.get(f"ex_f_{d}"))
    ignored: list[str] = []
    with st.expander(t("explorer.filters", lang, n=n_filters), expanded=n_filters > 0):
        for d in (d for d in FILTER_DIMS if d in ctx.dims):
            options = [member_str(m)
                       for m in data.cube_members(ctx.db, ctx.version, d, scope=ctx.scope)]
            chosen = ss.get(f"ex_f_{d}", [])
            if any(v not in options for v in chosen):
                ignored += [f"{d}={v}" for v in chosen if v not in options]
                ss[f"ex_f_{d}"] = [v for v in chosen if v in options]
            st.multiselect(lab.dim(d), options, key=f"ex_f_{d}",
                           format_func=partial(lab.member, d),
                           placeholder=t("explorer.all", lang))
    return ignored


def _ranking(ctx: Context) -> None:
    """Comparison, totals, sort, descending and top-N."""
    ss, lang, lab = st.session_state, ctx.lang, ctx.labels
    st.radio(t("explorer.compare", lang), ["", "yoy", "mom"], key="ex_compare",
             horizontal=True,
             format_func=lambda k: t(f"explorer.compare.{k or 'none'}", lang))
    st.toggle(t("explorer.totals", lang), key="ex_totals")
    sort_options = ["", *ss["ex_measures"],
                    *([f"{m}_growth" for m in ss["ex_measures"]] if ss["ex_compare"] else [])]
    if ss["ex_sort"] not in sort_options:
        ss["ex_sort"] = ""
    no_rank = bool(ss["ex_totals"])
    st.selectbox(t("explorer.sort", lang), sort_options, key="ex_sort", disabled=no_rank,
                 format_func=lambda c: lab.value(c, ss["ex_compare"] or None) if c
                 else t("explorer.sort.none", lang))
    c1, c2 = st.columns(2)
    c1.toggle(t("explorer.descending", lang), key="ex_desc", disabled=no_rank)
    c2.number_input(t("explorer.top", lang), min_value=0, step=1, key="ex_top",
                    disabled=no_rank)
    if no_rank:
        st.caption(t("explorer.sort_disabled", lang))
