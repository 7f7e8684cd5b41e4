"""How the Cube Explorer names things: measures (with units), dimensions, members, columns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dashboards.explorer.state import REGION_DIMS, excel_format, member_str
from gcrm.cube import DIMENSIONS, MEASURES, TOTAL
from gcrm.i18n import t, unit_label


def is_ratio(col: str) -> bool:
    """Whether a result column is a ratio (shown as a percentage)."""
    return excel_format(col) == "0.0%"


def value_format(col: str) -> str:
    """The Python format spec of a result column (a measure, ``_prev`` or ``_growth``)."""
    if is_ratio(col):
        return ".1%"
    name = col[:-len("_prev")] if col.endswith("_prev") else col
    return MEASURES[name].fmt if name in MEASURES else ",.2f"


@dataclass(frozen=True)
class Labels:
    """The labels of one run: its language and the region names within the user's scope."""

    lang: str
    names: Mapping[str, str]

    def measure(self, m: str) -> str:
        unit = unit_label(MEASURES[m].unit, self.lang)
        label = MEASURES[m].label(self.lang)
        return f"{label} ({unit})" if unit else label

    def dim(self, d: str) -> str:
        return DIMENSIONS[d].label(self.lang)

    def member(self, dim: str, value: object) -> str:
        """How a member reads: region ids with their Chinese name, '' as (unlocated)."""
        lang = self.lang
        if isinstance(value, str) and value == TOTAL:
            return t("explorer.total", lang)
        v = member_str(value)
        if v == "":
            return t("home.unlocated", lang) if dim in REGION_DIMS else t("explorer.empty", lang)
        if dim in REGION_DIMS and v in self.names:
            return f"{v} {self.names[v]}"
        if DIMENSIONS[dim].type is bool:
            return t("explorer.yes", lang) if v.lower() in ("true", "1") else t("explorer.no", lang)
        return v

    def members(self, dims: list[str], row: Mapping[str, object]) -> str:
        """The members of ``dims`` in ``row``, joined by ' / '."""
        return " / ".join(self.member(d, row[d]) for d in dims)

    def value(self, col: str, compare: str | None) -> str:
        """A value column: a measure, its previous-period value or its growth."""
        lang = self.lang
        kind = t(f"explorer.compare.{compare}", lang) if compare else ""
        if col.endswith("_growth") and col[:-7] in MEASURES:
            return t("explorer.growth_col", lang, measure=MEASURES[col[:-7]].label(lang),
                     kind=kind)
        if col.endswith("_prev") and col[:-5] in MEASURES:
            return t("explorer.prev_col", lang, measure=self.measure(col[:-5]), kind=kind)
        return self.measure(col) if col in MEASURES else col
