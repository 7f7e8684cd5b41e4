"""The load pipeline: ``load(input_dir, db)`` — all or nothing, every row accounted for.

Steps (in order): preflight (files and columns; nothing written on failure), regions,
service points, feeders, customers (CRS normalised), facts (consumption, payments, outages,
service records), population grid, region assignment of every located thing, time dimension,
rollups (all of them on a first load; afterwards only the months the load touched, see
:func:`gcrm.cube.rollups.build_rollups`), every customer's facts over the last 12 months
(:mod:`gcrm.cube.percustomer`: rebuilt when the period moves or a month in it changed).
Each file's good rows are read and cast once, by the insert (:func:`_validate`). The
whole load runs on a private copy of the warehouse that is swapped in only when complete: an
exception or a kill leaves the warehouse as it was. Rejected rows go to ``etl_rejects`` and to
``rejects.csv`` in the report folder, written before the
swap; ``loaded + rejected = read`` holds for every file.

The statements on the copy are not wrapped in one DuckDB transaction (the copy makes the load
atomic already): inside one, DuckDB kept every CSV block's Arrow buffers alive until the commit,
so memory grew with the input beyond the memory limit (12.7 GB for 10M customers; 4.0 GB
without). Each step's peak resident memory is in the load report.

Readers are never blocked: the load works on a copy of the warehouse beside it
(``<warehouse>.loading-<pid>-<n>``) and, once committed and checkpointed, renames it over the
warehouse. Queries that opened the old file finish on it; every later open sees the new load
(its ``meta.data_version``). Loads are serialised by ``<warehouse>.load.lock``: a second load
does not wait but stops with exit 2 ("another load is running"). A killed load leaves its copy
behind; the next load removes it.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import shapely
from tqdm import tqdm

from etl import dupkeys, readers, spec
from etl import revenue as revenue_files
from etl.errors import InputError
from etl.locate import assign_all, located_counts
from etl.peakrss import PeakRSS
from etl.regions import RegionBatch, find_regions, read_regions
from etl.spec import FileCount
from etl.validate import (
    DateWindow,
    compile_checked,
    compile_checked_rejects,
    compile_dups,
    compile_normalised,
    q,
    reject_value_expr,
    stage_columns,
)
from gcrm import config
from gcrm.cube import percustomer, rollups
from gcrm.spatial.crs import DATUMS, Datum, to_wgs84
from gcrm.storage import warehouse

#: DuckDB memory limit during a load unless $GCRM_MEMORY_LIMIT says otherwise.
LOAD_MEMORY_LIMIT = warehouse.BULK_MEMORY_LIMIT


@dataclass
class LoadReport:
    load_id: int
    input_dir: str
    crs: str
    counts: list[FileCount] = field(default_factory=list)
    repaired_regions: list[str] = field(default_factory=list)
    locate: dict[str, int] = field(default_factory=dict)
    #: (step, seconds, CPU seconds of every thread of the process, peak resident bytes of
    #: the process during the step or None)
    steps: list[tuple[str, float, float, int | None]] = field(default_factory=list)
    report_dir: str | None = None
    seconds: float = 0.0
    #: the months whose rollups this load rebuilt; None: all of them (a full build)
    rollup_months: list[str] | None = None

    @property
    def rejected(self) -> int:
        return sum(c.rejected for c in self.counts)

    def as_dict(self) -> dict:
        return {
            "load_id": self.load_id, "input_dir": self.input_dir, "crs": self.crs,
            "files": [
                {"file": c.file, "read": c.read, "loaded": c.loaded, "rejected": c.rejected,
                 "notes": c.notes} for c in self.counts
            ],
            "repaired_regions": self.repaired_regions, "locate": self.locate,
            "steps": [{"step": s, "seconds": round(t, 3),
                       "peak_rss_mb": None if m is None else round(m / 2**20),
                       "cpu_seconds": round(c, 3)} for s, t, c, m in self.steps],
            "rollups": "full" if self.rollup_months is None else self.rollup_months,
            "seconds": round(self.seconds, 3),
        }


# --------------------------------------------------------------------------- preflight
@dataclass
class Plan:
    regions: Path | None
    sources: dict[str, readers.Source]
    window: DateWindow  # plausible dates, fixed for the whole load


def _older_schema(con: duckdb.DuckDBPyConnection) -> str | None:
    """What to do when the warehouse was built by an older GCRM (a load writes this version's
    tables: ``gcrm upgrade`` first); None for a current or a new, empty one."""
    version = warehouse.schema_version(con)
    if version is None or version >= warehouse.SCHEMA_VERSION:
        return None
    return next(iter(warehouse.schema_problems(con)), None)


def preflight(input_dir: Path, db: str | Path | None = None) -> Plan:
    """Check files and columns before anything is written; raise :class:`InputError`.

    Into an empty warehouse every required file must be present. Into a warehouse that already
    holds regions and customers, any subset may be loaded (incremental loads).
    """
    window = DateWindow.from_settings()
    if not input_dir.is_dir():
        raise InputError(str(input_dir), "input folder does not exist")
    has = {"regions": False, "customers": False}
    path = config.db_path(db)
    if path.exists():
        with warehouse.connect(path, read_only=True) as con:
            if older := _older_schema(con):
                raise InputError(str(path), older)
            for t in has:
                table = "dim_region" if t == "regions" else "dim_customer"
                exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?",
                                     [table]).fetchone()[0]
                has[t] = bool(exists) and con.execute(
                    f"SELECT count(*) > 0 FROM {table}").fetchone()[0]
    incremental = has["regions"] and has["customers"]
    regions = find_regions(input_dir)
    if regions is None and not incremental:
        raise InputError(" or ".join(spec.REGIONS_FILES), f"required file missing in {input_dir}")
    sources: dict[str, readers.Source] = {}
    for fs in spec.TABULAR:
        must = fs.required_columns
        if fs is spec.CUSTOMERS:
            must = (*must, *spec.CUSTOMER_PRESENT)
        src = readers.open_source(input_dir, fs, must)
        if src is None:
            if fs.required and not incremental:
                raise InputError(f"{fs.name}.csv", f"required file missing in {input_dir}")
            continue
        sources[fs.name] = src
    if not sources and regions is None:
        raise InputError(str(input_dir), "no input files found")
    return Plan(regions, sources, window)


# --------------------------------------------------------------------------- steps
class _Steps:
    def __init__(self, total: int, quiet: bool) -> None:
        self.bar = tqdm(total=total, disable=quiet, unit="step", leave=False,
                        bar_format="{desc:<28} {bar} {n_fmt}/{total_fmt} [{elapsed}]")
        self.times: list[tuple[str, float, float, int | None]] = []

    def run(self, name: str, fn: Callable[[], object]) -> object:
        self.bar.set_description(name)
        t0, c0 = time.perf_counter(), time.process_time()
        with PeakRSS() as rss:
            out = fn()
        self.times.append((name, time.perf_counter() - t0, time.process_time() - c0, rss.peak))
        self.bar.update(1)
        return out

    def close(self) -> None:
        self.bar.close()


def _now(con: duckdb.DuckDBPyConnection) -> datetime:
    return con.execute("SELECT CAST(now() AS TIMESTAMP)").fetchone()[0]


#: files with rules beyond the column checks, run on the good rows before the insert: their
#: rejects are listed first (the others' only after the insert, and only when rows are missing)
CHECKED_FIRST = ("outages", "supply", "relations")


def _validate(con: duckdb.DuckDBPyConnection, src: readers.Source, count: FileCount,
              window: DateWindow) -> str:
    """Register ``src`` and define the views that check and type it; return the good rows'.

    Nothing large is materialised, and the insert reads and casts each column once:
    ``s_<file>`` (a view, :func:`~etl.validate.compile_checked`) types every column once and
    gives each row its verdict, ``v_<file>`` keeps the rows without one. Duplicate keys are
    found beforehand from the key columns alone (usually there are none, and no join).
    """
    name = src.spec.name
    raw, norm = f"src_{name}", f"n_{name}"
    count.read = readers.register(con, src, raw)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {norm} AS "
                + compile_normalised(src.spec, raw, src.columns, readers.column_types(con, raw)))
    dups = None
    if dupkeys.create_candidates(con, src.spec, norm, count.read, f"c_{name}"):
        dups = f"d_{name}"
        con.execute(f"CREATE OR REPLACE TEMP TABLE {dups} AS "
                    + compile_dups(src.spec, norm, f"SELECT __h FROM c_{name}"))
    con.execute(f"CREATE OR REPLACE TEMP VIEW s_{name} AS "
                + compile_checked(src.spec, norm, window, dups, keys=True))
    con.execute(f"DROP TABLE IF EXISTS r_{name}")
    if name in CHECKED_FIRST:
        _list_rejects(con, name)
    _good_view(con, src)
    return f"v_{name}"


def _list_rejects(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Materialise ``r_<file>`` (``__row``, ``__reason``, ``__field``): a pass over the file."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE r_{name} AS "
                + compile_checked_rejects(f"s_{name}"))


def _has_temp(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary AND "
                            "table_name = ?", [table]).fetchone()[0])


def _good_view(con: duckdb.DuckDBPyConnection, src: readers.Source) -> None:
    """(Re)create ``v_<file>``: the typed rows of ``s_<file>`` without a verdict and, once the
    rejects are listed, not in ``r_<file>`` (rules beyond the column checks add to it)."""
    name = src.spec.name
    listed = _has_temp(con, f"r_{name}") and con.execute(
        f"SELECT count(*) > 0 FROM r_{name}").fetchone()[0]
    con.execute(f"CREATE OR REPLACE TEMP VIEW v_{name} AS SELECT "
                f"{stage_columns(src.spec, keys=True)} "
                f"FROM s_{name} s WHERE s.__v IS NULL"
                + (f" AND s.__row NOT IN (SELECT __row FROM r_{name})" if listed else ""))


def _drop_stage(con: duckdb.DuckDBPyConnection, src: readers.Source) -> None:
    """Drop a loaded file's views and tables, its raw rows included (a CSV's text copy is a
    temp table as large as the file: kept to the end it would hold every file at once; a
    Parquet file's is a view, :func:`etl.readers.register`)."""
    name = src.spec.name
    for view in (f"v_{name}", f"s_{name}", f"n_{name}"):
        con.execute(f"DROP VIEW IF EXISTS {view}")
    con.execute(f"DROP {'VIEW' if src.is_parquet else 'TABLE'} IF EXISTS {q('src_' + name)}")
    for table in (f"c_{name}", f"d_{name}", f"r_{name}"):
        con.execute(f"DROP TABLE IF EXISTS {table}")


