"""Data for the trading-area page: cached wrappers around :mod:`gcrm.tradearea.queries`.

The same functions as ``gcrm tradearea ...`` (one code path: the page's numbers are the CLI's).
Every cached function takes ``db`` and ``version`` first (see
:mod:`dashboards.components.data`: a new load invalidates the cache) and the user's region
scope as a tuple (None = everywhere), part of the cache key, so two users never share a result
computed for another scope (who may see what: :mod:`dashboards.components.session`). Each
call opens a short read-only connection and closes it.

An area for :func:`summary` and :func:`targets` is an :func:`area_spec`: either the CLI's way
of defining one (``service_point``/``lon``/``lat`` with ``km``, ``minutes`` or ``share``, handed
to :func:`gcrm.tradearea.queries.area_from`, exactly what ``gcrm tradearea summary`` does), or a
polygon given as WKB (proximity and Huff areas; the CLI's ``--area FILE``).
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
import streamlit as st

from dashboards.components.data import connection
from dashboards.components.session import Scope, scope_list
from gcrm.cube import percustomer
from gcrm.storage import warehouse
from gcrm.tradearea import queries as tradearea
from gcrm.tradearea.huff import huff_areas

Spec = tuple[tuple[str, object], ...]
#: environment variable naming the road network (as for ``gcrm tradearea drivetime``)
ROADS_ENV = "GCRM_ROADS_PBF"


def _kinds(kinds: Sequence[str] | None) -> list[str] | None:
    return list(kinds) if kinds else None


# --------------------------------------------------------------------------- areas
def area_spec(*, service_point: str | None = None, lon: float | None = None,
              lat: float | None = None, km: float | None = None, minutes: float | None = None,
              pbf: str | None = None, share: float | None = None, geometry=None,
              label: str | None = None) -> Spec:
    """A hashable description of one area (the cache key of :func:`summary`)."""
    if geometry is not None:
        return (("wkb", shapely.to_wkb(geometry)), ("label", label or "area"))
    given = {"service_point": service_point, "lon": lon, "lat": lat, "km": km,
             "minutes": minutes, "pbf": pbf, "share": share}
    return tuple((k, v) for k, v in given.items() if v is not None)


def resolve_area(con, spec: Spec, months: tuple[str, str] | None):
    """``(polygon, label)`` of an :func:`area_spec` (:func:`gcrm.tradearea.queries.area_from`)."""
    d = dict(spec)
    if "wkb" in d:
        return shapely.from_wkb(d["wkb"]), str(d["label"])
    return tradearea.area_from(con, service_point=d.get("service_point"), lon=d.get("lon"),
                               lat=d.get("lat"), km=d.get("km"), minutes=d.get("minutes"),
                               pbf=d.get("pbf"), share=d.get("share"), months=months)


@st.cache_data(show_spinner=False, max_entries=64)
def area_of(db: str, version: str, spec: Spec,
            months: tuple[str, str] | None) -> tuple[object, str]:
    """``(polygon, label)`` of an :func:`area_spec` (:func:`resolve_area`), worked out once
    for the area's customers, summary and campaign list (a drive-time area's roads are
    walked once, not three times) and for the label the page's downloads record."""
    with connection(db) as con:
        return resolve_area(con, spec, months)


# --------------------------------------------------------------------------- cached reads
@st.cache_data(show_spinner=False, max_entries=16)
def service_points(db: str, version: str, kinds: tuple[str, ...] = ()) -> pd.DataFrame:
    """Located service points (facilities: the same for every scope). Raises ValueError
    when there are none."""
    with connection(db) as con:
        return tradearea.service_points(con, _kinds(kinds))


@st.cache_data(show_spinner=False, max_entries=64)
def center(db: str, version: str, service_point: str | None, lon: float | None,
           lat: float | None) -> tuple[float, float, str]:
    """:func:`gcrm.tradearea.queries.resolve_center` (ValueError for bad input)."""
    with connection(db) as con:
        return tradearea.resolve_center(con, service_point, lon, lat)


@st.cache_data(show_spinner=False, max_entries=16)
def in_scope(db: str, version: str, lon: float, lat: float, scope: Scope) -> bool:
    """Whether the point lies within the regions of ``scope`` (always True without one)."""
    if scope is None:
        return True
    with connection(db) as con:
        try:
            boundary = tradearea.region_boundary(con, scope_list(scope))
            return bool(shapely.contains_xy(boundary, lon, lat))
        except ValueError:
            return False


