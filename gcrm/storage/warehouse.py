"""The DuckDB warehouse: one place that opens the file, loads spatial and creates the schema.

Readers and loads never block each other: a load writes a copy and renames it over the
warehouse (:func:`load_lock`, :func:`staged_copy`); a reader keeps the file it opened.

The spatial extension is loaded from the ``duckdb-extension-spatial`` wheel by path; it is
never installed from the network. GEOMETRY is a core DuckDB type, so reading the warehouse
does not need the extension; ST_* functions do.
"""

from __future__ import annotations

import glob
import itertools
import os
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from gcrm import config
from gcrm.storage.files import (
    copy_private,
    exclusive_lock,
    keep_mode,
    private_umask,
    replace_durably,
)

#: 1: the first schema. 2: the rollups' activity bitmaps as BIGINT words (``bits_0``, ...;
#: the same on DuckDB and Spark) and the optional revenue / key-account tables. 3: the
#: customer's integer key (``dim_customer.customer_key``) in the monthly facts, in place of its
#: text id. An older warehouse is brought up to date by ``gcrm upgrade``
#: (:mod:`gcrm.cube.upgrade`).
SCHEMA_VERSION = 3

#: Star schema. Dimensions first, then facts, then ETL bookkeeping. Rollups are created by
#: :mod:`gcrm.cube.rollups` after every load.
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);

CREATE TABLE IF NOT EXISTS dim_region (
    region_id   VARCHAR PRIMARY KEY,
    name        VARCHAR NOT NULL,
    level       VARCHAR NOT NULL,          -- province | city | district | grid
    parent_id   VARCHAR,
    area_km2    DOUBLE,
    population  BIGINT,
    centroid_lon DOUBLE,
    centroid_lat DOUBLE,
    geom        GEOMETRY,                  -- WGS-84, full resolution
    geom_simple GEOMETRY,                  -- WGS-84, simplified (~100 m) for maps
    repaired    BOOLEAN DEFAULT FALSE,     -- ring repaired by make_valid at load
    updated_at  TIMESTAMP
);

CREATE TABLE IF NOT EXISTS dim_service_point (
    service_point_id VARCHAR PRIMARY KEY,
    name        VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,          -- business_hall | bank_agent | self_service
    lon         DOUBLE,
    lat         DOUBLE,
    city_id     VARCHAR,
    district_id VARCHAR,
    attrs       JSON,                      -- extra input columns, kept
    updated_at  TIMESTAMP
);

CREATE TABLE IF NOT EXISTS dim_feeder (
    feeder_id     VARCHAR PRIMARY KEY,
    name          VARCHAR,
    substation_id VARCHAR,
    substation_name VARCHAR,
    lon           DOUBLE,                  -- substation location, when known
    lat           DOUBLE,
    updated_at    TIMESTAMP
);

CREATE TABLE IF NOT EXISTS dim_customer (
    customer_id     VARCHAR PRIMARY KEY,
    customer_key    INTEGER NOT NULL,      -- the facts' key: given once, never changed
    name            VARCHAR NOT NULL,
    customer_class  VARCHAR NOT NULL,      -- residential|commercial|industrial|agricultural|public
    segment         VARCHAR,
    tariff          VARCHAR NOT NULL,
    big_customer    BOOLEAN NOT NULL DEFAULT FALSE,
    lon             DOUBLE,                -- WGS-84
    lat             DOUBLE,
    city_id         VARCHAR,               -- NULL when unlocated
    district_id     VARCHAR,
    grid_id         VARCHAR,               -- H3 cell (resolution in meta 'h3_resolution')
    locate_status   VARCHAR NOT NULL DEFAULT 'pending', -- ok|missing|out_of_range|outside
    feeder_id       VARCHAR NOT NULL,
    service_point_id VARCHAR,
    opened_on       DATE,
    phone           VARCHAR,               -- PII
    id_number       VARCHAR,               -- PII
    address         VARCHAR,               -- PII
    attrs           JSON,
    updated_at      TIMESTAMP
);

