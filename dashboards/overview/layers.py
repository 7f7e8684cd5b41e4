"""The overview map's optional layers (population, feeders, service points, outages) and
their legend, as :mod:`dashboards.components.svgmap` layers."""

from __future__ import annotations

import math

import pandas as pd

from dashboards.components import maps, svgmap
from dashboards.overview import data as od
from dashboards.overview.context import Ctx
from gcrm.i18n import t
from gcrm.vocab import SERVICE_POINT_KINDS

#: service points by kind
KIND_COLORS: dict[str, tuple[int, int, int]] = dict(zip(
    SERVICE_POINT_KINDS, ((214, 39, 40), (148, 103, 189), (23, 190, 207)), strict=True))
UNPLANNED = (220, 20, 60)  # outages
PLANNED = (120, 120, 120)
SUBSTATION = (60, 60, 60)


def tip(title: str, line1: str = "", line2: str = "") -> dict[str, str]:
    """Tooltip fields of a map object: three lines of plain text."""
    return {"title": title, "line1": line1, "line2": line2}


def _population(ctx: Ctx, frame: svgmap.Frame) -> list:
    pop = od.population(ctx.db, ctx.version, scope=ctx.scope)
    if not len(pop):
        return []
    pc = maps.classify(pop["resident"].tolist(), 5, "quantile", ramp="YlOrRd")
    recs = [{"lon": r.lon, "lat": r.lat, "fill": [*pc.color(float(r.resident)), 150],
             **tip(t("ov.layer.population", ctx.lang),
                   t("ov.pop_tip", ctx.lang, resident=int(r.resident),
                     floating=int(r.floating)))}
            for r in pop.itertuples()]
    return [svgmap.points(recs, frame, "population", "fill", radius_m=700, min_px=1,
                          stroke=False)]


def _feeders(ctx: Ctx, frame: svgmap.Frame) -> list:
    fl = od.feeder_lines(ctx.db, ctx.version, scope=ctx.scope)
    fl = fl[fl["sub_lon"].notna()]
    recs = [{"from_lon": r.sub_lon, "from_lat": r.sub_lat, "lon": r.lon, "lat": r.lat,
             **tip(str(r.name or r.feeder_id), str(r.substation_name or r.substation_id or ""),
                   ctx.tn("ov.feeder_tip", int(r.customers)))}
            for r in fl.itertuples()]
    subs = fl.drop_duplicates("substation_id")
    srecs = [{"lon": r.sub_lon, "lat": r.sub_lat,
              **tip(str(r.substation_name or r.substation_id), t("ov.substation", ctx.lang))}
             for r in subs.itertuples()]
    return [svgmap.lines(recs, frame, "feeders", (90, 90, 90, 140), 1.2),
            svgmap.points(srecs, frame, "substations", (*SUBSTATION, 230), radius_m=250,
                          min_px=3, max_px=8)]


def _service_points(ctx: Ctx, frame: svgmap.Frame) -> list:
    sp = od.service_points(ctx.db, ctx.version, scope=ctx.scope)
    recs = [{"lon": r.lon, "lat": r.lat, "fill": [*KIND_COLORS.get(r.kind, (0, 0, 0)), 240],
             **tip(str(r.name), t(f"ov.kind.{r.kind}", ctx.lang))}
            for r in sp.itertuples()]
    return [svgmap.points(recs, frame, "service_points", "fill", radius_m=300, min_px=4,
                          max_px=9)]


def _outages(ctx: Ctx, frame: svgmap.Frame) -> list:
    ev = od.recent_outages(ctx.db, ctx.version, ctx.months, scope=ctx.scope)
    recs = [{"lon": r.lon, "lat": r.lat,
             "fill": [*(PLANNED if r.planned else UNPLANNED), 200],
             "r": 150 + 40 * math.sqrt(max(r.duration_min, 0)),
             **tip(f"{r.outage_id} {pd.Timestamp(r.start_at):%Y-%m-%d %H:%M}",
                   ctx.tn("ov.outage_tip", int(r.customers), minutes=f"{r.duration_min:,.0f}",
                          cause=str(r.cause or "–")))}
            for r in ev.itertuples()]
    return [svgmap.points(recs, frame, "outages", "fill", radius_m="r", min_px=2, max_px=16)]


#: the layers in drawing order (later ones on top)
_DRAW = (("population", _population), ("feeders", _feeders),
         ("service_points", _service_points), ("outages", _outages))


def extra_layers(ctx: Ctx, frame: svgmap.Frame) -> list:
    """The layers the user switched on, drawn over the map's regions or cell."""
    out: list = []
    for name, draw in _DRAW:
        if name in ctx.view.layers:
            out += draw(ctx, frame)
    return out


def layer_legend(ctx: Ctx) -> str:
    """Swatches of the layers switched on ('' when none needs a legend)."""
    rows = []
    if "service_points" in ctx.view.layers:
        rows += [(c, t(f"ov.kind.{kd}", ctx.lang)) for kd, c in KIND_COLORS.items()]
    if "outages" in ctx.view.layers:
        rows += [(UNPLANNED, t("ov.outage_unplanned", ctx.lang)),
                 (PLANNED, t("ov.outage_planned", ctx.lang))]
    if "feeders" in ctx.view.layers:
        rows.append((SUBSTATION, t("ov.substation", ctx.lang)))
    return "".join(maps.swatch(c, label) for c, label in rows)
