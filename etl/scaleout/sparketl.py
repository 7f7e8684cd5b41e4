"""``gcrm etl --engine spark``: load an input folder with Apache Spark into a Parquet store.

The same contract and the same rules as :func:`etl.pipeline.load`, computed by the same SQL:
the validation queries (:mod:`etl.validate`) and the rollups (:mod:`gcrm.cube.rollups`) are
carried to Spark by :func:`gcrm.cube.dialect.to_spark`, region assignment runs the project's
locator in ``mapInArrow`` (:mod:`etl.scaleout.sparklocate`). What is small and needs no
scale-out stays in an in-memory DuckDB beside the driver: the boundaries (read by GeoPandas as
in every load), the calendar, ``meta``, the load's bookkeeping and its rejects.

A Spark load is always a full build: the store is written beside and swapped in
(:func:`gcrm.storage.lake.swap_in`), then ``--db`` becomes a warehouse file of views over it
(:func:`gcrm.storage.lake.attach`), which the dashboards and every command read unchanged.
The revenue-protection files (transformer areas, supply meters, daily reads: :mod:`etl.revenue`)
and the key-account relations (groups: :mod:`gcrm.accounts.groups`) are loaded as there.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from etl import pipeline, spec
from etl import revenue as revenue_files
from etl.errors import InputError
from etl.locate import H3_RESOLUTION, Locator
from etl.regions import read_regions
from etl.scaleout import sparklocate, sparkread
from etl.spec import FileCount
from etl.validate import DateWindow, compile_normalised, compile_rejects, compile_typed
from etl.validate import reject_value_expr as _value_expr
from gcrm import config
from gcrm.cube import percustomer
from gcrm.cube.dialect import to_spark
from gcrm.cube.rollups import (
    ACTIVITY,
    ROLLUPS,
    SOURCES,
    _aggregate,
    activity_bits_sql,
    activity_sql,
)
from gcrm.spatial.crs import DATUMS
from gcrm.storage import lake, sparkenv, warehouse

#: the fact tables and how each is selected from its file's typed rows (as etl.pipeline)
FACTS = {
    "consumption": ("fact_consumption", "SELECT c.customer_key, v.month, v.kwh, v.peak_kwh, "
                    "v.flat_kwh, v.valley_kwh, v.amount"),
    "payments": ("fact_payment", "SELECT v.payment_id, c.customer_key, v.paid_at, "
                 "strftime(v.paid_at, '%Y-%m') AS month, v.amount, v.channel, "
                 "v.service_point_id"),
    "outages": ("fact_outage", 'SELECT outage_id, feeder_id, "start" AS start_at, '
                '"end" AS end_at, date_diff(\'second\', "start", "end") / 60.0 AS duration_min, '
                "cause, planned"),
    "service_records": ("fact_service", "SELECT service_id, customer_id, kind, opened_at, "
                        "closed_at, status, channel, topic, note"),
    **{name: (table, select) for name, (table, _, select) in revenue_files.TABLES.items()},
    "relations": ("dim_relation", "SELECT customer_id, related_id, kind"),
}
#: the facts that name their customer by its integer key (``c``: the customer of row ``v``)
KEYED = frozenset({"consumption", "payments"})
DIMS = {"service_points": "dim_service_point", "feeders": "dim_feeder",
        "customers": "dim_customer", "population": "population_grid",
        "transformers": "dim_transformer"}
#: rules beyond the column checks (as etl.pipeline): rejects ``__row, __reason, __field``
#: selected from the good rows, in order, each over the rows the previous ones left
CHECKS = {
    "outages": ("""SELECT __row, 'end_before_start' AS __reason, 'end' AS __field
                   FROM v_outages WHERE "end" < "start" ""","""
        SELECT v.__row, 'overlapping_duplicate' AS __reason, 'start' AS __field
        FROM v_outages v
        WHERE EXISTS (SELECT 1 FROM v_outages o WHERE o.feeder_id = v.feeder_id
                      AND o.__row < v.__row AND o."start" < v."end" AND v."start" < o."end")"""),
    "supply": (revenue_files.UNKNOWN_POINT_SQL,),
    "relations": ("SELECT __row, 'self_relation' AS __reason, 'related_id' AS __field "
                  "FROM v_relations WHERE customer_id = related_id",),
}
#: tables the scratch DuckDB builds that Spark steps read afterwards (registered as views)
SCRATCH_VIEWS = ("dim_time", "meta", "dim_customer_group")
SPARK_TYPES = {"VARCHAR": "STRING", "JSON": "STRING", "TIMESTAMP": "TIMESTAMP_NTZ"}


class _Load:
    """One Spark load: the session, the scratch DuckDB, the store being written."""

    def __init__(self, spark: Any, work: Path, load_id: int, now: datetime,
                 window: DateWindow, datum: str, partition_by: tuple[str, ...]) -> None:
        self.spark, self.work, self.load_id, self.now = spark, work, load_id, now
        self.window, self.datum, self.partition_by = window, datum, partition_by
        self.scratch = duckdb.connect()
        warehouse.load_spatial(self.scratch)
        warehouse.create_schema(self.scratch)
        self.rejects: list[pd.DataFrame] = []
        self.regions: Any = None
        #: the months of the stored per-customer facts (:func:`_customer_facts`)
        self.customer_months: tuple[str, str] | None = None

    def sql(self, duck_sql: str) -> Any:
        return self.spark.sql(to_spark(duck_sql))

    # ------------------------------------------------------------------ writing
    def pin(self, df: Any, table: str) -> Any:
        """``df`` as the pinned columns of ``table`` (missing ones NULL), in schema order."""
        from pyspark.sql import functions as F

        have = set(df.columns)
        cols = []
        for name, typ in lake.pinned()[table]:
            spark_type = SPARK_TYPES.get(typ, typ)
            value = F.col(f"`{name}`") if name in have else F.lit(None)
            cols.append(value.cast(spark_type).alias(name))
        return df.select(*cols)

    def empty(self, table: str) -> Any:
        """No rows, with the pinned columns of ``table``."""
        return self.spark.createDataFrame([], self.pin(self.spark.range(0), table).schema)

    def write(self, df: Any, table: str) -> Any:
        """Write ``table`` into the store being built; return it re-read as a view (a fact
        split by :attr:`partition_by`: the view has its pinned columns only)."""
        path = str(self.work / table)
        if split := table in lake.PARTITIONS:
            df.createOrReplaceTempView(f"{table}__new")
            df = self.sql(lake.partitioned_sql(table, f"{table}__new", self.partition_by))
        writer = df.write.mode("overwrite")
        if split:
            writer = writer.partitionBy(*self.partition_by)
        writer.parquet(path)
        if split and not any(Path(path).rglob("*.parquet")):  # no rows: Spark wrote no file
            out = self.empty(table)
        else:
            out = self.spark.read.option("basePath", path).parquet(path)
        if split:
            out = out.select(*(f"`{c}`" for c, _ in lake.pinned()[table]))
        out.createOrReplaceTempView(table)
        return out

    def copy_scratch(self, table: str) -> None:
        """A small table of the scratch DuckDB into the store (and as a Spark view)."""
        (self.work / table).mkdir(exist_ok=True)
        target = str(self.work / table / "part-0.parquet").replace("'", "''")
        self.scratch.execute(f"COPY {table} TO '{target}' (FORMAT parquet)")
        if table in SCRATCH_VIEWS:
            self.spark.read.parquet(str(self.work / table)).createOrReplaceTempView(table)


# --------------------------------------------------------------------------- one file
def _validate(ld: _Load, src: Any, count: FileCount) -> Any:
    """Register ``src_/n_/r_`` views of ``src``; return the rejects DataFrame (persisted)."""
    name = src.spec.name
    raw, count.read = sparkread.read(ld.spark, src)
    raw.createOrReplaceTempView(f"src_{name}")
    ld.sql(compile_normalised(src.spec, f"src_{name}", src.columns, sparkread.types(raw))
           ).createOrReplaceTempView(f"n_{name}")
    rej = ld.sql(compile_rejects(src.spec, f"n_{name}", ld.window, grouped=True)).persist()
    rej.createOrReplaceTempView(f"r_{name}")
    _good_view(ld, name, src.spec)
    if name == "supply":  # its points: feeders and transformer areas (maybe none loaded)
        _empty_tables(ld, ("dim_transformer",))
    for check in CHECKS.get(name, ()):
        rej = rej.unionByName(ld.sql(check)).persist()
        rej.createOrReplaceTempView(f"r_{name}")
        _good_view(ld, name, src.spec)
    return rej


def _good_view(ld: _Load, name: str, file_spec: Any) -> None:
    ld.sql(compile_typed(file_spec, f"n_{name}")
           + f" WHERE NOT EXISTS (SELECT 1 FROM r_{name} r WHERE r.__row = s.__row)"
           ).createOrReplaceTempView(f"v_{name}")


def _quarantine(ld: _Load, src: Any) -> int:
    """This file's rejects with their raw row, kept for ``etl_rejects``; return how many."""
    from pyspark.sql import functions as F

    name = src.spec.name
    if ld.spark.table(f"r_{name}").isEmpty():  # most files: no join, no transfer
        return 0
    value = _value_expr(src.spec, src.columns)
    rows = ld.sql(f"SELECT v.__row AS row_number, v.__field AS field, {value} AS value, "
                  f"v.__reason AS reason FROM r_{name} v JOIN src_{name} s ON s.__row = v.__row")
    raw_src = ld.spark.table(f"src_{name}")
    raw = raw_src.select(F.col("__row").alias("row_number"), F.to_json(
        F.struct(*(F.col(f"`{c}`") for c in raw_src.columns)),
        {"ignoreNullFields": "false"}).alias("raw"))
    df = rows.join(raw, "row_number").toPandas()
    df.insert(0, "file", src.file)
    df.insert(0, "load_id", ld.load_id)
    ld.rejects.append(df[["load_id", "file", "row_number", "field", "value", "reason", "raw"]])
    return len(df)


