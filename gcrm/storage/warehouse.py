"""The DuckDB warehouse: one place that opens the file, loads spatial and creates the schema.

The spatial extension is loaded from the ``duckdb-extension-spatial`` wheel by path; it is
never installed from the network. GEOMETRY is a core DuckDB type, so reading the warehouse
does not need the extension; ST_* functions do.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from gcrm import config

SCHEMA_VERSION = 1

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

CREATE TABLE IF NOT EXISTS fact_consumption (
    customer_id VARCHAR NOT NULL,
    month       VARCHAR NOT NULL,
    kwh         DOUBLE NOT NULL,
    peak_kwh    DOUBLE,
    flat_kwh    DOUBLE,
    valley_kwh  DOUBLE,
    amount      DOUBLE
    -- key (customer_id, month) is enforced by the ETL upsert; no ART index on 36M rows
);

CREATE TABLE IF NOT EXISTS fact_payment (
    payment_id  VARCHAR NOT NULL,          -- unique, enforced by the ETL upsert
    customer_id VARCHAR NOT NULL,
    paid_at     TIMESTAMP NOT NULL,
    month       VARCHAR NOT NULL,          -- YYYY-MM of paid_at
    amount      DOUBLE NOT NULL,
    channel     VARCHAR NOT NULL,          -- counter|bank|online|app|autodebit|prepaid
    service_point_id VARCHAR
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


def connect(
    path: str | os.PathLike | None = None,
    *,
    read_only: bool = False,
    spatial: bool = False,
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse at ``path`` (default: ``$GCRM_DB`` or ``data/gcrm.duckdb``).

    A writable connection creates the file and the schema if needed. A read-only connection
    to a missing file raises :class:`FileNotFoundError` with the path in the message.
    """
    db = config.db_path(path)
    if read_only and not db.exists():
        raise FileNotFoundError(f"warehouse {db} does not exist; build it with `gcrm demo`")
    if not read_only:
        db.parent.mkdir(parents=True, exist_ok=True)
    settings = {}
    if threads := config.get("threads"):
        settings["threads"] = int(threads)
    if mem := config.get("memory_limit"):
        settings["memory_limit"] = mem
    key = os.environ.get("GCRM_DB_KEY")
    if key:
        con = _connect_encrypted(db, key, read_only, settings)
    else:
        try:
            con = duckdb.connect(str(db), read_only=read_only, config=settings)
        except duckdb.Error as exc:
            if "encrypted" in str(exc):
                raise ValueError(f"warehouse {db} is encrypted: set GCRM_DB_KEY") from exc
            raise
    if spatial:
        load_spatial(con)
    if not read_only:
        create_schema(con)
    return con


def _connect_encrypted(db: Path, key: str, read_only: bool,
                       settings: dict) -> duckdb.DuckDBPyConnection:
    """Open ``db`` with DuckDB's AES database encryption (key from ``$GCRM_DB_KEY``).

    Writing encrypted files securely needs OpenSSL, which DuckDB takes from the httpfs
    extension; it is loaded from the ``duckdb-extension-httpfs`` wheel, never downloaded.
    """
    con = duckdb.connect(config=settings)
    con.load_extension(str(extension_path("httpfs")))
    path = str(db).replace("'", "''")
    options = "ENCRYPTION_KEY ?" + (", READ_ONLY" if read_only else "")
    try:
        con.execute(f"ATTACH '{path}' AS gcrm ({options})", [key])
    except duckdb.Error as exc:
        con.close()
        raise ValueError(f"cannot open encrypted warehouse {db}: wrong GCRM_DB_KEY or not an "
                         f"encrypted file ({exc})") from exc
    con.execute("USE gcrm")
    return con


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA)
    con.execute(
        "INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
        [str(SCHEMA_VERSION)],
    )


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
