"""One run of the outage page: who is looking, the year and grouping chosen, what it holds.

:class:`Ctx` carries what every section of the page (:mod:`dashboards.outages.views`,
:mod:`~dashboards.outages.mapview`, :mod:`~dashboards.outages.notice`) needs, with the page's
text helpers. :func:`start` and :func:`load` fill it in the order the page shows it; both stop
the page (after a message) when the warehouse cannot answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd
import streamlit as st

from dashboards.components import data, shell
from dashboards.components.session import Access, Scope, access
from dashboards.outages import data as od
from gcrm.i18n import t, tn
from gcrm.security.masking import mask_frame

INDICES = ("saifi", "saidi", "caidi", "asai", "maifi", "cemi_3", "celid_6h", "rs_pct")
GROUPINGS = ("district", "feeder", "substation")


@dataclass
class Ctx:
    """The run: ``lang``, the warehouse (``db``, ``version``), ``who`` is looking (the notice
    fragment refreshes it), the ``year``, grouping ``by`` and exclusions chosen; then the
    indices ``idx`` by ``by``, region ``names`` and ``feeders`` in scope; then (for the map,
    the event view and the notice) the district ``geo`` outlines, ``by_district`` indices
    and the year's events ``evs``."""

    lang: str
    db: str
    version: str
    who: Access
    year: int = 0
    by: str = "district"
    excl_planned: bool = False
    excl_med: bool = False
    idx: pd.DataFrame = field(default_factory=pd.DataFrame)
    names: dict[str, str] = field(default_factory=dict)
    feeders: pd.DataFrame = field(default_factory=pd.DataFrame)
    geo: dict = field(default_factory=dict)
    by_district: pd.DataFrame = field(default_factory=pd.DataFrame)
    evs: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def scope(self) -> Scope:
        return self.who.scope

    @cached_property
    def feeder_names(self) -> dict[str, str]:
        return dict(zip(self.feeders["feeder_id"], self.feeders["name"], strict=True))

    @cached_property
    def substation_names(self) -> dict[str, str]:
        return dict(zip(self.feeders["substation_id"], self.feeders["substation_name"],
                        strict=False))

    @property
    def district_ids(self) -> list[str]:
        return [f["properties"]["region_id"] for f in self.geo["features"]]

    # ------------------------------------------------------------------------ text
    def t(self, key: str, **params: object) -> str:
        """Message ``key`` in the page's language."""
        return t(key, self.lang, **params)

    def tn(self, key: str, n: object, /, **params: object) -> str:
        """Message ``key`` in the page's language, in its plural form for the count ``n``."""
        return tn(key, n, self.lang, **params)

    def cause(self, c: object) -> str:
        """An outage cause for reading (the code itself when it has no message)."""
        try:
            return self.t(f"outages.cause.{c}")
        except KeyError:
            return str(c)

    def group_name(self, g: object) -> str:
        """A group of the index table: a district's name, else name and id."""
        if not isinstance(g, str) or not g:
            return self.t("outages.unlocated")
        lookup = {"district": self.names, "feeder": self.feeder_names,
                  "substation": self.substation_names}[self.by]
        return f"{lookup.get(g) or g} ({g})" if self.by != "district" else lookup.get(g, g)

    def area_name(self, d: str) -> str:
        """A district of the "Area" select ("All districts" for none)."""
        return self.names.get(d, d) if d else self.t("outages.drill.all")

    def show_pii(self, df: pd.DataFrame) -> pd.DataFrame:
        """``df`` with contact fields masked unless the user may read them."""
        return df if self.who.read_pii else mask_frame(df)

    def fail(self, exc: Exception) -> None:
        st.error(self.t("outages.error", error=exc))


def hidden(spans: str) -> None:
    """Hidden elements with exact values for tests and scripts (``<span ... style=
    "display:none">``), as raw HTML: through ``st.markdown`` the 1,520 spans of a drilled
    district were parsed as Markdown by the browser, the last part of the drill to finish
    (0.3-0.6 s)."""
    if spans:
        st.html(spans)


def start() -> tuple[Ctx, list[int]]:
    """The title, then who is looking and the years with outages (stops without any)."""
    lang = shell.current_lang()
    wh = shell.warehouse()
    ctx = Ctx(lang=lang, db=wh.path, version=wh.version, who=access())
    st.title(ctx.t("outages.title"))
    try:
        years = od.years(ctx.db, ctx.version)
    except Exception as exc:  # a warehouse without the outage tables: say so
        ctx.fail(exc)
        st.stop()
    if not years:
        st.info(ctx.t("outages.no_data"))
        shell.page_done("outages", lang)
        st.stop()
    return ctx, years


def load(ctx: Ctx) -> None:
    """The indices of the chosen year by the chosen grouping, region names and feeders."""
    try:
        ctx.idx = od.indices(ctx.db, ctx.version, ctx.year, ctx.by, ctx.excl_planned,
                             ctx.excl_med, ctx.scope)
        ctx.names = data.region_names(ctx.db, ctx.version, scope=ctx.scope)
        ctx.feeders = od.feeders(ctx.db, ctx.version, ctx.scope)
    except Exception as exc:
        ctx.fail(exc)
        st.stop()


def load_map(ctx: Ctx) -> None:
    """District indices, district outlines and the year's events (without planned ones when
    they are excluded)."""
    try:
        ctx.by_district = (ctx.idx if ctx.by == "district" else
                           od.indices(ctx.db, ctx.version, ctx.year, "district",
                                      ctx.excl_planned, ctx.excl_med, ctx.scope))
        ctx.geo = data.regions_geojson(ctx.db, ctx.version, "district", scope=ctx.scope)
        evs = od.events(ctx.db, ctx.version, ctx.year, ctx.scope)
    except Exception as exc:
        ctx.fail(exc)
        st.stop()
    ctx.evs = evs[~evs["planned"]] if ctx.excl_planned else evs