@st.cache_data(show_spinner=False, max_entries=16)
def cells(db: str, version: str, scope: Scope) -> pd.DataFrame:
    """Population-grid cells within ``scope``."""
    with connection(db) as con:
        return tradearea.population_cells(con, scope_list(scope))


@st.cache_data(show_spinner=False, max_entries=64)
def rings(db: str, version: str, lon: float, lat: float, radii: tuple[float, ...],
          bands: bool, scope: Scope) -> gpd.GeoDataFrame:
    with connection(db) as con:
        return tradearea.rings(con, lon, lat, radii, bands=bands, scope=scope_list(scope))


@st.cache_data(show_spinner=False, max_entries=32)
def drive_time(db: str, version: str, lon: float, lat: float, minutes: tuple[float, ...],
               pbf: str | None, pbf_mtime: float, scope: Scope) -> gpd.GeoDataFrame:
    """Drive-time areas (``pbf_mtime`` only keys the cache: a changed file is re-read)."""
    with connection(db) as con:
        return tradearea.drive_time(con, lon, lat, minutes, pbf=pbf, scope=scope_list(scope),
                                    annotate=True)


@st.cache_data(show_spinner=False, max_entries=16)
def proximity(db: str, version: str, kinds: tuple[str, ...], scope: Scope) -> gpd.GeoDataFrame:
    with connection(db) as con:
        return tradearea.proximity_areas(con, _kinds(kinds), scope=scope_list(scope))


@st.cache_data(show_spinner=False, max_entries=64)
def customer_areas(db: str, version: str, service_point: str, shares: tuple[float, ...],
                   hull: str, months: tuple[str, str], scope: Scope) -> gpd.GeoDataFrame:
    with connection(db) as con:
        return tradearea.customer_areas(con, service_point, shares, hull=hull, months=months,
                                        scope=scope_list(scope))


@st.cache_data(show_spinner=False, max_entries=32)
def huff(db: str, version: str, alpha: float, beta: float, kinds: tuple[str, ...],
         demand: str, household_size: float, max_km: float | None,
         scope: Scope) -> tuple[pd.DataFrame, pd.DataFrame, gpd.GeoDataFrame]:
    """``(per_point, per_cell, dominant areas)`` of the Huff model."""
    with connection(db) as con:
        per_point, per_cell = tradearea.huff_shares(con, alpha, beta, _kinds(kinds), demand,
                                                    household_size, max_km,
                                                    scope=scope_list(scope))
    return per_point, per_cell, huff_areas(per_cell)


@st.cache_data(show_spinner=False, max_entries=32)
def gaps(db: str, version: str, km: float, kinds: tuple[str, ...], scope: Scope) -> pd.DataFrame:
    with connection(db) as con:
        return tradearea.gaps(con, km, _kinds(kinds), scope=scope_list(scope))


@st.cache_data(show_spinner=False, max_entries=32)
def overlaps(db: str, version: str, km: float, kinds: tuple[str, ...],
             scope: Scope) -> pd.DataFrame:
    with connection(db) as con:
        return tradearea.overlaps(con, km, _kinds(kinds), scope=scope_list(scope))


@st.cache_data(show_spinner=False, max_entries=32)
def sites(db: str, version: str, k: int, km: float, weight: str, kinds: tuple[str, ...],
          scope: Scope) -> tradearea.Sites:
    with connection(db) as con:
        return tradearea.sites(con, k, km, weight, _kinds(kinds), scope=scope_list(scope))


#: every customer's facts per (warehouse, load, months): an entry holds ~0.1 GB at 1M customers
_FACTS: OrderedDict[tuple[str, str, tuple[str, str]], Future] = OrderedDict()
#: copies of the warehouse's stored per-customer tables, the same way (:func:`stored_copy`)
_COPIES: OrderedDict[tuple[str, str, tuple[str, str]], Future] = OrderedDict()
_FACTS_LOCK = threading.Lock()
FACTS_KEPT = 2
#: the CPU priority (nice) of the thread copying the stored tables (:func:`stored_copy`)
COPY_NICE = 19


def stored_months(db: str, version: str) -> tuple[str, str] | None:
    """The months whose per-customer facts the warehouse stores (built by the load for its last
    12 months: :mod:`gcrm.cube.percustomer`), None when it stores none. Not cached: ``gcrm
    upgrade`` may add them without a new data version (two catalogue look-ups)."""
    with connection(db) as con:
        return percustomer.stored_months(con)


