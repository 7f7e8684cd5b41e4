"""The Parquet store: the warehouse as Hive-partitioned Parquet that DuckDB and Spark both read.

Layout (one folder per table, so ``<table>/**/*.parquet`` reads it on either engine)::

    STORE/fact_consumption/month=2025-01/part-0.parquet   facts, partitioned by month
    STORE/fact_payment/month=2025-01/...
    STORE/fact_daily_read/month=2025-01/...                daily reads: month of ``date``
    STORE/dim_customer/part-0.parquet                      dimensions, rollups, meta beside

At scale the facts are split by the customer's province and city too (``--partition-by
province,city,month``, setting ``store_partitions``): ``fact_consumption/city_id=220502/
month=2025-01/``. Those partition columns (``province_id``, ``city_id``: text, ``__none__`` in
the folder name for a customer without one, NULL in the views) are extra columns of the fact
views, so a filter on them prunes folders as a month filter does.

Schemas are pinned: every column of a warehouse table keeps the type of
:data:`gcrm.storage.warehouse.SCHEMA` whichever engine wrote the file (``month`` is text
``YYYY-MM`` everywhere, partition folders included), because :func:`attach` reads each table
through a view that casts to it. A warehouse file made by :func:`attach` holds only those views:
``warehouse.connect(path, read_only=True)`` opens it like any other, so the cube, the
dashboards and every report run unchanged on a store (DuckDB prunes the month folders of a
month filter).
"""

from __future__ import annotations

import os
import shutil
from functools import cache
from pathlib import Path

import duckdb

from gcrm import config
from gcrm.storage import warehouse

#: tables whose files are split into Hive folders, and by what by default (month only)
PARTITIONS: dict[str, tuple[str, ...]] = {
    "fact_consumption": ("month",),
    "fact_payment": ("month",),
    "fact_daily_read": ("month",),
}

#: facts without a ``month`` column: their month partition, derived (DuckDB SQL, carried to
#: Spark). The store's view has the column ``month`` beside the pinned ones; a filter on it
#: prunes folders, and a filter on ``date`` skips row groups by their statistics.
DERIVED_MONTH = {"fact_daily_read": "strftime(f.\"date\", '%Y-%m')"}

#: the levels a store's facts may be split by (outermost first), and their columns
LEVELS = {"province": "province_id", "city": "city_id", "month": "month"}

#: the folder name of a partition column's missing value (an unlocated customer): Spark and
#: DuckDB each write NULL partitions their own way, so neither is used
NO_REGION = "__none__"

#: the partition columns a fact row takes from its customer (DuckDB SQL, carried to Spark)
_REGION_COLS = {
    "province_id": "pr.region_id",  # the parent of the customer's city, when it is a province
    "city_id": "c.city_id",
}

#: bookkeeping that stays with the warehouse file it was loaded into
SKIP = frozenset({"etl_loads_seq"})


@cache
def pinned() -> dict[str, list[tuple[str, str]]]:
    """Table -> [(column, DuckDB type)] of the warehouse schema (the store's pinned schema)."""
    con = duckdb.connect()
    try:
        warehouse.create_schema(con)  # with the optional tables and columns (revenue, accounts)
        rows = con.execute("SELECT table_name, column_name, data_type FROM "
                           "information_schema.columns ORDER BY table_name, ordinal_position"
                           ).fetchall()
    finally:
        con.close()
    out: dict[str, list[tuple[str, str]]] = {}
    for table, col, typ in rows:
        out.setdefault(table, []).append((col, typ))
    return out


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def partition_columns(levels: str | None = None) -> tuple[str, ...]:
    """The facts' partition columns from ``levels`` (``"city,month"``; default: the setting
    ``store_partitions``), outermost first; a ValueError names an unknown level."""
    text = levels or config.get("store_partitions")
    asked = [p.strip() for p in text.split(",") if p.strip()]
    bad = [p for p in asked if p not in LEVELS]
    if bad or not asked:
        raise ValueError(f"--partition-by {text!r}: {', '.join(bad) or 'nothing'} is not a "
                         f"level; expected a comma-separated list of {', '.join(LEVELS)} "
                         "(e.g. city,month)")
    return tuple(col for level, col in LEVELS.items() if level in asked)


