"""The overview page's view state and its URL form.

The page keeps the view in widgets and session state and mirrors it into ``st.query_params``
with :meth:`View.to_params`, so a shared URL restores the view (:meth:`View.from_params`).
:class:`View` is pure; the functions after it bind it to ``st.session_state`` (the canonical
state ``ov_*`` the widgets are drawn from) and ``st.query_params``.
Parameters (every one optional; defaults are left out of the URL)::

    m=kwh                      map measure (gcrm.overview.MAP_MEASURES)
    cls=natural&k=7            classification (quantile | natural | equal_interval), classes
    from=2025-11&to=2026-10    month range (inclusive); absent = the last 12 months
    d=220502&g=87...           drill: district, then H3 cell
    f.customer_class=residential,commercial   filters (OR within one dimension)
    f.big_customer=true
    layers=service_points,outages             extra map layers
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import streamlit as st

from gcrm.overview.queries import FILTER_DIMS, MAP_MEASURES, Place
from gcrm.spatial.classify import METHODS

LAYERS: tuple[str, ...] = ("service_points", "feeders", "outages", "population")
DEFAULT_MEASURE = "customers"
DEFAULT_METHOD = "quantile"
DEFAULT_K = 5
K_RANGE = (3, 9)
KEYS: tuple[str, ...] = ("m", "cls", "k", "from", "to", "d", "g", "layers")
FILTER_PREFIX = "f."


@dataclass(frozen=True)
class View:
    measure: str = DEFAULT_MEASURE
    method: str = DEFAULT_METHOD
    k: int = DEFAULT_K
    months: tuple[str, str] | None = None  # None: the default range (last 12 months)
    district: str | None = None
    grid: str | None = None
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    layers: tuple[str, ...] = ()

    @property
    def place(self) -> Place:
        return Place(self.district, self.grid if self.district else None)

    @property
    def where(self) -> dict[str, list[str]]:
        return {d: list(v) for d, v in self.filters if v}

    def at(self, place: Place) -> View:
        return replace(self, district=place.district, grid=place.grid)

    def to_params(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if self.measure != DEFAULT_MEASURE:
            out["m"] = self.measure
        if self.method != DEFAULT_METHOD:
            out["cls"] = self.method
        if self.k != DEFAULT_K:
            out["k"] = str(self.k)
        if self.months is not None:
            out["from"], out["to"] = self.months
        if self.district:
            out["d"] = self.district
            if self.grid:
                out["g"] = self.grid
        for d, values in self.filters:
            if values:
                out[FILTER_PREFIX + d] = ",".join(values)
        if self.layers:
            out["layers"] = ",".join(self.layers)
        return out

    @classmethod
    def from_params(cls, params: Mapping[str, str], months: Sequence[str] = ()) -> View:
        """The view of URL ``params``; unknown or malformed values fall back to the default
        (a shared link never breaks the page). ``months``: the months that exist."""
        measure = params.get("m", DEFAULT_MEASURE)
        if measure not in MAP_MEASURES:
            measure = DEFAULT_MEASURE
        method = params.get("cls", DEFAULT_METHOD)
        if method not in METHODS:
            method = DEFAULT_METHOD
        try:
            k = min(max(int(params.get("k", DEFAULT_K)), K_RANGE[0]), K_RANGE[1])
        except ValueError:
            k = DEFAULT_K
        rng = None
        first, last = params.get("from"), params.get("to")
        if first and last and first in months and last in months and first <= last:
            rng = (first, last)
        district = params.get("d") or None
        grid = (params.get("g") or None) if district else None
        filters = []
        for d in FILTER_DIMS:
            raw = params.get(FILTER_PREFIX + d)
            if raw:
                filters.append((d, tuple(v for v in raw.split(",") if v)))
        layers = tuple(x for x in (params.get("layers") or "").split(",") if x in LAYERS)
        return cls(measure, method, k, rng, district, grid, tuple(filters), layers)


# ---------------------------------------------------------------- session state <-> URL
def seed(view: View, default_months: Sequence[str]) -> None:
    """Set the canonical state from ``view`` (a new seed: the widgets are drawn afresh)."""
    ss = st.session_state
    ss["ov_measure"], ss["ov_method"], ss["ov_k"] = view.measure, view.method, view.k
    ss["ov_months"] = view.months or default_months
    ss["ov_seed"] = ss.get("ov_seed", 0) + 1
    where = view.where
    for d in FILTER_DIMS:
        ss[f"ov_f_{d}"] = list(where.get(d, []))
    ss["ov_layers"] = list(view.layers)
    ss["ov_district"], ss["ov_grid"] = view.district, view.grid


def months_key() -> str:
    """The key of the month slider (new with each seed)."""
    return f"ov_months_{st.session_state.get('ov_seed', 0)}"


def _url_keys() -> list[str]:
    return [k for k in st.query_params if k in KEYS or k.startswith(FILTER_PREFIX)]


def read_url(all_months: Sequence[str], default_months: Sequence[str]) -> None:
    """Seed the state from the URL on a first visit, a shared URL, or back/forward in the
    browser (when the URL is not the one the page last wrote)."""
    ss = st.session_state
    params = {k: st.query_params[k] for k in _url_keys()}
    url_view = View.from_params(params, all_months)
    if ss.get("ov_synced") != url_view.to_params() or "ov_measure" not in ss:
        seed(url_view, default_months)
        ss["ov_synced"] = url_view.to_params()


def view_from_state(default_months: Sequence[str]) -> View:
    """The view the widgets show now."""
    ss = st.session_state
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


def write_url(view: View) -> None:
    """Mirror ``view`` into the URL (only the parameters that changed)."""
    url = view.to_params()
    for k in [k for k in _url_keys() if k not in url]:
        del st.query_params[k]
    for k, v in url.items():
        if st.query_params.get(k) != v:
            st.query_params[k] = v
    st.session_state["ov_synced"] = url


def go(place: Place) -> None:
    """Drill down to / roll up to ``place``."""
    st.session_state["ov_district"], st.session_state["ov_grid"] = place.district, place.grid


def drill_from_list(key: str, at: Place) -> None:
    """The drill list's callback: into the region chosen in widget ``key``, from ``at``."""
    if st.session_state.get(key):
        go(at.down(st.session_state[key]))