def _quarantine(con: duckdb.DuckDBPyConnection, src: readers.Source, load_id: int,
                count: FileCount) -> int:
    """After the insert: copy this file's rejects (with the raw row) to ``etl_rejects``;
    return their number. A file all of whose rows were loaded is not read again."""
    name = src.spec.name
    if not _has_temp(con, f"r_{name}"):
        if count.loaded == count.read:
            return 0
        _list_rejects(con, name)
    n = con.execute(f"SELECT count(*) FROM r_{name}").fetchone()[0]
    if not n:
        return 0
    value = reject_value_expr(src.spec, src.columns)
    con.execute(
        f"INSERT INTO etl_rejects SELECT ?, ?, v.__row, v.__field, {value}, v.__reason, "
        f"to_json(s) FROM r_{name} v JOIN {q('src_' + name)} s USING (__row)",
        [load_id, src.file],
    )
    return n


def _upsert_dim(con: duckdb.DuckDBPyConnection, target: str, key: str, cols: list[str],
                stage: str, now: datetime) -> None:
    """Update changed rows (bumping ``updated_at``) and insert new ones (a new customer given
    its integer key, :data:`SURROGATE`; ``stage`` then has the rows' ``__row``)."""
    sets = ", ".join(f"{q(c)} = s.{q(c)}" for c in cols)
    changed = " OR ".join(f"t.{q(c)} IS DISTINCT FROM s.{q(c)}" for c in cols)
    con.execute(
        f"UPDATE {target} t SET {sets}, updated_at = ? FROM {stage} s "
        f"WHERE t.{q(key)} = s.{q(key)} AND ({changed})", [now])
    collist = ", ".join(q(c) for c in [key, *cols])
    new, given = _new_keys(con, target)
    con.execute(
        f"INSERT INTO {target} ({collist}{new}, updated_at) SELECT {collist}{given}, ? "
        f"FROM {stage} s "
        f"WHERE NOT EXISTS (SELECT 1 FROM {target} t WHERE t.{q(key)} = s.{q(key)})", [now])


