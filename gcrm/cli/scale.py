"""``gcrm store export|attach``: the Parquet store of docs/scale.md from the command line."""

from __future__ import annotations

from pathlib import Path

import click

from gcrm.cli.common import DB_OPTION, handle_errors


@click.group("store")
def store() -> None:
    """The Parquet store (Hive-partitioned facts) that DuckDB and Spark both read."""


@store.command("export")
@DB_OPTION
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Store folder to write (replaced as a whole when done).")
@handle_errors
def export(db: Path, out: Path) -> None:
    """Write the warehouse --db as a Parquet store."""
    from gcrm.storage import lake, warehouse

    with warehouse.connect(db, read_only=True) as con:
        tables = lake.export(con, out)
    click.echo(f"{len(tables)} tables written to {out}")


@store.command("attach")
@DB_OPTION
@click.option("--store", "folder", required=True,
              type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Parquet store folder to serve.")
@handle_errors
def attach(db: Path, folder: Path) -> None:
    """Make --db a warehouse of views over a Parquet store (dashboards read it unchanged)."""
    from gcrm.storage import lake

    lake.attach(folder, db)
    click.echo(f"{db}: views over {folder}")


COMMANDS = (store,)
