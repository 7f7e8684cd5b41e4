"""One run of the overview page: who is looking (language, warehouse, scope) and at what.

:class:`Ctx` carries what every drawing function of :mod:`dashboards.overview.views`,
:mod:`~dashboards.overview.mapview` and :mod:`~dashboards.overview.layers` needs, with the
view's derived values (place, months, filters as cache keys) and the page's text helpers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from dashboards.components.context import PageContext
from dashboards.components.disclosure import below
from dashboards.overview.data import PlaceKey, Where
from dashboards.overview.state import View
from gcrm.i18n import format_quantity, t, tn
from gcrm.overview.queries import MAP_MEASURES, MapMeasure, Place
from gcrm.placenames import label as place_label


@dataclass(frozen=True)
class Ctx(PageContext):
    """The run (:class:`~dashboards.components.context.PageContext`: ``lang``, the warehouse,
    ``who`` is looking, hence their ``scope`` and disclosure control ``min_cell``), region
    ``names``, the months that exist and the default range; then the ``view`` being drawn."""

    names: Mapping[str, str] = field(default_factory=dict)
    default_months: tuple[str, str] = ("", "")
    all_months: Sequence[str] = ()
    view: View = field(default_factory=View)

    @property
    def see_customers(self) -> bool:
        """Whether the user may see customers as points (``read_customers``)."""
        return self.who.read_customers

    def looking_at(self, view: View) -> Ctx:
        """This run drawing ``view``."""
        return replace(self, view=view)

    @property
    def place(self) -> Place:
        return self.view.place

    @property
    def level(self) -> str:
        """What the map shows: ``district``, ``grid`` or ``customer``."""
        return self.place.child_level

    @property
    def months(self) -> tuple[str, str]:
        return self.view.months or self.default_months

    @property
    def where(self) -> Where:
        return tuple((d, tuple(v)) for d, v in self.view.filters)

    @property
    def pkey(self) -> PlaceKey:
        return (self.place.district, self.place.grid)

    @property
    def mm(self) -> MapMeasure:
        return MAP_MEASURES[self.view.measure]

    # ------------------------------------------------------------------------ text
    @property
    def hidden_text(self) -> str:
        """How a value hidden by disclosure control reads ("<5")."""
        return below(self.min_cell or 0)

    def tn(self, key: str, n: int, **fmt: object) -> str:
        """The counting message ``key`` for ``n`` customers in the run's language; for a role
        without ``read_pii`` a count from 1 to ``min_cell`` - 1 reads "<5", as a cube cell
        would."""
        if self.min_cell is not None and 0 < n < self.min_cell:
            return tn(key, self.min_cell, self.lang, n=self.hidden_text, **fmt)
        return tn(key, n, self.lang, **fmt)

    def mlabel(self, name: str) -> str:
        """The label of map measure ``name``."""
        return MAP_MEASURES[name].label(self.lang)

    def fmt_value(self, name: str, value: float | None) -> str:
        """A value of map measure ``name`` for reading ("no data" for a missing one)."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return t("home.map.no_data", self.lang)
        mm = MAP_MEASURES[name]
        if mm.unit == "%":
            return f"{value:.1%}"
        if mm.source != "cube":
            return f"{value:{mm.fmt}}"
        return format_quantity(value, mm.unit, self.lang)

    def member_label(self, dim: str, value: str) -> str:
        """A filter member's label (the member itself when the catalogue has none)."""
        key = f"ov.member.{dim}.{value}"
        try:
            return t(key, self.lang)
        except KeyError:
            return value

    def region_label(self, rid: str) -> str:
        """A district's name in the user's language."""
        return place_label(self.names.get(rid, rid), self.lang)

    def child_label(self, key: str) -> str:
        """A region of the map: a district's name, or a cell's id."""
        return self.region_label(key) if self.level == "district" else key


def value_format(mm: MapMeasure) -> str:
    """The format spec of ``mm``'s values in legends and charts."""
    return ".1%" if mm.unit == "%" else mm.fmt
