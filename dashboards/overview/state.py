"""The overview page's view state and its URL form (pure: no Streamlit).

The page keeps the view in widgets and session state and mirrors it into ``st.query_params``
with :meth:`View.to_params`, so a shared URL restores the view (:meth:`View.from_params`).
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