def _load_dim(ld: _Load, name: str) -> int:
    """A dimension (located ones through the locator) written to the store."""
    from pyspark.sql import functions as F

    df = ld.spark.table(f"v_{name}")
    if name == "customers":  # its key: the row number, as a first DuckDB load gives it
        df = df.withColumn("customer_key", F.col("__row").cast("int"))
    df = df.drop("__row").withColumn("updated_at", _now(ld))
    if name == "population":
        df = df.withColumn("resident", F.col("resident").cast("bigint")) \
               .withColumn("floating", F.col("floating").cast("bigint"))
    if True:  # feeders too: their coordinates are converted (their regions are dropped)
        df = sparklocate.locate(df.withColumn("lon", F.col("lon").cast("double"))
                                .withColumn("lat", F.col("lat").cast("double")),
                                ld.regions, ld.datum, customers=name == "customers")
    if name == "transformers":  # the region of most of its customers, not of its point
        placed = ld.sql(revenue_files.PLACEMENT_SQL)
        df = df.drop("city_id", "district_id").join(placed, "transformer_id", "left")
    table = DIMS[name]
    ld.write(ld.pin(df, table), table)
    return ld.spark.table(table).count()


def _load_file(ld: _Load, src: Any) -> FileCount:
    count = FileCount(src.file)
    _validate(ld, src, count)
    count.rejected = _quarantine(ld, src)
    name = src.spec.name
    if name in FACTS:
        table, select = FACTS[name]
        df = ld.sql(f"{select} FROM v_{name} v" + (
            " JOIN dim_customer c ON c.customer_id = v.customer_id" if name in KEYED else ""))
        if name == "relations":
            df = df.withColumn("updated_at", _now(ld))
        ld.write(ld.pin(df, table), table)
        count.loaded = ld.spark.table(table).count()
        if name == "relations":
            _build_groups(ld)
    else:
        count.loaded = _load_dim(ld, name)
    _release(ld, name)
    return count