def customer_facts(db: str, version: str, months: tuple[str, str],
                   wait: bool = True) -> tradearea.CustomerFacts | None:
    """Every customer's facts over ``months`` (:class:`gcrm.tradearea.queries.CustomerFacts`)
    when the warehouse does not store them (:func:`stored_months`; None when it does: the
    queries then join the areas' customers with the warehouse's own tables, or with their
    :func:`stored_copy`).

    Read once per load of the warehouse and shared by every session and scope (the areas' and
    campaign lists' customers are scoped before they are looked up in it): a new area's
    summary and campaign list are then a join, not scans of the facts (1-2 s each on 1M
    customers). Read in a background thread (one DuckDB thread: the other core stays with
    the pages), never twice at a time; kept in memory, not pickled per use like
    ``st.cache_data`` values. :func:`warm` starts the read during the sign-in.

    The page waits for a read under way (measured: reading the first area's own facts
    meanwhile, as the CLI does, made the first render slower, 13.8-14.3 s against 6.6-6.9 s
    on the 1M warehouse, both reads sharing two cores); ``wait=False``: None until the read
    has finished."""
    key = (db, version, (str(months[0]), str(months[1])))
    if stored_months(db, version) == key[2]:
        return None
    future = _kept(_FACTS, key, start=True)
    if not wait and not future.done():
        return None
    return future.result()


def stored_copy(db: str, version: str, months: tuple[str, str],
                start: bool = False) -> tradearea.CustomerFacts | None:
    """The warehouse's stored per-customer tables of ``months`` copied into memory
    (:meth:`gcrm.tradearea.queries.CustomerFacts.read` with ``stored``), once its copy has
    finished, else None (the queries join the file's tables in place: the same numbers).

    An area's joins with the copy take half the time (0.04-0.09 s against 0.13-0.18 s on
    1M customers: every query on the file reads and decompresses its tables again); the copy
    takes 0.6-0.8 s of one core and ~0.15 GB, in a background thread like
    :func:`customer_facts` but at the lowest CPU priority (:data:`COPY_NICE`), started
    (``start``) at the end of the page's run, never during it nor during the sign-in, where
    it would compete with the first render."""
    key = (db, version, (str(months[0]), str(months[1])))
    with _FACTS_LOCK:
        future = _COPIES.get(key)
    if future is None and start and stored_months(db, version) == key[2]:
        future = _kept(_COPIES, key, start=True)
    if future is None or not future.done() or future.exception() is not None:
        return None
    return future.result()


def _kept(table: OrderedDict, key: tuple[str, str, tuple[str, str]],
          start: bool) -> Future | None:
    """The future of ``key`` in ``table`` (:data:`_FACTS` or :data:`_COPIES`), its read
    started when absent and ``start``; the :data:`FACTS_KEPT` latest are kept."""
    with _FACTS_LOCK:
        future = table.get(key)
        if future is None and start:
            future = table[key] = Future()
            _background(_read_facts, (table, key, future), "gcrm-customer-facts")
            while len(table) > FACTS_KEPT:
                table.popitem(last=False)
        elif future is not None:
            table.move_to_end(key)
    return future


#: the connections of the reads and copies under way and their threads
#: (:func:`_stop_reads`)
_READING: set = set()
_READ_THREADS: list[threading.Thread] = []


def _background(target: Callable, args: tuple, name: str) -> None:
    """Start ``target(*args)`` in a daemon thread, kept in :data:`_READ_THREADS` for
    :func:`_stop_reads` (call it holding :data:`_FACTS_LOCK`)."""
    thread = threading.Thread(target=target, args=args, daemon=True, name=name)
    thread.start()
    _READ_THREADS[:] = [*(t for t in _READ_THREADS if t.is_alive()), thread]


