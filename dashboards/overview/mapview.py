"""The overview's map and the legend beside it: a choropleth of the districts or of a
district's H3 cells (optionally animated month by month), or one cell's customers as points
or hexagon bins. A click on a region drills into it (:func:`dashboards.overview.state.go`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboards.components import data, maps, svgmap
from dashboards.overview import data as od
from dashboards.overview import state
from dashboards.overview.context import Ctx, value_format
from dashboards.overview.layers import extra_layers, layer_legend, tip
from gcrm import config
from gcrm.i18n import t
from gcrm.overview.bins import BIN_ABOVE
from gcrm.vocab import CUSTOMER_CLASSES

#: the scene in px; the SVG scales to its column's width
MAP_WIDTH = 800
MAP_HEIGHT = 640
#: customer points by class (Tableau 10, colour-blind safe enough)
CLASS_COLORS: dict[str, tuple[int, int, int]] = dict(zip(
    CUSTOMER_CLASSES,
    ((78, 121, 167), (242, 142, 43), (225, 87, 89), (89, 161, 79), (176, 122, 161)),
    strict=True))


def show(ctx: Ctx) -> None:
    """The map (wide column) and its legend (narrow column) of the place in view."""
    map_col, side_col = st.columns([5, 1.3])
    if ctx.level == "customer":
        _customers(ctx, map_col, side_col)
    else:
        _regions(ctx, map_col, side_col)


# ---------------------------------------------------------------- shared
def _districts(ctx: Ctx) -> dict:
    """The districts' boundaries in scope (one cached call: the city map and the outline around
    a district's cells share it, so a drill asks the warehouse for no geometry)."""
    return data.regions_geojson(ctx.db, ctx.version, "district", scope=ctx.scope,
                                simplified=config.get("map_geometry") != "full")


def _frame_of(geo: dict) -> svgmap.Frame:
    b = maps.bounds_of(geo) or (125.0, 41.0, 127.0, 43.0)  # Tonghua when nothing is located
    return svgmap.Frame.fit(b, MAP_WIDTH, MAP_HEIGHT)


def _show_map(ctx: Ctx, layers: list, frame: svgmap.Frame,
              frames: list | None = None) -> None:
    """The one map of the page (one key, so zoom and pan survive reruns at the same place);
    a click on a region drills into it before the next run."""
    place = ctx.place
    ui = svgmap.buttons(ctx.lang)
    svgmap.show(
        svgmap.scene(frame, layers, view_id=f"{place.district}/{place.grid}", ui=ui,
                     basemap=config.get("basemap_url"), frames=frames),
        key="ov_map",
        on_click=lambda rid, at=place: state.go(at.down(rid)),
    )


# ---------------------------------------------------------------- customers of one cell
def _bins(ctx: Ctx, pts: pd.DataFrame, frame: svgmap.Frame
          ) -> tuple[dict, maps.Classes, int]:
    """Many customers: hexagon bins (counts), not thousands of points."""
    bins = od.bin_points(pts)
    classes = maps.classify(bins["customers"].tolist(), 5, "natural")
    by_cell = bins.set_index("cell")
    feats = []
    for f in od.cells_geojson(tuple(bins["cell"]))["features"]:
        r = by_cell.loc[f["properties"]["region_id"]]
        props = {**f["properties"], "fill": list(classes.color(float(r["customers"]))),
                 **tip(ctx.tn("ov.bin_tip", int(r["customers"])),
                       ctx.member_label("customer_class", r["top_class"]),
                       ctx.tn("ov.bin_big", int(r["big_customers"]))
                       if r["big_customers"] else "")}
        feats.append({**f, "properties": props})
    layer = svgmap.areas({"type": "FeatureCollection", "features": feats}, frame, "bins",
                         pickable=False, opacity=0.9)
    return layer, classes, len(bins)


def _points(ctx: Ctx, pts: pd.DataFrame, frame: svgmap.Frame) -> dict:
    recs = [{"lon": r.lon, "lat": r.lat,
             "fill": [*CLASS_COLORS.get(r.customer_class, (100, 100, 100)), 220],
             **tip(ctx.member_label("customer_class", r.customer_class), str(r.tariff),
                   t("ov.big_customer", ctx.lang) if r.big_customer else "")}
            for r in pts.itertuples()]
    return svgmap.points(recs, frame, "customers", "fill", radius_m=15, min_px=2, max_px=8)


def _no_points(ctx: Ctx, map_col: DeltaGenerator, side_col: DeltaGenerator) -> None:
    """A cell for a role that may not see individual customers: its outline and the layers,
    no customer points (nor hexagon bins, which place a few customers as well)."""
    cell = od.cells_geojson((ctx.place.grid,))
    frame = _frame_of(cell)
    with map_col:
        _show_map(ctx, [svgmap.outline(cell, frame, "cell"), *extra_layers(ctx, frame)], frame)
        st.info(t("ov.points_denied", ctx.lang), icon=":material/visibility_off:")
    with side_col:
        legend = layer_legend(ctx)
        if legend:
            st.markdown(legend, unsafe_allow_html=True)