def _release(ld: _Load, name: str | None = None) -> None:
    """Let Spark delete a loaded file's shuffle files now, not at the session's end (no
    ``name``: every view and cached table, before and after a load: a session's earlier load
    or store must not stand in for a table this load did not fill).

    A shuffle's files live as long as the driver holds its dependency: the persisted rejects
    and the file's views held them, so a load's scratch grew with every file (25 GB by the
    payments of 10M customers). The file is written and re-read from the store, so its working
    views and cached rejects go; a JVM garbage collection lets Spark's context cleaner see
    the dependencies are gone (it would otherwise wait for its periodic one, 30 minutes).
    """
    ld.spark.catalog.clearCache()
    views = _views(ld) if name is None else (f"v_{name}", f"r_{name}", f"n_{name}",
                                                 f"src_{name}")
    for view in views:
        ld.spark.catalog.dropTempView(view)
    gc.collect()  # Python's handles of the file's plans first, so the JVM may free them
    ld.spark.sparkContext._jvm.System.gc()


def _now(ld: _Load) -> Any:
    from pyspark.sql import functions as F

    return F.lit(ld.now).cast("timestamp_ntz")


def _build_groups(ld: _Load) -> None:
    """``dim_customer_group`` from the relations (as ``etl.pipeline._build_groups``)."""
    from gcrm.accounts.groups import group_table

    groups = group_table(ld.spark.sql("SELECT customer_id, related_id, kind FROM dim_relation"
                                      ).toPandas())
    ld.scratch.register("groups_df", groups)
    ld.scratch.execute("INSERT INTO dim_customer_group SELECT customer_id, group_id "
                       "FROM groups_df")
    ld.scratch.unregister("groups_df")