#: the dimension whose rows get an integer key, and its column: a customer's
#: (``customer_key``), which the monthly facts hold in place of the text id. Given once, when
#: the customer is first loaded, and never changed: its row number in that file on a first
#: load (:func:`_load_located_dim`), else one more than the largest key so far, in the file's
#: order. The Spark engine gives the same keys (``etl.scaleout.sparketl``).
SURROGATE = {"dim_customer": "customer_key"}


def _new_keys(con: duckdb.DuckDBPyConnection, target: str) -> tuple[str, str]:
    """(``, column``, ``, expression``) giving the new rows of ``target`` their integer key
    (:data:`SURROGATE`) over the staged rows ``s`` (with ``__row``); two empty strings for a
    table without one."""
    if target not in SURROGATE:
        return "", ""
    col = SURROGATE[target]
    top = con.execute(f"SELECT max({col}) FROM {target}").fetchone()[0]
    if top is None:  # a first load: the row number
        return f", {col}", ", CAST(s.__row AS INTEGER)"
    return f", {col}", f", CAST({int(top)} + row_number() OVER (ORDER BY s.__row) AS INTEGER)"


def _replace_facts(con: duckdb.DuckDBPyConnection, target: str,
                   key: tuple[str | tuple[str, str], ...], select: str, good: str) -> int:
    """Upsert by key: delete stored rows whose key is in the batch, then append the batch.

    ``key``: the key's columns, each a name (the same in ``target`` and ``good``) or a pair
    (its name in ``target``, in ``good``). Streams from the source through the typed view;
    returns the number of rows inserted.
    """
    on = " AND ".join(f"f.{q(k)} = s.{q(k)}" if isinstance(k, str)
                      else f"f.{q(k[0])} = s.{q(k[1])}" for k in key)
    if con.execute(f"SELECT count(*) > 0 FROM {target}").fetchone()[0]:
        con.execute(f"DELETE FROM {target} f USING {good} s WHERE {on}")
    return con.execute(f"INSERT INTO {target} BY NAME {select} FROM {good}").fetchone()[0]