def _customers(ctx: Ctx, map_col: DeltaGenerator, side_col: DeltaGenerator) -> None:
    if not ctx.see_customers:
        _no_points(ctx, map_col, side_col)
        return
    lang = ctx.lang
    pts, total_pts = od.customer_points(ctx.db, ctx.version, ctx.pkey, ctx.where, ctx.scope)
    cell = od.cells_geojson((ctx.place.grid,))
    frame = _frame_of(cell)
    binned = total_pts > BIN_ABOVE
    if binned:
        dots, bclasses, n_bins = _bins(ctx, pts, frame)
    else:
        dots = _points(ctx, pts, frame)
    # hexagon bins under the other layers (they cover the cell); points above them
    below, above = ([dots], []) if binned else ([], [dots])
    with map_col:
        _show_map(ctx, [svgmap.outline(cell, frame, "cell"), *below,
                        *extra_layers(ctx, frame), *above], frame)
        if total_pts > len(pts):
            st.caption(t("ov.points_capped", lang, shown=len(pts), total=total_pts))
    with side_col:
        if binned:
            st.markdown(maps.legend_html(bclasses, t("ov.bin_legend", lang))
                        + layer_legend(ctx), unsafe_allow_html=True)
            st.caption(t("ov.bin_note", lang, n=total_pts, bins=n_bins))
        else:
            st.markdown("".join(maps.swatch(c, ctx.member_label("customer_class", cl))
                                for cl, c in CLASS_COLORS.items()) + layer_legend(ctx),
                        unsafe_allow_html=True)
            st.caption(t("ov.points_note", lang, n=total_pts))


# ---------------------------------------------------------------- choropleth of regions
@dataclass
class _Choropleth:
    """The regions' values and their classes; with the animation, every month's values.
    ``hidden``: the regions whose value disclosure control hid (a role without read_pii)."""

    vals: dict[str, float]
    classes: maps.Classes
    hidden: frozenset[str] = frozenset()
    frames: pd.DataFrame | None = None  # month, key, value[, suppressed]
    months: tuple[str, ...] = ()  # the animation's months
    month: str | None = None  # the month shown (None: the whole period)
    play: bool = False

    def values(self, month: str | None) -> dict[str, float]:
        if month is None:
            return self.vals
        f = self.frames[self.frames["month"] == month]
        return dict(zip(f["key"], f["value"], strict=True))

    def hidden_at(self, month: str | None) -> frozenset[str]:
        if month is None:
            return self.hidden
        f = self.frames[self.frames["month"] == month]
        return _hidden_keys(f)


def _hidden_keys(df: pd.DataFrame) -> frozenset[str]:
    """The keys of a map frame whose value disclosure control hid."""
    if "suppressed" not in df:
        return frozenset()
    return frozenset(df.loc[df["suppressed"].astype(bool), "key"])


def _ramp(ctx: Ctx) -> str | None:
    return None if ctx.mm.higher_is_better else "YlOrRd"


def _child_values(ctx: Ctx) -> tuple[dict[str, float], frozenset[str]]:
    """The map's regions' values, and those disclosure control hid (the page stops with the
    error when they cannot be had)."""
    v = ctx.view
    try:
        with st.spinner(t("ov.working", ctx.lang)):
            vals_df = od.child_values(ctx.db, ctx.version, v.measure, ctx.pkey, ctx.months,
                                      ctx.where, ctx.scope, min_cell=ctx.min_cell)
    except Exception as exc:  # e.g. reliability without outage data
        st.error(t("ov.error", ctx.lang, error=exc))
        st.stop()
    located = vals_df[vals_df["key"].notna()]
    return dict(zip(located["key"], located["value"], strict=True)), _hidden_keys(located)


def _animation(ctx: Ctx, side_col: DeltaGenerator, vals: dict[str, float],
               hidden: frozenset[str]) -> _Choropleth:
    """The classes of the map; with the animation switched on, the month frames, the month
    slider and the play button (in the side column)."""
    lang, v = ctx.lang, ctx.view
    with side_col:
        animate = st.toggle(t("ov.animate", lang), key="ov_animate",
                            help=t("ov.animate_help", lang))
    if not animate:
        return _Choropleth(vals, maps.classify(vals.values(), v.k, v.method, ramp=_ramp(ctx)),
                           hidden)
    with st.spinner(t("ov.working", lang)):
        frames = od.monthly_child_values(ctx.db, ctx.version, v.measure, ctx.pkey, ctx.months,
                                         ctx.where, ctx.scope, min_cell=ctx.min_cell)
    frames = frames[frames["key"].notna()]
    frame_months = sorted(frames["month"].unique().tolist())
    classes = maps.classify(frames["value"].tolist(), v.k, v.method, ramp=_ramp(ctx))
    with side_col:
        month = st.select_slider(t("ov.frame", lang), frame_months, value=frame_months[-1],
                                 key="ov_frame")
        play = st.button(t("ov.play", lang), icon=":material/play_arrow:", key="ov_play")
    return _Choropleth(vals, classes, hidden, frames, tuple(frame_months), month, play)


