"""The planned-outage notice of the outage page (a fragment): the customers on chosen feeders,
in H3 cells picked on the map, or in an uploaded GeoJSON area, for a maintenance window.

The list is shown (contact fields masked unless the user may read them) and offered as CSV and
XLSX; each download is recorded in the audit log as ``notice.prepare``, as ``gcrm notice``
does. A fragment rerun skips the app shell, so the session is checked here as a full run does.
"""

from __future__ import annotations

import html
from datetime import date, datetime, time
from functools import partial

import pandas as pd
import streamlit as st

from dashboards.components import data, svgmap
from dashboards.components import maps as cmaps
from dashboards.components.session import access, still_signed_in
from dashboards.outages import data as od
from dashboards.outages import maps
from dashboards.outages.context import Ctx
from gcrm.outages import areas
from gcrm.outages.areas import Area, NoticeError
from gcrm.security import audit
from gcrm.security.exports import csv_bytes, xlsx_bytes
from gcrm.storage.store import connect_store

NOTICE_MODES = ("feeders", "cells", "file")
DATUMS = ("auto", "wgs84", "gcj02", "bd09")
#: above this many cells the picker asks for one district first (a light map)
PICKER_MAX_CELLS = 3000


def _notice_error(ctx: Ctx, exc: NoticeError) -> str:
    """The message for a bad notice input, in the page's language."""
    try:
        return ctx.t(f"outages.err.{exc.code}", **exc.params)
    except KeyError:
        return ctx.t("outages.error", error=exc)


@data.fragment
def notice(ctx: Ctx) -> None:
    """The planned-outage notice: picking cells or uploading an area reruns only this part.

    A fragment rerun skips the app shell, so the session is checked here as a full run does
    (a revoked session or a changed role must not keep exporting).
    """
    if not still_signed_in():
        st.rerun(scope="app")
    ctx.who = access()
    st.subheader(ctx.t("outages.notice.title"))
    if not ctx.who.prepare_notice:
        st.info(ctx.t("outages.notice.not_allowed"))
        return
    mode = st.radio(ctx.t("outages.area.mode"), NOTICE_MODES, horizontal=True,
                    key="out_notice_mode", format_func=lambda m: ctx.t(f"outages.area.mode.{m}"))
    chosen: list[str] = []
    area: Area | None = None
    if mode == "feeders":
        chosen = st.multiselect(ctx.t("outages.notice.feeders"), list(ctx.feeders["feeder_id"]),
                                key="out_notice_feeders",
                                format_func=lambda f: f"{f} · {ctx.feeder_names.get(f, '')}")
    elif mode == "cells":
        area = _pick_cells(ctx)
    else:
        area = _upload(ctx)
    start, end = _window(ctx)
    if mode == "feeders" and not chosen:
        st.caption(ctx.t("outages.notice.pick"))
    elif mode != "feeders" and area is None:
        st.caption(ctx.t(f"outages.area.pick.{mode}"))
    else:
        _prepare(ctx, chosen, area, start, end)


# ---------------------------------------------------------------- where
def _clear_cells() -> None:
    st.session_state["out_area_nonce"] = st.session_state.get("out_area_nonce", 0) + 1


def _toggle_cell(picked_key: str, cell: str) -> None:
    """A click on a cell of the picker: add it to the picked cells, or take it out."""
    picked = list(st.session_state.get(picked_key) or [])
    st.session_state[picked_key] = ([c for c in picked if c != cell] if cell in picked
                                    else [*picked, cell])


def _pick_cells(ctx: Ctx) -> Area | None:
    """The cells picked on the map (of all districts or one) as an area."""
    a1, a2 = st.columns([1, 3], vertical_alignment="bottom")
    where = a1.selectbox(ctx.t("outages.drill.area"), ["", *ctx.district_ids],
                         key="out_area_district", on_change=_clear_cells,
                         format_func=ctx.area_name)
    a2.caption(ctx.t("outages.area.cells_help"))
    try:
        pick_cells = od.customer_cells(ctx.db, ctx.version, ctx.scope, where or None)
    except Exception as exc:
        ctx.fail(exc)
        pick_cells = pd.DataFrame(columns=["cell", "customers", "big_customers"])
    if len(pick_cells) > PICKER_MAX_CELLS:
        st.info(ctx.t("outages.area.too_many", n=f"{len(pick_cells):,}"))
        return None
    if pick_cells.empty:
        st.info(ctx.t("outages.area.no_cells"))
        return None
    counts = {r["cell"]: float(r["customers"]) for r in pick_cells.to_dict("records")}
    picked = _picker(ctx, where, counts)
    if picked:
        try:
            return areas.area_from_cells(picked)
        except NoticeError as exc:
            st.error(_notice_error(ctx, exc))
    return None


def _picker(ctx: Ctx, where: str, counts: dict[str, float]) -> list[str]:
    """The cell map (multi-object selection), the cells picked and a button to clear them."""
    ss = st.session_state
    pick_key = f"out_area_cells_{where or 'all'}_{ss.get('out_area_nonce', 0)}"
    picked_key = f"{pick_key}_picked"
    picked = [c for c in ss.get(picked_key) or [] if c in counts]
    cells = maps.cell_features(list(counts), counts, cmaps.classify(counts.values()),
                               lambda v: f"{ctx.t('outages.col.customers')}: {v:,.0f}",
                               alpha=150)
    svgmap.show(maps.picker_scene(ctx.geo, cells, picked, where or "all",
                                  svgmap.buttons(ctx.lang)),
                key=pick_key, on_click=lambda cell: _toggle_cell(picked_key, cell))
    p1, p2 = st.columns([4, 1], vertical_alignment="center")
    p1.markdown(
        f'<span class="gcrm-picked" data-cells="{html.escape(",".join(picked))}">'
        + html.escape(ctx.t("outages.area.picked", n=len(picked),
                            customers=f"{sum(counts.get(c, 0) for c in picked):,.0f}"))
        + "</span>", unsafe_allow_html=True)
    p2.button(ctx.t("outages.area.clear"), key="out_area_clear", on_click=_clear_cells,
              disabled=not picked)
    return picked


