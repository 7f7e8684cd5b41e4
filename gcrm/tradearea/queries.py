"""Trading-area analysis over the warehouse: fetch (bound parameters), call the pure functions.

The same functions serve the CLI (``gcrm tradearea ...``) and the dashboard page. Every
customer-level result honours the user's region scope (``scope``: region ids, None =
everywhere); the population grid is scoped the same way (by its ``city_id``/``district_id``).
Service points are facilities, not personal data: all of them compete in the Huff model and
in proximity areas whatever the scope.

Methods, formulas and assumptions: docs/trade-areas.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from gcrm import cube
from gcrm.cube import disclosure, percustomer
from gcrm.security.scope import scope_sql
from gcrm.tradearea import geometry, huff, network
from gcrm.vocab import ONLINE_CHANNELS, SERVICE_POINT_KINDS

KINDS = SERVICE_POINT_KINDS
SEGMENTS = ("counter_payers", "big_unvisited")
LAYERS = ("rings", "drivetime", "voronoi", "customers", "huff", "gaps", "overlaps", "sites")


# --------------------------------------------------------------------------- fetching
def service_points(con: duckdb.DuckDBPyConnection,
                   kinds: Sequence[str] | None = None) -> pd.DataFrame:
    """Located service points (``service_point_id``, ``name``, ``kind``, ``lon``, ``lat``,
    ``district_id``, ``counters``, ``opening_hours``), optionally of the given kinds.

    Raises ValueError when there are none.
    """
    if kinds:
        bad = [k for k in kinds if k not in KINDS]
        if bad:
            raise ValueError(f"unknown service-point kind(s) {', '.join(bad)}; valid kinds: "
                             f"{', '.join(KINDS)}")
    sql = ("SELECT service_point_id, name, kind, lon, lat, district_id, CAST(attrs AS VARCHAR) "
           "AS attrs FROM dim_service_point WHERE lon IS NOT NULL AND lat IS NOT NULL")
    params: list = []
    if kinds:
        sql += f" AND kind IN ({', '.join('?' for _ in kinds)})"
        params += list(kinds)
    df = con.execute(sql + " ORDER BY service_point_id", params).df()
    if df.empty:
        what = f" of kind {', '.join(kinds)}" if kinds else ""
        raise ValueError(f"no located service points{what}: the service-point table is empty "
                         "(load service_points.csv)")
    attrs = df.pop("attrs").map(lambda s: json.loads(s) if s else {})
    df["counters"] = pd.to_numeric(attrs.map(lambda a: a.get("counters")), errors="coerce")
    df["opening_hours"] = attrs.map(lambda a: a.get("opening_hours"))
    return df


def region_boundary(con: duckdb.DuckDBPyConnection, scope: Sequence[str] | None = None):
    """Union of the district polygons (of the city polygons when there are no districts)
    within ``scope``, WGS-84."""
    # a region is in scope when it or its parent city is: the region is the "district" and
    # its parent the "city" of the scope condition
    cond, params = scope_sql(scope, alias="r")
    for level in ("district", "city"):
        rows = con.execute(
            "SELECT r.geom FROM (SELECT geom, level, region_id AS district_id, parent_id AS "
            f"city_id FROM dim_region) r WHERE r.level = ? AND r.geom IS NOT NULL AND {cond}",
            [level, *params]).fetchall()
        if rows:
            return shapely.union_all(shapely.from_wkb([bytes(r[0]) for r in rows]))
    raise ValueError("no region boundaries in the warehouse (within your scope)")


def _customers(con, scope, extra: str = "", extra_params: Sequence = (),
               ) -> duckdb.DuckDBPyConnection:
    """The located customers within ``scope`` (and ``extra``), executed: fetch them with
    ``.df()`` or ``.to_arrow_table()``."""
    cond, params = scope_sql(scope)
    return con.execute(
        "SELECT c.customer_id, c.customer_class, c.tariff, c.big_customer, c.lon, c.lat, "
        "c.district_id, c.feeder_id, c.service_point_id FROM dim_customer c "
        f"WHERE c.lon IS NOT NULL AND c.lat IS NOT NULL AND {cond}{extra}",
        [*params, *extra_params])


def _cells(con, scope, required: bool = False) -> pd.DataFrame:
    """Population-grid cells within ``scope``; ``required``: an empty grid is an error."""
    cond, params = scope_sql(scope, alias="p")
    cells = con.execute("SELECT p.cell_id, p.lon, p.lat, p.resident, p.floating, p.district_id "
                        f"FROM population_grid p WHERE {cond} ORDER BY p.cell_id", params).df()
    if required and cells.empty:
        raise ValueError("the population grid is empty (within your scope): load population.csv")
    return cells


def population_cells(con: duckdb.DuckDBPyConnection,
                     scope: Sequence[str] | None = None) -> pd.DataFrame:
    """Population-grid cells within ``scope``: ``cell_id``, ``lon``, ``lat``, ``resident``,
    ``floating``, ``district_id`` (empty when there is no grid)."""
    return _cells(con, scope)


def _months(con, months: tuple[str, str] | None) -> tuple[str, str]:
    return tuple(months) if months else cube.month_range(con, 12)


# --------------------------------------------------------------------------- centre / area
def resolve_center(con: duckdb.DuckDBPyConnection, service_point: str | None = None,
                   lon: float | None = None, lat: float | None = None,
                   ) -> tuple[float, float, str]:
    """``(lon, lat, label)`` of a service point or of a point inside the regions."""
    if service_point:
        row = con.execute("SELECT lon, lat, name FROM dim_service_point WHERE "
                          "service_point_id = ?", [service_point]).fetchone()
        if row is None:
            n = con.execute("SELECT count(*) FROM dim_service_point").fetchone()[0]
            if n == 0:
                raise ValueError("the service-point table is empty (load service_points.csv)")
            some = [r[0] for r in con.execute("SELECT service_point_id FROM dim_service_point "
                                              "ORDER BY 1 LIMIT 5").fetchall()]
            raise ValueError(f"unknown service point {service_point!r}; e.g. {', '.join(some)}")
        if row[0] is None or row[1] is None:
            raise ValueError(f"service point {service_point!r} has no coordinates")
        return float(row[0]), float(row[1]), f"{service_point} {row[2]}"
    if lon is None or lat is None:
        raise ValueError("give a service point or both a longitude and a latitude")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValueError(f"coordinates out of range: lon {lon}, lat {lat}")
    boundary = region_boundary(con)
    if not shapely.contains_xy(boundary, lon, lat):
        raise ValueError(f"point ({lon}, {lat}) lies outside every region of the warehouse")
    return float(lon), float(lat), f"({lon:.5f}, {lat:.5f})"


def load_area(path: str | Path):
    """The union of the polygons of a GeoJSON/GeoPackage file, in WGS-84."""
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"area file {p} does not exist")
    try:
        gdf = gpd.read_file(p)
    except Exception as exc:
        raise ValueError(f"cannot read area file {p}: {exc}") from exc
    gdf = gdf[gdf.geometry.notna() & gdf.geom_type.isin(["Polygon", "MultiPolygon"])]
    if gdf.empty:
        raise ValueError(f"area file {p} holds no polygon")
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs(geometry.WGS84)
    return shapely.make_valid(shapely.union_all(gdf.geometry.to_numpy()))


def area_from(con: duckdb.DuckDBPyConnection, *, geojson: str | Path | None = None,
              service_point: str | None = None, lon: float | None = None,
              lat: float | None = None, km: float | None = None, minutes: float | None = None,
              pbf: str | Path | None = None, share: float | None = None,
              months: tuple[str, str] | None = None):
    """One trade-area polygon from the user's choice, and a label.

    Exactly one of: ``geojson`` (a file), ``km`` (ring around the centre), ``minutes``
    (drive-time area; distance fallback without ``pbf``), ``share`` (customer-derived area of
    ``service_point``).
    """
    chosen = [n for n, v in (("a polygon file", geojson), ("a ring radius", km),
                             ("a drive time", minutes), ("a customer share", share))
              if v is not None]
    if len(chosen) != 1:
        raise ValueError("define the area by exactly one of: a polygon file (--area), a ring "
                         "radius (--km), a drive time (--minutes) or a customer share "
                         f"(--share); got {', '.join(chosen) or 'none'}")
    if geojson is not None:
        return load_area(geojson), f"area {Path(geojson).name}"
    if share is not None:
        if not service_point:
            raise ValueError("a customer-derived area needs a service point")
        g = customer_areas(con, service_point, [share], months=months)
        return g.geometry.iloc[0], f"{service_point}: {share:.0%} of its paying customers"
    x, y, label = resolve_center(con, service_point, lon, lat)
    if km is not None:
        return geometry.rings(x, y, [km]).geometry.iloc[0], f"{label}: within {km:g} km"
    g = drive_time(con, x, y, [minutes], pbf=pbf)
    return g.geometry.iloc[0], f"{label}: {minutes:g} min ({g['method'].iloc[0]})"


# --------------------------------------------------------------------------- layers
def _count_inside(geoms, lon, lat, weights=None) -> list[float]:
    out = []
    for g in geoms:
        inside = shapely.contains_xy(g, lon, lat)
        out.append(float(inside.sum() if weights is None else weights[inside].sum()))
    return out


def _annotate(con, gdf: gpd.GeoDataFrame, scope) -> gpd.GeoDataFrame:
    """Add ``customers``, ``resident`` and ``floating`` inside each polygon (within scope).

    Only the located customers' points in the polygons' bounding box are read (every
    customer's nine columns took ~1-3 s on the 1M warehouse under load): the same counts."""
    x0, y0, x1, y1 = gdf.total_bounds if len(gdf) else (0.0, 0.0, -1.0, -1.0)
    cond, params = scope_sql(scope)
    c = con.execute("SELECT c.lon, c.lat FROM dim_customer c WHERE c.lon BETWEEN ? AND ? "
                    f"AND c.lat BETWEEN ? AND ? AND {cond}",
                    [float(x0), float(x1), float(y0), float(y1), *params]).df()
    p = _cells(con, scope)
    geoms = gdf.geometry.to_numpy()
    gdf["customers"] = _count_inside(geoms, c["lon"].to_numpy(), c["lat"].to_numpy())
    for col in ("resident", "floating"):
        gdf[col] = _count_inside(geoms, p["lon"].to_numpy(), p["lat"].to_numpy(),
                                 p[col].to_numpy(float))
    return gdf


def rings(con: duckdb.DuckDBPyConnection, lon: float, lat: float,
          radii_km: Sequence[float] = (1, 3, 5), bands: bool = False,
          scope: Sequence[str] | None = None) -> gpd.GeoDataFrame:
    """Geodesic rings (:func:`gcrm.tradearea.geometry.rings`) with customers and population
    inside each."""
    return _annotate(con, geometry.rings(lon, lat, radii_km, bands=bands), scope)


def drive_time(con: duckdb.DuckDBPyConnection, lon: float, lat: float,
               minutes: Sequence[float] = (5, 10, 15), pbf: str | Path | None = None,
               scope: Sequence[str] | None = None, annotate: bool = False,
               ) -> gpd.GeoDataFrame:
    """Drive-time areas on the roads of ``pbf``; without it, distance bands (``note`` says so).
    """
    graph = None if pbf is None else network.load_graph(pbf)
    g = network.drive_time_areas(lon, lat, minutes, graph=graph)
    return _annotate(con, g, scope) if annotate else g


def proximity_areas(con: duckdb.DuckDBPyConnection, kinds: Sequence[str] | None = None,
                    scope: Sequence[str] | None = None) -> gpd.GeoDataFrame:
    """Voronoi (nearest-facility) areas of the service points, clipped to the regions."""
    sp = service_points(con, kinds)
    g = geometry.voronoi_areas(sp, region_boundary(con))
    g.insert(1, "name", sp["name"].to_numpy())
    g.insert(2, "kind", sp["kind"].to_numpy())
    if scope is not None:
        keep = region_boundary(con, scope)
        g = g.set_geometry(g.geometry.intersection(keep))
        g = g[~g.geometry.is_empty].copy()
        g["area_km2"] = [geometry.geodesic_area_km2(x) for x in g.geometry]
    return _annotate(con, g.reset_index(drop=True), scope)


def customer_areas(con: duckdb.DuckDBPyConnection, service_point: str,
                   shares: Sequence[float] = (0.5, 0.7, 0.9), hull: str = "convex",
                   months: tuple[str, str] | None = None,
                   scope: Sequence[str] | None = None) -> gpd.GeoDataFrame:
    """Trade areas from the customers who actually paid at ``service_point`` in ``months``
    (fact_payment.service_point_id), nearest first."""
    x, y, _ = resolve_center(con, service_point)
    m = _months(con, months)
    cond, params = scope_sql(scope)
    df = con.execute(
        "SELECT c.customer_id, any_value(c.lon) AS lon, any_value(c.lat) AS lat, count(*) AS n "
        "FROM fact_payment f JOIN dim_customer c ON c.customer_key = f.customer_key "
        "WHERE f.service_point_id = ? AND f.month BETWEEN ? AND ? AND c.lon IS NOT NULL "
        f"AND {cond} GROUP BY c.customer_id", [service_point, *m, *params]).df()
    if df.empty:
        raise ValueError(f"no located customer paid at {service_point} in {m[0]}..{m[1]}")
    g = geometry.customer_trade_area(x, y, df["lon"], df["lat"], shares, hull=hull)
    g.insert(0, "service_point_id", service_point)
    g["paying_customers"] = len(df)
    return g


def _huff_demand(con, cells: pd.DataFrame, demand: str, household_size: float,
                 scope) -> np.ndarray:
    """Demand per population cell: households, residents or the accounts nearest to it."""
    if demand == "customers":
        c = _customers(con, scope).df()
        w = np.zeros(len(cells))
        if len(c):
            idx, _ = geometry.nearest(c["lon"], c["lat"], cells["lon"], cells["lat"])
            w = np.bincount(idx, minlength=len(cells)).astype(float)
        return w
    if demand == "resident":
        return cells["resident"].to_numpy(float)
    return cells["resident"].to_numpy(float) / household_size


def _actual_customers(con, scope) -> tuple[dict, dict]:
    """Per service point: the customers it is home to, and those who paid there (in scope)."""
    cond, params = scope_sql(scope)
    home = dict(con.execute(f"SELECT c.service_point_id, count(*) FROM dim_customer c WHERE "
                            f"{cond} GROUP BY 1", params).fetchall())
    payers = dict(con.execute(
        "SELECT f.service_point_id, count(DISTINCT f.customer_key) FROM fact_payment f JOIN "
        "dim_customer c ON c.customer_key = f.customer_key WHERE f.service_point_id IS NOT NULL "
        f"AND {cond} "
        "GROUP BY 1", params).fetchall())
    return home, payers


def huff_shares(con: duckdb.DuckDBPyConnection, alpha: float = 1.0, beta: float = 2.0,
                kinds: Sequence[str] | None = None, demand: str = "households",
                household_size: float = huff.HOUSEHOLD_SIZE,
                max_distance_km: float | None = None,
                scope: Sequence[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Huff model over the population grid.

    ``demand`` per cell: ``households`` (resident / household size), ``resident`` or
    ``customers`` (accounts whose nearest cell it is).

    Returns
    -------
    (per_point, per_cell)
        ``per_point``: service point, ``attractiveness``, ``expected`` demand, ``share``,
        ``actual_home_customers`` (dim_customer.service_point_id), ``actual_payers``.
        ``per_cell``: cell, demand, the most likely service point and its probability.
    """
    if demand not in ("households", "resident", "customers"):
        raise ValueError(f"demand must be households, resident or customers, got {demand!r}")
    sp = service_points(con, kinds)
    cells = _cells(con, scope, required=True)
    w = _huff_demand(con, cells, demand, household_size, scope)
    a = huff.attractiveness(sp)
    r = huff.huff(cells["lon"], cells["lat"], w, sp["lon"], sp["lat"], a, alpha, beta,
                  max_distance_km=max_distance_km)
    home, payers = _actual_customers(con, scope)
    total = r.expected.sum()
    per_point = pd.DataFrame({
        "service_point_id": sp["service_point_id"], "name": sp["name"], "kind": sp["kind"],
        "attractiveness": a, "expected": r.expected,
        "share": r.expected / total if total else np.nan,
        "actual_home_customers": sp["service_point_id"].map(home).fillna(0).astype(int),
        "actual_payers": sp["service_point_id"].map(payers).fillna(0).astype(int)})
    best = r.prob.argmax(axis=1)
    per_cell = pd.DataFrame({
        "cell_id": cells["cell_id"], "lon": cells["lon"], "lat": cells["lat"], "demand": w,
        "service_point_id": sp["service_point_id"].to_numpy()[best],
        "probability": r.prob[np.arange(len(cells)), best]})
    return per_point, per_cell


def gaps(con: duckdb.DuckDBPyConnection, radius_km: float, kinds: Sequence[str] | None = None,
         scope: Sequence[str] | None = None) -> pd.DataFrame:
    """Population cells with no service point within ``radius_km`` (nearest first out)."""
    return _coverage(con, radius_km, kinds, scope).query("facilities == 0").sort_values(
        ["resident", "cell_id"], ascending=[False, True]).reset_index(drop=True)


def overlaps(con: duckdb.DuckDBPyConnection, radius_km: float | None = None,
             kinds: Sequence[str] | None = None, scope: Sequence[str] | None = None,
             areas: gpd.GeoDataFrame | None = None) -> pd.DataFrame:
    """Population cells inside more than one trade area: the ``radius_km`` rings of the
    service points, or the polygons of ``areas`` when given (column ``areas``)."""
    if areas is not None:
        cells = _cells(con, scope)
        cells["areas"] = geometry.areas_containing(cells["lon"], cells["lat"],
                                                   areas.geometry.to_numpy())
        return cells[cells["areas"] >= 2].reset_index(drop=True)
    if radius_km is None:
        raise ValueError("give a ring radius or a set of areas")
    df = _coverage(con, radius_km, kinds, scope)
    return df[df["facilities"] >= 2].rename(columns={"facilities": "areas"}).reset_index(
        drop=True)


def _coverage(con, radius_km, kinds, scope) -> pd.DataFrame:
    if radius_km <= 0:
        raise ValueError(f"distance must be positive km (got {radius_km})")
    sp = service_points(con, kinds)
    cells = _cells(con, scope)
    cov = huff.coverage_counts(cells["lon"], cells["lat"], sp["lon"], sp["lat"], radius_km)
    return pd.concat([cells, cov], axis=1)


@dataclass
class Sites:
    """Proposed new service points and coverage before/after."""

    sites: pd.DataFrame  # rank, cell_id, lon, lat, district_id, gain
    coverage: pd.DataFrame  # measure, before, after, total, before_share, after_share


def sites(con: duckdb.DuckDBPyConnection, k: int = 3, radius_km: float = 3.0,
          weight: str = "resident", kinds: Sequence[str] | None = None,
          scope: Sequence[str] | None = None) -> Sites:
    """Propose ``k`` new service points among the population cells (greedy maximal covering,
    :func:`gcrm.tradearea.huff.greedy_mclp`), weighting cells by ``resident``,
    ``floating``, ``population`` (resident + floating) or ``customers``."""
    if weight not in ("resident", "floating", "population", "customers"):
        raise ValueError(f"weight must be resident, floating, population or customers, got "
                         f"{weight!r}")
    sp = service_points(con, kinds)
    cells = _cells(con, scope, required=True)
    if weight == "customers":
        c = _customers(con, scope).df()
        dem_lon, dem_lat, w = c["lon"], c["lat"], np.ones(len(c))
    else:
        dem_lon, dem_lat = cells["lon"], cells["lat"]
        w = (cells["resident"] + cells["floating"] if weight == "population"
             else cells[weight]).to_numpy(float)
    r = huff.greedy_mclp(cells["lon"], cells["lat"], dem_lon, dem_lat, w, k, radius_km,
                         sp["lon"], sp["lat"])
    chosen = cells.iloc[r.chosen][["cell_id", "lon", "lat", "district_id", "resident",
                                   "floating"]].reset_index(drop=True)
    chosen.insert(0, "rank", range(1, len(chosen) + 1))
    chosen["gain"] = r.gains
    cov = pd.DataFrame([{"measure": f"{weight} within {radius_km:g} km",
                         "before": r.covered_before, "after": r.covered_after,
                         "total": r.total,
                         "before_share": r.covered_before / r.total if r.total else np.nan,
                         "after_share": r.covered_after / r.total if r.total else np.nan}])
    return Sites(chosen, cov)


# --------------------------------------------------------------------------- inside an area
@dataclass
class AreaSummary:
    """What lies inside one trade area, compared with its district."""

    label: str
    district_id: str | None
    metrics: pd.DataFrame  # metric, unit, area, district
    by_class: pd.DataFrame  # customer_class, tariff, customers, kwh, amount, paid, arrears
    by_channel: pd.DataFrame  # channel, payments, paid, share
    cells: pd.DataFrame  # cell_id, resident, floating, residential_customers, potential
    months: tuple[str, str] = ("", "")
    customer_ids: list[str] = field(default_factory=list)
    #: disclosure control: the ``min_cell`` applied (None: nothing hidden), how many values
    #: it hid (metric values plus table rows) and which: ``area``/``district`` (rows of
    #: ``metrics``), ``by_class``, ``by_channel``, ``cells`` (rows of those tables)
    min_cell: int | None = None
    suppressed: int = 0
    hidden: dict[str, np.ndarray] = field(default_factory=dict)


def customers_in(con: duckdb.DuckDBPyConnection, area,
                 scope: Sequence[str] | None = None) -> pd.DataFrame:
    """Located customers (within scope) whose point lies inside polygon ``area``.

    Only the customers in the area's bounding box are read (1M rows took ~1 s to fetch); the
    same rows, in the same order, as testing every customer. They are fetched as Arrow and
    only those inside become Python objects (making the bounding box's 150,000 rows of
    strings objects took 0.08 s of a 0.1-0.2 s call on the 1M warehouse)."""
    x0, y0, x1, y1 = area.bounds
    c = _customers(con, scope, " AND c.lon BETWEEN ? AND ? AND c.lat BETWEEN ? AND ?",
                   [x0, x1, y0, y1]).to_arrow_table()
    lon, lat = (c.column(k).to_numpy() for k in ("lon", "lat"))  # never null here
    return c.filter(pa.array(shapely.contains_xy(area, lon, lat))).to_pandas()


#: the name of the customer ids an id condition (:func:`_ids_cond`) reads
_IDS = "_gcrm_ids"


def _ids_cond(alias: str = "c") -> str:
    """``alias``'s customer is one of the ids registered by :func:`_ids`."""
    return f"{alias}.customer_id IN (SELECT customer_id FROM {_IDS})"


@contextmanager
def _ids(con: duckdb.DuckDBPyConnection, ids: Sequence[str] | pd.Series) -> Iterator[None]:
    """Register ``ids`` on ``con`` (as Arrow) for :func:`_ids_cond` during the block: a list
    bound as a query parameter cost 0.05 s per 100,000 ids to bind and twice as long to test
    as a join with the registered table."""
    con.register(_IDS, pa.table({"customer_id": pa.array(ids, pa.string())}))
    try:
        yield
    finally:
        con.unregister(_IDS)


#: money and kWh are summed exactly: see :mod:`gcrm.cube.percustomer`
_DECIMAL = percustomer.DECIMAL


class CustomerFacts:
    """Every customer's consumption and payments summed over ``months``: tables
    ``consumption`` (customer_id, kwh, amount) and ``payments`` (customer_id, channel,
    payments, paid, and ``last_point``: the service point of the customer's last payment in
    that channel), by :data:`gcrm.cube.percustomer.SQL`.

    Either the warehouse's own tables, built by the load for its last 12 months
    (:meth:`stored`: queried in place, nothing read beforehand), or, for other months or a
    warehouse without them, read once into a private in-memory DuckDB database
    (:meth:`read`: two grouped scans of the facts, 2-4 s at 1M customers; the page reads
    them in the background and keeps them). An area is then a join of its customers with
    these tables (~0.1 s at 1M customers) instead of scans of the facts for the area's
    customer list (1-2 s per fact); :func:`area_summary` and :func:`targets` give the same
    numbers either way (sums exact)."""

    def __init__(self, months: tuple[str, str], con: duckdb.DuckDBPyConnection,
                 tables: dict[str, str]) -> None:
        self.months = (str(months[0]), str(months[1]))
        self._db, self._tables = con, tables

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection, months: tuple[str, str],
             threads: int | None = None, stored: bool = False) -> CustomerFacts:
        """Every customer's facts over ``months``, read into memory; ``threads`` limits the
        DuckDB threads of ``con`` (a read in the background leaves cores to the rest).

        ``stored``: copy the warehouse's stored tables (:meth:`stored`; ValueError when they
        do not cover ``months``) instead of reading the facts: 0.6-0.8 s at 1M customers,
        not 2-4 s, and an area's two joins with the copy took 0.04-0.09 s against 0.13-0.18 s
        with the file's tables (read and decompressed again by every query)."""
        months = (str(months[0]), str(months[1]))
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        if stored and percustomer.stored_months(con) != months:
            raise ValueError(f"the warehouse does not store the facts of {months[0]}.."
                             f"{months[1]}")
        db = duckdb.connect()  # native tables: a join reads them ~6x faster than Arrow
        if threads:
            db.execute(f"SET threads = {int(threads)}")
        for name, table in percustomer.TABLES.items():
            sql, params = ((f"SELECT * FROM {table}", []) if stored
                           else (percustomer.sql(name), list(months)))
            db.register("_t", con.execute(sql, params).to_arrow_table())
            db.execute(f"CREATE TABLE {name} AS SELECT * FROM _t")
            db.unregister("_t")
        return cls(months, db, {name: name for name in percustomer.SQL})

    @classmethod
    def stored(cls, con: duckdb.DuckDBPyConnection,
               months: tuple[str, str]) -> CustomerFacts | None:
        """The warehouse's stored per-customer tables (:mod:`gcrm.cube.percustomer`) when
        they cover exactly ``months``, queried through ``con`` (the caller's: use it in the
        caller's thread); None otherwise."""
        if percustomer.stored_months(con) != (str(months[0]), str(months[1])):
            return None
        db = con.execute("SELECT current_database()").fetchone()[0].replace('"', '""')
        return cls(months, con, {name: f'"{db}".main.{table}'
                                 for name, table in percustomer.TABLES.items()})

    def query(self, sql: str, params: Sequence = (),
              **frames: pd.DataFrame | pa.Table) -> pd.DataFrame:
        """``sql`` over the tables ``{consumption}`` and ``{payments}`` (placeholders for
        their names) and the ``frames`` (on a cursor of its own: thread-safe; the frames go
        in as Arrow, which DuckDB reads 4x faster than a frame of Python strings)."""
        cur = self._db.cursor()
        try:
            for name, frame in frames.items():
                cur.register(name, frame if isinstance(frame, pa.Table)
                             else pa.Table.from_pandas(frame, preserve_index=False))
            return cur.execute(sql.format(**self._tables), list(params)).df()
        finally:
            cur.close()


_TOTALS = ("kwh", "amount", "paid", "payments", "online_payments", "arrears")
CLASS_KEYS = ["customer_class", "tariff"]
_CLASS_ORDER = "ORDER BY customer_class NULLS LAST, tariff NULLS LAST"


@dataclass(frozen=True)
class AreaFacts:
    """An area's facts by class and tariff (consumption) and by class, tariff and channel
    (payments): the cube's queries by those dimensions (:meth:`read`), or the same rows in
    the same order from every customer's :class:`CustomerFacts` (:meth:`of`; sums up to the
    order of floating-point additions). The area's totals, class table and channel table are
    sums of these (one scan of each fact, not five)."""

    consumption: pd.DataFrame  # customer_class, tariff, kwh, amount
    payments: pd.DataFrame  # customer_class, tariff, channel, paid, payments, online_payments

    @classmethod
    def of(cls, facts: CustomerFacts, inside: pd.DataFrame) -> AreaFacts:
        """The facts of the customers ``inside`` (customer_id, customer_class, tariff)."""
        keys = pa.Table.from_pandas(inside[["customer_id", *CLASS_KEYS]], preserve_index=False)
        online = ", ".join(f"'{c}'" for c in ONLINE_CHANNELS)
        cons = facts.query(
            "SELECT k.customer_class, k.tariff, CAST(sum(f.kwh) AS DOUBLE) AS kwh, "
            "CAST(sum(f.amount) AS DOUBLE) AS amount FROM {consumption} f JOIN keys k "
            f"USING (customer_id) GROUP BY ALL {_CLASS_ORDER}",
            keys=keys)
        pays = facts.query(
            "SELECT k.customer_class, k.tariff, f.channel, CAST(sum(f.paid) AS DOUBLE) AS paid, "
            "CAST(sum(f.payments) AS DOUBLE) AS payments, CAST(coalesce(sum(f.payments) FILTER "
            f"(WHERE f.channel IN ({online})), 0) AS DOUBLE) AS online_payments "
            "FROM {payments} f "
            f"JOIN keys k USING (customer_id) GROUP BY ALL {_CLASS_ORDER}, channel NULLS LAST",
            keys=keys)
        return cls(cons, pays)

    @classmethod
    def read(cls, con, ids: list[str], months, scope) -> AreaFacts:
        """The facts of the customers ``ids``, read for them alone (one scan of each fact for
        the list, as the cube's queries by class and tariff, and channel, would: what the CLI
        does); sums exact as in :class:`CustomerFacts`, so the page's numbers are the CLI's
        to the last bit."""
        cond, params = scope_sql(scope)
        where = (f"WHERE {_ids_cond()} AND t.month BETWEEN ? AND ? AND {cond}", [*months,
                                                                                 *params])
        online = ", ".join(f"'{c}'" for c in ONLINE_CHANNELS)
        join = ("JOIN dim_customer c ON c.customer_key = f.customer_key "
                "JOIN dim_time t ON t.month = f.month")
        with _ids(con, ids):
            cons = con.execute(
                "SELECT c.customer_class, c.tariff, CAST(sum(CAST(f.kwh AS "
                f"{_DECIMAL})) AS DOUBLE) AS kwh, CAST(sum(CAST(f.amount AS {_DECIMAL})) AS "
                f"DOUBLE) AS amount FROM fact_consumption f {join} {where[0]} GROUP BY ALL "
                f"{_CLASS_ORDER}", where[1]).df()
            pays = con.execute(
                "SELECT c.customer_class, c.tariff, f.channel, CAST(sum(CAST(f.amount AS "
                f"{_DECIMAL})) AS DOUBLE) AS paid, CAST(count(*) AS DOUBLE) AS payments, "
                f"CAST(count(*) FILTER (WHERE f.channel IN ({online})) AS DOUBLE) AS "
                f"online_payments FROM fact_payment f {join} {where[0]} GROUP BY ALL "
                f"{_CLASS_ORDER}, channel NULLS LAST", where[1]).df()
        return cls(cons, pays)

    def totals(self) -> tuple[dict[str, float], float]:
        """(the area's totals of :data:`_TOTALS`, its counter payments)."""
        c, p = self.consumption, self.payments
        tot = {k: float(c[k].sum()) for k in ("kwh", "amount")}
        tot.update({k: float(p[k].sum()) for k in ("paid", "payments", "online_payments")})
        tot["arrears"] = tot["amount"] - tot["paid"]
        return tot, float(p.loc[p["channel"] == "counter", "payments"].sum())

    def by_class(self) -> pd.DataFrame:
        """kwh, amount, paid, arrears per class and tariff (as the cube's query by them)."""
        paid = self.payments.groupby(CLASS_KEYS, dropna=False, as_index=False)["paid"].sum()
        df = self.consumption.merge(paid, on=CLASS_KEYS, how="outer")
        df["arrears"] = df["amount"].fillna(0.0) - df["paid"].fillna(0.0)
        return df[[*CLASS_KEYS, "kwh", "amount", "paid", "arrears"]]

    def by_channel(self) -> pd.DataFrame:
        """payments and paid per channel (as the cube's query by channel)."""
        return self.payments.groupby("channel", as_index=False)[["payments", "paid"]].sum()


def _kept(con, customers: CustomerFacts | None, months) -> CustomerFacts | None:
    """``customers`` when they cover ``months``, else the warehouse's stored per-customer
    tables when they do (:meth:`CustomerFacts.stored`), else None (read the facts)."""
    if customers is not None and customers.months == tuple(months):
        return customers
    return CustomerFacts.stored(con, tuple(months))


def _totals(con, where: dict, months, scope) -> tuple[dict[str, float], float]:
    """(totals, counter payments) of a district from the cube (its rollups answer)."""
    df = cube.query(con, list(_TOTALS), where=where, months=months, scope=scope)
    tot = df.iloc[0].fillna(0.0).to_dict() if len(df) else {}
    ch = cube.query(con, ["payments", "paid"], by=["channel"], where=where, months=months,
                    scope=scope)
    return tot, float(ch.loc[ch["channel"] == "counter", "payments"].sum())


def _indicators(con, inside: pd.DataFrame | None, district: str | None, months, scope,
                cells: pd.DataFrame, potential: pd.DataFrame,
                facts: AreaFacts | None = None) -> dict[str, float]:
    """Indicators for an area's customers (``inside``: :func:`customers_in`, scoped, whose
    ``facts`` are known already) or a whole ``district``; ``potential``: its cells'
    :func:`_potential`."""
    if inside is not None:  # the area's customers and residential ones, read already
        n = (len(inside), int((inside["customer_class"] == "residential").sum()))
    else:
        scond, sparams = scope_sql(scope)
        n = con.execute("SELECT count(*), count(*) FILTER (WHERE c.customer_class = "
                        f"'residential') FROM dim_customer c WHERE c.district_id = ? AND "
                        f"{scond}", [district, *sparams]).fetchone()
    out = {"customers": float(n[0]), "residential_customers": float(n[1])}
    if n[0] == 0:
        tot, counter = dict.fromkeys(_TOTALS, 0.0), 0.0
    elif inside is not None:
        tot, counter = facts.totals()
    else:
        tot, counter = _totals(con, {"district": [district]}, months, scope)
    out.update({k: float(tot.get(k, 0.0)) for k in ("kwh", "amount", "paid", "arrears")})
    per = out["customers"] or float("nan")
    out["kwh_per_customer"] = out["kwh"] / per
    out["arrears_per_customer"] = out["arrears"] / per
    pays = float(tot.get("payments", 0.0))
    out["payments"] = pays
    out["online_share"] = float(tot.get("online_payments", 0.0)) / pays if pays else np.nan
    out["counter_share"] = counter / pays if pays else np.nan
    o = _outages(con, inside, district, months, scope)
    out["customer_interruptions"] = float(o[0])
    out["interruptions_per_customer"] = float(o[0]) / per
    out["outage_minutes_per_customer"] = float(o[1]) / per
    out["resident"] = float(cells["resident"].sum())
    out["floating"] = float(cells["floating"].sum())
    out["penetration"] = huff.penetration(out["customers"], out["resident"])
    out["potential_customers"] = float(potential["potential"].sum())
    out["potential_per_1000_residents"] = (out["potential_customers"] * 1000 / out["resident"]
                                           if out["resident"] else np.nan)
    return out


#: customer interruptions and minutes (events over 5 minutes in the months): the customers
#: counted per feeder (``k``: feeder_id, n), joined to its events
_OUTAGES = ("SELECT coalesce(sum(k.n) FILTER (WHERE o.duration_min > 5), 0), "
            "coalesce(sum(k.n * o.duration_min) FILTER (WHERE o.duration_min > 5), 0) "
            "FROM {k} k JOIN fact_outage o ON o.feeder_id = k.feeder_id "
            "WHERE strftime(o.start_at, '%Y-%m') BETWEEN ? AND ?")
_FEEDERS = "_gcrm_feeders"


def _outages(con, inside: pd.DataFrame | None, district: str | None, months,
             scope) -> tuple[float, float]:
    """(customer interruptions, customer minutes) of an area's customers (``inside``: counted
    per feeder here, not looked up again) or of a ``district``'s."""
    if inside is None:
        scond, sparams = scope_sql(scope)
        k = ("(SELECT c.feeder_id, count(*) AS n FROM dim_customer c WHERE c.district_id = ? "
             f"AND {scond} GROUP BY 1)")
        return con.execute(_OUTAGES.format(k=k), [district, *sparams, *months]).fetchone()
    n = inside.groupby("feeder_id").size()
    con.register(_FEEDERS, pa.table({"feeder_id": pa.array(n.index, pa.string()),
                                     "n": pa.array(n.to_numpy(), pa.int64())}))
    try:
        return con.execute(_OUTAGES.format(k=_FEEDERS), list(months)).fetchone()
    finally:
        con.unregister(_FEEDERS)


def _potential(cells: pd.DataFrame, res_customers: pd.DataFrame,
               household_size: float) -> pd.DataFrame:
    """Per cell: residential customers whose nearest cell it is, and the potential."""
    out = cells[["cell_id", "resident", "floating"]].copy()
    counts = np.zeros(len(cells))
    if len(cells) and len(res_customers):
        idx, _ = geometry.nearest(res_customers["lon"], res_customers["lat"], cells["lon"],
                                  cells["lat"])
        counts = np.bincount(idx, minlength=len(cells)).astype(float)
    out["residential_customers"] = counts.astype(int)
    out["potential"] = huff.potential_customers(cells["resident"], counts, household_size)
    return out


_UNITS = {"customers": "accounts", "residential_customers": "accounts", "kwh": "kWh",
          "amount": "yuan", "paid": "yuan", "arrears": "yuan", "kwh_per_customer": "kWh",
          "arrears_per_customer": "yuan", "payments": "payments", "online_share": "share",
          "counter_share": "share", "customer_interruptions": "events",
          "interruptions_per_customer": "events", "outage_minutes_per_customer": "minutes",
          "resident": "persons", "floating": "persons", "penetration": "per 1,000 residents",
          "potential_customers": "households", "potential_per_1000_residents":
          "per 1,000 residents"}


def _district_of(in_cells: pd.DataFrame, inside: pd.DataFrame) -> str | None:
    """The district holding most of the area's population (``in_cells``), else most of its
    customers (``inside``); None when neither is known."""
    if len(in_cells) and in_cells["district_id"].notna().any():
        return in_cells.groupby("district_id")["resident"].sum().idxmax()
    if len(inside) and inside["district_id"].notna().any():
        return inside["district_id"].value_counts().idxmax()
    return None


def thread_cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor of ``con`` on its current database, for another thread (a connection is used
    by one thread at a time: call this in ``con``'s)."""
    db = con.execute("SELECT current_database()").fetchone()[0].replace('"', '""')
    cur = con.cursor()
    cur.execute(f'USE "{db}"')
    return cur


def district_side(cur, district: str, all_cells: pd.DataFrame, months, scope,
                  household_size: float) -> dict[str, float]:
    """The indicators of ``district`` (:func:`_indicators`) on ``cur`` (a :func:`thread_cursor`,
    closed here: :func:`area_summary` calls this in a thread of its own); ``all_cells``: the
    population cells within ``scope`` (:func:`population_cells`)."""
    try:
        d_cells = all_cells[all_cells["district_id"] == district]
        cond, params = scope_sql(scope)  # the district's residential customers' points
        d_res = cur.execute("SELECT c.lon, c.lat FROM dim_customer c WHERE c.lon IS NOT NULL "
                            "AND c.lat IS NOT NULL AND c.district_id = ? AND c.customer_class "
                            f"= 'residential' AND {cond}", [district, *params]).df()
        return _indicators(cur, None, district, months, scope, d_cells,
                           _potential(d_cells, d_res, household_size))
    finally:
        cur.close()


def area_summary(con: duckdb.DuckDBPyConnection, area, label: str = "area",
                 months: tuple[str, str] | None = None, scope: Sequence[str] | None = None,
                 household_size: float = huff.HOUSEHOLD_SIZE,
                 min_cell: int | None = None,
                 customers: CustomerFacts | None = None,
                 inside: pd.DataFrame | None = None,
                 side: Callable[..., dict[str, float]] = district_side) -> AreaSummary:
    """Customers, consumption, payments, arrears, outages, population, penetration and
    potential customers inside polygon ``area``, beside the same numbers for the district
    holding most of the area's population (customers when it has no population cells).

    With ``min_cell`` (a role without ``read_pii``: :func:`gcrm.cube.disclosure.min_cell_for`)
    the numbers describing fewer than ``min_cell`` customers are hidden (NaN): see
    :func:`protect`. ``customers``: every customer's facts over ``months``
    (:meth:`CustomerFacts.read`; the page keeps them for months the warehouse does not store),
    else the warehouse's stored ones when they cover ``months`` (:meth:`CustomerFacts.stored`),
    else the area's facts are read for its customer list. ``inside``: the area's customers
    (:func:`customers_in` of ``area`` and ``scope``) when read already. ``side``: what gives
    the district's column, :func:`district_side` or a function of the same arguments and
    answer (the page's keeps each district's: it does not depend on the area).
    """
    if area is None or area.is_empty:
        raise ValueError("the trade area is empty")
    m = _months(con, months)
    inside = customers_in(con, area, scope) if inside is None else inside
    ids = inside["customer_id"].tolist()
    all_cells = _cells(con, scope)
    in_cells = all_cells[shapely.contains_xy(area, all_cells["lon"].to_numpy(),
                                             all_cells["lat"].to_numpy())]
    district = _district_of(in_cells, inside)
    with ThreadPoolExecutor(1, thread_name_prefix="gcrm-district") as pool:
        # the district's side needs nothing of the area's: computed meanwhile
        later = None if district is None else pool.submit(
            side, thread_cursor(con), district, all_cells, m, scope, household_size)
        facts = None
        if ids:
            kept = _kept(con, customers, m)
            facts = (AreaFacts.read(con, ids, m, scope) if kept is None
                     else AreaFacts.of(kept, inside))
        res = inside[inside["customer_class"] == "residential"]
        cells = _potential(in_cells.reset_index(drop=True), res, household_size)
        area_ind = _indicators(con, inside, None, m, scope, in_cells, cells, facts)
        dist_ind = dict.fromkeys(area_ind, np.nan) if later is None else later.result()
    metrics = pd.DataFrame({"metric": list(area_ind), "unit": [_UNITS[k] for k in area_ind],
                            "area": list(area_ind.values()),
                            "district": [dist_ind[k] for k in area_ind]})
    by_class = _by_class(inside, facts)
    by_channel = _by_channel(facts)
    summary = AreaSummary(label, district, metrics, by_class, by_channel, cells, m, ids)
    return summary if min_cell is None else protect(con, summary, scope, min_cell)


def _by_class(inside: pd.DataFrame, facts: AreaFacts | None) -> pd.DataFrame:
    counts = (inside.groupby(CLASS_KEYS).size().rename("customers").reset_index())
    if facts is None:
        return counts.assign(kwh=0.0, amount=0.0, paid=0.0, arrears=0.0)
    return counts.merge(facts.by_class(), on=CLASS_KEYS, how="left").fillna(
        {"kwh": 0.0, "amount": 0.0, "paid": 0.0, "arrears": 0.0})


def _by_channel(facts: AreaFacts | None) -> pd.DataFrame:
    if facts is None:
        return pd.DataFrame({"channel": [], "payments": [], "paid": [], "share": []})
    df = facts.by_channel()
    total = df["payments"].sum()
    df["share"] = df["payments"] / total if total else np.nan
    return df.sort_values("payments", ascending=False).reset_index(drop=True)


# --------------------------------------------------------------------------- disclosure
#: indicators of the population grid: not about customers, never hidden
POPULATION_METRICS = ("resident", "floating")
#: indicators computed from payments: hidden also when the area has too few payers
PAYMENT_METRICS = ("paid", "arrears", "arrears_per_customer", "payments", "online_share",
                   "counter_share")


def protect(con: duckdb.DuckDBPyConnection, s: AreaSummary, scope: Sequence[str] | None,
            min_cell: int) -> AreaSummary:
    """``s`` under disclosure control (:mod:`gcrm.cube.disclosure`), for a role without
    ``read_pii``.

    A column of the indicators (the area, the district) describing 1 to ``min_cell`` - 1
    customers loses every customer-derived indicator (all but :data:`POPULATION_METRICS`);
    one with that few payers loses its :data:`PAYMENT_METRICS`. The rows of the class table
    (counted by customers, or by payers where fewer paid: the cube's rule), the channel
    table (counted by payers) and the cells (by residential customers) describing fewer than
    ``min_cell`` are hidden with their complements, so that no hidden row can be recovered
    from the shown total of its table.
    """
    hidden: dict[str, np.ndarray] = {}
    metrics = s.metrics.copy()
    for col, where in (("area", {"customer": s.customer_ids}),
                       ("district", {"district": [s.district_id]})):
        hidden[col] = _hidden_metrics(con, metrics, col, where, s.months, scope, min_cell)
        metrics.loc[hidden[col], col] = np.nan
    ids = s.customer_ids
    payers = (cube.query(con, ["payers"], by=CLASS_KEYS, where={"customer": ids},
                         months=s.months, scope=scope) if ids else
              pd.DataFrame(columns=[*CLASS_KEYS, "payers"]))
    paid = s.by_class[CLASS_KEYS].merge(payers, on=CLASS_KEYS, how="left")["payers"].fillna(0)
    counts = pd.Series(np.where(paid > 0, np.minimum(s.by_class["customers"], paid),
                                s.by_class["customers"]))
    by_class, hidden["by_class"] = _suppress(s.by_class, CLASS_KEYS, counts, min_cell)
    by_channel, hidden["by_channel"] = _protect_channels(con, s, scope, min_cell)
    cells, hidden["cells"] = _suppress(s.cells, ["cell_id"], s.cells["residential_customers"],
                                       min_cell, keep=("cell_id", "resident", "floating"))
    n = int(sum(int(h.sum()) for h in hidden.values()))
    return replace(s, metrics=metrics, by_class=by_class, by_channel=by_channel, cells=cells,
                   min_cell=min_cell, suppressed=n, hidden=hidden)


def _hidden_metrics(con, metrics: pd.DataFrame, col: str, where: dict, months, scope,
                    min_cell: int) -> np.ndarray:
    """Which indicators (rows of ``metrics``) of column ``col`` describe too few people."""
    customers = float(metrics.loc[metrics["metric"] == "customers", col].fillna(0).iloc[0])
    if not 0 < customers < min_cell:
        payers = 0.0
        if customers and all(v and v[0] is not None for v in where.values()):
            df = cube.query(con, ["payers"], where=where, months=months, scope=scope)
            payers = float(df["payers"].fillna(0).iloc[0]) if len(df) else 0.0
        if not 0 < payers < min_cell:
            return np.zeros(len(metrics), dtype=bool)
        return metrics["metric"].isin(PAYMENT_METRICS).to_numpy()
    return ~metrics["metric"].isin(POPULATION_METRICS).to_numpy()


def _protect_channels(con, s: AreaSummary, scope, min_cell: int,
                      ) -> tuple[pd.DataFrame, np.ndarray]:
    """The channel table counted by distinct payers, hidden rows last."""
    ch = s.by_channel
    if not len(ch):
        return ch, np.zeros(0, dtype=bool)
    payers = cube.query(con, ["payers"], by=["channel"], where={"customer": s.customer_ids},
                        months=s.months, scope=scope)
    counts = ch[["channel"]].merge(payers, on="channel", how="left")["payers"].fillna(0)
    out, hidden = _suppress(ch, ["channel"], counts, min_cell)
    out = disclosure.order_hidden_last(out, hidden, ["channel"], "-payments", None)
    return out, np.arange(len(out)) >= len(out) - hidden.sum()  # the hidden rows are last


def _suppress(df: pd.DataFrame, by: list[str], counts: pd.Series, min_cell: int,
              keep: Sequence[str] = ()) -> tuple[pd.DataFrame, np.ndarray]:
    """:func:`gcrm.cube.disclosure.hide` applied to every column but ``by`` and ``keep`` (its
    complements cover the table's total too, shown beside it as the area's indicator)."""
    hidden = disclosure.hide(df, by, counts.reset_index(drop=True), min_cell)
    out = df.copy()
    if hidden.any():
        values = [c for c in df.columns if c not in by and c not in keep]
        out[values] = out[values].astype(float)
        out.loc[out.index[hidden], values] = np.nan
    return out, hidden


# --------------------------------------------------------------------------- targets
def targets(con: duckdb.DuckDBPyConnection, area, segment: str,
            months: tuple[str, str] | None = None, scope: Sequence[str] | None = None,
            mask: bool = True, min_counter_share: float = 0.5,
            visit_months: int = 6, customers: CustomerFacts | None = None,
            inside: pd.DataFrame | None = None) -> pd.DataFrame:
    """Campaign list: customers inside ``area`` in ``segment``.

    * ``counter_payers``: more than ``min_counter_share`` of their payments in ``months``
      were made at a counter (candidates for the app).
    * ``big_unvisited``: big customers with no ``visit`` service record in the
      ``visit_months`` months up to the end of the last month of ``months``.

    ``mask=True`` masks name, phone, ID number and address
    (:func:`gcrm.security.masking.mask_frame`). ``customers``: every customer's facts over
    ``months`` (:class:`CustomerFacts`), else the warehouse's stored ones when they cover
    ``months``, else the area's payments are read. ``inside``: the area's customers
    (:func:`customers_in`) when read already.
    """
    from gcrm.security.masking import mask_frame

    if segment not in SEGMENTS:
        raise ValueError(f"unknown segment {segment!r}; valid segments: {', '.join(SEGMENTS)}")
    m = _months(con, months)
    inside = customers_in(con, area, scope) if inside is None else inside
    ids = inside["customer_id"]
    if segment == "counter_payers":
        df = _counter_payers(con, ids, m, min_counter_share, customers, area.bounds)
    else:
        if visit_months < 1:
            raise ValueError("visit months must be at least 1")
        end = pd.Period(m[1], "M")
        since = (end - (visit_months - 1)).start_time
        until = (end + 1).start_time  # the next month's first instant (no nanoseconds)
        with _ids(con, ids):
            df = con.execute(
                f"{_TARGET_BASE}, max(s.opened_at) AS last_visit FROM dim_customer c LEFT JOIN "
                "fact_service s ON s.customer_id = c.customer_id AND s.kind = 'visit' "
                f"AND s.opened_at < ? WHERE {_ids_cond()} AND c.big_customer GROUP BY ALL "
                "HAVING last_visit IS NULL OR last_visit < ? ORDER BY last_visit NULLS FIRST, "
                "c.customer_id", [until.to_pydatetime(), since.to_pydatetime()]).df()
    return mask_frame(df) if mask else df


_TARGET_BASE = ("SELECT c.customer_id, c.name, c.customer_class, c.tariff, c.district_id, "
                "c.service_point_id, c.phone, c.address, c.lon, c.lat")


def _counter_payers(con, ids: pd.Series, months, min_share: float,
                    customers: CustomerFacts | None,
                    bounds: tuple[float, float, float, float]) -> pd.DataFrame:
    """The customers ``ids`` (located within ``bounds``: the area's) with more than
    ``min_share`` of their payments in ``months`` at a counter: their details, payments,
    counter payments, share and last counter, counter payments first; from every customer's
    :class:`CustomerFacts` (given or stored: :func:`_kept`), else from the payments of
    ``ids``."""
    customers = _kept(con, customers, months)
    if customers is None:
        with _ids(con, ids):
            return con.execute(
                f"{_TARGET_BASE}, count(*) AS payments, count(*) FILTER (WHERE f.channel = "
                "'counter') AS counter_payments, counter_payments / payments AS counter_share, "
                "arg_max(f.service_point_id, f.paid_at) FILTER (WHERE f.channel = 'counter') "
                "AS last_counter FROM dim_customer c JOIN fact_payment f "
                "ON f.customer_key = c.customer_key "
                f"WHERE {_ids_cond()} AND f.month BETWEEN ? AND ? GROUP BY ALL "
                "HAVING counter_share > ? ORDER BY counter_payments DESC, c.customer_id",
                [*months, min_share]).df()
    pay = customers.query(
        "SELECT customer_id, n AS payments, counter AS counter_payments, counter / n AS "
        "counter_share, last_counter FROM (SELECT f.customer_id, CAST(sum(f.payments) AS "
        "BIGINT) AS n, CAST(coalesce(sum(f.payments) FILTER (WHERE f.channel = 'counter'), 0) "
        "AS BIGINT) AS counter, any_value(f.last_point) FILTER (WHERE f.channel = 'counter') "
        "AS last_counter FROM {payments} f JOIN ids USING (customer_id) GROUP BY 1) "
        "WHERE counter / n > ?", [min_share],
        ids=pa.table({"customer_id": pa.array(ids, pa.string())}))
    x0, y0, x1, y1 = bounds  # the area's bounding box spares reading most customers
    with _ids(con, pay["customer_id"]):
        details = con.execute(f"{_TARGET_BASE} FROM dim_customer c WHERE c.lon BETWEEN ? AND ? "
                              f"AND c.lat BETWEEN ? AND ? AND {_ids_cond()}",
                              [x0, x1, y0, y1]).df()
    df = details.merge(pay, on="customer_id")
    return df.sort_values(["counter_payments", "customer_id"], ascending=[False, True],
                          kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- export
def export_layer(gdf: gpd.GeoDataFrame, path: str | Path, datum: str = "wgs84",
                 layer: str = "tradearea") -> Path:
    """Write ``gdf`` as GeoJSON (``.geojson``/``.json``) or GeoPackage (``.gpkg``).

    ``datum="gcj02"`` shifts the coordinates to GCJ-02 for Chinese web maps (the file still
    says EPSG:4326, as GCJ-02 has no EPSG code: name it accordingly).
    """
    from gcrm.spatial.crs import wgs84_to_gcj02

    p = Path(path)
    suffix = p.suffix.lower()
    drivers = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GPKG"}
    if suffix not in drivers:
        raise ValueError(f"cannot export to {p.name}: use a .geojson or .gpkg file name")
    if datum not in ("wgs84", "gcj02"):
        raise ValueError(f"datum must be wgs84 or gcj02, got {datum!r}")
    out = gdf.copy()
    if out.crs is None:
        out = out.set_crs(geometry.WGS84)
    elif not out.crs.equals("EPSG:4326"):
        out = out.to_crs(geometry.WGS84)
    if datum == "gcj02":
        out = out.set_geometry(shapely.transform(
            out.geometry.to_numpy(), lambda xy: np.column_stack(wgs84_to_gcj02(xy[:, 0],
                                                                               xy[:, 1]))),
            crs=geometry.WGS84)
    for col in out.columns:
        if col != out.geometry.name and out[col].dtype == object:
            out[col] = out[col].map(lambda v: v if v is None or isinstance(v, str) else str(v))
    p.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".gpkg":
        out.to_file(p, driver="GPKG", layer=layer)
    else:
        p.unlink(missing_ok=True)
        out.to_file(p, driver="GeoJSON")
    return p


def points_layer(df: pd.DataFrame) -> gpd.GeoDataFrame:
    """A point GeoDataFrame (WGS-84) from a frame with ``lon``/``lat``."""
    return gpd.GeoDataFrame(df.copy(), geometry=gpd.points_from_xy(df["lon"], df["lat"]),
                            crs=geometry.WGS84)
