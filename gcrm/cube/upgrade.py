"""Bring a warehouse built by an older GCRM up to this version's schema (``gcrm upgrade``).

What changes between schema versions: the optional tables are created empty, the rollups are
rebuilt from the facts and (version 3) every customer is given its integer key, which the
monthly facts then hold in place of the text id (:func:`key_customers`). All of it in a
staged copy swapped in when done (readers keep reading the old file meanwhile, as during a
load); the facts' values and the dimensions stay as they are. A warehouse that is already
current is left alone.
"""

from __future__ import annotations

import os

import duckdb

from gcrm import config
from gcrm.cube import percustomer
from gcrm.cube.rollups import build_rollups
from gcrm.storage import warehouse

#: tables a warehouse may lack at the current schema version (created by ``gcrm upgrade``)
OPTIONAL_TABLES = (*warehouse.REVENUE_TABLES, *warehouse.ACCOUNTS_TABLES)


def version_of(db: str | os.PathLike | None = None) -> int:
    """The schema version recorded in the warehouse at ``db`` (0: none). Raises
    :class:`ValueError` for views over a Parquet store of an older version: such a store is
    written again (:data:`~gcrm.storage.warehouse.REWRITE_STORE`), not upgraded."""
    con = warehouse.connect(db, read_only=True)
    try:
        version = warehouse.schema_version(con) or 0
        if version < warehouse.SCHEMA_VERSION and warehouse.of_views(con):
            raise ValueError(warehouse.schema_problems(con)[0])
    finally:
        con.close()
    return version


def missing_tables(db: str | os.PathLike | None = None) -> list[str]:
    """The optional tables (revenue protection, key accounts) the warehouse at ``db`` lacks:
    one built before they existed has the current schema version without them."""
    con = warehouse.connect(db, read_only=True)
    try:
        return [t for t in OPTIONAL_TABLES if not warehouse.has_tables(con, (t,))]
    finally:
        con.close()


def per_customer(db: str | os.PathLike | None = None) -> bool:
    """Whether the warehouse at ``db`` stores every customer's facts for its last 12 months
    (:mod:`gcrm.cube.percustomer`), or needs none: no consumption, or a file of views over a
    Parquet store (``gcrm rollup --engine spark`` builds the store's)."""
    con = warehouse.connect(db, read_only=True)
    try:
        loaded = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = "
                             "'fact_consumption' AND database_name = current_database()"
                             ).fetchone()[0]
        return (not loaded or percustomer.stored_months(con) is not None or not con.execute(
            "SELECT count(*) FROM (SELECT 1 FROM fact_consumption LIMIT 1)").fetchone()[0])
    finally:
        con.close()


#: the monthly facts that name their customer by ``customer_key`` since schema version 3
KEYED_FACTS = ("fact_consumption", "fact_payment")


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND NOT internal "
        "AND database_name = current_database() ORDER BY column_index", [table]).fetchall()]


def key_customers(con: duckdb.DuckDBPyConnection) -> None:
    """Schema version 3 on a warehouse of an older one (1 or 2): ``dim_customer`` and the
    monthly facts re-created with this version's columns, every customer given a key in the
    order its row is stored (not necessarily the file's: loads keep no insertion order) and
    every fact row its customer's key. Raises :class:`ValueError` should a fact
    row name no customer (a load never stores one). Tables already keyed are left alone."""
    old = [t for t in ("dim_customer", *KEYED_FACTS) if "customer_key" not in _columns(con, t)]
    if not old:
        return
    for table in old:
        con.execute(f"ALTER TABLE {table} RENAME TO {table}__v2")
    warehouse.create_schema(con)  # the tables dropped, with this version's columns
    if "dim_customer" in old:
        con.execute("INSERT INTO dim_customer BY NAME SELECT *, CAST(row_number() OVER "
                    "(ORDER BY rowid) AS INTEGER) AS customer_key FROM dim_customer__v2")
    for table in old[1:] if "dim_customer" in old else old:
        cols = ", ".join(f'f."{c}"' for c in _columns(con, table) if c != "customer_key")
        con.execute(f"INSERT INTO {table} BY NAME SELECT c.customer_key, {cols} "
                    f"FROM {table}__v2 f JOIN dim_customer c USING (customer_id)")
        moved, had = con.execute(f"SELECT (SELECT count(*) FROM {table}), "
                                 f"(SELECT count(*) FROM {table}__v2)").fetchone()
        if moved != had:
            raise ValueError(f"{table}: {had - moved} rows name no customer of dim_customer")
    for table in old:
        con.execute(f"DROP TABLE {table}__v2")


def upgrade(db: str | os.PathLike | None = None) -> tuple[int, int]:
    """Upgrade the warehouse at ``db``; (version before, version after). The optional tables
    it lacks are created (empty: the next load fills them) at any version, and every
    customer's facts for the last 12 months built when it lacks them (:func:`per_customer`).

    Raises :class:`ValueError` for a warehouse newer than this GCRM and
    :class:`~gcrm.storage.warehouse.WarehouseBusy` while a load runs.
    """
    before = version_of(db)
    if before > warehouse.SCHEMA_VERSION:
        raise ValueError(f"schema version {before} is newer than this GCRM's "
                         f"({warehouse.SCHEMA_VERSION}); upgrade GCRM instead")
    if before == warehouse.SCHEMA_VERSION and not missing_tables(db) and per_customer(db):
        return before, before
    with warehouse.load_lock(db), warehouse.staged_copy(db) as work:
        con = warehouse.connect(work)
        try:
            warehouse.bulk(con)
            with warehouse.transaction(con):
                warehouse.create_schema(con)
                if before != warehouse.SCHEMA_VERSION:
                    key_customers(con)
                    build_rollups(con)
                percustomer.build(con)
                warehouse.set_meta(con, "schema_version", str(warehouse.SCHEMA_VERSION))
            con.execute("CHECKPOINT")
        finally:
            con.close()
    return before, warehouse.SCHEMA_VERSION


def rebuild_rollups(db: str | os.PathLike | None = None) -> dict[str, int]:
    """Rebuild the rollups (and every customer's facts for the last 12 months) of the
    warehouse at ``db`` from its facts (``gcrm rollup``), in a staged copy swapped in when
    done; return their row counts."""
    if not config.db_path(db).exists():
        raise ValueError(f"warehouse {config.db_path(db)} does not exist")
    with warehouse.load_lock(db), warehouse.staged_copy(db) as work:
        con = warehouse.connect(work)
        try:
            warehouse.bulk(con)
            if problems := warehouse.schema_problems(con):
                raise ValueError(f"warehouse {db}: {'; '.join(problems)}")
            with warehouse.transaction(con):  # same answers: data_version stays
                sizes = build_rollups(con)
                sizes.update(percustomer.build(con))
            con.execute("CHECKPOINT")
        finally:
            con.close()
    return sizes