def _lowest_priority() -> None:
    """Give the calling thread the lowest CPU priority (:data:`COPY_NICE`): nobody waits for
    its work, which yields the cores to the pages (Linux: a thread's own nice)."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), COPY_NICE)


def _read_facts(table: OrderedDict, key: tuple[str, str, tuple[str, str]],
                future: Future) -> None:
    copy = table is _COPIES
    if copy:  # nobody waits for a copy
        _lowest_priority()
    try:
        con = warehouse.connect(key[0], read_only=True)
        _READING.add(con)
        try:
            future.set_result(tradearea.CustomerFacts.read(con, key[2], threads=1,
                                                           stored=copy))
        finally:
            _READING.discard(con)
            con.close()
    except BaseException as exc:  # the next call tries again
        with _FACTS_LOCK:
            if table.get(key) is future:
                del table[key]
        future.set_exception(exc)


@atexit.register
def _stop_reads() -> None:
    """At exit, interrupt the reads and copies under way and let their threads end (a
    daemon thread still inside DuckDB when the interpreter finalises aborts the process)."""
    for con in list(_READING):
        with contextlib.suppress(Exception):
            con.interrupt()
    for thread in _READ_THREADS:
        thread.join(timeout=10)


def warm() -> None:
    """Start reading :func:`customer_facts` of the configured warehouse's last 12 months (the
    page's default period) unless the warehouse stores them (a load by this version does), and
    read the district boundaries every scope's map filters (with DuckDB's spatial extension):
    called by the app shell (:func:`dashboards.components.shell.prepare`) while the sign-in
    form of a link to this page shows. A warehouse that cannot be read is left to the pages
    to report."""
    from dashboards.components.data import regions_geojson, warehouse_info
    from gcrm import cube

    try:
        info = warehouse_info()
        with connection(info.path) as con:
            months = cube.month_range(con, 12)
        customer_facts(info.path, info.version, months, wait=False)
        regions_geojson(info.path, info.version, "district")  # the map's (and scopes') regions
    except Exception:  # no warehouse yet, or a load under way: nothing to warm
        return


def _facts(db: str, version: str, months: tuple[str, str]) -> tradearea.CustomerFacts | None:
    """Every customer's facts for an area's queries: :func:`customer_facts`, else (stored by
    the warehouse) their :func:`stored_copy` when it is ready, else None (the stored tables
    in place)."""
    return customer_facts(db, version, months) or stored_copy(db, version, months)


#: the districts' columns of the summaries (:func:`district_sides`) per (warehouse, load,
#: district, months, scope, household size): a few numbers each
_SIDES: OrderedDict[tuple, dict[str, float]] = OrderedDict()
_SIDES_LOCK = threading.Lock()
SIDES_KEPT = 256


def _side_key(db: str, version: str, district: str, months: Sequence[str],
              scope: Sequence[str] | None, household_size: float) -> tuple:
    """The key of a district's column in :data:`_SIDES`."""
    return (db, version, district, (str(months[0]), str(months[1])),
            None if scope is None else tuple(scope), float(household_size))


def district_sides(db: str, version: str) -> Callable[..., dict[str, float]]:
    """The ``side`` of :func:`gcrm.tradearea.queries.area_summary` for this load of ``db``:
    :func:`gcrm.tradearea.queries.district_side`, each district's column kept for the next
    area in that district (it does not depend on the area; 0.1-0.35 s of a new area's
    summary on 1M customers: the nearest population cell of each of its 100,000-220,000
    residential customers). Shared by every session, per scope."""
    def side(cur, district: str, all_cells: pd.DataFrame, months, scope,
             household_size: float) -> dict[str, float]:
        key = _side_key(db, version, district, months, scope, household_size)
        with _SIDES_LOCK:
            kept = _SIDES.get(key)
            if kept is not None:
                _SIDES.move_to_end(key)
        if kept is not None:
            cur.close()  # as district_side does
            return dict(kept)
        out = tradearea.district_side(cur, district, all_cells, months, scope, household_size)
        with _SIDES_LOCK:
            _SIDES[key] = dict(out)
            while len(_SIDES) > SIDES_KEPT:
                _SIDES.popitem(last=False)
        return out
    return side


#: the district columns being worked out in the background (:func:`warm_district_sides`)
_WARMING: set[tuple] = set()
#: how many districts one warm-up works out at most (a user with a whole province in scope)
WARM_DISTRICTS = 64


def warm_district_sides(db: str, version: str, months: tuple[str, str], scope: Scope,
                        household_size: float, districts: Sequence[str]) -> None:
    """Work out the district column (:func:`district_sides`) of each of ``districts`` not
    kept yet, in a background thread at the lowest CPU priority (:data:`COPY_NICE`), after
    the :func:`stored_copy` started by the page's run: an area in another of them is then
    summed without its district's 0.1-0.35 s. A warm-up under way for the same load, months,
    scope and household size is not started twice; one that fails leaves the page to compute
    what it needs."""
    key = (db, version, (str(months[0]), str(months[1])), scope, float(household_size))
    with _SIDES_LOCK:
        todo = [d for d in dict.fromkeys(districts) if d and _side_key(
            db, version, d, months, scope, household_size) not in _SIDES][:WARM_DISTRICTS]
        if not todo or key in _WARMING:
            return
        _WARMING.add(key)
    with _FACTS_LOCK:
        _background(_warm_sides, (key, todo), "gcrm-district-sides")


