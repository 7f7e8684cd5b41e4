"""Cube Explorer: measures x dimensions with filters, pivot, totals, time comparison,
drill-down/roll-up, chart, map and export. The whole view lives in the URL.

Every number comes from :mod:`gcrm.cube` through the cached wrappers in
:mod:`dashboards.components.data`; the view state (URL <-> widgets, drill path, CLI
equivalent, XLSX) is in :mod:`dashboards.explorer.state`.

For browser tests the page writes an invisible ``<div class="gcrm-result">`` holding the view
(``data-view``, JSON of the URL parameters) and the exported CSV (``data-csv``).
"""

from __future__ import annotations

import html
import json
import math
from functools import partial

import altair as alt
import pandas as pd
import streamlit as st

from dashboards.components import auth, data, maps, shell
from dashboards.components.kpi import kpi_tiles
from dashboards.explorer.state import (
    FILTER_PREFIX,
    KEYS,
    REGION_DIMS,
    View,
    cli_args,
    cli_command,
    excel_format,
    member_str,
    to_xlsx,
)
from gcrm.cube import DIMENSIONS, MEASURES, TOTAL, CubeError, pivot
from gcrm.i18n import format_quantity, t, unit_label


def render() -> None:
    """Draw the page (``dashboards/app.py`` calls it on every run)."""
    FILTER_DIMS = [d for d in DIMENSIONS if d != "month"]  # months: the range slider
    MAX_TILES = 6
    MAX_BARS = 30
    MAX_SERIES = 10
    HIDDEN_ROWS = 5000  # rows copied into the hidden test element

    lang = shell.current_lang()
    wh = shell.warehouse()
    db, version = wh.path, wh.version
    who = auth.principal()
    scope = who.scope  # region scope: members, totals, map and exports
    ss = st.session_state

    st.title(t("explorer.title", lang))
    st.caption(t("explorer.caption", lang))

    all_months = data.cube_months(db, version, scope=scope)
    if not all_months:
        st.info(t("app.no_data", lang))
        shell.page_done("explorer", lang)
        st.stop()
    names = data.region_names(db, version, scope=scope)
    FULL = (all_months[0], all_months[-1])


    # ---------------------------------------------------------------- labels
    def measure_label(m: str) -> str:
        unit = unit_label(MEASURES[m].unit, lang)
        return f"{MEASURES[m].label(lang)} ({unit})" if unit else MEASURES[m].label(lang)


    def dim_label(d: str) -> str:
        return DIMENSIONS[d].label(lang)


    def member_label(dim: str, value: object) -> str:
        """How a member reads: region ids with their Chinese name, '' as (unlocated)."""
        if isinstance(value, str) and value == TOTAL:
            return t("explorer.total", lang)
        v = member_str(value)
        if v == "":
            return t("home.unlocated", lang) if dim in REGION_DIMS else t("explorer.empty", lang)
        if dim in REGION_DIMS and v in names:
            return f"{v} {names[v]}"
        if DIMENSIONS[dim].type is bool:
            return t("explorer.yes", lang) if v.lower() in ("true", "1") else t("explorer.no", lang)
        return v


    def value_label(col: str, compare: str | None) -> str:
        kind = t(f"explorer.compare.{compare}", lang) if compare else ""
        if col.endswith("_growth") and col[:-7] in MEASURES:
            return t("explorer.growth_col", lang, measure=MEASURES[col[:-7]].label(lang), kind=kind)
        if col.endswith("_prev") and col[:-5] in MEASURES:
            return t("explorer.prev_col", lang, measure=measure_label(col[:-5]), kind=kind)
        return measure_label(col) if col in MEASURES else col


    def is_ratio(col: str) -> bool:
        return excel_format(col) == "0.0%"


    # ---------------------------------------------------------------- state: URL <-> widgets
    def url_params() -> dict[str, str]:
        return {k: st.query_params[k] for k in st.query_params
                if k in KEYS or k.startswith(FILTER_PREFIX)}


    def seed(view: View) -> None:
        """Put ``view`` into the widgets' session state (before they are drawn)."""
        ss["ex_measures"] = list(view.measures)
        ss["ex_rows"] = list(view.rows)
        ss["ex_col"] = view.column or ""
        where = view.where
        for d in FILTER_DIMS:
            ss[f"ex_f_{d}"] = list(where.get(d, []))
        ss["ex_months"] = tuple(view.months or FULL)  # the slider's start value, see months_key
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
        return f"ex_months_{ss.get('ex_seed', 0)}"


    def view_from_state() -> View:
        months = tuple(ss.get(months_key(), ss["ex_months"]))
        totals = bool(ss["ex_totals"])
        sort = ss["ex_sort"] or None
        if sort:
            sort = ("-" if ss["ex_desc"] else "") + sort
        filters = tuple(sorted((d, tuple(ss[f"ex_f_{d}"])) for d in FILTER_DIMS
                               if ss.get(f"ex_f_{d}")))
        return View(tuple(ss["ex_measures"]), tuple(ss["ex_rows"]), ss["ex_col"] or None, filters,
                    None if months == FULL else months,
                    None if totals else (int(ss["ex_top"]) or None),
                    None if totals else sort, totals, ss["ex_compare"] or None,
                    tuple(ss.get("ex_drill", ())))


    def apply(view: View) -> None:
        """Show ``view`` (from a callback): widgets, drill path, and a fresh table selection."""
        seed(view)
        ss["ex_table_n"] = ss.get("ex_table_n", 0) + 1


    def on_select(key: str) -> None:
        picked = ss[key].selection.rows if key in ss else []
        keys = ss.get("ex_row_keys", [])
        if not picked or picked[0] >= len(keys):
            return
        current = view_from_state()
        new = current.drill_into(keys[picked[0]])
        if new is None:
            last = current.rows[-1] if current.rows else ""
            ss["ex_message"] = t("explorer.no_lower", lang, dim=dim_label(last) if last else "")
            ss["ex_table_n"] = ss.get("ex_table_n", 0) + 1
            return
        apply(new)


    def audit_export(what: str, rows: int, detail: dict) -> None:
        """Download button callback: every export goes to the audit log (with its row count)."""
        try:
            auth.record_export(what, rows, **detail)
        except Exception as exc:  # the file was downloaded: say that it was not recorded
            ss["ex_message"] = t("auth.audit_failed", lang, error=exc)


    def roll_up(depth: int) -> None:
        apply(view_from_state().roll_up_to(depth))


    url_view = View.from_params(url_params(), all_months)
    if ss.get("ex_synced") != url_view.to_params() or "ex_measures" not in ss:
        seed(url_view)  # first visit, a shared URL, or back/forward in the browser
        ss["ex_synced"] = url_view.to_params()  # (callbacks seed too, but leave this alone)

    # ---------------------------------------------------------------- controls
    ctl, out = st.columns([1.15, 3], gap="medium")
    with ctl:
        st.multiselect(t("explorer.measures", lang), list(MEASURES), format_func=measure_label,
                       key="ex_measures")
        st.multiselect(t("explorer.rows", lang), list(DIMENSIONS), format_func=dim_label,
                       key="ex_rows", help=t("explorer.rows_help", lang))
        col_options = ["", *(d for d in DIMENSIONS if d not in ss["ex_rows"])]
        if ss["ex_col"] not in col_options:
            ss["ex_col"] = ""
        st.selectbox(t("explorer.column", lang), col_options, key="ex_col",
                     format_func=lambda d: dim_label(d) if d else t("explorer.none", lang))
        st.select_slider(t("explorer.months", lang), options=all_months, value=ss["ex_months"],
                         key=months_key())

        n_filters = sum(1 for d in FILTER_DIMS if ss.get(f"ex_f_{d}"))
        ignored: list[str] = []
        with st.expander(t("explorer.filters", lang, n=n_filters), expanded=n_filters > 0):
            for d in FILTER_DIMS:
                options = [member_str(m) for m in data.cube_members(db, version, d, scope=scope)]
                chosen = ss.get(f"ex_f_{d}", [])
                if any(v not in options for v in chosen):
                    ignored += [f"{d}={v}" for v in chosen if v not in options]
                    ss[f"ex_f_{d}"] = [v for v in chosen if v in options]
                st.multiselect(dim_label(d), options, key=f"ex_f_{d}",
                               format_func=partial(member_label, d),
                               placeholder=t("explorer.all", lang))

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
                     format_func=lambda c: value_label(c, ss["ex_compare"] or None) if c
                     else t("explorer.sort.none", lang))
        c1, c2 = st.columns(2)
        c1.toggle(t("explorer.descending", lang), key="ex_desc", disabled=no_rank)
        c2.number_input(t("explorer.top", lang), min_value=0, step=1, key="ex_top",
                        disabled=no_rank)
        if no_rank:
            st.caption(t("explorer.sort_disabled", lang))

    view = view_from_state()
    params = view.to_params()
    for k in [k for k in st.query_params if (k in KEYS or k.startswith(FILTER_PREFIX))
              and k not in params]:
        del st.query_params[k]
    for k, v in params.items():
        if st.query_params.get(k) != v:
            st.query_params[k] = v
    ss["ex_synced"] = params


    def done(result_csv: str = "", n_rows: int = 0) -> None:
        st.markdown(
            f'<div class="gcrm-result" style="display:none" data-rows="{n_rows}" '
            f'data-view="{html.escape(json.dumps(params, ensure_ascii=False))}" '
            f'data-csv="{html.escape(result_csv)}"></div>', unsafe_allow_html=True)
        shell.page_done("explorer", lang)


    if ignored:
        out.warning(t("explorer.bad_filter", lang, values=", ".join(ignored)))
    if msg := ss.pop("ex_message", None):
        out.info(msg)
    if not view.measures:
        out.info(t("explorer.pick_measure", lang))
        done()
        st.stop()


    # ---------------------------------------------------------------- query
    def pandas_rank(df: pd.DataFrame, sort: str | None, top: int | None) -> pd.DataFrame:
        """Order and cut rows of a cube result (a comparison has no ORDER BY/LIMIT of its own)."""
        if sort:
            df = df.sort_values(sort.lstrip("-"), ascending=not sort.startswith("-"),
                                na_position="last", kind="stable")
        return df.head(top) if top else df


    months = view.months
    if view.compare and months is None:
        months = data.month_range(db, version, 1 if view.compare == "mom" else 12,
                                  scope=scope)
    ranked = bool(view.sort or view.top)
    in_cube = not (view.compare or (view.column and view.rows))  # cube orders and limits
    try:
        result = data.cube_explore(db, version, view.measures, view.by, view.filters, months,
                                   order_by=view.sort if in_cube else None,
                                   limit=view.top if in_cube else None, totals=view.totals,
                                   compare=view.compare, scope=scope)
        if ranked and not in_cube:
            if view.column and view.rows:  # rank the pivot's rows, then keep those rows
                ranking = data.cube_explore(db, version, view.measures, view.rows, view.filters,
                                            months, compare=view.compare,
                                            order_by=None if view.compare else view.sort,
                                            limit=None if view.compare else view.top,
                                            scope=scope)
                if view.compare:
                    ranking = pandas_rank(ranking, view.sort, view.top)
                result = ranking[list(view.rows)].merge(result, on=list(view.rows), how="inner")
            else:
                result = pandas_rank(result, view.sort, view.top).reset_index(drop=True)
        slice_totals = data.cube_explore(db, version, view.measures, (), view.filters, months,
                                         scope=scope)
    except CubeError as exc:
        out.error(str(exc))
        done()
        st.stop()

    result = result.reset_index(drop=True)
    csv_text = result.to_csv(index=False)
    shown_months = months or FULL

    # ---------------------------------------------------------------- results
    with out:
        st.subheader(t("explorer.slice", lang, start=shown_months[0], end=shown_months[1]))
        if view.compare:
            from gcrm.cube.operations import COMPARE, shift_month

            k = COMPARE[view.compare]
            st.caption(t("explorer.compare_period", lang, start=shift_month(shown_months[0], -k),
                         end=shift_month(shown_months[1], -k)))
        tiles = list(view.measures)[:MAX_TILES]
        row0 = slice_totals.iloc[0] if len(slice_totals) else None
        kpi_tiles({m: float(row0[m]) if row0 is not None and not pd.isna(row0[m]) else 0.0
                   for m in tiles}, {m: MEASURES[m].label(lang) for m in tiles}, lang)

        # drill path (breadcrumb)
        if view.drill:
            with st.container(horizontal=True, vertical_alignment="center"):
                st.markdown(f"**{t('explorer.path', lang)}**")
                st.button(t("explorer.path_root", lang), key="ex_crumb_0", on_click=roll_up,
                          args=(0,), icon=":material/home:")
                for i, step in enumerate(view.drill, start=1):
                    text = " / ".join(member_label(d, v) for d, v in step.at)
                    st.button(f"› {text}", key=f"ex_crumb_{i}", on_click=roll_up, args=(i,),
                              disabled=i == len(view.drill), type="tertiary" if i < len(view.drill)
                              else "secondary")

        # table: long, or pivoted by the column dimension
        values = [c for c in result.columns if c not in view.by and c != "level"]
        rows = list(view.rows)
        if view.column and rows and len(result):
            order = result[rows].fillna("").drop_duplicates()
            index = (pd.MultiIndex.from_frame(order) if len(rows) > 1
                     else pd.Index(order[rows[0]], name=rows[0]))
            parts = {}
            for v in values:
                p = pivot(result, rows, view.column, v).reindex(index)
                for member in sorted(p.columns, key=lambda x: (x == TOTAL, str(x))):
                    parts[(v, member)] = p[member].to_numpy(dtype=float, copy=True)
            keys_frame = order.reset_index(drop=True)
            grand = [i for i, r in enumerate(keys_frame.to_dict("records"))
                     if all(x == TOTAL for x in r.values())]
            if view.totals and not view.compare and grand:  # column totals in the total row
                col_totals = data.cube_explore(db, version, view.measures, (view.column,),
                                               view.filters, months, scope=scope,
                                               ).fillna({view.column: ""})
                for (v, member), arr in parts.items():
                    hit = col_totals.loc[col_totals[view.column] == member, v]
                    if len(hit):
                        arr[grand[0]] = hit.iloc[0]
            table = pd.DataFrame({dim_label(d): [member_label(d, x) for x in keys_frame[d]]
                                  for d in rows})
            config = {}
            for (v, member), arr in parts.items():
                name = f"{value_label(v, view.compare)} · {member_label(view.column, member)}"
                table[name] = arr
                config[name] = st.column_config.NumberColumn(
                    format="percent" if is_ratio(v) else "localized")
            row_keys = keys_frame.to_dict("records")
        else:
            table = pd.DataFrame({dim_label(d): [member_label(d, x) for x in result[d]]
                                  for d in view.by})
            config = {}
            for v in values:
                name = value_label(v, view.compare)
                table[name] = result[v].to_numpy()
                config[name] = st.column_config.NumberColumn(
                    format="percent" if is_ratio(v) else "localized")
            row_keys = result[rows].to_dict("records") if rows else []
        ss["ex_row_keys"] = row_keys

        st.markdown(f"**{t('explorer.result', lang, n=len(table))}** · "
                    f"{t('explorer.drill_hint', lang) if rows else ''}")
        table_key = f"ex_table_{ss.get('ex_table_n', 0)}"
        st.dataframe(table, hide_index=True, width="stretch", column_config=config,
                     key=table_key, on_select=partial(on_select, table_key),
                     selection_mode="single-row", height=min(38 + 35 * max(len(table), 1), 460))

        # export and the command-line equivalent
        args = cli_args(view, months)
        downloads = st.container(horizontal=True)
        can_export = who.can("export")
        export_detail = {"measures": list(view.measures), "by": list(view.by),
                         "where": {d: list(v) for d, v in view.filters},
                         "months": list(shown_months), "compare": view.compare}
        if can_export:
            downloads.download_button(t("explorer.download_csv", lang), csv_text.encode("utf-8"),
                               file_name="gcrm_cube.csv", mime="text/csv",
                               on_click=partial(audit_export, "explorer.csv", len(result),
                                                export_detail),
                               icon=":material/download:", key="ex_csv")
        else:
            downloads.caption(t("explorer.export_denied", lang))
        about = [("measures", ", ".join(view.measures)), ("by", ", ".join(view.by)),
                 ("where", "; ".join(f"{d}={','.join(v)}" for d, v in view.filters)),
                 ("months", f"{shown_months[0]} – {shown_months[1]}"),
                 ("compare", view.compare or ""), ("totals", str(view.totals)),
                 ("sort", view.sort or ""), ("top", str(view.top or "")),
                 ("warehouse", db), ("data_version", version),
                 ("command", cli_command(args, db) if args else "")]
        if can_export:
            downloads.download_button(t("explorer.download_xlsx", lang),
                           to_xlsx(result, names, about), file_name="gcrm_cube.xlsx",
                           on_click=partial(audit_export, "explorer.xlsx", len(result),
                                            export_detail),
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           icon=":material/table:", key="ex_xlsx")
        with st.expander(t("explorer.cli", lang)):
            if args:
                st.code(cli_command(args, db), language="bash")
            else:
                st.caption(t("explorer.cli_none", lang))

        # chart and map of the first measure
        first = view.measures[0]
        chart_col, map_col = st.columns(2, gap="medium")
        with chart_col:
            st.markdown(f"**{t('explorer.chart', lang, measure=measure_label(first))}**")
            detail = result if "level" not in result else result[result["level"] == len(view.by)]
            dims = list(view.by)
            if not dims or not len(detail):
                st.caption(t("explorer.no_chart", lang))
            else:
                cd = pd.DataFrame({"value": detail[first].to_numpy()})
                if "month" in dims:
                    others = [d for d in dims if d != "month"]
                    cd["month"] = detail["month"].to_numpy()
                    cd["series"] = ([" / ".join(member_label(d, r[d]) for d in others)
                                     for r in detail[others].to_dict("records")]
                                    if others else measure_label(first))
                    sums = cd.groupby("series")["value"].sum().sort_values(ascending=False)
                    if len(sums) > MAX_SERIES:
                        st.caption(t("explorer.chart_top", lang, n=MAX_SERIES, total=len(sums)))
                        cd = cd[cd["series"].isin(sums.index[:MAX_SERIES])]
                    chart = alt.Chart(cd).mark_line(point=True).encode(
                        x=alt.X("month:O", title=dim_label("month")),
                        y=alt.Y("value:Q", title=measure_label(first)),
                        color=alt.Color("series:N", title=" / ".join(dim_label(d) for d in others)
                                        or None, legend=alt.Legend(orient="bottom", columns=2)),
                        tooltip=["series:N", "month:O", alt.Tooltip("value:Q", format=",.2f")])
                else:
                    keys = [d for d in dims if d != view.column]
                    cd["key"] = [" / ".join(member_label(d, r[d]) for d in keys)
                                 for r in detail[keys].to_dict("records")] if keys else ""
                    cd["group"] = ([member_label(view.column, x) for x in detail[view.column]]
                                   if view.column else "")
                    sums = cd.groupby("key")["value"].sum().sort_values(ascending=False)
                    if len(sums) > MAX_BARS:
                        st.caption(t("explorer.chart_top", lang, n=MAX_BARS, total=len(sums)))
                        cd = cd[cd["key"].isin(sums.index[:MAX_BARS])]
                    enc = {"y": alt.Y("key:N", sort=list(sums.index[:MAX_BARS]),
                                      title=" / ".join(dim_label(d) for d in keys) or None),
                           "x": alt.X("value:Q", title=measure_label(first)),
                           "tooltip": ["key:N", alt.Tooltip("value:Q", format=",.2f")]}
                    if view.column:
                        enc["color"] = alt.Color("group:N", title=dim_label(view.column),
                                                 legend=alt.Legend(orient="bottom", columns=3))
                        enc["yOffset"] = "group:N"
                    chart = alt.Chart(cd).mark_bar().encode(**enc)
                n_keys = cd["series" if "month" in dims else "key"].nunique()
                height = 320 if "month" in dims else min(max(26 * n_keys * (
                    1 if not view.column else 2), 200), 800)
                st.altair_chart(chart.properties(height=height), width="stretch")

        with map_col:
            st.markdown(f"**{t('explorer.map', lang, measure=measure_label(first))}**")
            geo = data.regions_geojson(db, version, "district", scope=scope)
            try:
                by_d = data.cube_explore(db, version, (first,), ("district",), view.filters, months,
                                          scope=scope)
            except CubeError as exc:
                st.caption(str(exc))
                by_d = None
            if not geo["features"]:
                st.caption(t("home.map.no_regions", lang))
            elif by_d is not None:
                unit = MEASURES[first].unit
                vals = {d: float(v) for d, v in zip(by_d["district"], by_d[first], strict=True)
                        if isinstance(d, str) and not pd.isna(v)}
                fc, classes = maps.fill_regions(geo, vals, lambda x: format_quantity(x, unit, lang),
                                                t("home.map.no_data", lang))
                tooltip = f"<b>{{name}}</b><br/>{MEASURES[first].label(lang)}: {{value_text}}"
                st.pydeck_chart(maps.choropleth(fc, tooltip, height=420), height=420,
                                key="ex_map")
                legend_fmt = ".1%" if is_ratio(first) else MEASURES[first].fmt
                st.markdown(maps.legend_html(classes, measure_label(first), fmt=legend_fmt,
                                             no_data=t("home.map.no_data", lang)
                                             if len(vals) < len(fc["features"]) else None),
                            unsafe_allow_html=True)
                unlocated = by_d[by_d["district"].isna()]
                if len(unlocated) and not math.isnan(float(unlocated[first].iloc[0])):
                    st.caption(t("explorer.map_unlocated", lang, value=format_quantity(
                        float(unlocated[first].iloc[0]), unit, lang)))

    done(result.head(HIDDEN_ROWS).to_csv(index=False), len(result))
