"""``gcrm reliability``: IEEE 1366 / DL/T 836 indices by district, feeder, city or substation."""

from __future__ import annotations

from pathlib import Path

import click

from gcrm.cli.common import (
    CSV_FORMAT_OPTION,
    DB_OPTION,
    USER_OPTION,
    BadInput,
    audit_action,
    emit,
    handle_errors,
    open_as,
)


# --------------------------------------------------------------------------- reliability
@click.command()
@DB_OPTION
@USER_OPTION
@click.option("--year", required=True, type=int, help="Reporting year (YYYY).")
@click.option("--by", "by", type=click.Choice(["district", "feeder", "city", "substation",
                                               "grid"]), default="district", show_default=True)
@click.option("--exclude-planned", is_flag=True, help="Leave out planned (pre-arranged) outages.")
@click.option("--exclude-med", is_flag=True, help="Leave out major event days (2.5 beta).")
@click.option("--month", type=click.IntRange(1, 12), default=None,
              help="Only this month (1-12) of the year.")
@click.option("--monthly", is_flag=True, help="One block of rows per month of the year.")
@CSV_FORMAT_OPTION
@handle_errors
def reliability(db: Path, user: str | None, year: int, by: str, exclude_planned: bool,
                exclude_med: bool, month: int | None, monthly: bool, fmt: str) -> None:
    """Reliability indices (IEEE 1366: SAIFI, SAIDI, CAIDI, ASAI, MAIFI ...; DL/T 836 RS)."""
    from gcrm.outages import queries

    principal, con, scope = open_as(db, user)
    if year not in queries.years(con):
        raise BadInput(f"no outages in {year}; years with data: "
                       f"{', '.join(map(str, queries.years(con))) or 'none'}")
    if monthly:
        df = queries.by_month(con, year, by, exclude_planned=exclude_planned,
                              exclude_med=exclude_med, scope=scope)
    else:
        df = queries.indices(con, year, by, exclude_planned=exclude_planned,
                             exclude_med=exclude_med, scope=scope, month=month)
    if principal:
        audit_action(db, principal, "reliability", None, year=year, by=by, rows=len(df))
    emit(df, fmt)


COMMANDS = (reliability,)
