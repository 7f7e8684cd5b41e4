"""``gcrm overview``: the overview page's ranked table and KPI tiles from the command line.

The same :mod:`gcrm.overview.queries` functions as the page, so the CLI, the map and the table
agree.
"""

from __future__ import annotations

from pathlib import Path

import click

from gcrm.cli.common import (
    DB_OPTION,
    FORMAT_OPTION,
    ROW_LIMIT,
    USER_OPTION,
    BadInput,
    _parse_where,
    audit_action,
    emit,
    handle_errors,
    note_comparison,
    open_as,
)

KPI_MEASURES = ("customers", "kwh", "amount", "arrears", "online_share")


@click.command()
@DB_OPTION
@USER_OPTION
@click.option("--measure", default="customers", show_default=True,
              help="Map measure: a cube measure, saidi, saifi or complaints_per_1000.")
@click.option("--district", default=None, help="Drill into this district (ranks its cells).")
@click.option("--where", "where", multiple=True,
              help="customer_class=, tariff= or big_customer= filter (repeat).")
@click.option("--from", "month_from", default=None, help="First month YYYY-MM.")
@click.option("--to", "month_to", default=None,
              help="Last month YYYY-MM [default: the last 12 months with data].")
@click.option("--kpis", is_flag=True,
              help="Print the KPI tiles (value, previous period, last year) instead.")
@click.option("--top", default=None, type=ROW_LIMIT, help="Only the first N rows.")
@FORMAT_OPTION
@handle_errors
def overview(db: Path, user, measure, district, where, month_from, month_to, kpis, top,
             fmt) -> None:
    """The overview's ranking: districts (or one district's H3 cells) by a measure, with rank,
    share and the monthly trend; or with --kpis the tiles against the previous period and
    last year."""
    from gcrm import cube
    from gcrm.cube.disclosure import min_cell_for
    from gcrm.overview import queries as ov

    principal, con, scope = open_as(db, user)
    try:
        protect = min_cell_for(principal)
        first, last = cube.month_range(con, 12)
        months = (month_from or first, month_to or last)
        place = ov.Place(district)
        filters = _parse_where(where)
        if kpis:
            df = ov.kpis(con, list(KPI_MEASURES), place, months, filters, scope,
                         min_cell=protect)
        else:
            if measure not in ov.MAP_MEASURES:
                raise BadInput(f"unknown measure {measure!r}; valid: "
                               f"{', '.join(ov.MAP_MEASURES)}")
            df = ov.ranking(con, measure, place, months, filters, scope, top=top,
                            min_cell=protect)
            df["trend"] = df["trend"].map(
                lambda xs: " ".join("" if x != x else f"{x:.6g}" for x in xs))
            df = df.rename(columns={"key": "district" if district is None else "grid"})
    finally:
        con.close()
    if principal:
        audit_action(db, principal, "overview", None, measure=measure, district=district,
                     where=filters, rows=len(df))
    emit(df, fmt)
    if kpis:
        note_comparison(df.attrs.get("previous_match"), "previous period")
        note_comparison(df.attrs.get("last_year_match"), "last year")


COMMANDS = (overview,)
