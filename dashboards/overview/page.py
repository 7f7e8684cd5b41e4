"""Regional overview: a choropleth of any measure, drill city -> district -> H3 cell ->
customers, a month-by-month animation, KPI tiles against the previous period and last year,
a trend, a ranked table with sparklines and optional layers. The view lives in the URL.

Numbers come from :mod:`gcrm.overview.queries` (the cube, reliability and service records) through
the cached wrappers of :mod:`dashboards.overview.data`.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from dashboards.components import auth, data, maps, shell, svgmap
from dashboards.components.kpi import Change, kpi_tiles
from dashboards.overview import data as od
from dashboards.overview.state import (
    FILTER_PREFIX,
    K_RANGE,
    KEYS,
    LAYERS,
    View,
)
from dashboards.overview.trend import trend_data, trend_spec
from gcrm import config
from gcrm.cube import CubeError
from gcrm.i18n import format_quantity, t
from gcrm.overview.queries import BIN_ABOVE, FILTER_DIMS, MAP_MEASURES, Place
from gcrm.placenames import label as place_label
from gcrm.spatial.classify import METHODS


def render() -> None:
    """Draw the page (``dashboards/app.py`` calls it on every run)."""
    KPIS = ("customers", "kwh", "amount", "arrears", "online_share")
    MAP_WIDTH, MAP_HEIGHT = 800, 640  # the scene in px; the SVG scales to its column's width
    CLASS_COLORS = {  # customer points by class (Tableau 10, colour-blind safe enough)
        "residential": (78, 121, 167),
        "commercial": (242, 142, 43),
        "industrial": (225, 87, 89),
        "agricultural": (89, 161, 79),
        "public": (176, 122, 161),
    }
    ss = st.session_state

    lang = shell.current_lang()
    wh = shell.warehouse()
    db, version = wh.path, wh.version
    scope = auth.principal().scope  # region scope: totals are the scope's totals

    st.title(t("home.title", lang))
    try:
        default_months = data.month_range(db, version, 12, scope=scope)
        all_months = data.cube_months(db, version, scope=scope)
    except CubeError:
        st.info(t("app.no_data", lang))
        st.stop()
    if not all_months:
        st.info(t("app.no_data", lang))
        st.stop()
    names = data.region_names(db, version, scope=scope)


    def mlabel(name: str) -> str:
        return MAP_MEASURES[name].label(lang)


    def fmt_value(name: str, value: float | None) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return t("home.map.no_data", lang)
        mm = MAP_MEASURES[name]
        if mm.unit == "%":
            return f"{value:.1%}"
        if mm.source != "cube":
            return f"{value:{mm.fmt}}"
        return format_quantity(value, mm.unit, lang)


    def member_label(dim: str, value: str) -> str:
        key = f"ov.member.{dim}.{value}"
        try:
            return t(key, lang)
        except KeyError:
            return value


    # ---------------------------------------------------------------- state: URL <-> widgets
    def seed(view: View) -> None:
        ss["ov_measure"], ss["ov_method"], ss["ov_k"] = view.measure, view.method, view.k
        ss["ov_months"] = view.months or default_months
        ss["ov_seed"] = ss.get("ov_seed", 0) + 1
        where = view.where
        for d in FILTER_DIMS:
            ss[f"ov_f_{d}"] = list(where.get(d, []))
        ss["ov_layers"] = list(view.layers)
        ss["ov_district"], ss["ov_grid"] = view.district, view.grid


    def months_key() -> str:
        return f"ov_months_{ss.get('ov_seed', 0)}"


    def view_from_state() -> View:
        months = tuple(ss.get(months_key(), ss["ov_months"]))
        filters = tuple((d, tuple(ss[f"ov_f_{d}"])) for d in FILTER_DIMS if ss.get(f"ov_f_{d}"))
        return View(
            ss["ov_measure"],
            ss["ov_method"],
            int(ss["ov_k"]),
            None if months == tuple(default_months) else months,
            ss.get("ov_district"),
            ss.get("ov_grid") if ss.get("ov_district") else None,
            filters,
            tuple(x for x in LAYERS if x in ss.get("ov_layers", [])),
        )


    def go(place: Place) -> None:
        """Drill down to / roll up to ``place``."""
        ss["ov_district"], ss["ov_grid"] = place.district, place.grid


    def drill_from_list(key: str, at: Place) -> None:
        if ss.get(key):
            go(at.down(ss[key]))


    params = {
        k: st.query_params[k] for k in st.query_params if k in KEYS or k.startswith(FILTER_PREFIX)
    }
    url_view = View.from_params(params, all_months)
    if ss.get("ov_synced") != url_view.to_params() or "ov_measure" not in ss:
        seed(url_view)  # first visit, a shared URL, or back/forward in the browser
        ss["ov_synced"] = url_view.to_params()

    # ---------------------------------------------------------------- controls
    def choose(widget, canon: str, label: str, options: list, fmt, multi: bool = False,
               **kwargs) -> None:
        """A selectbox/multiselect bound to the canonical state ``ss[canon]``.

        The widget's own key carries the language and the seed: Streamlit keeps a selectbox's
        shown label across runs, so after a language switch the old label would stay on screen;
        a new key per language draws it afresh from ``ss[canon]``."""
        key = f"{canon}__w_{lang}_{ss.get('ov_seed', 0)}"
        if multi:
            value = widget(label, options, default=[v for v in ss[canon] if v in options],
                           key=key, format_func=fmt, **kwargs)
        else:
            index = options.index(ss[canon]) if ss[canon] in options else 0
            value = widget(label, options, index=index, key=key, format_func=fmt, **kwargs)
        ss[canon] = value


    c1, c2, c3, c4 = st.columns([1.6, 1.1, 0.9, 2.4])
    choose(c1.selectbox, "ov_measure", t("ov.measure", lang), list(MAP_MEASURES), mlabel)
    choose(c2.selectbox, "ov_method", t("ov.method", lang), list(METHODS),
           lambda m: t(f"ov.method.{m}", lang), help=t("ov.method_help", lang))
    c3.number_input(
        t("ov.classes", lang), min_value=K_RANGE[0], max_value=K_RANGE[1], step=1, key="ov_k"
    )
    c4.select_slider(
        t("ov.months", lang), options=all_months, value=tuple(ss["ov_months"]), key=months_key()
    )
    n_filters = sum(1 for d in FILTER_DIMS if ss.get(f"ov_f_{d}"))
    f_col, l_col = st.columns([3, 2])
    with f_col.expander(t("ov.filters", lang, n=n_filters), expanded=n_filters > 0):
        fc = st.columns(len(FILTER_DIMS))
        for col, d in zip(fc, FILTER_DIMS, strict=True):
            options = [
                str(m).lower() if isinstance(m, bool) else str(m)
                for m in data.cube_members(db, version, d, scope=scope)
                if m is not None
            ]
            ss[f"ov_f_{d}"] = [v for v in ss.get(f"ov_f_{d}", []) if v in options]
            choose(col.multiselect, f"ov_f_{d}", t(f"ov.filter.{d}", lang), options,
                   lambda v, d=d: member_label(d, v), multi=True, placeholder=t("ov.all", lang))
    choose(l_col.multiselect, "ov_layers", t("ov.layers", lang), list(LAYERS),
           lambda x: t(f"ov.layer.{x}", lang), multi=True, placeholder=t("ov.layers_none", lang))

    view = view_from_state()
    url = view.to_params()
    for k in [
        k for k in st.query_params if (k in KEYS or k.startswith(FILTER_PREFIX)) and k not in url
    ]:
        del st.query_params[k]
    for k, v in url.items():
        if st.query_params.get(k) != v:
            st.query_params[k] = v
    ss["ov_synced"] = url

    place = view.place
    months = view.months or default_months
    where = tuple((d, tuple(v)) for d, v in view.filters)
    pkey = (place.district, place.grid)
    mm = MAP_MEASURES[view.measure]

    # ---------------------------------------------------------------- breadcrumb
    cities = [name for _, name, lvl in od.region_list(db, version, scope) if lvl == "city"]
    top_name = cities[0] if len(cities) == 1 else t("ov.all_regions", lang)
    crumbs = [(top_name, Place())]
    if place.district:
        crumbs.append((names.get(place.district, place.district), Place(place.district)))
    if place.grid:
        crumbs.append((t("ov.cell", lang, cell=place.grid), place))
    bc = st.columns([1] * len(crumbs) + [max(1, 8 - len(crumbs))])
    for i, (label, target) in enumerate(crumbs):
        last = i == len(crumbs) - 1
        bc[i].button(
            ("› " if i else "") + label,
            key=f"ov_crumb_{i}",
            disabled=last,
            on_click=go,
            args=(target,),
            type="tertiary",
        )
    st.caption(
        t("ov.period", lang, start=months[0], end=months[1])
        + (" · " + t("ov.filtered", lang) if view.filters else "")
    )

    # ---------------------------------------------------------------- KPI tiles
    with st.spinner(t("ov.working", lang)):
        k = od.kpis(db, version, KPIS, pkey, months, where, scope)
    values = {r.measure: r.value for r in k.itertuples()}
    changes = {
        r.measure: Change(
            r.prev_change, r.yoy_change, worse_when_up=not MAP_MEASURES[r.measure].higher_is_better
        )
        for r in k.itertuples()
    }
    labels = {m: t(f"kpi.{m}", lang) for m in KPIS}
    kpi_tiles(values, labels, lang, changes)
    st.caption(
        t(
            "ov.kpi_note",
            lang,
            prev=f"{k.attrs['previous'][0]}..{k.attrs['previous'][1]}",
            ly=f"{k.attrs['last_year'][0]}..{k.attrs['last_year'][1]}",
        )
    )


    # ---------------------------------------------------------------- map
    def tip(title: str, line1: str = "", line2: str = "") -> dict[str, str]:
        """Tooltip fields of a map object: three lines of plain text."""
        return {"title": title, "line1": line1, "line2": line2}


    def districts() -> dict:
        """The districts' boundaries in scope (one cached call: the city map and the outline around
        a district's cells share it, so a drill asks the warehouse for no geometry)."""
        return data.regions_geojson(db, version, "district", scope=scope,
                                    simplified=config.get("map_geometry") != "full")


    def region_features(level: str, keys: list[str]) -> dict:
        return districts() if level == "district" else od.cells_geojson(tuple(keys))


    def colour(geo: dict, vals: dict, classes: maps.Classes, ranks: dict, total: int) -> dict:
        feats = []
        for f in geo["features"]:
            props = dict(f["properties"])
            rid = props["region_id"]
            v = vals.get(rid)
            props["fill"] = list(classes.color(v))
            name = place_label(names.get(rid, rid), lang) if level == "district" else rid
            rank = t("home.map.rank", lang, rank=ranks[rid], total=total) if rid in ranks else ""
            props.update(
                tip(str(name), f"{(mlabel(view.measure))}: {(fmt_value(view.measure, v))}", rank)
            )
            feats.append({**f, "properties": props})
        return {"type": "FeatureCollection", "features": feats}


    def extra_layers(frame: svgmap.Frame) -> list:
        out = []
        if "population" in view.layers:
            pop = od.population(db, version, scope=scope)
            if len(pop):
                pc = maps.classify(pop["resident"].tolist(), 5, "quantile", ramp="YlOrRd")
                recs = [
                    {
                        "lon": r.lon,
                        "lat": r.lat,
                        "fill": [*pc.color(float(r.resident)), 150],
                        **tip(
                            t("ov.layer.population", lang),
                            t("ov.pop_tip", lang, resident=int(r.resident), floating=int(r.floating)),
                        ),
                    }
                    for r in pop.itertuples()
                ]
                out.append(
                    svgmap.points(recs, frame, "population", "fill", radius_m=700, min_px=1,
                                  stroke=False)
                )
        if "feeders" in view.layers:
            fl = od.feeder_lines(db, version, scope=scope)
            fl = fl[fl["sub_lon"].notna()]
            recs = [
                {
                    "from_lon": r.sub_lon,
                    "from_lat": r.sub_lat,
                    "lon": r.lon,
                    "lat": r.lat,
                    **tip(
                        str(r.name or r.feeder_id),
                        (str(r.substation_name or r.substation_id or "")),
                        t("ov.feeder_tip", lang, n=int(r.customers)),
                    ),
                }
                for r in fl.itertuples()
            ]
            subs = fl.drop_duplicates("substation_id")
            srecs = [
                {
                    "lon": r.sub_lon,
                    "lat": r.sub_lat,
                    **tip(str(r.substation_name or r.substation_id), t("ov.substation", lang)),
                }
                for r in subs.itertuples()
            ]
            out += [
                svgmap.lines(recs, frame, "feeders", (90, 90, 90, 140), 1.2),
                svgmap.points(srecs, frame, "substations", (60, 60, 60, 230), radius_m=250,
                              min_px=3, max_px=8),
            ]
        if "service_points" in view.layers:
            sp = od.service_points(db, version, scope=scope)
            kind_colors = {
                "business_hall": (214, 39, 40, 240),
                "bank_agent": (148, 103, 189, 240),
                "self_service": (23, 190, 207, 240),
            }
            recs = [
                {
                    "lon": r.lon,
                    "lat": r.lat,
                    "fill": list(kind_colors.get(r.kind, (0, 0, 0, 240))),
                    **tip(str(r.name), (t(f"ov.kind.{r.kind}", lang))),
                }
                for r in sp.itertuples()
            ]
            out.append(svgmap.points(recs, frame, "service_points", "fill", radius_m=300,
                                     min_px=4, max_px=9))
        if "outages" in view.layers:
            ev = od.recent_outages(db, version, months, scope=scope)
            recs = [
                {
                    "lon": r.lon,
                    "lat": r.lat,
                    "fill": [120, 120, 120, 200] if r.planned else [220, 20, 60, 200],
                    "r": 150 + 40 * math.sqrt(max(r.duration_min, 0)),
                    **tip(
                        f"{r.outage_id} {pd.Timestamp(r.start_at):%Y-%m-%d %H:%M}",
                        t(
                            "ov.outage_tip",
                            lang,
                            minutes=f"{r.duration_min:,.0f}",
                            cause=(str(r.cause or "–")),
                            n=int(r.customers),
                        ),
                    ),
                }
                for r in ev.itertuples()
            ]
            out.append(svgmap.points(recs, frame, "outages", "fill", radius_m="r", min_px=2,
                                     max_px=16))
        return out


    def layer_legend() -> str:
        rows = []
        if "service_points" in view.layers:
            rows += [
                (c, t(f"ov.kind.{kd}", lang))
                for kd, c in (
                    ("business_hall", (214, 39, 40)),
                    ("bank_agent", (148, 103, 189)),
                    ("self_service", (23, 190, 207)),
                )
            ]
        if "outages" in view.layers:
            rows += [
                ((220, 20, 60), t("ov.outage_unplanned", lang)),
                ((120, 120, 120), t("ov.outage_planned", lang)),
            ]
        if "feeders" in view.layers:
            rows.append(((60, 60, 60), t("ov.substation", lang)))
        if not rows:
            return ""
        return "".join(maps.swatch(c, label) for c, label in rows)


    UI = {z: t(f"ov.map.{z}", lang) for z in ("in", "out", "reset")}


    def frame_of(geo: dict) -> svgmap.Frame:
        b = maps.bounds_of(geo) or (125.0, 41.0, 127.0, 43.0)  # Tonghua when nothing is located
        return svgmap.Frame.fit(b, MAP_WIDTH, MAP_HEIGHT)


    def show_map(layers: list, frame: svgmap.Frame, frames: list | None = None) -> None:
        """The one map of the page (one key, so zoom and pan survive reruns at the same place);
        a click on a region drills into it before the next run."""
        svgmap.show(
            svgmap.scene(frame, layers, view_id=f"{place.district}/{place.grid}", ui=UI,
                         basemap=config.get("basemap_url"), frames=frames),
            key="ov_map",
            on_click=lambda rid, at=place: go(at.down(rid)),
        )


    level = place.child_level
    map_col, side_col = st.columns([5, 1.3])
    frame_month = None
    if level == "customer":
        # ------------------------------------------------------------ customers of one cell
        pts, total_pts = od.customer_points(db, version, pkey, where, scope)
        cell = od.cells_geojson((place.grid,))
        frame = frame_of(cell)
        binned = total_pts > BIN_ABOVE
        if binned:  # many customers: hexagon bins (counts), not thousands of points
            bins = od.bin_points(pts)
            bclasses = maps.classify(bins["customers"].tolist(), 5, "natural")
            bgeo = od.cells_geojson(tuple(bins["cell"]))
            by_cell = bins.set_index("cell")
            feats = []
            for f in bgeo["features"]:
                r = by_cell.loc[f["properties"]["region_id"]]
                props = {**f["properties"], "fill": list(bclasses.color(float(r["customers"]))),
                         **tip(t("ov.bin_tip", lang, n=int(r["customers"])),
                               member_label("customer_class", r["top_class"]),
                               t("ov.bin_big", lang, n=int(r["big_customers"]))
                               if r["big_customers"] else "")}
                feats.append({**f, "properties": props})
            dots = svgmap.areas({"type": "FeatureCollection", "features": feats}, frame, "bins",
                                pickable=False, opacity=0.9)
        else:
            recs = [
                {
                    "lon": r.lon,
                    "lat": r.lat,
                    "fill": [*CLASS_COLORS.get(r.customer_class, (100, 100, 100)), 220],
                    **tip(
                        member_label("customer_class", r.customer_class),
                        str(r.tariff),
                        t("ov.big_customer", lang) if r.big_customer else "",
                    ),
                }
                for r in pts.itertuples()
            ]
            dots = svgmap.points(recs, frame, "customers", "fill", radius_m=15, min_px=2,
                                 max_px=8)
        # hexagon bins under the other layers (they cover the cell); points above them
        below, above = ([dots], []) if binned else ([], [dots])
        with map_col:
            show_map([svgmap.outline(cell, frame, "cell"), *below, *extra_layers(frame), *above],
                     frame)
            if total_pts > len(pts):
                st.caption(t("ov.points_capped", lang, shown=len(pts), total=total_pts))
        with side_col:
            if binned:
                st.markdown(maps.legend_html(bclasses, t("ov.bin_legend", lang)) + layer_legend(),
                            unsafe_allow_html=True)
                st.caption(t("ov.bin_note", lang, n=total_pts, bins=len(bins)))
            else:
                st.markdown(
                    "".join(maps.swatch(c, member_label("customer_class", cl))
                            for cl, c in CLASS_COLORS.items())
                    + layer_legend(),
                    unsafe_allow_html=True,
                )
                st.caption(t("ov.points_note", lang, n=total_pts))
    else:
        # ------------------------------------------------------------ choropleth of regions
        try:
            with st.spinner(t("ov.working", lang)):
                vals_df = od.child_values(db, version, view.measure, pkey, months, where, scope)
        except Exception as exc:  # e.g. reliability without outage data
            st.error(t("ov.error", lang, error=exc))
            st.stop()
        located = vals_df[vals_df["key"].notna()]
        vals = dict(zip(located["key"], located["value"], strict=True))
        keys_for_geo = [str(x) for x in located["key"]]
        geo = region_features(level, keys_for_geo)
        feature_keys = [f["properties"]["region_id"] for f in geo["features"]]
        frames = None
        with side_col:
            animate = st.toggle(
                t("ov.animate", lang), key="ov_animate", help=t("ov.animate_help", lang)
            )
        if animate:
            with st.spinner(t("ov.working", lang)):
                frames = od.monthly_child_values(db, version, view.measure, pkey, months, where, scope)
            frames = frames[frames["key"].notna()]
            frame_months = sorted(frames["month"].unique().tolist())
            classes = maps.classify(
                frames["value"].tolist(),
                view.k,
                view.method,
                ramp=None if mm.higher_is_better else "YlOrRd",
            )
            with side_col:
                frame_month = st.select_slider(
                    t("ov.frame", lang), frame_months, value=frame_months[-1], key="ov_frame"
                )
                play = st.button(t("ov.play", lang), icon=":material/play_arrow:", key="ov_play")
        else:
            classes = maps.classify(
                vals.values(), view.k, view.method, ramp=None if mm.higher_is_better else "YlOrRd"
            )
            play = False

        def frame_values(month: str | None) -> dict:
            if month is None:
                return vals
            f = frames[frames["month"] == month]
            return dict(zip(f["key"], f["value"], strict=True))

        def region_layers(frame: svgmap.Frame) -> list:
            v = frame_values(frame_month)
            ordered = sorted(v, key=lambda x: -v[x] if not math.isnan(v[x]) else math.inf)
            ranks = {rid: i + 1 for i, rid in enumerate(ordered)}
            fc = colour(geo, v, classes, ranks, len(v))
            layers = [svgmap.areas(fc, frame)]
            if level == "district":
                layers.append(svgmap.labels(fc, frame))
            else:  # the district around its cells
                around = [f for f in districts()["features"]
                          if f["properties"]["region_id"] == place.district]
                layers.append(svgmap.outline({"features": around}, frame, "district"))
            return layers + extra_layers(frame)

        def month_frames() -> list[dict]:
            """Every month's fills, for the animation played in the browser."""
            return [{"label": m, "fills": {rid: svgmap.hex_color(classes.color(val))
                                           for rid, val in frame_values(m).items()}}
                    for m in frame_months]

        with map_col:
            if not geo["features"]:
                st.info(t("home.map.no_regions", lang))
            else:
                frame = frame_of(geo)
                show_map(region_layers(frame), frame, month_frames() if play else None)
                st.caption(
                    t("ov.click_hint", lang) if level == "district" else t("ov.click_hint_cell", lang)
                )
        with side_col:
            unit = mm.unit
            title = mlabel(view.measure) + (f" · {frame_month}" if frame_month else "")
            legend_fmt = ".1%" if unit == "%" else mm.fmt
            no_data = t("home.map.no_data", lang) if len(vals) < len(feature_keys) else None
            st.markdown(
                maps.legend_html(classes, title, fmt=legend_fmt, no_data=no_data),
                unsafe_allow_html=True,
            )
            st.caption(t(f"ov.method.{view.method}", lang))
            if layer_legend():
                st.markdown(layer_legend(), unsafe_allow_html=True)
            if mm.source == "reliability":
                st.caption(t("ov.reliability_basis", lang, period=f"{months[0]}..{months[1]}"))
            # keyboard / screen-reader path to the same drill
            options = [
                "",
                *sorted(vals, key=lambda x: -vals[x] if not math.isnan(vals[x]) else math.inf),
            ]
            st.selectbox(
                t("ov.drill_into", lang),
                options,
                key=f"ov_drill_{level}_{pkey}_{lang}",
                format_func=lambda x: (
                    t("ov.choose", lang) if not x
                    else place_label(names.get(x, x), lang) if level == "district" else x
                ),
                on_change=drill_from_list,
                args=(f"ov_drill_{level}_{pkey}_{lang}", place),
            )

    # ---------------------------------------------------------------- trend
    st.subheader(t("ov.trend", lang, place=crumbs[-1][0]))
    trend_measure = view.measure if mm.source == "cube" else "kwh"
    tr = od.trend(db, version, (trend_measure,), pkey, months, where, scope)
    if len(tr):
        this_label, last_label = t("ov.this_period", lang), t("ov.last_year", lang)
        trend_mm = MAP_MEASURES[trend_measure]
        st.vega_lite_chart(
            trend_data(list(tr["month"]), tr[trend_measure].tolist(),
                       tr[f"{trend_measure}_prev"].tolist(), this_label, last_label),
            trend_spec(mlabel(trend_measure), this_label, last_label,
                       ".1%" if trend_mm.unit == "%" else trend_mm.fmt),
            width="stretch",
        )
        if trend_measure != view.measure:
            st.caption(t("ov.trend_kwh", lang))

    # ---------------------------------------------------------------- ranked table
    if level != "customer":
        st.subheader(t("ov.ranking", lang, level=t(f"ov.level.{level}", lang)))
        with st.spinner(t("ov.working", lang)):
            rk = od.ranking(
                db,
                version,
                view.measure,
                pkey,
                months,
                where,
                scope,
                top=None if level == "district" else 30,
            )
            avg = od.place_value(db, version, view.measure, pkey, months, where, scope)
        col_value = f"{mlabel(view.measure)}"
        table = pd.DataFrame(
            {
                t("home.table.rank", lang): rk["rank"],
                t("ov.col.name", lang): [
                    (place_label(names.get(x, x), lang) if level == "district" else x)
                    if isinstance(x, str)
                    else t("home.unlocated", lang)
                    for x in rk["key"]
                ],
                col_value: rk["value"] * (100 if mm.unit == "%" else 1),
                t("ov.vs_avg", lang): rk["vs_avg"] * 100,
                t("ov.share", lang): rk["share"] * 100,
                t("ov.sparkline", lang): rk["trend"],
            }
        )
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            column_config={
                col_value: st.column_config.NumberColumn(
                    format="%.1f%%" if mm.unit == "%" else "localized"
                ),
                t("ov.vs_avg", lang): st.column_config.NumberColumn(
                    format="%+.1f%%", help=t("ov.vs_avg_help", lang)
                ),
                t("ov.share", lang): st.column_config.ProgressColumn(
                    format="%.1f%%", min_value=0, max_value=100
                ),
                t("ov.sparkline", lang): st.column_config.LineChartColumn(width="medium"),
            },
        )
        st.caption(t("ov.avg", lang, value=fmt_value(view.measure, avg)))
    shell.page_done("home", lang)