def _upload(ctx: Ctx) -> Area | None:
    """An uploaded GeoJSON area (in the datum chosen or declared), previewed on a map."""
    f1, f2 = st.columns([2, 3])
    upload = f1.file_uploader(ctx.t("outages.area.file"), type=["geojson", "json"],
                              key="out_area_file", help=ctx.t("outages.area.file_help"))
    datum = f2.radio(ctx.t("outages.area.datum"), DATUMS, horizontal=True, key="out_area_datum",
                     format_func=lambda d: ctx.t(f"outages.area.datum.{d}"))
    if upload is None:
        return None
    try:
        area = areas.area_from_geojson(upload.getvalue(), None if datum == "auto" else datum)
    except NoticeError as exc:
        st.error(_notice_error(ctx, exc))
        return None
    if area.datum != "wgs84":
        st.caption(ctx.t("outages.area.converted",
                         datum=ctx.t(f"outages.area.datum.{area.datum}")))
    svgmap.show(maps.area_scene(ctx.geo, area.geometry, svgmap.buttons(ctx.lang)),
                key="out_area_preview", on_click=lambda _id: None)
    st.caption(ctx.t("outages.area.size", km2=f"{area.area_km2:,.2f}"))
    return area


# ---------------------------------------------------------------- when, and the list
def _window(ctx: Ctx) -> tuple[datetime, datetime]:
    """The maintenance window: a day, a start and an end time."""
    w1, w2, w3 = st.columns(3)
    day = w1.date_input(ctx.t("outages.notice.date"), value=date.today(), key="out_notice_day")
    start_t = w2.time_input(ctx.t("outages.notice.start"), value=time(8, 0),
                            key="out_notice_start")
    end_t = w3.time_input(ctx.t("outages.notice.end"), value=time(12, 0), key="out_notice_end")
    return datetime.combine(day, start_t), datetime.combine(day, end_t)


def _prepare(ctx: Ctx, chosen: list[str], area: Area | None, start: datetime,
             end: datetime) -> None:
    """The list for the feeders ``chosen`` or the ``area``, offered for download."""
    try:
        areas.check_window(start, end)
        if area is None:
            notice_df = od.notice_list(ctx.db, chosen, ctx.scope)
            target, detail = areas.notice_audit(feeders=chosen)
            stem = f"notice_{'_'.join(chosen)}_{start:%Y%m%d_%H%M}"
        else:
            notice_df = od.notice_list_area(ctx.db, area, (start, end), ctx.scope)
            target, detail = areas.notice_audit(area=area)
            stem = f"notice_area_{start:%Y%m%d_%H%M}"
    except NoticeError as exc:
        st.error(_notice_error(ctx, exc))
    except Exception as exc:
        ctx.fail(exc)
    else:
        if notice_df.empty and area is not None:
            st.info(ctx.t("outages.area.nobody"))
        else:
            _offer(ctx, notice_df, start, end, stem, target, detail)


def _record(ctx: Ctx, target: str, detail: dict, fmt: str, rows: int,
            window: tuple[str, str]) -> None:
    """Record a download in the audit log (a download button's callback)."""
    try:
        con = connect_store(ctx.db)
        try:
            audit.record(con, ctx.who.user or "dashboard", "notice.prepare", target, **detail,
                         window_start=window[0], window_end=window[1], rows=rows,
                         format=fmt, masked=not ctx.who.read_pii)
        finally:
            con.close()
    except Exception as exc:  # the download happened; say the audit failed
        st.session_state["out_audit_error"] = str(exc)


def _offer(ctx: Ctx, notice_df: pd.DataFrame, start: datetime, end: datetime, stem: str,
           target: str, detail: dict) -> None:
    """Show the list and offer CSV/XLSX; each download is recorded in the audit log."""
    shown = ctx.show_pii(notice_df).assign(window_start=start.isoformat(timespec="minutes"),
                                           window_end=end.isoformat(timespec="minutes"))
    st.caption(ctx.tn("outages.notice.count", len(shown), count=len(shown),
                      start=f"{start:%Y-%m-%d %H:%M}", end=f"{end:%H:%M}"))
    if not ctx.who.read_pii:
        st.caption(ctx.t("outages.notice.masked"))
    st.dataframe(shown, hide_index=True, width="stretch", height=300)
    audit_args = (ctx, target, detail)
    rows_window = (len(shown), (start.isoformat(), end.isoformat()))
    d1, d2, _ = st.columns([1, 1, 3])
    d1.download_button(ctx.t("outages.notice.csv"), partial(csv_bytes, shown),  # on the click
                       file_name=f"{stem}.csv", mime="text/csv", key="out_notice_csv",
                       on_click=_record, args=(*audit_args, "csv", *rows_window))
    d2.download_button(
        ctx.t("outages.notice.xlsx"), partial(xlsx_bytes, shown, "notice"),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="out_notice_xlsx", on_click=_record, args=(*audit_args, "xlsx", *rows_window))
    if err := st.session_state.pop("out_audit_error", None):
        st.error(ctx.t("outages.notice.audit_failed", error=err))