def partitioned_sql(table: str, source: str, by: tuple[str, ...]) -> str:
    """SELECT of fact ``table``'s pinned columns from ``source`` with the region partition
    columns of ``by`` from the customer (the same SQL writes the store on both engines)."""
    cols = [f"f.{_q(c)}" for c, _ in pinned()[table]]
    key = "customer_key" if "customer_key" in {c for c, _ in pinned()[table]} else "customer_id"
    joins = f" LEFT JOIN dim_customer c ON c.{key} = f.{key}"
    if "province_id" in by:
        joins += (" LEFT JOIN dim_region cr ON cr.region_id = c.city_id LEFT JOIN dim_region pr"
                  " ON pr.region_id = cr.parent_id AND pr.level = 'province'")
    cols += [f"coalesce({_REGION_COLS[c]}, {_lit(NO_REGION)}) AS {c}"
             for c in by if c in _REGION_COLS]
    if "month" in by and table in DERIVED_MONTH:
        cols.append(f"{DERIVED_MONTH[table]} AS month")
    return f"SELECT {', '.join(cols)} FROM {source} f{joins}"


def partitioning(store: Path, table: str) -> tuple[str, ...]:
    """The Hive partition columns of ``table`` in ``store``, read from its folder names."""
    out: list[str] = []
    folder = store / table
    while True:
        sub = next((p for p in sorted(folder.iterdir()) if p.is_dir() and "=" in p.name), None)
        if sub is None:
            return tuple(out) or PARTITIONS.get(table, ())
        out.append(sub.name.split("=", 1)[0])
        folder = sub


def table_glob(store: Path, table: str) -> str:
    return str(store / table / "**" / "*.parquet")


def export(con: duckdb.DuckDBPyConnection, store: str | os.PathLike,
           partition_by: str | None = None) -> list[str]:
    """Write every table of the warehouse behind ``con`` to the store folder ``store``, the
    facts split by ``partition_by`` (:func:`partition_columns`).

    The store is written beside and swapped in by rename: a reader never sees half of it.
    Returns the tables written.
    """
    by = partition_columns(partition_by)
    if problems := warehouse.schema_problems(con):  # an older warehouse: upgrade it first
        raise ValueError("; ".join(problems))
    store = Path(store)
    work = store.with_name(f".{store.name}.writing-{os.getpid()}")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE NOT temporary "
        "AND database_name = current_database() ORDER BY 1").fetchall()]
    try:
        for table in tables:
            (work / table).mkdir()
            if table in PARTITIONS:
                opts = (f"FORMAT parquet, PARTITION_BY ({', '.join(by)}), "
                        "FILENAME_PATTERN 'part-{i}'")
                con.execute(f"COPY ({partitioned_sql(table, _q(table), by)}) TO "
                            f"{_lit(str(work / table))} ({opts})")
            else:
                con.execute(f"COPY {_q(table)} TO "
                            f"{_lit(str(work / table / 'part-0.parquet'))} (FORMAT parquet)")
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)  # no half-written store left beside
        raise
    swap_in(work, store)
    return tables


def swap_in(work: Path, store: Path) -> None:
    """Replace the folder ``store`` by the finished folder ``work`` (two renames)."""
    old = store.with_name(f".{store.name}.old-{os.getpid()}")
    if store.exists():
        store.rename(old)
    work.rename(store)
    shutil.rmtree(old, ignore_errors=True)


def tables(store: str | os.PathLike) -> list[str]:
    """The tables a store folder holds (folders with Parquet files)."""
    store = Path(store)
    if not store.is_dir():
        raise FileNotFoundError(f"Parquet store {store} does not exist")
    return sorted(p.name for p in store.iterdir()
                  if p.is_dir() and not p.name.startswith(".") and next(p.rglob("*.parquet"),
                                                                        None))