def _touch_replaced(con: duckdb.DuckDBPyConnection, touched: set[str] | None, target: str,
                    key: tuple[str, ...], good: str) -> None:
    """Before the delete: add to ``touched`` the months of the stored rows a fact batch
    replaces (a key with a month keeps the row in its month: nothing to add)."""
    if touched is None or "month" in key:
        return
    if not con.execute(f"SELECT count(*) > 0 FROM {target}").fetchone()[0]:
        return
    on = " AND ".join(f"f.{q(k)} = s.{q(k)}" for k in key)
    touched.update(r[0] for r in con.execute(
        f"SELECT DISTINCT f.month FROM {target} f JOIN {good} s ON {on}").fetchall())


#: the month of a loaded fact row, over its file's normalised view
FACT_MONTHS = {"consumption": "month",
               "payments": "strftime(TRY_CAST(paid_at AS TIMESTAMP), '%Y-%m')"}


def _touch_loaded(con: duckdb.DuckDBPyConnection, touched: set[str] | None, name: str) -> None:
    """After the insert and the listing of the rejects: add to ``touched`` the months of the
    rows loaded, from the one column of the normalised view that gives them (the checked
    view is not read again), rejected rows left out."""
    if touched is None or name not in FACT_MONTHS:
        return
    rejected = _has_temp(con, f"r_{name}")
    touched.update(r[0] for r in con.execute(
        f"SELECT DISTINCT {FACT_MONTHS[name]} FROM n_{name}"
        + (f" WHERE __row NOT IN (SELECT __row FROM r_{name})" if rejected else "")).fetchall()
        if r[0] is not None)


