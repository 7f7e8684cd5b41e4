"""``gcrm store export|attach`` and ``gcrm rollup``: the Parquet store of docs/scale.md from the
command line."""

from __future__ import annotations

from pathlib import Path

import click

from gcrm.cli.common import DB_OPTION, PARTITION_BY_OPTION, BadInput, audit_action, handle_errors


@click.group("store")
def store() -> None:
    """The Parquet store (Hive-partitioned facts) that DuckDB and Spark both read."""


@store.command("export")
@DB_OPTION
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Store folder to write (replaced as a whole when done).")
@PARTITION_BY_OPTION
@handle_errors
def export(db: Path, out: Path, partition_by: str | None) -> None:
    """Write the warehouse --db as a Parquet store."""
    from gcrm.storage import lake, warehouse

    lake.partition_columns(partition_by)  # a bad level: exit 2 before opening anything
    with warehouse.connect(db, read_only=True) as con:
        tables = lake.export(con, out, partition_by)
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


@click.command("rollup")
@DB_OPTION
@click.option("--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb",
              show_default=True, help="spark: rebuild a Parquet store's rollups (--store).")
@click.option("--store", type=click.Path(file_okay=False, exists=True, path_type=Path),
              default=None, help="Parquet store folder (with --engine spark); --db, when "
              "given, is attached to it again.")
@handle_errors
def rollup(db: Path, engine: str, store: Path | None) -> None:
    """Rebuild the rollups and activity tables from the facts (the data stay), swapped in
    when done: of the warehouse --db, or with --engine spark of the Parquet store --store."""
    if engine == "spark":
        if store is None:
            raise BadInput("--engine spark needs --store DIR (the Parquet store to rebuild)")
        from etl.scaleout.sparketl import rollup as spark_rollup

        explicit = click.get_current_context().get_parameter_source("db").name != "DEFAULT"
        sizes = spark_rollup(store, db if explicit else None)
        target = str(store)
    else:
        if store is not None:
            raise BadInput("--store goes with --engine spark")
        from gcrm.cube.upgrade import rebuild_rollups

        sizes, target, explicit = rebuild_rollups(db), str(db), True
    if explicit:  # the audit trail lives beside the warehouse
        audit_action(db, None, "rollup", target, engine=engine, tables=len(sizes))
    click.echo(f"{len(sizes)} rollup tables rebuilt in {target} "
               f"({sum(sizes.values()):,} rows)")


COMMANDS = (store, rollup)