def view_sql(store: Path, table: str) -> str:
    """SELECT reading ``table`` from the store, cast to its pinned schema when it has one."""
    by = partitioning(store, table)
    hive = ", hive_partitioning = true, hive_types = {" + ", ".join(
        f"{_lit(c)}: 'VARCHAR'" for c in by) + "}" if by else ", hive_partitioning = false"
    source = f"read_parquet({_lit(table_glob(store, table))}{hive})"
    cols = pinned().get(table)
    if not cols:
        return f"SELECT * FROM {source}"
    sel = [f"CAST({_q(c)} AS {t}) AS {_q(c)}" for c, t in cols]
    sel += [f"NULLIF({_q(c)}, {_lit(NO_REGION)}) AS {_q(c)}" for c in by
            if c not in dict(cols)]  # the region partitions: pruned by a filter on them
    return f"SELECT {', '.join(sel)} FROM {source}"


def empty_tables(store: Path, names: list[str]) -> list[str]:
    """Schema tables whose folder the store has but no Parquet file: a fact split into Hive
    folders that had no rows (neither engine writes a file for an empty partitioned table)."""
    return [t for t in pinned() if t not in names and (store / t).is_dir()]


def empty_sql(table: str) -> str:
    """SELECT of no rows with ``table``'s pinned columns and types."""
    cols = ", ".join(f"CAST(NULL AS {t}) AS {_q(c)}" for c, t in pinned()[table])
    return f"SELECT {cols} WHERE false"


def check_target(db: str | os.PathLike) -> None:
    """Refuse to replace a warehouse that holds loaded tables by a file of views."""
    db = Path(db)
    if not db.exists():
        return
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error as exc:
        raise ValueError(f"{db} exists and is not a DuckDB file of views: {exc}") from None
    try:
        n = con.execute("SELECT count(*) FROM duckdb_tables() "
                        "WHERE database_name = current_database()").fetchone()[0]
    finally:
        con.close()
    if n:
        raise ValueError(f"{db} holds a loaded warehouse ({n} tables); choose another --db for "
                         "the store's views")


def check_version(store: str | os.PathLike) -> None:
    """Raise :class:`ValueError` for a store written by an older GCRM: its files have the
    columns of that version's schema (before version 3 the facts named the customer by its
    text id), which this one's views and queries cannot read; it is written again instead."""
    value = meta_value(store, "schema_version")
    version = int(value) if value is not None and value.isdigit() else 0
    if version < warehouse.SCHEMA_VERSION:
        raise ValueError(
            f"{store}: a Parquet store written by an older GCRM (schema version {version}; "
            f"this one reads {warehouse.SCHEMA_VERSION}): {warehouse.REWRITE_STORE}")


def meta_value(store: str | os.PathLike, key: str) -> str | None:
    """The value of ``key`` in the store's ``meta`` table (None: no such key)."""
    glob = _lit(str(Path(store) / "meta" / "*.parquet"))
    con = duckdb.connect()
    try:
        row = con.execute(f"SELECT value FROM read_parquet({glob}) WHERE key = ?",
                          [key]).fetchone()
    finally:
        con.close()
    return None if row is None else str(row[0])


def attach(store: str | os.PathLike, db: str | os.PathLike) -> Path:
    """Make ``db`` a warehouse file of views over the store (replacing the views ``db`` held;
    a warehouse with loaded tables is refused, :func:`check_target`; a store of an older
    GCRM too, :func:`check_version`).

    The file is built beside and renamed over ``db``: open readers keep the old one.
    """
    check_target(db)
    store = Path(store).resolve()
    names = tables(store)
    if "meta" not in names:
        raise FileNotFoundError(f"{store} is not a GCRM Parquet store (no meta table)")
    check_version(store)
    db = Path(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    work = db.with_name(f".{db.name}.attach-{os.getpid()}")
    work.unlink(missing_ok=True)
    con = duckdb.connect(str(work))
    try:
        for table in names:
            con.execute(f"CREATE VIEW {_q(table)} AS {view_sql(store, table)}")
        for table in empty_tables(store, names):
            con.execute(f"CREATE VIEW {_q(table)} AS {empty_sql(table)}")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.chmod(work, 0o600)
    os.replace(work, db)
    return db
