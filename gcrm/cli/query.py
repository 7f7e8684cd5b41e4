"""``gcrm query``: the cube from the command line (the query contract of DESIGN.md)."""

from __future__ import annotations

from pathlib import Path

import click

from gcrm.cli.common import (
    CSV_FORMAT_OPTION,
    DB_OPTION,
    ROW_LIMIT,
    USER_OPTION,
    BadInput,
    _parse_where,
    audit_action,
    emit,
    handle_errors,
    note_comparison,
    note_suppressed,
    open_as,
    principal_for,
)


# --------------------------------------------------------------------------- query
@click.command()
@DB_OPTION
@USER_OPTION
@click.option("--measure", "measures", multiple=True, required=True, help="Measure (repeat).")
@click.option("--by", "by", multiple=True, help="Dimension to group by (repeat).")
@click.option("--where", "where", multiple=True,
              help="DIMENSION=VALUE filter; repeat: OR on one dimension, AND across.")
@click.option("--from", "month_from", default=None, help="First month YYYY-MM (inclusive).")
@click.option("--to", "month_to", default=None, help="Last month YYYY-MM (inclusive).")
@click.option("--order", default=None, help="Order by a measure/dimension; '-' = descending.")
@click.option("--limit", default=None, type=ROW_LIMIT, help="Top-N rows.")
@click.option("--totals", is_flag=True, help="Add subtotal rows along --by and a grand total.")
@click.option("--compare", type=click.Choice(["yoy", "mom"]), default=None,
              help="Add <measure>_prev and <measure>_growth vs. last year / last month.")
@click.option("--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb",
              show_default=True, help="spark: a batch answer over a Parquet store (--store).")
@click.option("--store", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Parquet store folder (with --engine spark).")
@CSV_FORMAT_OPTION
@handle_errors
def query(db: Path, user, measures, by, where, month_from, month_to, order, limit, totals,
          compare, engine, store, fmt) -> None:
    """Cube query: one row per combination of --by, columns = dimensions then measures."""
    from gcrm import cube
    from gcrm.cube.disclosure import min_cell_for

    if engine == "spark":
        _spark_query(db, store, user, measures, by, where, (month_from, month_to), order,
                     limit, totals or compare, fmt)
        return
    principal, con, scope = open_as(db, user)
    protect = min_cell_for(principal)
    months = None
    if month_from or month_to:
        first, last = cube.month_range(con, 10_000)
        months = (month_from or first, month_to or last)
    filters = _parse_where(where)
    if compare:
        if months is None:
            months = cube.month_range(con, 1 if compare == "mom" else 12)
        df = cube.compare(con, list(measures), by=list(by), where=filters, months=months,
                          kind=compare, scope=scope, min_cell=protect)
    elif totals:
        df = cube.with_totals(con, list(measures), list(by), where=filters, months=months,
                              scope=scope, min_cell=protect)
    else:
        df = cube.query(con, list(measures), by=list(by), where=filters, months=months,
                        order_by=order, limit=limit, scope=scope, min_cell=protect)
    _audited(db, principal, df, measures, by, filters, protect, fmt)
    if compare:
        note_comparison(df.attrs.get("match"))


def _audited(db, principal, df, measures, by, filters, protect, fmt, **detail) -> None:
    """Record a signed-in user's query (both engines), then print it."""
    if principal:
        audit_action(db, principal, "query", None, measures=list(measures), by=list(by),
                     where=filters, rows=len(df), suppressed=df.attrs.get("suppressed"),
                     **detail)
    emit(df, fmt)
    note_suppressed(df, protect, fmt)


def _spark_query(db, store, user, measures, by, where, span, order, limit,
                 unsupported, fmt) -> None:
    """``--engine spark``: the same query compiled for Spark over the Parquet store, for the
    same user (signed in beside --db: region scope, disclosure control, audit)."""
    from gcrm.cube import sparkrun
    from gcrm.cube.disclosure import min_cell_for

    if store is None:
        raise BadInput("--engine spark needs --store DIR (a Parquet store, docs/scale.md)")
    if unsupported:
        raise BadInput("--totals and --compare are not available with --engine spark")
    principal = principal_for(db, user)
    protect = min_cell_for(principal)
    months = None
    if any(span):
        known = sparkrun.store_months(store) or ["0000-01"]
        months = (span[0] or known[0], span[1] or known[-1])
    filters = _parse_where(where)
    df = sparkrun.query(store, list(measures), by=list(by), where=filters, months=months,
                        order_by=order, limit=limit,
                        scope=principal.scope if principal else None, min_cell=protect)
    _audited(db, principal, df, measures, by, filters, protect, fmt, engine="spark")


COMMANDS = (query,)
