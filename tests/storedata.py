"""A Parquet store as an older GCRM left it, for the tests of what this one says about it."""

from __future__ import annotations

from pathlib import Path

import duckdb


def mark_store_version(store: Path, version: int) -> None:
    """Record schema version ``version`` in the ``meta`` table of ``store`` (in place)."""
    meta = next((store / "meta").glob("*.parquet"))
    tmp = meta.with_name(".meta.parquet")
    con = duckdb.connect()
    try:
        con.execute(f"COPY (SELECT key, CASE WHEN key = 'schema_version' THEN ? ELSE value END "
                    f"AS value FROM read_parquet('{meta}')) TO '{tmp}' (FORMAT parquet)",
                    [str(version)])
    finally:
        con.close()
    tmp.replace(meta)