CREATE TABLE IF NOT EXISTS dim_time (
    month       VARCHAR PRIMARY KEY,       -- YYYY-MM
    month_start DATE NOT NULL,
    year        INTEGER NOT NULL,
    quarter     VARCHAR NOT NULL,          -- YYYY-Qn
    month_no    INTEGER NOT NULL
);

-- The monthly facts name their customer by ``dim_customer.customer_key`` (an integer: the
-- loads write and join it faster than the text id); text compressed as TEXT_COMPRESSION says
CREATE TABLE IF NOT EXISTS fact_consumption (
    customer_key INTEGER NOT NULL,             -- dim_customer.customer_key
    month       VARCHAR NOT NULL USING COMPRESSION dictionary,
    kwh         DOUBLE NOT NULL,
    peak_kwh    DOUBLE,
    flat_kwh    DOUBLE,
    valley_kwh  DOUBLE,
    amount      DOUBLE
    -- key (customer_key, month) is enforced by the ETL upsert; no ART index on 36M rows
);

-- payment_id: unique, enforced by the ETL upsert; text compressed as TEXT_COMPRESSION says
CREATE TABLE IF NOT EXISTS fact_payment (
    payment_id  VARCHAR NOT NULL USING COMPRESSION fsst,
    customer_key INTEGER NOT NULL,             -- dim_customer.customer_key
    paid_at     TIMESTAMP NOT NULL,
    month       VARCHAR NOT NULL USING COMPRESSION dictionary,  -- YYYY-MM of paid_at
    amount      DOUBLE NOT NULL,
    channel     VARCHAR NOT NULL USING COMPRESSION dictionary,  -- counter|bank|online|...
    service_point_id VARCHAR USING COMPRESSION dictionary
);

CREATE TABLE IF NOT EXISTS fact_outage (
    outage_id   VARCHAR PRIMARY KEY,
    feeder_id   VARCHAR NOT NULL,
    start_at    TIMESTAMP NOT NULL,
    end_at      TIMESTAMP NOT NULL,
    duration_min DOUBLE NOT NULL,
    cause       VARCHAR,
    planned     BOOLEAN NOT NULL
);

CREATE TABLE IF NOT EXISTS fact_service (
    service_id  VARCHAR PRIMARY KEY,
    customer_id VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,          -- visit | complaint | request
    opened_at   TIMESTAMP NOT NULL,
    closed_at   TIMESTAMP,
    status      VARCHAR,
    channel     VARCHAR,
    topic       VARCHAR,
    note        VARCHAR
);

CREATE TABLE IF NOT EXISTS population_grid (
    cell_id     VARCHAR PRIMARY KEY,
    lon         DOUBLE NOT NULL,
    lat         DOUBLE NOT NULL,
    resident    BIGINT NOT NULL,
    floating    BIGINT NOT NULL,
    city_id     VARCHAR,
    district_id VARCHAR
);

CREATE SEQUENCE IF NOT EXISTS etl_load_seq START 1;

CREATE TABLE IF NOT EXISTS etl_loads (
    load_id     INTEGER PRIMARY KEY,
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    input_dir   VARCHAR,
    crs         VARCHAR,
    summary     JSON
);