def _warm_sides(key: tuple, districts: list[str]) -> None:
    db, version, months, scope, household_size = key
    _lowest_priority()
    with _FACTS_LOCK:
        copy = _COPIES.get((db, version, months))
    if copy is not None:  # after the copy: its Python work (GIL) would hold up the page's
        with contextlib.suppress(Exception):  # last messages, sent after its run
            copy.result(timeout=120)
    try:
        con = warehouse.connect(db, read_only=True, threads=1)  # all in this thread
        _READING.add(con)
        try:
            cells = tradearea.population_cells(con, scope_list(scope))
            side = district_sides(db, version)
            for district in districts:
                side(tradearea.thread_cursor(con), district, cells, months, scope_list(scope),
                     household_size)
        finally:
            _READING.discard(con)
            con.close()
    except Exception:  # interrupted at exit, or a load swapped the file: the page computes
        pass
    finally:
        with _SIDES_LOCK:
            _WARMING.discard(key)


@st.cache_resource(show_spinner=False, max_entries=8)
def area_customers(db: str, version: str, spec: Spec, months: tuple[str, str],
                   scope: Scope) -> pd.DataFrame:
    """The customers inside the area ``spec`` within ``scope``
    (:func:`gcrm.tradearea.queries.customers_in`), read once for the area's :func:`summary`
    and :func:`targets` (0.1-0.3 s each on 1M customers under load); a resource, not copied
    per use: the queries only read it."""
    area, _ = area_of(db, version, spec, months)
    with connection(db) as con:
        return tradearea.customers_in(con, area, scope_list(scope))


@st.cache_data(show_spinner=False, max_entries=64)
def summary(db: str, version: str, spec: Spec, months: tuple[str, str], scope: Scope,
            household_size: float, min_cell: int | None = None) -> tradearea.AreaSummary:
    """:func:`gcrm.tradearea.queries.area_summary` of the area ``spec`` (as ``gcrm tradearea
    summary``); ``min_cell``: disclosure control for a role without ``read_pii``
    (:func:`dashboards.components.disclosure.min_cell_for`), None for none."""
    area, label = area_of(db, version, spec, months)
    with connection(db) as con:
        return tradearea.area_summary(con, area, label, months, scope_list(scope), household_size,
                                      min_cell=min_cell,
                                      customers=_facts(db, version, months),
                                      inside=area_customers(db, version, spec, months, scope),
                                      side=district_sides(db, version))


@st.cache_data(show_spinner=False, max_entries=16)
def targets(db: str, version: str, spec: Spec, segment: str, months: tuple[str, str],
            scope: Scope, mask: bool, min_counter_share: float,
            visit_months: int) -> pd.DataFrame:
    """The campaign list, cached like every number of the page: per load of the warehouse
    (``version``), area, segment, scope and masking (it took 1.4-1.9 s on every run of the
    page, also a rerun for an unrelated widget)."""
    area, _ = area_of(db, version, spec, months)
    with connection(db) as con:
        return tradearea.targets(con, area, segment, months, scope_list(scope), mask=mask,
                                 min_counter_share=min_counter_share,
                                 visit_months=visit_months,
                                 customers=(_facts(db, version, months)
                                            if segment == "counter_payers" else None),
                                 inside=area_customers(db, version, spec, months, scope))


# --------------------------------------------------------------------------- road network
def roads_pbf() -> str | None:
    """The road network named by ``$GCRM_ROADS_PBF`` (as the CLI), or None."""
    return os.environ.get(ROADS_ENV) or None


def save_upload(data: bytes, name: str) -> str:
    """Keep an uploaded ``.osm.pbf`` in the temp folder (named by its content hash) and
    return its path; the graph built from it is cached per path and modification time."""
    folder = Path(tempfile.gettempdir()) / "gcrm-roads"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{hashlib.sha1(data).hexdigest()[:16]}-{Path(name).name}"
    if not path.exists():
        path.write_bytes(data)
    return str(path)


def mtime(path: str | None) -> float:
    try:
        return Path(path).stat().st_mtime if path else 0.0
    except OSError:
        return 0.0


# --------------------------------------------------------------------------- downloads
def layer_bytes(gdf: gpd.GeoDataFrame, fmt: str, datum: str, layer: str) -> bytes:
    """The layer as the file :func:`gcrm.tradearea.queries.export_layer` writes (``fmt``: geojson or
    gpkg; ``datum``: wgs84 or gcj02)."""
    with tempfile.TemporaryDirectory(prefix="gcrm-ta-") as tmp:
        path = tradearea.export_layer(gdf, Path(tmp) / f"{layer}.{fmt}", datum, layer=layer)
        return path.read_bytes()