# --------------------------------------------------------------------------- whole load
def _feeders_named_by_customers(ld: _Load) -> None:
    """Feeders that customers name but feeders.csv lacks still exist (as etl.pipeline)."""

    have = ld.spark.table("dim_feeder") if "dim_feeder" in _views(ld) else None
    named = ld.spark.table("dim_customer").select("feeder_id").distinct()
    if have is not None:
        named = named.join(have.select("feeder_id"), "feeder_id", "left_anti")
        extra = ld.pin(named.withColumn("updated_at", _now(ld)),
                       "dim_feeder")
        both = have.unionByName(extra).localCheckpoint()
    else:
        both = ld.pin(named.withColumn("updated_at", _now(ld)),
                      "dim_feeder").localCheckpoint()
    ld.write(both, "dim_feeder")


def _views(ld: _Load) -> set[str]:
    return {t.name for t in ld.spark.catalog.listTables() if t.isTemporary}


def _empty_tables(ld: _Load, tables: tuple[str, ...] = ()) -> None:
    """Tables no input file filled (default: all) are written empty, so the store has the
    whole schema."""
    views = _views(ld)
    for table in tables or (*DIMS.values(), *(t for t, _ in FACTS.values())):
        if table not in views:
            ld.write(ld.empty(table), table)


def _calendar(ld: _Load) -> list[str]:
    """dim_time from the first to the last month of consumption and payments."""
    row = ld.spark.sql("SELECT min(m), max(m) FROM (SELECT month AS m FROM fact_consumption "
                       "UNION ALL SELECT month FROM fact_payment)").first()
    if row[0] is not None:
        ld.scratch.execute(
            "INSERT INTO dim_time SELECT strftime(m, '%Y-%m'), CAST(m AS DATE), year(m), "
            "year(m) || '-Q' || quarter(m), month(m) FROM (SELECT unnest(generate_series("
            "CAST(? AS DATE), CAST(? AS DATE), INTERVAL 1 MONTH)) AS m)",
            [f"{row[0]}-01", f"{row[1]}-01"])
    ld.copy_scratch("dim_time")
    return [r[0] for r in ld.scratch.execute("SELECT month FROM dim_time ORDER BY 1").fetchall()]