CREATE TABLE IF NOT EXISTS etl_rejects (
    load_id     INTEGER NOT NULL,
    file        VARCHAR NOT NULL,
    row_number  BIGINT NOT NULL,           -- 1 = first data row after the header
    field       VARCHAR,
    value       VARCHAR,
    reason      VARCHAR NOT NULL,
    raw         VARCHAR
);
"""


#: the monthly facts keyed by ``customer_key``, each with its customer's text id in front (a
#: subquery, aliased by the reader): for a query that picks or names customers by id. A filter
#: on ``customer_id`` reaches the facts through the join (DuckDB prunes their row groups by the
#: keys it finds).
BY_ID = {table: (f"(SELECT c.customer_id, f.* FROM {table} f JOIN dim_customer c "
                 "ON c.customer_key = f.customer_key)")
         for table in ("fact_consumption", "fact_payment")}


def extension_path(name: str) -> Path:
    """Path of extension ``name`` shipped in the ``duckdb-extension-<name>`` wheel."""
    import importlib

    module = importlib.import_module(f"duckdb_extension_{name}")
    base = Path(module.__file__).resolve().parent / "extensions"
    path = base / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not path.exists():
        found = sorted(base.glob(f"*/{name}.duckdb_extension"))
        raise RuntimeError(
            f"{name} extension for DuckDB {duckdb.__version__} not found under {base}"
            f" (found: {[str(p) for p in found]}); reinstall with `make install`"
        )
    return path


def spatial_extension_path() -> Path:
    return extension_path("spatial")


def load_spatial(con: duckdb.DuckDBPyConnection) -> None:
    """Load the spatial extension from the wheel (offline, never ``INSTALL``)."""
    con.load_extension(str(spatial_extension_path()))


#: how long opening the warehouse waits while another program holds its write lock
LOCK_WAIT_SECONDS = 5.0


class WarehouseBusy(ValueError):
    """The warehouse is locked by another writer, or another load is running (exit 2)."""


def connect(
    path: str | os.PathLike | None = None,
    *,
    read_only: bool = False,
    spatial: bool = False,
    threads: int | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse at ``path`` (default: ``$GCRM_DB`` or ``data/gcrm.duckdb``);
    ``threads``: DuckDB's threads for this connection (default: the ``threads`` setting, else
    every core; 1 runs its queries in the calling thread only).

    A writable connection creates the file (mode 0600) and the schema if needed. A read-only
    connection to a missing file raises :class:`FileNotFoundError` with the path in the message.
    A read-only connection reads the file as it is when opened, to the end, even when a load
    swaps a new warehouse in meanwhile (see :func:`staged_copy`). While another program holds
    the file's write lock, opening waits up to :data:`LOCK_WAIT_SECONDS`, then raises
    :class:`WarehouseBusy`.
    """
    db = config.db_path(path)
    if read_only and not db.exists():
        raise FileNotFoundError(f"warehouse {db} does not exist; build it with `gcrm demo`")
    if not read_only:
        db.parent.mkdir(parents=True, exist_ok=True)
    settings = {}
    if threads := threads or config.get("threads"):
        settings["threads"] = int(threads)
    if mem := config.get("memory_limit"):
        settings["memory_limit"] = mem
    with private_umask(not db.exists()):  # a new warehouse file is created 0600
        con = _open_waiting(db, read_only, settings)
    if spatial:
        load_spatial(con)
    if not read_only:
        create_schema(con)
    return con


#: DuckDB's memory limit for bulk work on a warehouse (a load, an upgrade, a rebuild of the
#: rollups) unless the ``memory_limit`` setting names one
BULK_MEMORY_LIMIT = "3GB"


def bulk(con: duckdb.DuckDBPyConnection) -> None:
    """Settings for bulk work on ``con``: bounded memory (DuckDB spills to its temp directory
    beyond :data:`BULK_MEMORY_LIMIT`), and no insertion order kept (row order inside the
    facts and rollups does not matter)."""
    con.execute("SET preserve_insertion_order = false")
    if not config.get("memory_limit"):
        con.execute(f"SET memory_limit = '{BULK_MEMORY_LIMIT}'")


def _open_waiting(db: Path, read_only: bool, settings: dict) -> duckdb.DuckDBPyConnection:
    """Open ``db``, retrying while another process holds its lock (:data:`LOCK_WAIT_SECONDS`)."""
    key = os.environ.get("GCRM_DB_KEY")
    deadline, pause = time.monotonic() + LOCK_WAIT_SECONDS, 0.02
    while True:
        try:
            if key or read_only:
                return _attach(db, key, read_only, settings)
            return _connect_plain(db, settings)
        except duckdb.IOException as exc:
            if "Could not set lock" not in str(exc):
                raise
            if time.monotonic() + pause > deadline:
                holder = re.search(r"\(PID (\d+)\)", str(exc))
                raise WarehouseBusy(
                    f"warehouse {db} is in use by another program writing to it"
                    f"{f' (process {holder[1]})' if holder else ''}; try again when it has "
                    "finished") from None
        time.sleep(pause)
        pause = min(2 * pause, 0.25)