# --------------------------------------------------------------------------- per file
def _load_regions(con: duckdb.DuckDBPyConnection, batch: RegionBatch, load_id: int,
                  now: datetime) -> FileCount:
    count = FileCount(batch.file, read=batch.read, rejected=len(batch.rejects))
    for r in batch.rejects:
        con.execute("INSERT INTO etl_rejects VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [load_id, batch.file, r["row_number"], r["field"], r["value"], r["reason"],
                     r["raw"]])
    g = batch.regions
    stage = pd.DataFrame({
        "region_id": g["region_id"], "name": g["name"], "level": g["level"],
        "parent_id": g["parent_id"], "area_km2": g["area_km2"].round(6),
        "population": g["population"].astype("Int64"),
        "centroid_lon": g["centroid_lon"], "centroid_lat": g["centroid_lat"],
        "wkb": shapely.to_wkb(g.geometry.to_numpy()),
        "wkb_simple": shapely.to_wkb(g["geom_simple"].to_numpy()),
        "repaired": g["repaired"].astype(bool),
    })
    _stage(con, "stage_regions_raw", stage)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE stage_regions AS SELECT region_id, name, level, parent_id, "
        "area_km2, population, centroid_lon, centroid_lat, ST_GeomFromWKB(wkb) AS geom, "
        "ST_GeomFromWKB(wkb_simple) AS geom_simple, repaired FROM stage_regions_raw")
    cols = ["name", "level", "parent_id", "area_km2", "population", "centroid_lon",
            "centroid_lat", "geom", "geom_simple", "repaired"]
    _upsert_dim(con, "dim_region", "region_id", cols, "stage_regions", now)
    count.loaded = len(stage)
    if batch.repaired:
        count.notes.append(f"repaired with make_valid: {', '.join(batch.repaired)}")
    return count


def _stage(con: duckdb.DuckDBPyConnection, name: str, df: pd.DataFrame) -> None:
    """Materialise a DataFrame as temp table ``name`` (it outlives the Python object)."""
    con.register(f"{name}_df", df)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_df")
    con.unregister(f"{name}_df")


def _convert(df: pd.DataFrame, datum: Datum) -> pd.DataFrame:
    """Convert lon/lat columns to WGS-84 where they are finite and in range."""
    if datum == "wgs84" or df.empty:
        return df
    lon, lat = df["lon"].to_numpy(float), df["lat"].to_numpy(float)
    ok = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    x, y = to_wgs84(lon[ok], lat[ok], datum)
    lon, lat = lon.copy(), lat.copy()
    lon[ok], lat[ok] = x, y
    return df.assign(lon=lon, lat=lat)


def _load_located_dim(con: duckdb.DuckDBPyConnection, good: str, target: str, key: str,
                      cols: list[str], datum: Datum, now: datetime) -> int:
    """Upsert the good rows into ``target``, their coordinates converted to WGS-84.

    The rows stay in DuckDB (which spills past its memory limit) and the checked view is read
    once: only the key and the coordinates go through Python, and only when a datum
    conversion is needed, so a 10-million-customer file never becomes a DataFrame. Into an
    empty table in WGS-84 (a first load) the rows go straight from the view: nothing to
    update, so no staged copy and one pass over the view fewer."""
    collist = ", ".join(q(c) for c in [key, *cols])
    if datum == "wgs84" and not con.execute(f"SELECT count(*) FROM {target}").fetchone()[0]:
        new, given = _new_keys(con, target)
        return con.execute(f"INSERT INTO {target} ({collist}{new}, updated_at) "
                           f"SELECT {collist}{given}, ? FROM {good} s", [now]).fetchone()[0]
    ok = f"{good}_ok"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {ok} AS SELECT {collist}"
                f"{', __row' if target in SURROGATE else ''} FROM {good}")
    if datum != "wgs84":
        _stage(con, f"{good}_xy",
               _convert(con.execute(f"SELECT {q(key)}, lon, lat FROM {ok}").df(), datum))
        con.execute(f"UPDATE {ok} t SET lon = x.lon, lat = x.lat FROM {good}_xy x "
                    f"WHERE t.{q(key)} = x.{q(key)}")
        con.execute(f"DROP TABLE {good}_xy")
    n = con.execute(f"SELECT count(*) FROM {ok}").fetchone()[0]
    _upsert_dim(con, target, key, cols, ok, now)
    con.execute(f"DROP TABLE {ok}")
    return n


