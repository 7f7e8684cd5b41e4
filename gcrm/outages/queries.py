"""Outage analysis from the warehouse: events, who was affected, who must be notified.

The functions return DataFrames for the outage page, the reports and the CLI. Region scope
(``scope``: region ids a user may see) limits affected customers to those regions; an event is
visible when it affected at least one customer in scope.

Planned-outage notices are made for feeders (:func:`notice_list`) or for an area
(:func:`notice_list_area`): a GeoJSON or WKT polygon, or a set of H3 cells picked on the map
(:func:`parse_area`). Bad input raises :class:`NoticeError`, whose ``code`` the page turns
into a translated message.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import h3
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from gcrm.outages import reliability as rel
from gcrm.outages.indices import MOMENTARY_MAX_MIN
from gcrm.security.scope import scope_sql
from gcrm.spatial import crs
from gcrm.storage import warehouse
from gcrm.vocab import SENSITIVE_SEGMENTS

CONTACT_COLUMNS = ("customer_id", "name", "customer_class", "big_customer", "phone", "address",
                   "district_id", "feeder_id")
#: segments whose loss of supply endangers people or public services (hospitals, water
#: supply, schools, government): shown as "sensitive" beside big customers in an event
#: limits on an uploaded area (a city's district boundary at full resolution is ~1 MB)
MAX_AREA_BYTES = 5_000_000
MAX_AREA_VERTICES = 200_000
MAX_CELLS = 5_000


def events(con: duckdb.DuckDBPyConnection, year: int | None = None,
           scope: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per outage event with the customers it interrupted (within scope)."""
    where, params = scope_sql(scope)
    year_sql = "TRUE" if year is None else "year(o.start_at) = ?"
    sql = f"""
        SELECT o.outage_id, o.feeder_id, fd.substation_id, fd.substation_name, o.start_at,
               o.end_at, o.duration_min, o.cause, o.planned,
               o.duration_min <= {MOMENTARY_MAX_MIN} AS momentary,
               count(c.customer_id) AS customers_affected,
               count(c.customer_id) FILTER (WHERE c.big_customer) AS big_customers_affected,
               count(c.customer_id) FILTER (WHERE list_contains(?, c.segment))
                   AS sensitive_customers_affected,
               sum(o.duration_min) FILTER (WHERE c.customer_id IS NOT NULL)
                   AS customer_minutes,
               string_agg(DISTINCT c.district_id, ',' ORDER BY c.district_id) AS districts
        FROM fact_outage o
        LEFT JOIN dim_feeder fd ON fd.feeder_id = o.feeder_id
        LEFT JOIN dim_customer c ON c.feeder_id = o.feeder_id AND {where}
        WHERE {year_sql}
        GROUP BY ALL
        HAVING {'TRUE' if scope is None else 'count(c.customer_id) > 0'}
        ORDER BY o.start_at, o.outage_id"""
    return con.execute(sql, [list(SENSITIVE_SEGMENTS), *params,
                             *([] if year is None else [year])]).df()


def affected_customers(con: duckdb.DuckDBPyConnection, outage_id: str,
                       scope: Sequence[str] | None = None) -> pd.DataFrame:
    """Customers interrupted by one event (contact fields unmasked: the caller masks).

    Besides the contact columns: ``segment``, ``sensitive`` (segment in
    :data:`SENSITIVE_SEGMENTS`), ``grid_id`` (H3 cell), ``lon``, ``lat``.
    """
    where, params = scope_sql(scope)
    cols = ", ".join(f"c.{c}" for c in CONTACT_COLUMNS)
    return con.execute(
        f"SELECT {cols}, c.segment, coalesce(list_contains(?, c.segment), FALSE) AS sensitive, "
        f"c.grid_id, c.lon, c.lat FROM fact_outage o JOIN dim_customer c "
        f"ON c.feeder_id = o.feeder_id WHERE o.outage_id = ? AND {where} "
        "ORDER BY c.big_customer DESC, c.customer_class, c.customer_id",
        [list(SENSITIVE_SEGMENTS), outage_id, *params]).df()