def _connect_plain(db: Path, settings: dict) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(db), config=settings)
    except duckdb.Error as exc:
        if "encrypted" in str(exc):
            raise ValueError(f"warehouse {db} is encrypted: set GCRM_DB_KEY") from exc
        raise


def _attach(db: Path, key: str | None, read_only: bool,
            settings: dict) -> duckdb.DuckDBPyConnection:
    """Open ``db`` attached to a database instance of its own, as ``gcrm``.

    Read-only connections do not share DuckDB's per-process instance of the path: that one
    would stay on the file it opened first, even after a load has replaced it. With a key
    (``$GCRM_DB_KEY``) the file uses DuckDB's AES database encryption; writing encrypted files
    securely needs OpenSSL, which DuckDB takes from the httpfs extension, loaded from the
    ``duckdb-extension-httpfs`` wheel, never downloaded.
    """
    con = duckdb.connect(config=settings)
    if key:
        con.load_extension(str(extension_path("httpfs")))
    path = str(db).replace("'", "''")
    options = ", ".join(["ENCRYPTION_KEY ?"] * bool(key) + ["READ_ONLY"] * read_only)
    try:
        con.execute(f"ATTACH '{path}' AS gcrm" + (f" ({options})" if options else ""),
                    [key] if key else [])
    except duckdb.Error as exc:
        con.close()
        if "Could not set lock" in str(exc):
            raise
        if key:
            raise ValueError(f"cannot open encrypted warehouse {db}: wrong GCRM_DB_KEY or not "
                             f"an encrypted file ({exc})") from exc
        if "encrypted" in str(exc):
            raise ValueError(f"warehouse {db} is encrypted: set GCRM_DB_KEY") from exc
        raise
    con.execute("USE gcrm")
    return con


#: Revenue protection (docs/revenue.md): optional tables, created by every writable open but
#: not required by :func:`schema_problems`, so older warehouses stay readable (pages then say
#: that no supply data is loaded). ``dim_customer.transformer_id`` is added the same way.
REVENUE_SCHEMA = """
CREATE TABLE IF NOT EXISTS dim_transformer (
    transformer_id VARCHAR PRIMARY KEY,    -- transformer area (台区)
    feeder_id   VARCHAR NOT NULL,
    name        VARCHAR,
    capacity_kva DOUBLE,
    lon         DOUBLE,                    -- WGS-84
    lat         DOUBLE,
    city_id     VARCHAR,                   -- region of most of its customers
    district_id VARCHAR,
    updated_at  TIMESTAMP
);

CREATE TABLE IF NOT EXISTS fact_supply (
    point_id    VARCHAR NOT NULL,          -- feeder_id or transformer_id
    level       VARCHAR NOT NULL,          -- feeder | transformer
    month       VARCHAR NOT NULL,
    kwh         DOUBLE NOT NULL
);

CREATE TABLE IF NOT EXISTS fact_daily_read (
    customer_id VARCHAR NOT NULL,
    date        DATE NOT NULL,
    kwh         DOUBLE NOT NULL
);

ALTER TABLE dim_customer ADD COLUMN IF NOT EXISTS transformer_id VARCHAR;
"""

#: the revenue-protection tables (optional: see :data:`REVENUE_SCHEMA`)
REVENUE_TABLES = ("dim_transformer", "fact_supply", "fact_daily_read")

#: Key accounts (docs/accounts.md): optional like :data:`REVENUE_SCHEMA` (a warehouse built
#: before them stays readable; the next load creates them).
ACCOUNTS_SCHEMA = """
-- relations.csv (key accounts): customer_id --kind--> related_id
CREATE TABLE IF NOT EXISTS dim_relation (
    customer_id VARCHAR NOT NULL,
    related_id  VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,          -- parent_of | pays_for | same_owner
    updated_at  TIMESTAMP
);

-- the customer group of every related customer (built at load from dim_relation)
CREATE TABLE IF NOT EXISTS dim_customer_group (
    customer_id VARCHAR PRIMARY KEY,
    group_id    VARCHAR NOT NULL           -- the group's head customer
);
"""

