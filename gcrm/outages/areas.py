"""Areas and windows for planned-outage notices: the kernel behind
:func:`gcrm.outages.queries.notice_list_area` (no connection, no translated text).

An area is a GeoJSON or WKT polygon (in WGS-84, GCJ-02 or BD-09, converted to WGS-84) or a set
of H3 cells picked on the map (:func:`parse_area`, :func:`area_from_cells`). Bad input raises
:class:`NoticeError`, whose ``code`` the page turns into a translated message.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import h3
import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from gcrm.spatial import crs

#: limits on an uploaded area (a city's district boundary at full resolution is ~1 MB)
MAX_AREA_BYTES = 5_000_000
MAX_AREA_VERTICES = 200_000
MAX_CELLS = 5_000


class NoticeError(ValueError):
    """Bad input for a planned-outage notice.

    ``code`` names the problem (the page shows the message ``outages.err.<code>`` in the
    user's language, filled from ``params``); ``str(error)`` is the English message.
    """

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Area:
    """An area for a notice: a WGS-84 (multi)polygon, or H3 cells.

    ``kind`` is ``"polygon"`` (customers whose location lies in ``geometry``, boundary
    included) or ``"cells"`` (customers whose H3 cell ``grid_id`` is one of ``cells``;
    ``geometry`` is then the cells' outline). ``datum`` is the datum the input was given in
    (it has been converted to WGS-84).
    """

    geometry: BaseGeometry
    kind: str = "polygon"
    cells: tuple[str, ...] = field(default=())
    datum: str = "wgs84"

    @property
    def area_km2(self) -> float:
        from pyproj import Geod

        return abs(Geod(ellps="WGS84").geometry_area_perimeter(self.geometry)[0]) / 1e6

    def label(self) -> str:
        """Short text for the audit log's target column."""
        if self.kind == "cells":
            return f"area: {len(self.cells)} H3 cells"
        return f"area: polygon {self.area_km2:,.2f} km²"

    def describe(self) -> dict:
        """What the audit log keeps about the area: enough to redraw it."""
        wkb = shapely.to_wkb(self.geometry, hex=False)
        out: dict = {"kind": self.kind, "datum": self.datum,
                     "area_km2": round(self.area_km2, 3),
                     "bbox": [round(v, 6) for v in self.geometry.bounds],
                     "sha256": hashlib.sha256(wkb).hexdigest()}
        if self.kind == "cells":
            out["cells"] = list(self.cells)
        else:
            wkt = shapely.to_wkt(self.geometry, rounding_precision=6)
            out["wkt"] = wkt if len(wkt) <= 20_000 else None  # big areas: the hash only
        return out


def _datum_of_crs_member(obj: Mapping) -> str | None:
    """The datum named by a GeoJSON (2008) ``crs`` member, if any."""
    member = obj.get("crs")
    if member is None:
        return None
    name = member
    if isinstance(member, Mapping):
        name = (member.get("properties") or {}).get("name", "")
    text = str(name).lower().replace("_", "").replace("-", "")
    if "gcj" in text:
        return "gcj02"
    if "bd09" in text or "baidu" in text:
        return "bd09"
    if "4326" in text or "crs84" in text or "wgs84" in text:
        return "wgs84"
    raise NoticeError("crs", f"unsupported coordinate reference system {name!s}: the area must "
                      "be longitude/latitude in WGS-84, GCJ-02 or BD-09", crs=str(name))


def _polygons_of(obj: object, found: list[BaseGeometry]) -> None:
    if not isinstance(obj, Mapping):
        raise NoticeError("not_geojson", "not GeoJSON: expected an object with a 'type'")
    kind = obj.get("type")
    if kind == "FeatureCollection":
        feats = obj.get("features")
        if not isinstance(feats, list):
            raise NoticeError("not_geojson", "not GeoJSON: a FeatureCollection needs "
                              "'features'")
        for f in feats:
            _polygons_of(f, found)
    elif kind == "Feature":
        if obj.get("geometry") is not None:
            _polygons_of(obj["geometry"], found)
    elif kind == "GeometryCollection":
        for g in obj.get("geometries") or []:
            _polygons_of(g, found)
    elif kind in ("Polygon", "MultiPolygon"):
        try:
            found.append(shape(obj))
        except (ValueError, TypeError, IndexError, KeyError, AttributeError,
                shapely.errors.GEOSException) as exc:
            raise NoticeError("not_geojson", f"not GeoJSON: bad {kind} coordinates ({exc})",
                              detail=str(exc)) from exc
    elif isinstance(kind, str) and kind:
        raise NoticeError("geometry_type", f"the area must be a Polygon or MultiPolygon, "
                          f"not a {kind}", kind=kind)
    else:
        raise NoticeError("not_geojson", "not GeoJSON: expected an object with a 'type'")


def _finish(parts: list[BaseGeometry], datum: str) -> Area:
    """Check polygons given in ``datum``, convert them to WGS-84 and join them."""
    if not parts:
        raise NoticeError("empty", "the area contains no polygon")
    if sum(shapely.get_num_coordinates(p) for p in parts) > MAX_AREA_VERTICES:
        raise NoticeError("too_many_vertices", f"the area has more than "
                          f"{MAX_AREA_VERTICES:,} vertices; simplify it",
                          limit=MAX_AREA_VERTICES)
    xy = np.concatenate([shapely.get_coordinates(p) for p in parts])
    if xy.size and not (np.isfinite(xy).all() and (np.abs(xy[:, 0]) <= 180).all()
                        and (np.abs(xy[:, 1]) <= 90).all()):
        raise NoticeError("out_of_range", "coordinates out of range: the area must be "
                          "longitude, latitude in degrees (longitude first)")
    for p in parts:
        if not p.is_valid:
            reason = explain_validity(p)
            raise NoticeError("invalid", f"the polygon is not valid: {reason}", reason=reason)
    if datum != "wgs84":
        def to_wgs84(coords: np.ndarray) -> np.ndarray:
            return np.column_stack(crs.to_wgs84(coords[:, 0], coords[:, 1], datum))

        parts = [shapely.transform(p, to_wgs84) for p in parts]
    geom = shapely.union_all(parts)
    if geom.is_empty or geom.area <= 0:
        raise NoticeError("empty", "the area is empty (its polygons have no area)")
    return Area(geometry=geom, kind="polygon", datum=datum)


def _check_datum(datum: str | None) -> None:
    if datum is not None and datum not in crs.DATUMS:
        raise NoticeError("crs", f"unknown datum {datum!r}; expected one of "
                          f"{', '.join(crs.DATUMS)}", crs=str(datum))


def _text(data: str | bytes) -> str:
    """An uploaded file's text: at most :data:`MAX_AREA_BYTES`, UTF-8 (a BOM is dropped)."""
    if len(data) > MAX_AREA_BYTES:
        raise NoticeError("too_large", f"the file is larger than "
                          f"{MAX_AREA_BYTES / 1e6:.0f} MB", limit=MAX_AREA_BYTES // 10**6)
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NoticeError("not_json", "not valid JSON: the file is not UTF-8 text",
                          detail="not UTF-8") from exc


def area_from_geojson(data: str | bytes | Mapping, datum: str | None = None) -> Area:
    """An :class:`Area` from GeoJSON text or a parsed object (FeatureCollection, Feature,
    Polygon, MultiPolygon or a GeometryCollection of them; several polygons are joined).

    ``datum`` (``wgs84``, ``gcj02``, ``bd09``) says in which datum the coordinates are; None
    reads it from the (2008-style) ``crs`` member and defaults to WGS-84 (RFC 7946). GCJ-02
    and BD-09 coordinates (AMap, Tencent, Baidu) are converted to WGS-84.

    >>> a = area_from_geojson('{"type": "Polygon", "coordinates": '
    ...                       '[[[125, 41], [126, 41], [126, 42], [125, 41]]]}')
    >>> a.kind, a.geometry.geom_type, a.datum
    ('polygon', 'Polygon', 'wgs84')
    """
    _check_datum(datum)
    obj = data
    if isinstance(data, bytes | str):
        try:
            obj = json.loads(_text(data))
        except json.JSONDecodeError as exc:
            detail = f"{exc.msg} (line {exc.lineno}, column {exc.colno})"
            raise NoticeError("not_json", f"not valid JSON: {detail}", detail=detail) from exc
    if not isinstance(obj, Mapping):
        raise NoticeError("not_geojson", "not GeoJSON: expected an object with a 'type'")
    file_datum = _datum_of_crs_member(obj)
    parts: list[BaseGeometry] = []
    _polygons_of(obj, parts)
    return _finish(parts, datum or file_datum or "wgs84")


def area_from_wkt(text: str, datum: str | None = None) -> Area:
    """An :class:`Area` from a WKT ``POLYGON``/``MULTIPOLYGON`` (longitude latitude)."""
    _check_datum(datum)
    try:
        geom = shapely.from_wkt(text)
    except shapely.errors.GEOSException as exc:
        raise NoticeError("bad_wkt", f"not valid WKT: {exc}", detail=str(exc)) from exc
    if geom is None:
        raise NoticeError("empty", "the area contains no polygon")
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        parts = [geom]
    elif geom.geom_type == "GeometryCollection" and all(
            g.geom_type in ("Polygon", "MultiPolygon") for g in geom.geoms):
        parts = list(geom.geoms)
    else:
        raise NoticeError("geometry_type", f"the area must be a Polygon or MultiPolygon, "
                          f"not a {geom.geom_type}", kind=geom.geom_type)
    return _finish([p for p in parts if not p.is_empty], datum or "wgs84")


def area_from_cells(cells: Sequence[str], resolution: int | None = None) -> Area:
    """An :class:`Area` of H3 cells (all of ``resolution`` when given: the warehouse's is 7).

    >>> a = area_from_cells(["872ab259affffff"])
    >>> a.kind, a.cells, round(a.area_km2, 1)
    ('cells', ('872ab259affffff',), 5.3)
    """
    if isinstance(cells, str):
        cells = [cells]
    uniq = tuple(dict.fromkeys(str(c).strip() for c in cells if str(c).strip()))
    if not uniq:
        raise NoticeError("no_cells", "choose at least one cell")
    if len(uniq) > MAX_CELLS:
        raise NoticeError("too_many_cells", f"choose at most {MAX_CELLS:,} cells",
                          limit=MAX_CELLS)
    bad = [c for c in uniq if not h3.is_valid_cell(c)]
    if bad:
        raise NoticeError("bad_cell", f"not an H3 cell: {', '.join(bad[:5])}",
                          cells=", ".join(bad[:5]))
    found = {h3.get_resolution(c) for c in uniq}
    want = {resolution} if resolution is not None else {next(iter(found))}
    if found != want:
        raise NoticeError("cell_resolution", f"the cells must all have resolution "
                          f"{next(iter(want))}; found {', '.join(map(str, sorted(found)))}",
                          resolution=next(iter(want)))
    geom = shape(h3.cells_to_geo(list(uniq)))
    return Area(geometry=geom, kind="cells", cells=uniq, datum="wgs84")


def parse_area(area: Area | BaseGeometry | Mapping | str | bytes,
               datum: str | None = None) -> Area:
    """An :class:`Area` from whatever a caller holds: an Area (returned as is), a shapely
    geometry (WGS-84), a GeoJSON object or text, or WKT text."""
    if isinstance(area, Area):
        return area
    if isinstance(area, BaseGeometry):
        return area_from_wkt(area.wkt, datum)
    if isinstance(area, Mapping):
        return area_from_geojson(area, datum)
    if isinstance(area, bytes):
        area = _text(area)
    if isinstance(area, str):
        if area.lstrip("\ufeff \t\r\n").startswith(("{", "[")):
            return area_from_geojson(area, datum)
        return area_from_wkt(area, datum)
    raise NoticeError("not_geojson", f"cannot read an area from a {type(area).__name__}")


def check_window(start: datetime, end: datetime) -> None:
    """Raise :class:`NoticeError` (``window``) unless the maintenance window ends after it
    starts."""
    if end <= start:
        raise NoticeError("window", "the maintenance window must end after it starts")


def notice_audit(feeders: Sequence[str] | None = None,
                 area: Area | None = None) -> tuple[str, dict]:
    """(target, detail) of the audit entry for a notice on ``feeders`` or an ``area``."""
    if area is not None:
        return area.label(), {"area": area.describe()}
    feeders = list(feeders or [])
    return ",".join(feeders), {"feeders": feeders}