def _rollups(ld: _Load, months: list[str]) -> dict[str, int]:
    """Every rollup and activity table, from the same SQL as the DuckDB load."""
    sizes: dict[str, int] = {}
    for fact in SOURCES:
        rollups = [r for r in ROLLUPS if r.fact == fact]
        dims = tuple(dict.fromkeys(d for r in rollups for d in r.dims))
        base = ld.sql(_aggregate(fact, dims)).persist()
        base.createOrReplaceTempView("rollup__base")
        for r in rollups:
            sizes[r.name] = ld.write(ld.sql(r.sql("rollup__base")), r.name).count()
        base.unpersist()
    bits = ld.sql(activity_bits_sql(len(months))).persist()
    bits.createOrReplaceTempView("rollup__bits")
    for r in ACTIVITY:
        sizes[r.name] = ld.write(ld.sql(activity_sql(r, len(months))), r.name).count()
    bits.unpersist()
    return sizes


def _customer_facts(ld: _Load) -> dict[str, int]:
    """Every customer's facts over the last 12 months of consumption
    (:mod:`gcrm.cube.percustomer`, the same SQL as the DuckDB load); their months go to
    ``ld.customer_months`` (None: no consumption, no tables)."""
    row = ld.spark.sql("SELECT min(month), max(month) FROM fact_consumption").first()
    if row is None or row[1] is None:
        return {}
    ld.customer_months = percustomer.window(row[0], row[1])
    return {table: ld.write(ld.spark.sql(to_spark(percustomer.sql(name), ld.customer_months)),
                            table).count()
            for name, table in percustomer.TABLES.items()}


def _region_population(ld: _Load) -> None:
    """Population of regions from the grid (as ``etl.locate.assign_all``)."""
    pops = ld.spark.sql(
        "SELECT district_id AS region_id, sum(resident) AS pop FROM population_grid "
        "WHERE district_id IS NOT NULL GROUP BY 1 UNION ALL SELECT city_id, sum(resident) "
        "FROM population_grid WHERE city_id IS NOT NULL GROUP BY 1").toPandas()
    if len(pops):
        ld.scratch.register("pops_df", pops)
        ld.scratch.execute("UPDATE dim_region r SET population = p.pop FROM pops_df p "
                           "WHERE r.region_id = p.region_id")


def _next_load_id(store: Path) -> int:
    """One more than the store's current data version (so caches see a new build)."""
    try:
        value = lake.meta_value(store, "data_version")
        return int(value) + 1 if value is not None else 1
    except (duckdb.Error, ValueError):
        return 1