#: the key-account tables (optional: see :data:`ACCOUNTS_SCHEMA`)
ACCOUNTS_TABLES = ("dim_relation", "dim_customer_group")


#: How :data:`SCHEMA` names the compression of the facts' text columns, tried in order until
#: the warehouse's storage version has the methods: (unique text, repeated text). Named, a
#: method is not chosen again in every row group of a load, which tries each on the column:
#: - unique (``fact_payment.payment_id``): FSST, as DuckDB would choose (the dictionary it also
#:   tries cost 3 of the payments' 22 CPU seconds at 32.7M rows);
#: - repeated (months, channels, service points: a few thousand distinct values per row group
#:   at most): a dictionary, as DuckDB chose in nearly every row group (the
#:   payments' insert: 20.7-22.1 CPU s against 22.3-24.9, the same file size).
#: Newer storage versions (an encrypted warehouse) have DICT_FSST instead of both; should
#: neither be available, DuckDB chooses.
TEXT_COMPRESSION = (("USING COMPRESSION fsst", "USING COMPRESSION dictionary"),
                    ("USING COMPRESSION dict_fsst", "USING COMPRESSION dict_fsst"),
                    ("", ""))


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    named = TEXT_COMPRESSION[0]
    for unique, repeated in TEXT_COMPRESSION:
        try:
            con.execute(SCHEMA.replace(named[0], unique).replace(named[1], repeated))
            break
        except duckdb.BinderException as exc:  # the storage version has not that method
            if not unique or "compress" not in str(exc):
                raise
    con.execute(REVENUE_SCHEMA)
    con.execute(ACCOUNTS_SCHEMA)
    con.execute(
        "INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
        [str(SCHEMA_VERSION)],
    )


#: every table of :data:`SCHEMA`, in order
TABLES = tuple(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", SCHEMA))


def schema_problems(con: duckdb.DuckDBPyConnection) -> list[str]:
    """What makes ``con`` not a GCRM warehouse this version can read (empty list: none)."""
    have = {r[0] for r in con.execute(  # views too: a Parquet store's warehouse (lake.attach)
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "UNION ALL SELECT view_name FROM duckdb_views() WHERE database_name = current_database()"
    ).fetchall()}
    missing = [t for t in TABLES if t not in have]
    if missing:
        return [f"tables missing: {', '.join(missing)}"]
    version = schema_version(con)
    if version is None:
        return [f"no valid schema_version in meta (got {get_meta(con, 'schema_version')!r})"]
    if version > SCHEMA_VERSION:
        return [f"schema version {version} is newer than this GCRM's ({SCHEMA_VERSION})"]
    if version < SCHEMA_VERSION:
        if of_views(con):
            return [f"views over a Parquet store written by an older GCRM (schema version "
                    f"{version}; this one reads {SCHEMA_VERSION}): {REWRITE_STORE}, and attach "
                    "it (`gcrm store attach`)"]
        return [f"built by an older GCRM (schema version {version}; this one reads "
                f"{SCHEMA_VERSION}): run `gcrm upgrade` (it brings the tables to this "
                "version and rebuilds the rollups from the facts; the data stay)"]
    return []


#: what to do with a Parquet store (or views over one) written by an older GCRM: its files
#: hold that version's columns, so it is written again, not upgraded in place
REWRITE_STORE = ("write the store again, with `gcrm store export` from a warehouse brought up "
                 "to date by `gcrm upgrade`, or with `gcrm etl --engine spark` from the input")


def schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The schema version recorded in ``meta``; None without a ``meta`` table (a new file) or
    a valid value."""
    if not has_tables(con, ("meta",)):
        return None
    value = get_meta(con, "schema_version")
    return int(value) if value is not None and value.isdigit() else None


def of_views(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the warehouse behind ``con`` is a file of views over a Parquet store
    (:func:`gcrm.storage.lake.attach`): its facts are views, not tables."""
    return bool(con.execute(
        "SELECT count(*) FROM duckdb_views() WHERE view_name = 'fact_consumption' "
        "AND database_name = current_database()").fetchone()[0])


def has_tables(con: duckdb.DuckDBPyConnection, names: tuple[str, ...]) -> bool:
    """Whether every table of ``names`` exists (optional tables: an older warehouse lacks them;
    the views of an attached Parquet store count, see :mod:`gcrm.storage.lake`)."""
    have = {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "UNION ALL SELECT view_name FROM duckdb_views() WHERE database_name = current_database()"
    ).fetchall()}
    return all(t in have for t in names)