def _load_tabular(con: duckdb.DuckDBPyConnection, src: readers.Source, load_id: int,
                  datum: Datum, now: datetime, window: DateWindow,
                  touched: set[str] | None = None) -> FileCount:
    """Validate, quarantine and load one file; add the months its facts touch to
    ``touched`` (None: no incremental rollup build, nothing to collect)."""
    count = FileCount(src.file)
    good = _validate(con, src, count, window)
    name = src.spec.name
    if name == "outages":
        _check_outages(con, src)
    elif name == "supply":
        revenue_files.check_supply(con, lambda: _good_view(con, src))
    elif name == "relations":
        _check_relations(con, src)
    if name == "service_points":
        count.loaded = _load_located_dim(
            con, good, "dim_service_point", "service_point_id",
            ["name", "kind", "lon", "lat", "attrs"], datum, now)
    elif name == "feeders":
        count.loaded = _load_located_dim(
            con, good, "dim_feeder", "feeder_id",
            ["name", "substation_id", "substation_name", "lon", "lat"], datum, now)
    elif name == "customers":
        count.loaded = _load_located_dim(
            con, good, "dim_customer", "customer_id",
            ["name", "customer_class", "segment", "tariff", "big_customer", "lon", "lat",
             "feeder_id", "service_point_id", "opened_on", "phone", "id_number", "address",
             "attrs", "transformer_id"], datum, now)
        # feeders named by customers but absent from feeders.csv still exist
        con.execute("INSERT INTO dim_feeder (feeder_id, updated_at) SELECT DISTINCT feeder_id, ? "
                    "FROM dim_customer c WHERE NOT EXISTS "
                    "(SELECT 1 FROM dim_feeder f WHERE f.feeder_id = c.feeder_id)", [now])
    elif name == "consumption":
        count.loaded = _replace_facts(
            con, "fact_consumption", (("customer_key", "__key_customer_id"), "month"),
            "SELECT __key_customer_id AS customer_key, month, kwh, peak_kwh, flat_kwh, "
            "valley_kwh, amount", good)
    elif name == "payments":
        _touch_replaced(con, touched, "fact_payment", ("payment_id",), good)
        count.loaded = _replace_facts(
            con, "fact_payment", ("payment_id",),
            "SELECT payment_id, __key_customer_id AS customer_key, paid_at, "
            "strftime(paid_at, '%Y-%m') AS month, amount, channel, service_point_id", good)
    elif name == "outages":
        count.loaded = _replace_facts(
            con, "fact_outage", ("outage_id",),
            'SELECT outage_id, feeder_id, "start" AS start_at, "end" AS end_at, '
            'date_diff(\'second\', "start", "end") / 60.0 AS duration_min, cause, planned',
            good)
    elif name == "service_records":
        count.loaded = _replace_facts(
            con, "fact_service", ("service_id",),
            "SELECT service_id, customer_id, kind, opened_at, closed_at, status, channel, topic, "
            "note", good)
    elif name == "relations":
        count.loaded = _replace_facts(
            con, "dim_relation", spec.RELATIONS.key,
            f"SELECT customer_id, related_id, kind, TIMESTAMP '{now}' AS updated_at", good)
        _build_groups(con)
    elif name == "population":
        df = con.execute(
            f"SELECT cell_id, lon, lat, CAST(resident AS BIGINT) AS resident, "
            f"CAST(floating AS BIGINT) AS floating FROM {good}").df()
        _stage(con, f"{good}_ok", _convert(df, datum))
        con.execute(f"DELETE FROM population_grid g USING {good}_ok s WHERE g.cell_id = s.cell_id")
        con.execute(f"INSERT INTO population_grid BY NAME SELECT * FROM {good}_ok")
        count.loaded = len(df)
    elif name == "transformers":
        count.loaded = _load_located_dim(
            con, good, "dim_transformer", "transformer_id",
            ["feeder_id", "name", "capacity_kva", "lon", "lat"], datum, now)
    elif name in revenue_files.FACTS:
        count.loaded = revenue_files.load(con, name, good, _replace_facts)
    count.rejected = _quarantine(con, src, load_id, count)
    _touch_loaded(con, touched, name)
    _drop_stage(con, src)
    return count