def load(input_dir: str | os.PathLike, store: str | os.PathLike,
         db: str | os.PathLike | None = None, crs: str = "wgs84", quiet: bool = False,
         report_dir: str | os.PathLike | None = None,
         partition_by: str | None = None) -> pipeline.LoadReport:
    """Load ``input_dir`` with Spark into the Parquet store ``store``; attach it as ``db``.
    The facts are split by ``partition_by`` (:func:`gcrm.storage.lake.partition_columns`).

    Raises :class:`~etl.errors.InputError` (bad input, before anything is written) and
    :class:`~gcrm.storage.sparkenv.SparkUnavailable` (no pyspark or no Java).
    """
    if crs not in DATUMS:
        raise InputError("--crs", f"unknown datum {crs!r}; expected one of {', '.join(DATUMS)}")
    t_start = time.perf_counter()
    input_dir, store = Path(input_dir), Path(store).resolve()
    by = lake.partition_columns(partition_by)
    plan = pipeline.preflight(input_dir, store / ".no-warehouse.duckdb")  # a full build
    _refuse_unsupported(plan)
    lake.check_target(config.db_path(db))  # never replace a loaded warehouse by views
    spark = sparkenv.session()
    region_batch = read_regions(plan.regions, crs) if plan.regions else None
    if region_batch is None:
        raise InputError(" or ".join(spec.REGIONS_FILES), f"required file missing in {input_dir}")
    load_id = _next_load_id(store)
    pipeline.check_report_dir(pipeline._report_path(db, report_dir, None))
    work = store.with_name(f".{store.name}.writing-{os.getpid()}")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    ld = _Load(spark, work, load_id, datetime.now().replace(microsecond=0), plan.window, crs,
               by)
    report = pipeline.LoadReport(load_id, str(input_dir.resolve()), crs)
    _release(ld)
    try:
        _build(ld, plan, region_batch, report, quiet)
        report.seconds = time.perf_counter() - t_start
        _finish(ld, report, db, report_dir)
        lake.swap_in(work, store)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        ld.scratch.close()
    lake.attach(store, config.db_path(db))
    return report


def _refuse_unsupported(plan: Any) -> None:
    """Stop before anything is written when the folder holds a file this engine does not load
    (a file of the input contract newer than this module): nothing is skipped silently."""
    for name, src in plan.sources.items():
        if name not in FACTS and name not in DIMS:
            raise InputError(src.file, "the Spark engine does not load this file yet "
                             "(docs/scale.md); load the folder with the DuckDB engine "
                             "(gcrm etl without --engine) or move the file out")


def _build(ld: _Load, plan: Any, region_batch: Any, report: Any, quiet: bool) -> None:
    steps = pipeline._Steps(len(plan.sources) + 5, quiet)
    try:
        report.counts.append(steps.run("regions", lambda: pipeline._load_regions(
            ld.scratch, region_batch, ld.load_id, ld.now)))
        report.repaired_regions = region_batch.repaired
        ld.regions = ld.spark.sparkContext.broadcast(Locator.regions(ld.scratch))
        ld.spark.createDataFrame(  # the hierarchy, for the province partitions
            ld.scratch.execute("SELECT region_id, parent_id, level FROM dim_region").df(),
            "region_id string, parent_id string, level string").createOrReplaceTempView(
                "dim_region")
        for name, src in plan.sources.items():
            report.counts.append(steps.run(name, lambda s=src: _load_file(ld, s)))
            if name == "customers":
                _feeders_named_by_customers(ld)
        _empty_tables(ld)
        steps.run("regions population", lambda: _region_population(ld))
        months = steps.run("time dimension", lambda: _calendar(ld))
        report.rollups = steps.run("rollups", lambda: _rollups(ld, months))
        report.rollups.update(steps.run("customer facts", lambda: _customer_facts(ld)))
        located = ld.spark.sql("SELECT locate_status, count(*) FROM dim_customer GROUP BY 1"
                               ).collect()
        got = {k: int(v) for k, v in located}
        report.locate = {k: got.get(k, 0) for k in ("ok", "missing", "out_of_range", "outside")}
        report.steps = steps.times
    finally:
        steps.close()
        _release(ld)  # the rollups' shuffles too: a long-lived session keeps no scratch
    unbalanced = [c.file for c in report.counts if not c.balanced]
    if unbalanced:  # cannot happen by construction; checked, never assumed
        raise RuntimeError(f"row accounting broken for {unbalanced}")