def _by_value(vals: dict[str, float]) -> list[str]:
    """Region keys, highest value first (NaN last)."""
    return sorted(vals, key=lambda x: -vals[x] if not math.isnan(vals[x]) else math.inf)


def _coloured(ctx: Ctx, geo: dict, vals: dict[str, float], classes: maps.Classes,
              hidden: frozenset[str] = frozenset()) -> dict:
    """``geo`` filled by class, with tooltips: name, value, rank. A region in ``hidden``
    (disclosure control) gets the neutral suppressed fill, "<5" and no rank."""
    shown = {rid: x for rid, x in vals.items() if rid not in hidden}
    ranks = {rid: i + 1 for i, rid in enumerate(_by_value(shown))}
    feats = []
    for f in geo["features"]:
        props = dict(f["properties"])
        rid = props["region_id"]
        v = vals.get(rid)
        props["fill"] = list(maps.SUPPRESSED if rid in hidden else classes.color(v))
        rank = (t("home.map.rank", ctx.lang, rank=ranks[rid], total=len(shown))
                if rid in ranks else "")
        text = ctx.hidden_text if rid in hidden else ctx.fmt_value(ctx.view.measure, v)
        props.update(tip(str(ctx.child_label(rid)),
                         f"{ctx.mlabel(ctx.view.measure)}: {text}", rank))
        feats.append({**f, "properties": props})
    return {"type": "FeatureCollection", "features": feats}


def _region_layers(ctx: Ctx, geo: dict, ch: _Choropleth, frame: svgmap.Frame) -> list:
    fc = _coloured(ctx, geo, ch.values(ch.month), ch.classes, ch.hidden_at(ch.month))
    layers = [svgmap.areas(fc, frame)]
    if ctx.level == "district":
        layers.append(svgmap.labels(fc, frame))
    else:  # the district around its cells
        around = [f for f in _districts(ctx)["features"]
                  if f["properties"]["region_id"] == ctx.place.district]
        layers.append(svgmap.outline({"features": around}, frame, "district"))
    return layers + extra_layers(ctx, frame)


def _month_frames(ch: _Choropleth) -> list[dict]:
    """Every month's fills, for the animation played in the browser."""
    return [{"label": m, "fills": {rid: svgmap.hex_color(
                maps.SUPPRESSED if rid in ch.hidden_at(m) else ch.classes.color(val))
                for rid, val in ch.values(m).items()}}
            for m in ch.months]


def _regions(ctx: Ctx, map_col: DeltaGenerator, side_col: DeltaGenerator) -> None:
    vals, hidden = _child_values(ctx)
    geo = (_districts(ctx) if ctx.level == "district"
           else od.cells_geojson(tuple(str(x) for x in vals)))
    ch = _animation(ctx, side_col, vals, hidden)
    with map_col:
        if not geo["features"]:
            st.info(t("home.map.no_regions", ctx.lang))
        else:
            frame = _frame_of(geo)
            _show_map(ctx, _region_layers(ctx, geo, ch, frame), frame,
                      _month_frames(ch) if ch.play else None)
            st.caption(t("ov.click_hint", ctx.lang) if ctx.level == "district"
                       else t("ov.click_hint_cell", ctx.lang))
    with side_col:
        _legend(ctx, ch, n_regions=len(geo["features"]))
        _drill_list(ctx, vals)


def _legend(ctx: Ctx, ch: _Choropleth, n_regions: int) -> None:
    lang, mm = ctx.lang, ctx.mm
    title = ctx.mlabel(ctx.view.measure) + (f" · {ch.month}" if ch.month else "")
    no_data = t("home.map.no_data", lang) if len(ch.vals) < n_regions else None
    hidden = (t("disclosure.legend", lang, min=ctx.min_cell)
              if ch.hidden or (ch.frames is not None and _hidden_keys(ch.frames)) else None)
    st.markdown(maps.legend_html(ch.classes, title, fmt=value_format(mm), no_data=no_data,
                                 hidden=hidden),
                unsafe_allow_html=True)
    st.caption(t(f"ov.method.{ctx.view.method}", lang))
    legend = layer_legend(ctx)
    if legend:
        st.markdown(legend, unsafe_allow_html=True)
    if mm.source == "reliability":
        st.caption(t("ov.reliability_basis", lang,
                     period=f"{ctx.months[0]}..{ctx.months[1]}"))


def _drill_list(ctx: Ctx, vals: dict[str, float]) -> None:
    """A keyboard / screen-reader path to the same drill as a click on the map."""
    lang = ctx.lang
    key = f"ov_drill_{ctx.level}_{ctx.pkey}_{lang}"
    st.selectbox(
        t("ov.drill_into", lang),
        ["", *_by_value(vals)],
        key=key,
        format_func=lambda x: t("ov.choose", lang) if not x else ctx.child_label(x),
        on_change=state.drill_from_list,
        args=(key, ctx.place),
    )