def _check_outages(con: duckdb.DuckDBPyConnection, src: readers.Source) -> None:
    """Outage rules beyond the column checks: end before start, overlapping duplicates."""
    con.execute("""INSERT INTO r_outages SELECT __row, 'end_before_start', 'end'
                   FROM v_outages WHERE "end" < "start" """)
    _good_view(con, src)
    # A feeder cannot be interrupted twice at once: a later row (or a stored event with
    # another id) overlapping an earlier one is a duplicate report of the same event.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE r_outages_overlap AS
        SELECT v.__row, 'overlapping_duplicate' AS __reason, 'start' AS __field
        FROM v_outages v
        WHERE EXISTS (SELECT 1 FROM v_outages o WHERE o.feeder_id = v.feeder_id
                      AND o.__row < v.__row AND o."start" < v."end" AND v."start" < o."end")
           OR EXISTS (SELECT 1 FROM fact_outage f WHERE f.feeder_id = v.feeder_id
                      AND f.outage_id <> v.outage_id AND f.start_at < v."end"
                      AND v."start" < f.end_at)""")
    con.execute("INSERT INTO r_outages SELECT * FROM r_outages_overlap")
    _good_view(con, src)


def _check_relations(con: duckdb.DuckDBPyConnection, src: readers.Source) -> None:
    """A customer related to itself is rejected (``self_relation``)."""
    con.execute("INSERT INTO r_relations SELECT __row, 'self_relation', 'related_id' "
                "FROM v_relations WHERE customer_id = related_id")
    _good_view(con, src)


def _build_groups(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild ``dim_customer_group`` from every loaded relation (the cube's ``group``)."""
    from gcrm.accounts.groups import group_table

    groups = group_table(con.execute(
        "SELECT customer_id, related_id, kind FROM dim_relation").df())
    con.execute("DELETE FROM dim_customer_group")
    _stage(con, "stage_groups", groups)
    con.execute("INSERT INTO dim_customer_group SELECT customer_id, group_id FROM stage_groups")


#: the files whose rows region assignment places (besides the regions themselves)
LOCATED = ("customers", "service_points", "population")


def _locate(con: duckdb.DuckDBPyConnection, plan: Plan,
            region_batch: RegionBatch | None) -> dict[str, int]:
    """Assign regions everywhere (:func:`~etl.locate.assign_all`) when this load brings
    regions or located rows; a load of facts only leaves every assignment as it was, and the
    counts are read from the customers (the whole assignment took 2.5-3 s for 1M
    customers)."""
    if region_batch is not None or any(name in plan.sources for name in LOCATED):
        return assign_all(con)
    return located_counts(con)


