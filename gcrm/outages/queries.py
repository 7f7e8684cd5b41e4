"""Outages from the warehouse: the one module of the domain that reads it.

Reliability indices (:func:`indices`, :func:`by_month`, :func:`med`: the IEEE 1366 kernel
:mod:`gcrm.outages.indices` over the warehouse's outages and customers), events and who they
interrupted, feeders, and planned-outage notices for feeders (:func:`notice_list`) or for an
area (:func:`notice_list_area`; areas are parsed by :mod:`gcrm.outages.areas`, whose API is
re-exported here). The functions return DataFrames for the outage page, the reports, the
overview and the CLI.

Region scope (``scope``: region ids a user may see, None = everywhere) is applied through
:func:`gcrm.security.scope.scope_sql` only: it limits customers to those regions; an event
(a feeder) is visible when it affected (serves) at least one customer in scope.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from gcrm.outages.areas import (
    MAX_AREA_BYTES,
    MAX_AREA_VERTICES,
    MAX_CELLS,
    Area,
    NoticeError,
    area_from_cells,
    area_from_geojson,
    area_from_wkt,
    check_window,
    notice_audit,
    parse_area,
)
from gcrm.outages.indices import (
    MOMENTARY_MAX_MIN,
    MedResult,
    Options,
    major_event_days,
    reliability,
)
from gcrm.security.scope import scope_sql
from gcrm.storage import warehouse
from gcrm.vocab import SENSITIVE_SEGMENTS

__all__ = [
    "COLUMNS", "CONTACT_COLUMNS", "GROUPS", "MAX_AREA_BYTES", "MAX_AREA_VERTICES", "MAX_CELLS",
    "SENSITIVE_SEGMENTS", "Area", "Base", "NoticeError", "affected_by_class", "affected_cells",
    "affected_customers", "area_from_cells", "area_from_geojson", "area_from_wkt", "base",
    "by_month", "check_window", "count_interrupted", "customer_cells", "events", "feeder_reach",
    "feeders", "indices", "med", "most_interrupted", "notice_audit", "notice_list",
    "notice_list_area", "parse_area", "worst_feeders", "worst_of", "years",
]

CONTACT_COLUMNS = ("customer_id", "name", "customer_class", "big_customer", "phone", "address",
                   "district_id", "feeder_id")
_CONTACTS = ", ".join(f"c.{c}" for c in CONTACT_COLUMNS)
#: the order of a notification list: big customers first
_NOTICE_ORDER = "ORDER BY c.big_customer DESC, c.feeder_id, c.customer_id"

#: reliability grouping -> column of the customer/feeder join (identifiers from here only)
GROUPS = {
    "city": "c.city_id",
    "district": "c.district_id",
    "grid": "c.grid_id",
    "h3": "c.grid_id",  # the same H3 cells (resolution in meta 'h3_resolution'), named h3
    "feeder": "c.feeder_id",
    "substation": "fd.substation_id",
}
#: the contract's columns first, then the extras
COLUMNS = ("customers_served", "saifi", "saidi", "caidi", "asai", "maifi")


def _within(within: str | None) -> tuple[str, list]:
    """The condition for the customers of one city or district (TRUE for None)."""
    return ("TRUE", []) if within is None else scope_sql([within])


# ---------------------------------------------------------------- reliability indices
@dataclass(frozen=True)
class Base:
    """What every grouping's indices start from, read once (:func:`base`): the customers
    counted per feeder, city, district and opening month (``n``, with the feeder's
    ``substation_id``), every outage, and ``since``: the opening months before it are one
    bucket (empty ``opened_on``), so the base serves any period that starts on or after it."""

    customers: pd.DataFrame
    outages: pd.DataFrame
    since: pd.Timestamp
    scope: tuple[str, ...] | None


#: the groupings a :class:`Base` answers (the H3 cells need the customers' own cells)
_BASE_GROUPS = {"city": "city_id", "district": "district_id", "feeder": "feeder_id",
                "substation": "substation_id"}


def _outages(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT outage_id, feeder_id, start_at, end_at, duration_min, cause, "
                       "planned FROM fact_outage").df()


def _opened(since: pd.Timestamp) -> tuple[str, list]:
    """``opened_on``: the opening month, empty before ``since`` (see :class:`Base`)."""
    return ("CASE WHEN c.opened_on >= ? THEN date_trunc('month', c.opened_on) END",
            [since.to_pydatetime()])


def base(con: duckdb.DuckDBPyConnection, since: pd.Timestamp | int,
         scope: Sequence[str] | None = None) -> Base:
    """The customers in ``scope`` counted in one scan of ``dim_customer`` (one row per feeder,
    city, district and opening month from ``since``, a timestamp or a year's 1 January), and
    the outages: the input of :func:`indices`, :func:`by_month` and :func:`med` for every
    grouping but H3 cells. A page computes it once and passes it to each of them (four
    scans of the 1M customers of the benchmark warehouse before, one per grouping)."""
    since = pd.Timestamp(since, 1, 1) if isinstance(since, int) else pd.Timestamp(since)
    where, params = scope_sql(scope)
    opened, opened_params = _opened(since)
    customers = con.execute(
        f"WITH k AS (SELECT c.feeder_id, c.city_id, c.district_id, {opened} AS opened_on, "
        f"count(*) AS n FROM dim_customer c WHERE {where} GROUP BY ALL) "
        "SELECT k.*, fd.substation_id FROM k LEFT JOIN dim_feeder fd USING (feeder_id)",
        [*opened_params, *params]).df()
    return Base(customers, _outages(con), since, None if scope is None else tuple(scope))


def _from_base(b: Base, by: str, within: str | None,
               only_within: bool) -> pd.DataFrame:
    """The kernel's customers for grouping ``by`` from a :class:`Base` (see :func:`_inputs`)."""
    c = b.customers
    out = pd.DataFrame({"feeder_id": c["feeder_id"], "group": c[_BASE_GROUPS[by]],
                        "opened_on": c["opened_on"], "n": c["n"]})
    if within is not None:
        inside = ((c["city_id"] == within) | (c["district_id"] == within)).to_numpy(bool)
        out["_inside"] = inside
        if only_within:
            out = out[inside]
    return out.reset_index(drop=True)


def _inputs(con: duckdb.DuckDBPyConnection, by: str, since: pd.Timestamp,
            scope: Sequence[str] | None = None, within: str | None = None,
            only_within: bool = False,
            shared: Base | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(outages, customers) for the kernel; ``within`` adds the flag ``_inside`` (with
    ``only_within``, only those customers are read: all flagged).

    The customers are counted in SQL: one row per feeder, group, (``_inside``) and opening
    month with ``n`` customers (reading the 1M customers of the benchmark warehouse into
    pandas took 0.3-1.3 s per call). ``opened_on`` is the first day of the opening month, or
    empty for customers opened before ``since``: whether a customer is served at the end of a
    period (a month's or a year's start, not before ``since``) is then the same as with each
    customer's own date. Every grouping but H3 cells comes from a :class:`Base` (``shared``,
    or read here), H3 cells from their own scan."""
    if by not in GROUPS:
        raise ValueError(f"unknown grouping {by!r}; expected one of {', '.join(GROUPS)}")
    if by in _BASE_GROUPS:
        if shared is None:
            shared = base(con, since, scope)
        elif shared.since > since or shared.scope != (None if scope is None else tuple(scope)):
            raise ValueError("the shared base does not cover this period or scope")
        return shared.outages, _from_base(shared, by, within, only_within)
    where, params = scope_sql(scope)  # a scoped user's system is their regions' customers
    opened, opened_params = _opened(since)
    inside, inside_params = "", []
    if within is not None and only_within:  # the region's customers only (a drill-down)
        cond, cond_params = _within(within)
        inside = ", TRUE AS _inside"
        where, params = f"{where} AND {cond}", [*params, *cond_params]
    elif within is not None:  # flag the customers of one region (a drill-down)
        cond, inside_params = _within(within)
        inside = f", {cond} IS TRUE AS _inside"
    customers = con.execute(
        f"SELECT c.feeder_id, {GROUPS[by]} AS \"group\", {opened} AS opened_on{inside}, "
        f"count(*) AS n FROM dim_customer c WHERE {where} GROUP BY ALL",
        [*opened_params, *inside_params, *params]).df()
    outages = shared.outages if shared is not None else _outages(con)
    return outages, customers


def years(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The years with outages, ascending."""
    return [r[0] for r in con.execute(
        "SELECT DISTINCT year(start_at) FROM fact_outage ORDER BY 1").fetchall()]


def indices(con: duckdb.DuckDBPyConnection, year: int, by: str = "district",
            exclude_planned: bool = False, exclude_med: bool = False,
            scope: Sequence[str] | None = None, month: int | None = None,
            within: str | None = None, months: tuple[str, str] | None = None,
            shared: Base | None = None) -> pd.DataFrame:
    """One row per group: the reliability contract's columns, then CAIFI, CEMI, CELID, DL/T 836.

    The period is ``year``, one ``month`` of it, or ``months`` = ("YYYY-MM", "YYYY-MM")
    (inclusive, may cross a year boundary; ``year`` is then ignored): ASAI and RS use that
    period's minutes, customers served are those existing at its end.

    The group column is named after ``by``; customers outside every group appear with an
    empty group so that the groups add up to the system.

    ``within`` (a city or district id) drills down: only that region's customers (inside the
    scope) are grouped, e.g. ``indices(con, 2026, "h3", within="220502")`` gives one row per H3
    cell of 220502 whose customers served are the cell's customers in that district. Major
    event days stay those of the whole scope, so the cells weighted by customers served
    reproduce the district's row of ``indices(con, 2026, "district")``.

    ``shared``: a :func:`base` of the same scope from the period's start or earlier (read
    here when None), e.g. one for the page's district, feeder and substation indices.
    """
    # the whole system is needed beside the region's customers only for its major event days
    opts = Options(year=year, exclude_planned=exclude_planned, exclude_med=exclude_med,
                   month=month)
    if months is not None:
        opts = Options(year=int(months[1][:4]), exclude_planned=exclude_planned,
                       exclude_med=exclude_med, span=(months[0], months[1]))
    outages, customers = _inputs(con, by, opts.period()[0], scope, within,
                                 only_within=not exclude_med, shared=shared)
    if within is None:
        res = reliability(outages, customers, opts)
    else:
        inside = customers.pop("_inside").astype(bool)
        res = reliability(outages, customers[inside], opts, system=customers)
    return res.rename(columns={"group": by})


def by_month(con: duckdb.DuckDBPyConnection, year: int, by: str = "district",
             exclude_planned: bool = False, exclude_med: bool = False,
             scope: Sequence[str] | None = None, shared: Base | None = None) -> pd.DataFrame:
    """Monthly indices of ``year``: the rows of :func:`indices` for each month, with ``month``
    (YYYY-MM) first. Monthly ASAI and RS use the minutes of that month. ``shared``: as for
    :func:`indices`."""
    outages, customers = _inputs(con, by, pd.Timestamp(year, 1, 1), scope, shared=shared)
    frames = []
    for m in range(1, 13):
        res = reliability(outages, customers, Options(
            year=year, exclude_planned=exclude_planned, exclude_med=exclude_med, month=m))
        frames.append(res.rename(columns={"group": by}).assign(month=f"{year}-{m:02d}"))
    out = pd.concat(frames, ignore_index=True)
    return out[["month", *[c for c in out.columns if c != "month"]]]


def med(con: duckdb.DuckDBPyConnection, year: int, exclude_planned: bool = False,
        scope: Sequence[str] | None = None, shared: Base | None = None) -> MedResult:
    """Major event days of ``year`` (system level, 2.5 beta method); ``shared``: as for
    :func:`indices`."""
    outages, customers = _inputs(con, "city", pd.Timestamp(year, 1, 1), scope, shared=shared)
    return major_event_days(outages, customers, Options(year=year,
                                                        exclude_planned=exclude_planned))


# ---------------------------------------------------------------- events
def events(con: duckdb.DuckDBPyConnection, year: int | None = None,
           scope: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per outage event with the customers it interrupted (within scope).

    The customers of each feeder are counted once, then joined to its events (joining every
    event to its feeder's customers first made 5.5M rows on the 1M-customer warehouse: 0.5 s
    on a quiet machine, 5 s on a busy one); customer minutes = duration x customers. They
    are counted per feeder and district first, then per feeder (a ``DISTINCT`` list of
    districts over the 1M customers took twice as long)."""
    where, params = scope_sql(scope)
    year_sql = "TRUE" if year is None else "year(o.start_at) = ?"
    sql = f"""
        WITH fdc AS (
            SELECT c.feeder_id, c.district_id, count(*) AS n,
                   count(*) FILTER (WHERE c.big_customer) AS n_big,
                   count(*) FILTER (WHERE list_contains(?, c.segment)) AS n_sensitive
            FROM dim_customer c WHERE c.feeder_id IS NOT NULL AND {where} GROUP BY 1, 2),
        fc AS (
            SELECT feeder_id, sum(n)::BIGINT AS n, sum(n_big)::BIGINT AS n_big,
                   sum(n_sensitive)::BIGINT AS n_sensitive,
                   string_agg(district_id, ',' ORDER BY district_id) AS districts
            FROM fdc GROUP BY 1)
        SELECT o.outage_id, o.feeder_id, fd.substation_id, fd.substation_name, o.start_at,
               o.end_at, o.duration_min, o.cause, o.planned,
               o.duration_min <= {MOMENTARY_MAX_MIN} AS momentary,
               coalesce(fc.n, 0) AS customers_affected,
               coalesce(fc.n_big, 0) AS big_customers_affected,
               coalesce(fc.n_sensitive, 0) AS sensitive_customers_affected,
               o.duration_min * fc.n AS customer_minutes,
               fc.districts
        FROM fact_outage o
        LEFT JOIN dim_feeder fd ON fd.feeder_id = o.feeder_id
        LEFT JOIN fc ON fc.feeder_id = o.feeder_id
        WHERE {year_sql} AND {'TRUE' if scope is None else 'fc.n > 0'}
        ORDER BY o.start_at, o.outage_id"""
    return con.execute(sql, [list(SENSITIVE_SEGMENTS), *params,
                             *([] if year is None else [year])]).df()


def _affected(con: duckdb.DuckDBPyConnection, outage_id: str, scope: Sequence[str] | None,
              columns: str, tail: str, column_params: Sequence = (),
              located: bool = False) -> pd.DataFrame:
    """``SELECT columns`` over the customers (in scope) that event ``outage_id`` interrupted,
    then ``tail`` (GROUP BY, ORDER BY); ``located``: only customers with an H3 cell."""
    where, params = scope_sql(scope)
    cell = "c.grid_id IS NOT NULL AND " if located else ""
    return con.execute(
        f"SELECT {columns} FROM fact_outage o JOIN dim_customer c "
        f"ON c.feeder_id = o.feeder_id WHERE o.outage_id = ? AND {cell}{where} {tail}",
        [*column_params, outage_id, *params]).df()


def affected_customers(con: duckdb.DuckDBPyConnection, outage_id: str,
                       scope: Sequence[str] | None = None) -> pd.DataFrame:
    """Customers interrupted by one event (contact fields unmasked: the caller masks).

    Besides the contact columns: ``segment``, ``sensitive`` (segment in
    :data:`SENSITIVE_SEGMENTS`), ``grid_id`` (H3 cell), ``lon``, ``lat``.
    """
    return _affected(
        con, outage_id, scope,
        f"{_CONTACTS}, c.segment, coalesce(list_contains(?, c.segment), FALSE) AS sensitive, "
        "c.grid_id, c.lon, c.lat",
        "ORDER BY c.big_customer DESC, c.customer_class, c.customer_id",
        [list(SENSITIVE_SEGMENTS)])


def affected_by_class(con: duckdb.DuckDBPyConnection, outage_id: str,
                      scope: Sequence[str] | None = None) -> pd.DataFrame:
    """Customers interrupted by one event per class: customers, big and sensitive ones."""
    return _affected(
        con, outage_id, scope,
        "c.customer_class, count(*) AS customers, "
        "count(*) FILTER (WHERE c.big_customer) AS big_customers, "
        "count(*) FILTER (WHERE list_contains(?, c.segment)) AS sensitive_customers",
        "GROUP BY 1 ORDER BY customers DESC, c.customer_class",
        [list(SENSITIVE_SEGMENTS)])


def affected_cells(con: duckdb.DuckDBPyConnection, outage_id: str,
                   scope: Sequence[str] | None = None) -> pd.DataFrame:
    """The area an event interrupted, as H3 cells: ``cell``, ``customers``, ``big_customers``
    (located customers in scope only; an aggregate, no personal data)."""
    return _affected(
        con, outage_id, scope,
        "c.grid_id AS cell, count(*) AS customers, "
        "count(*) FILTER (WHERE c.big_customer) AS big_customers",
        "GROUP BY 1 ORDER BY 1", located=True)


def worst_feeders(con: duckdb.DuckDBPyConnection, year: int, n: int = 10,
                  exclude_planned: bool = False,
                  scope: Sequence[str] | None = None) -> pd.DataFrame:
    """Feeders ranked by their customer-minutes of interruption (their SAIDI contribution)."""
    return worst_of(indices(con, year, "feeder", exclude_planned=exclude_planned, scope=scope),
                    n)


def worst_of(feeder_indices: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` worst rows of ``indices(..., by="feeder")`` (see :func:`worst_feeders`): a
    page that has the feeders' indices already ranks them without computing them again."""
    df = feeder_indices[feeder_indices["customer_minutes"] > 0]
    return df.sort_values(["customer_minutes", "feeder"], ascending=[False, True]).head(n)


#: feeders with more than ? sustained interruptions (duration > ?) in a year (? = the year)
_FEEDER_INTERRUPTIONS = """
    SELECT feeder_id, count(*) AS interruptions, sum(duration_min) AS minutes
    FROM fact_outage WHERE year(start_at) = ? AND duration_min > ?
    GROUP BY 1 HAVING count(*) > ?"""


def _interrupted_sql(where: str) -> str:
    """Customers on feeders with more than ? sustained interruptions in a year (CEMI-n)."""
    return f"FROM ({_FEEDER_INTERRUPTIONS}) k JOIN dim_customer c USING (feeder_id) WHERE {where}"


def most_interrupted(con: duckdb.DuckDBPyConnection, year: int, more_than: int = 3,
                     scope: Sequence[str] | None = None,
                     limit: int | None = None) -> pd.DataFrame:
    """Customers with more than ``more_than`` sustained interruptions in ``year`` (CEMI-n),
    the most interrupted first; the first ``limit`` of them (None: all, see
    :func:`count_interrupted`)."""
    where, params = scope_sql(scope)
    order = "ORDER BY k.interruptions DESC, k.minutes DESC, c.customer_id"
    if limit is None:
        return con.execute(
            f"SELECT {_CONTACTS}, k.interruptions, k.minutes {_interrupted_sql(where)} {order}",
            [year, MOMENTARY_MAX_MIN, more_than, *params]).df()
    # every customer of a feeder ties on (interruptions, minutes): sort only the customers of
    # the tie groups the first ``limit`` rows come from (sorting all 377k interrupted
    # customers of the benchmark warehouse took 0.1-0.4 s)
    return con.execute(
        f"WITH k AS ({_FEEDER_INTERRUPTIONS}), "
        f"n AS (SELECT c.feeder_id, count(*) AS n FROM dim_customer c WHERE {where} "
        "GROUP BY 1), "
        "g AS (SELECT interruptions, minutes, sum(n) AS n FROM k JOIN n USING (feeder_id) "
        "GROUP BY 1, 2), "
        "keep AS (SELECT interruptions, minutes FROM (SELECT *, sum(n) OVER (ORDER BY "
        "interruptions DESC, minutes DESC) - n AS before FROM g) WHERE before < ?) "
        f"SELECT {_CONTACTS}, k.interruptions, k.minutes FROM k "
        "SEMI JOIN keep USING (interruptions, minutes) "
        f"JOIN dim_customer c USING (feeder_id) WHERE {where} {order} LIMIT {int(limit)}",
        [year, MOMENTARY_MAX_MIN, more_than, *params, int(limit), *params]).df()


def count_interrupted(con: duckdb.DuckDBPyConnection, year: int, more_than: int = 3,
                      scope: Sequence[str] | None = None) -> int:
    """How many customers :func:`most_interrupted` lists (without fetching them)."""
    where, params = scope_sql(scope)
    return int(con.execute(f"SELECT count(*) {_interrupted_sql(where)}",
                           [year, MOMENTARY_MAX_MIN, more_than, *params]).fetchone()[0])


# ---------------------------------------------------------------- feeders
def feeders(con: duckdb.DuckDBPyConnection,
            scope: Sequence[str] | None = None) -> pd.DataFrame:
    """Feeders with their substation's location (lon/lat, may be null) and customers in scope.

    A scoped user sees only the feeders that serve at least one customer in their regions.
    """
    where, params = scope_sql(scope)
    # customers counted per feeder first (joining the feeders to 1M customers: 0.1-0.2 s)
    return con.execute(
        f"WITH n AS (SELECT c.feeder_id, count(*) AS customers FROM dim_customer c "
        f"WHERE {where} GROUP BY 1) "
        f"SELECT fd.feeder_id, fd.name, fd.substation_id, fd.substation_name, fd.lon, fd.lat, "
        f"coalesce(n.customers, 0) AS customers FROM dim_feeder fd "
        f"{'LEFT ' if scope is None else ''}JOIN n USING (feeder_id) "
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
    inside, inside_params = _within(within)
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
    inside, inside_params = _within(within)
    return con.execute(
        f"SELECT c.grid_id AS cell, count(*) AS customers, "
        f"count(*) FILTER (WHERE c.big_customer) AS big_customers FROM dim_customer c "
        f"WHERE c.grid_id IS NOT NULL AND {where} AND {inside} GROUP BY 1 ORDER BY 1",
        [*params, *inside_params]).df()


# ---------------------------------------------------------------- planned-outage notices
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
    return con.execute(
        f"SELECT {_CONTACTS} FROM dim_customer c WHERE c.feeder_id IN ({marks}) AND {where} "
        f"{_NOTICE_ORDER}", [*feeders, *params]).df()


def _regions_hit(con: duckdb.DuckDBPyConnection, area: Area,
                 scope: Sequence[str] | None) -> int | None:
    """How many city/district boundaries (of the scope) the area touches; None when the
    warehouse holds no boundaries to compare with."""
    warehouse.load_spatial(con)
    if scope is None and not con.execute(
            "SELECT count(*) FROM dim_region WHERE geom IS NOT NULL "
            "AND level IN ('city', 'district')").fetchone()[0]:
        return None
    # a boundary is in scope when it or its parent is: the scope over a region's
    # (parent, itself) read as (city, district)
    where, params = scope_sql(scope, alias="r")
    x0, y0, x1, y1 = area.geometry.bounds
    rows = con.execute(
        "SELECT ST_AsWKB(r.geom) FROM (SELECT geom, parent_id AS city_id, "
        "region_id AS district_id FROM dim_region WHERE level IN ('city', 'district') "
        "AND geom IS NOT NULL) r WHERE ST_XMax(r.geom) >= ? AND ST_XMin(r.geom) <= ? "
        f"AND ST_YMax(r.geom) >= ? AND ST_YMin(r.geom) <= ? AND {where}",
        [x0, x1, y0, y1, *params]).fetchall()
    if not rows:
        return 0
    geoms = shapely.from_wkb([bytes(r[0]) for r in rows])
    return int(shapely.intersects(geoms, area.geometry).sum())


def _customers_in(con: duckdb.DuckDBPyConnection, area: Area,
                  scope: Sequence[str] | None) -> pd.DataFrame:
    """The notice columns of the customers (in scope) inside ``area``, boundary included."""
    where, params = scope_sql(scope)
    if area.kind == "cells":
        return con.execute(
            f"SELECT {_CONTACTS} FROM dim_customer c WHERE list_contains(?, c.grid_id) "
            f"AND {where} {_NOTICE_ORDER}", [list(area.cells), *params]).df()
    x0, y0, x1, y1 = area.geometry.bounds
    df = con.execute(
        f"SELECT {_CONTACTS}, c.lon AS _lon, c.lat AS _lat FROM dim_customer c "
        f"WHERE c.lon BETWEEN ? AND ? AND c.lat BETWEEN ? AND ? AND {where} {_NOTICE_ORDER}",
        [x0, x1, y0, y1, *params]).df()
    shapely.prepare(area.geometry)
    inside = shapely.intersects_xy(area.geometry, df.pop("_lon").to_numpy(float),
                                   df.pop("_lat").to_numpy(float))
    return df[inside].reset_index(drop=True)


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
    df = _customers_in(con, area, scope)
    if df.empty and scope is None and _regions_hit(con, area, None) == 0:
        raise NoticeError("outside_regions", "the area lies outside every region of the "
                          "warehouse and holds no customer")
    return df