def _finish(ld: _Load, report: Any, db: Any, report_dir: Any) -> None:
    """meta, etl_loads, etl_rejects and dim_region into the store; the load report."""
    con = ld.scratch
    if ld.rejects:
        con.register("rejects_df", pd.concat(ld.rejects, ignore_index=True))
        con.execute("INSERT INTO etl_rejects SELECT * FROM rejects_df")
    con.execute("INSERT INTO etl_loads VALUES (?, ?, ?, ?, ?, ?)",
                [ld.load_id, ld.now, datetime.now(), report.input_dir, report.crs,
                 json.dumps(report.as_dict(), ensure_ascii=False)])
    meta = {"h3_resolution": str(H3_RESOLUTION), "data_version": str(ld.load_id),
            "loaded_at": datetime.now().isoformat(timespec="seconds"), "engine": "spark",
            "rollup_sizes": json.dumps(getattr(report, "rollups", {})),
            "activity_months": json.dumps([r[0] for r in con.execute(
                "SELECT month FROM dim_time ORDER BY 1").fetchall()])}
    if ld.customer_months:
        meta[percustomer.MONTHS_KEY] = json.dumps(list(ld.customer_months))
    for key, value in meta.items():
        warehouse.set_meta(con, key, value)
    for table in ("meta", "etl_loads", "etl_rejects", "dim_region", "dim_customer_group"):
        ld.copy_scratch(table)
    out = pipeline._report_path(db, report_dir, ld.load_id)
    report.report_dir = str(pipeline._write_report(con, report, out))


# --------------------------------------------------------------------------- rollups only
def rollup(store: str | os.PathLike, db: str | os.PathLike | None = None) -> dict[str, int]:
    """Rebuild the rollups, activity tables and per-customer facts of the Parquet store
    ``store`` with Spark (``gcrm rollup --engine spark``); return their row counts.

    The facts and dimensions stay: a copy of the store made of hard links (no data copied)
    gets the new rollups and ``meta`` (``rollup_sizes``, ``activity_months``, a new
    ``data_version``) and is swapped in by rename, so readers never see half of it. With
    ``db``, that warehouse of views is attached again (a rollup new in this version gets its
    view).
    """
    store = Path(store).resolve()
    if "meta" not in lake.tables(store):
        raise ValueError(f"{store} is not a GCRM Parquet store (no meta table)")
    lake.check_version(store)
    if db is not None:
        lake.check_target(config.db_path(db))
    derived = {r.name for r in (*ROLLUPS, *ACTIVITY)} | {"meta", *percustomer.TABLES.values()}
    spark = sparkenv.session()
    sparkenv.register_store(spark, store)
    work = store.with_name(f".{store.name}.writing-{os.getpid()}")
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(store, work, copy_function=os.link,
                    ignore=lambda d, names: [n for n in names if Path(d) == store
                                             and n in derived])
    ld = _Load(spark, work, _next_load_id(store), datetime.now().replace(microsecond=0),
               DateWindow.from_settings(), "wgs84", ())
    try:
        months = [r[0] for r in spark.sql("SELECT month FROM dim_time ORDER BY 1").collect()]
        sizes = {**_rollups(ld, months), **_customer_facts(ld)}
        glob = lake.table_glob(store, "meta").replace("'", "''")
        ld.scratch.execute(f"INSERT OR REPLACE INTO meta SELECT key, value FROM "
                           f"read_parquet('{glob}')")
        ld.scratch.execute("DELETE FROM meta WHERE key = ?", [percustomer.MONTHS_KEY])
        for key, value in {"rollup_sizes": json.dumps(sizes), "data_version": str(ld.load_id),
                           "activity_months": json.dumps(months),
                           "rollups_at": datetime.now().isoformat(timespec="seconds"),
                           **({percustomer.MONTHS_KEY: json.dumps(list(ld.customer_months))}
                              if ld.customer_months else {})}.items():
            warehouse.set_meta(ld.scratch, key, value)
        ld.copy_scratch("meta")
        lake.swap_in(work, store)
    finally:
        _release(ld)
        shutil.rmtree(work, ignore_errors=True)
        ld.scratch.close()
    if db is not None:
        lake.attach(store, config.db_path(db))
    return sizes
