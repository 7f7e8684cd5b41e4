"""What one run of the trading-area page knows, and how it keeps the user's choices.

:class:`Context` is what the warehouse holds for the signed-in user (months, districts, service
points), :class:`Choice` the centre, area type and period chosen above the area,
:class:`Area` the trade area built from them (its layer and the spec summarised),
:class:`Overlays` the map's extra layers (population cells, gaps, overlaps).

Choices whose options have translated labels (radios, select boxes) are kept twice: under a
language-free name ``ss[name]`` and under the widget key ``name.<lang>``
(:func:`widget_key`). Streamlit would show a keyed widget with no choice when its option
labels change with the language; a key per language, seeded from the language-free value,
keeps the choice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
import streamlit as st

from dashboards.components.session import Access, Scope
from dashboards.tradearea.data import Spec
from gcrm.i18n import t

#: the page's name for the app shell (``.gcrm-page-done[data-page]``)
PAGE = "tradearea"


def fail(exc: Exception, lang: str) -> None:
    """A one-line message for bad input or missing data, never a traceback."""
    st.error(t("ta.error", lang, error=str(exc).strip() or type(exc).__name__))


def widget_key(name: str, lang: str) -> str:
    """The widget key of choice ``name`` in this language, seeded from ``ss[name]``."""
    ss = st.session_state
    key = f"{name}.{lang}"
    if key not in ss and name in ss:
        ss[key] = ss[name]
    return key


def set_choice(name: str, value: object, lang: str) -> None:
    """Set choice ``name`` (before its widget is drawn, or from a callback)."""
    st.session_state[name] = value
    st.session_state[f"{name}.{lang}"] = value


def keep(name: str, value):
    """Remember the widget's value as the language-free choice ``name``."""
    st.session_state[name] = value
    return value


@dataclass
class Context:
    """The warehouse as the signed-in user sees it."""

    lang: str
    db: str
    version: str
    who: Access
    all_months: list[str]
    default_months: tuple[str, str]
    geo: dict  # the districts in scope (GeoJSON)
    names: dict[str, str]  # region id -> name
    all_sp: pd.DataFrame | None  # every located service point; None: the table is empty
    visible_sp: pd.DataFrame  # those in the user's districts
    sp_names: dict[str, str] = field(init=False)
    sp_kinds: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        ids = self.visible_sp["service_point_id"]
        self.sp_names = dict(zip(ids, self.visible_sp["name"], strict=True))
        self.sp_kinds = dict(zip(ids, self.visible_sp["kind"], strict=True))

    @property
    def scope(self) -> Scope:
        return self.who.scope


@dataclass
class Choice:
    """The centre, the service-point kinds, the area type and the period."""

    mode: str  # service_point | point
    kinds: tuple[str, ...]
    sp_id: str | None
    area_type: str
    months: tuple[str, str]
    household_size: float
    center: tuple[float, float, str] | None
    where: dict[str, object]  # the centre as area_spec takes it


@dataclass
class Area:
    """The trade area of the chosen type: its layer, the part summarised and its spec."""

    name: str  # the layer's name for downloads
    layer: gpd.GeoDataFrame | None = None
    spec: Spec | None = None  # the area summarised (data.area_spec)
    label: str = ""
    band_col: str | None = None  # the layer column picking the summarised part
    band_value: object = None
    huff_points: pd.DataFrame | None = None
    huff_cells: pd.DataFrame | None = None


@dataclass
class Overlays:
    """What the map shows beside the area: population cells, gaps, overlaps."""

    show_cells: bool
    show_gaps: bool
    show_overlaps: bool
    cover_km: float
    gaps: pd.DataFrame | None = None
    overlaps: pd.DataFrame | None = None