def affected_by_class(con: duckdb.DuckDBPyConnection, outage_id: str,
                      scope: Sequence[str] | None = None) -> pd.DataFrame:
    """Customers interrupted by one event per class: customers, big and sensitive ones."""
    where, params = scope_sql(scope)
    return con.execute(
        f"SELECT c.customer_class, count(*) AS customers, "
        f"count(*) FILTER (WHERE c.big_customer) AS big_customers, "
        f"count(*) FILTER (WHERE list_contains(?, c.segment)) AS sensitive_customers "
        f"FROM fact_outage o JOIN dim_customer c ON c.feeder_id = o.feeder_id "
        f"WHERE o.outage_id = ? AND {where} GROUP BY 1 "
        "ORDER BY customers DESC, c.customer_class",
        [list(SENSITIVE_SEGMENTS), outage_id, *params]).df()


def affected_cells(con: duckdb.DuckDBPyConnection, outage_id: str,
                   scope: Sequence[str] | None = None) -> pd.DataFrame:
    """The area an event interrupted, as H3 cells: ``cell``, ``customers``, ``big_customers``
    (located customers in scope only; an aggregate, no personal data)."""
    where, params = scope_sql(scope)
    return con.execute(
        f"SELECT c.grid_id AS cell, count(*) AS customers, "
        f"count(*) FILTER (WHERE c.big_customer) AS big_customers "
        f"FROM fact_outage o JOIN dim_customer c ON c.feeder_id = o.feeder_id "
        f"WHERE o.outage_id = ? AND c.grid_id IS NOT NULL AND {where} GROUP BY 1 ORDER BY 1",
        [outage_id, *params]).df()


def worst_feeders(con: duckdb.DuckDBPyConnection, year: int, n: int = 10,
                  exclude_planned: bool = False,
                  scope: Sequence[str] | None = None) -> pd.DataFrame:
    """Feeders ranked by their customer-minutes of interruption (their SAIDI contribution)."""
    df = rel.indices(con, year, "feeder", exclude_planned=exclude_planned, scope=scope)
    df = df[df["customer_minutes"] > 0]
    return df.sort_values(["customer_minutes", "feeder"], ascending=[False, True]).head(n)


def most_interrupted(con: duckdb.DuckDBPyConnection, year: int, more_than: int = 3,
                     scope: Sequence[str] | None = None) -> pd.DataFrame:
    """Customers with more than ``more_than`` sustained interruptions in ``year`` (CEMI-n)."""
    where, params = scope_sql(scope)
    cols = ", ".join(f"c.{c}" for c in CONTACT_COLUMNS)
    return con.execute(f"""
        SELECT {cols}, k.interruptions, k.minutes
        FROM (SELECT feeder_id, count(*) AS interruptions, sum(duration_min) AS minutes
              FROM fact_outage WHERE year(start_at) = ? AND duration_min > ?
              GROUP BY 1 HAVING count(*) > ?) k
        JOIN dim_customer c USING (feeder_id)
        WHERE {where}
        ORDER BY k.interruptions DESC, k.minutes DESC, c.customer_id""",
        [year, MOMENTARY_MAX_MIN, more_than, *params]).df()


def notice_list(con: duckdb.DuckDBPyConnection, feeders: Sequence[str],
                scope: Sequence[str] | None = None) -> pd.DataFrame:
    """Every customer on ``feeders`` (within scope): the planned-outage notification list."""
    if not feeders:
        raise ValueError("choose at least one feeder")
    known = {r[0] for r in con.execute("SELECT feeder_id FROM dim_feeder").fetchall()}
    unknown = [f for f in feeders if f not in known]
    if unknown:
        raise ValueError(f"unknown feeder(s): {', '.join(unknown)}")
    where, params = scope_sql(scope)
    marks = ", ".join("?" for _ in feeders)
    cols = ", ".join(f"c.{c}" for c in CONTACT_COLUMNS)
    return con.execute(
        f"SELECT {cols} FROM dim_customer c WHERE c.feeder_id IN ({marks}) AND {where} "
        "ORDER BY c.big_customer DESC, c.feeder_id, c.customer_id",
        [*feeders, *params]).df()


def check_window(start: datetime, end: datetime) -> None:
    if end <= start:
        raise NoticeError("window", "the maintenance window must end after it starts")


