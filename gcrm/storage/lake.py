"""The Parquet store: the warehouse as Hive-partitioned Parquet that DuckDB and Spark both read.

Layout (one folder per table, so ``<table>/**/*.parquet`` reads it on either engine)::

    STORE/fact_consumption/month=2025-01/part-0.parquet   facts, partitioned by month
    STORE/fact_payment/month=2025-01/...
    STORE/dim_customer/part-0.parquet                      dimensions, rollups, meta beside

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

from gcrm.storage import warehouse

#: tables whose files are split into Hive folders, and by what
PARTITIONS: dict[str, tuple[str, ...]] = {
    "fact_consumption": ("month",),
    "fact_payment": ("month",),
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


def table_glob(store: Path, table: str) -> str:
    return str(store / table / "**" / "*.parquet")


def export(con: duckdb.DuckDBPyConnection, store: str | os.PathLike) -> list[str]:
    """Write every table of the warehouse behind ``con`` to the store folder ``store``.

    The store is written beside and swapped in by rename: a reader never sees half of it.
    Returns the tables written.
    """
    store = Path(store)
    work = store.with_name(f".{store.name}.writing-{os.getpid()}")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE NOT temporary "
        "AND database_name = current_database() ORDER BY 1").fetchall()]
    for table in tables:
        (work / table).mkdir()
        by = PARTITIONS.get(table)
        if by:
            opts = f"FORMAT parquet, PARTITION_BY ({', '.join(by)}), FILENAME_PATTERN 'part-{{i}}'"
            con.execute(f"COPY {_q(table)} TO {_lit(str(work / table))} ({opts})")
        else:
            con.execute(f"COPY {_q(table)} TO {_lit(str(work / table / 'part-0.parquet'))} "
                        "(FORMAT parquet)")
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
    by = PARTITIONS.get(table, ())
    hive = ", hive_partitioning = true, hive_types = {" + ", ".join(
        f"{_lit(c)}: 'VARCHAR'" for c in by) + "}" if by else ", hive_partitioning = false"
    source = f"read_parquet({_lit(table_glob(store, table))}{hive})"
    cols = pinned().get(table)
    if not cols:
        return f"SELECT * FROM {source}"
    sel = ", ".join(f"CAST({_q(c)} AS {t}) AS {_q(c)}" for c, t in cols)
    return f"SELECT {sel} FROM {source}"


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


def attach(store: str | os.PathLike, db: str | os.PathLike) -> Path:
    """Make ``db`` a warehouse file of views over the store (replacing the views ``db`` held;
    a warehouse with loaded tables is refused, :func:`check_target`).

    The file is built beside and renamed over ``db``: open readers keep the old one.
    """
    check_target(db)
    store = Path(store).resolve()
    names = tables(store)
    if "meta" not in names:
        raise FileNotFoundError(f"{store} is not a GCRM Parquet store (no meta table)")
    db = Path(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    work = db.with_name(f".{db.name}.attach-{os.getpid()}")
    work.unlink(missing_ok=True)
    con = duckdb.connect(str(work))
    try:
        for table in names:
            con.execute(f"CREATE VIEW {_q(table)} AS {view_sql(store, table)}")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.chmod(work, 0o600)
    os.replace(work, db)
    return db