def _build_time(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""
        INSERT INTO dim_time
        SELECT strftime(m, '%Y-%m'), CAST(m AS DATE), year(m), year(m) || '-Q' || quarter(m),
               month(m)
        FROM (SELECT unnest(generate_series(CAST(min(d) || '-01' AS DATE),
                                            CAST(max(d) || '-01' AS DATE), INTERVAL 1 MONTH)) AS m
              -- 'YYYY-MM' text sorts as the months do: no cast of every row
              FROM (SELECT min(month) AS d FROM fact_consumption UNION ALL
                    SELECT max(month) FROM fact_consumption UNION ALL
                    SELECT min(month) FROM fact_payment UNION ALL
                    SELECT max(month) FROM fact_payment))
        WHERE m IS NOT NULL AND strftime(m, '%Y-%m') NOT IN (SELECT month FROM dim_time)
    """)


# --------------------------------------------------------------------------- entry point
def load(input_dir: str | Path, db: str | Path | None = None, crs: str = "wgs84",
         quiet: bool = False, report_dir: str | Path | None = None) -> LoadReport:
    """Load an input folder into the warehouse at ``db``; see docs/input-contract.md.

    Raises :class:`~etl.errors.InputError` before writing anything for bad input (a missing,
    unreadable or malformed file or column, unusable settings, a report folder that cannot be
    written) and, rolling the load back, for a file whose rows turn out unreadable. Any other
    failure rolls the whole load back too. Raises
    :class:`~gcrm.storage.warehouse.WarehouseBusy` while another load runs.

    The load writes a copy of the warehouse (:func:`~gcrm.storage.warehouse.staged_copy`)
    that replaces it by rename once committed: readers are never blocked and never see a
    half-done load, and a failed or killed load leaves the warehouse as it was.
    """
    if crs not in DATUMS:
        raise InputError("--crs", f"unknown datum {crs!r}; expected one of {', '.join(DATUMS)}")
    datum: Datum = crs  # type: ignore[assignment]
    input_dir = Path(input_dir)
    t_start = time.perf_counter()
    plan = preflight(input_dir, db)
    check_report_dir(_report_path(db, report_dir, None))
    region_batch = read_regions(plan.regions, datum) if plan.regions else None
    with warehouse.load_lock(db), warehouse.staged_copy(db) as work:
        con = warehouse.connect(work, spatial=True)
        try:
            warehouse.bulk(con)
            load_id = con.execute("SELECT nextval('etl_load_seq')").fetchone()[0]
            report = LoadReport(load_id, str(input_dir.resolve()), crs)
            out = _report_path(db, report_dir, load_id)
            _run(con, plan, region_batch, report, out, quiet, t_start)
            con.execute("CHECKPOINT")  # the copy is complete without its .wal: ready to swap
        finally:
            con.close()
    return report


def _run(con: duckdb.DuckDBPyConnection, plan: Plan, region_batch: RegionBatch | None,
         report: LoadReport, out: Path, quiet: bool, t_start: float) -> None:
    """Every step, on the working copy; the report is written before the copy is swapped in."""
    load_id, datum = report.load_id, report.crs
    steps = _Steps(len(plan.sources) + (1 if region_batch else 0) + 4, quiet)
    try:
        now = _now(con)
        con.execute("INSERT INTO etl_loads VALUES (?, ?, NULL, ?, ?, NULL)",
                    [load_id, now, report.input_dir, report.crs])
        if region_batch:
            with readers.reading(region_batch.file):
                report.counts.append(steps.run(
                    "regions", lambda: _load_regions(con, region_batch, load_id, now)))
            report.repaired_regions = region_batch.repaired
        # rollups already built: only the months this load touches are rebuilt
        touched: set[str] | None = set() if rollups.can_update(con) else None
        if touched is not None:
            rollups.snapshot_attrs(con)
        for name, src in plan.sources.items():
            with readers.reading(src.file):
                report.counts.append(steps.run(name, lambda s=src: _load_tabular(
                    con, s, load_id, datum, now, plan.window, touched)))
        report.locate = steps.run("assign regions", lambda: _locate(con, plan, region_batch))
        revenue_files.place_transformers(con)
        steps.run("time dimension", lambda: _build_time(con))
        if touched is not None:
            touched |= rollups.changed_months(con)
            report.rollup_months = sorted(touched)
        steps.run("rollups", lambda: rollups.build_rollups(con, touched))
        steps.run("customer facts", lambda: percustomer.build(con, touched))
        warehouse.set_meta(con, "schema_version", str(warehouse.SCHEMA_VERSION))
        unbalanced = [c.file for c in report.counts if not c.balanced]
        if unbalanced:  # cannot happen by construction; checked, never assumed
            raise RuntimeError(f"row accounting broken for {unbalanced}")
        report.seconds = time.perf_counter() - t_start
        report.steps = steps.times
        con.execute("UPDATE etl_loads SET finished_at = ?, summary = ? WHERE load_id = ?",
                    [_now(con), json.dumps(report.as_dict(), ensure_ascii=False), load_id])
        warehouse.set_meta(con, "data_version", str(load_id))
        warehouse.set_meta(con, "loaded_at", _now(con).isoformat(timespec="seconds"))
        # before the commit: a report that cannot be written stops the load (exit 2)
        report.report_dir = str(_write_report(con, report, out))
    finally:
        steps.close()


# --------------------------------------------------------------------------- load report
def _report_path(db: str | Path | None, report_dir: str | Path | None,
                 load_id: int | None) -> Path:
    """The report folder: ``report_dir``, else ``loads/load_<id>`` beside the warehouse
    (``loads`` itself while the load id is not known yet)."""
    if report_dir:
        return Path(report_dir)
    root = config.db_path(db).resolve().parent / "loads"
    return root if load_id is None else root / f"load_{load_id:05d}"


def check_report_dir(path: Path) -> None:
    """Raise :class:`InputError` unless ``path`` is, or can be made, a writable folder."""
    probe = path
    while not (probe.exists() or probe.is_symlink()) and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        raise InputError(str(path), f"load report folder cannot be made: {probe} is not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise InputError(str(path), f"load report folder is not writable: {probe}")
    for name in ("summary.json", "rejects.csv"):
        target = path / name
        if (target.exists() or target.is_symlink()) and not target.is_file():
            raise InputError(str(target), "in the way of the load report: not a regular file")


def _write_report(con: duckdb.DuckDBPyConnection, report: LoadReport, out: Path) -> Path:
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / "summary.json").write_text(
            json.dumps(report.as_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
        con.execute("SELECT file, row_number, field, value, reason, raw FROM etl_rejects "
                    "WHERE load_id = ? ORDER BY file, row_number", [report.load_id]
                    ).df().to_csv(out / "rejects.csv", index=False)
    except OSError as exc:
        raise InputError(str(out), f"load report cannot be written: {exc.strerror or exc}") \
            from exc
    return out


__all__ = ["InputError", "LoadReport", "load", "preflight"]