def feeders(con: duckdb.DuckDBPyConnection,
            scope: Sequence[str] | None = None) -> pd.DataFrame:
    """Feeders with their substation's location (lon/lat, may be null) and customers in scope.

    A scoped user sees only the feeders that serve at least one customer in their regions.
    """
    where, params = scope_sql(scope)
    return con.execute(
        f"SELECT fd.feeder_id, fd.name, fd.substation_id, fd.substation_name, fd.lon, fd.lat, "
        f"count(c.customer_id) AS customers FROM dim_feeder fd "
        f"LEFT JOIN dim_customer c ON c.feeder_id = fd.feeder_id AND {where} "
        f"GROUP BY ALL HAVING {'TRUE' if scope is None else 'count(c.customer_id) > 0'} "
        "ORDER BY fd.feeder_id", params).df()


def feeder_reach(con: duckdb.DuckDBPyConnection, by: str = "district",
                 scope: Sequence[str] | None = None,
                 within: str | None = None) -> pd.DataFrame:
    """Where each feeder's located customers are: one row per feeder and district (``by=
    "district"``) or H3 cell (``by="h3"``) with ``customers``, their mean ``lon``/``lat`` and
    ``district_id`` (for a cell crossing a boundary, the first of its districts).

    The warehouse holds no line geometry; the map draws a feeder schematically from its
    substation to these points. ``within`` limits to one city or district.
    """
    col = {"district": "c.district_id", "h3": "c.grid_id"}.get(by)
    if col is None:
        raise ValueError(f"unknown grouping {by!r}; expected district or h3")
    where, params = scope_sql(scope)
    inside, inside_params = "TRUE", []
    if within is not None:
        inside, inside_params = "(c.city_id = ? OR c.district_id = ?)", [within, within]
    return con.execute(
        f"SELECT c.feeder_id, {col} AS \"group\", count(*) AS customers, avg(c.lon) AS lon, "
        f"avg(c.lat) AS lat, min(c.district_id) AS district_id "
        f"FROM dim_customer c WHERE {col} IS NOT NULL AND c.lon IS NOT NULL "
        f"AND {where} AND {inside} GROUP BY 1, 2 ORDER BY 1, 2",
        [*params, *inside_params]).df()


def customer_cells(con: duckdb.DuckDBPyConnection, scope: Sequence[str] | None = None,
                   within: str | None = None) -> pd.DataFrame:
    """H3 cells holding customers in scope (optionally of one region): ``cell``, ``customers``,
    ``big_customers``. The cells a user may pick for an area notice."""
    where, params = scope_sql(scope)
    inside, inside_params = "TRUE", []
    if within is not None:
        inside, inside_params = "(c.city_id = ? OR c.district_id = ?)", [within, within]
    return con.execute(
        f"SELECT c.grid_id AS cell, count(*) AS customers, "
        f"count(*) FILTER (WHERE c.big_customer) AS big_customers FROM dim_customer c "
        f"WHERE c.grid_id IS NOT NULL AND {where} AND {inside} GROUP BY 1 ORDER BY 1",
        [*params, *inside_params]).df()