def get_meta(con: duckdb.DuckDBPyConnection, key: str, default: str | None = None) -> str | None:
    row = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else default


def set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute(
        "INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All-or-nothing: commit on success, roll back on any exception (incl. KeyboardInterrupt)."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


# --------------------------------------------------------------------------- loads: copy and swap
@contextmanager
def load_lock(path: str | os.PathLike | None = None) -> Iterator[None]:
    """Hold the exclusive lock of loads into the warehouse at ``path`` for the block.

    The lock is ``flock`` on ``<warehouse>.load.lock`` (0600, removed when the load ends). A
    second load does not wait: it raises :class:`WarehouseBusy` ("another load is running"),
    so an overlapping scheduled load fails loudly instead of queueing behind the first.
    """
    db = _real_path(path)
    db.parent.mkdir(parents=True, exist_ok=True)
    with exclusive_lock(Path(f"{db}.load.lock")) as holder:
        if holder is not None:
            raise WarehouseBusy(f"warehouse {db}: another load is running"
                                f"{f' (process {holder})' if holder else ''}; try again when "
                                "it has finished")
        yield


#: numbers the working copies of this process (a second load in the same process gets a new name)
_STAGED = itertools.count(1)


@contextmanager
def staged_copy(path: str | os.PathLike | None = None) -> Iterator[Path]:
    """A private working copy of the warehouse at ``path``, swapped in when the block succeeds.

    Yields ``<warehouse>.loading-<pid>-<n>``: a copy of the warehouse (and its ``.wal``), or a
    path to create when there is no warehouse yet. The block writes there and closes its
    connection (checkpointed). On success the copy gets the warehouse's mode and replaces it by
    rename: readers that opened the old file read it to the end, every later open sees the new
    one. On failure the copy is removed and the warehouse is untouched. Hold :func:`load_lock`
    around it: leftovers of a killed load are removed first.
    """
    given, db = config.db_path(path), _real_path(path)
    wals = list(dict.fromkeys([_wal(given), _wal(db)]))  # DuckDB's: beside the path it opened
    _remove(*db.parent.glob(f"{glob.escape(db.name)}.loading-*"))
    work = db.with_name(f"{db.name}.loading-{os.getpid()}-{next(_STAGED)}")
    try:
        if db.exists():
            with connect(given, read_only=True):  # its shared lock: no writer while we copy
                copy_private(db, work)
                if live := [w for w in wals if w.exists()]:
                    copy_private(live[0], _wal(work))
        yield work
        if _wal(work).exists() and _wal(work).stat().st_size:
            raise RuntimeError(f"{work} was not checkpointed before the swap")
        if db.exists():
            keep_mode(db.stat(), work)
        _remove(*wals)  # folded into the copy; never to be replayed onto the new file
        replace_durably(work, db)
    finally:
        # after a swap only an empty .wal may be left; after a failure the whole copy goes
        _remove(work, _wal(work), Path(f"{work}.tmp"))


def _real_path(path: str | os.PathLike | None) -> Path:
    """The warehouse file itself: a symlink is followed, so a swap replaces the file it names."""
    return Path(os.path.realpath(config.db_path(path)))


def _wal(db: Path) -> Path:
    return Path(f"{db}.wal")


def _remove(*paths: Path) -> None:
    for p in paths:
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)  # DuckDB's spill folder <file>.tmp
        else:
            p.unlink(missing_ok=True)