# ---------------------------------------------------------------- notices for an area
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
        if len(data) > MAX_AREA_BYTES:
            raise NoticeError("too_large", f"the file is larger than "
                              f"{MAX_AREA_BYTES / 1e6:.0f} MB", limit=MAX_AREA_BYTES // 10**6)
        try:
            text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
            obj = json.loads(text)
        except UnicodeDecodeError as exc:
            raise NoticeError("not_json", "not valid JSON: the file is not UTF-8 text",
                              detail="not UTF-8") from exc
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
        if len(area) > MAX_AREA_BYTES:
            raise NoticeError("too_large", f"the file is larger than "
                              f"{MAX_AREA_BYTES / 1e6:.0f} MB", limit=MAX_AREA_BYTES // 10**6)
        try:
            area = area.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise NoticeError("not_json", "not valid JSON: the file is not UTF-8 text",
                              detail="not UTF-8") from exc
    if isinstance(area, str):
        if area.lstrip("\ufeff \t\r\n").startswith(("{", "[")):
            return area_from_geojson(area, datum)
        return area_from_wkt(area, datum)
    raise NoticeError("not_geojson", f"cannot read an area from a {type(area).__name__}")


def _regions_hit(con: duckdb.DuckDBPyConnection, area: Area,
                 scope: Sequence[str] | None) -> int | None:
    """How many city/district boundaries (of the scope) the area touches; None when the
    warehouse holds no boundaries to compare with."""
    warehouse.load_spatial(con)
    sql = ("SELECT ST_AsWKB(geom) FROM dim_region WHERE level IN ('city', 'district') "
           "AND geom IS NOT NULL AND ST_XMax(geom) >= ? AND ST_XMin(geom) <= ? "
           "AND ST_YMax(geom) >= ? AND ST_YMin(geom) <= ?")
    x0, y0, x1, y1 = area.geometry.bounds
    params: list = [x0, x1, y0, y1]
    if scope is not None:
        if not scope:
            return 0
        marks = ", ".join("?" for _ in scope)
        sql += f" AND (region_id IN ({marks}) OR parent_id IN ({marks}))"
        params += [*scope, *scope]
    elif not con.execute("SELECT count(*) FROM dim_region WHERE geom IS NOT NULL "
                         "AND level IN ('city', 'district')").fetchone()[0]:
        return None
    rows = con.execute(sql, params).fetchall()
    if not rows:
        return 0
    geoms = shapely.from_wkb([bytes(r[0]) for r in rows])
    return int(shapely.intersects(geoms, area.geometry).sum())


def notice_list_area(con: duckdb.DuckDBPyConnection,
                     area: Area | BaseGeometry | Mapping | str | bytes,
                     window: tuple[datetime, datetime] | None = None,
                     scope: Sequence[str] | None = None,
                     datum: str | None = None) -> pd.DataFrame:
    """Every customer located inside ``area`` (within scope): the planned-outage notice for a
    drawn area, with the same columns and order as :func:`notice_list`.

    ``area`` is anything :func:`parse_area` reads (GeoJSON, WKT, shapely, H3 cells via
    :func:`area_from_cells`); ``datum`` applies to GeoJSON/WKT input. A customer on the
    boundary is inside (better one notice too many). ``window`` (start, end) is checked
    when given. Raises :class:`NoticeError` for a bad window, bad or empty area, an area
    outside the user's regions (scoped users), or, for everyone, an area that touches no
    region of the warehouse and holds no customer.
    """
    if window is not None:
        check_window(*window)
    area = parse_area(area, datum)
    if scope is not None and _regions_hit(con, area, scope) == 0:
        raise NoticeError("outside_scope", "the area lies outside your regions")
    where, params = scope_sql(scope)
    cols = ", ".join(f"c.{c}" for c in CONTACT_COLUMNS)
    order = "ORDER BY c.big_customer DESC, c.feeder_id, c.customer_id"
    if area.kind == "cells":
        df = con.execute(f"SELECT {cols} FROM dim_customer c WHERE list_contains(?, c.grid_id) "
                         f"AND {where} {order}", [list(area.cells), *params]).df()
    else:
        x0, y0, x1, y1 = area.geometry.bounds
        df = con.execute(
            f"SELECT {cols}, c.lon AS _lon, c.lat AS _lat FROM dim_customer c "
            f"WHERE c.lon BETWEEN ? AND ? AND c.lat BETWEEN ? AND ? AND {where} {order}",
            [x0, x1, y0, y1, *params]).df()
        shapely.prepare(area.geometry)
        inside = shapely.intersects_xy(area.geometry, df.pop("_lon").to_numpy(float),
                                       df.pop("_lat").to_numpy(float))
        df = df[inside].reset_index(drop=True)
    if df.empty and scope is None and _regions_hit(con, area, None) == 0:
        raise NoticeError("outside_regions", "the area lies outside every region of the "
                          "warehouse and holds no customer")
    return df


def notice_audit(feeders: Sequence[str] | None = None,
                 area: Area | None = None) -> tuple[str, dict]:
    """(target, detail) of the audit entry for a notice on ``feeders`` or an ``area``."""
    if area is not None:
        return area.label(), {"area": area.describe()}
    feeders = list(feeders or [])
    return ",".join(feeders), {"feeders": feeders}
