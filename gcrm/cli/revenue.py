"""``gcrm losses`` and ``gcrm suspects``: revenue protection (docs/revenue.md)."""

from __future__ import annotations

import re
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
    note_suppressed,
    open_as,
)

MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def _month(value: str | None, option: str) -> str | None:
    if value is not None and not MONTH.fullmatch(value):
        raise BadInput(f"{option} {value!r} is not a month YYYY-MM")
    return value


@click.command()
@DB_OPTION
@USER_OPTION
@click.option("--by", "by", multiple=True, required=True,
              type=click.Choice(["transformer", "feeder", "district", "month"]),
              help="transformer, feeder or district; add --by month for one row per month.")
@click.option("--from", "first", default=None, help="First month YYYY-MM (default: first "
              "month with supply).")
@click.option("--to", "last", default=None, help="Last month YYYY-MM (default: the latest).")
@CSV_FORMAT_OPTION
@handle_errors
def losses(db: Path, user: str | None, by: tuple[str, ...], first: str | None,
           last: str | None, fmt: str) -> None:
    """Synchronous line loss (同期线损) by transformer area, feeder or district."""
    from gcrm.cube.disclosure import min_cell_for
    from gcrm.revenue import queries

    areas = [b for b in by if b != "month"]
    if len(areas) != 1:
        raise BadInput("--by needs exactly one of transformer, feeder, district "
                       "(plus --by month if wanted)")
    principal, con, scope = open_as(db, user)
    try:
        df = queries.losses(con, areas[0], _month(first, "--from"), _month(last, "--to"),
                            by_month="month" in by, scope=scope,
                            min_cell=min_cell_for(principal))
    finally:
        con.close()
    if principal:
        audit_action(db, principal, "losses", None, by=list(by), rows=len(df))
    note_suppressed(df, min_cell_for(principal), fmt)
    emit(df, fmt)


#: columns of ``gcrm suspects`` (contract first: customer_id, score, reasons)
SUSPECT_COLUMNS = ("customer_id", "score", "reasons", "name", "customer_class", "district_id",
                   "feeder_id", "transformer_id", "transformer_name", "change_month", "drop",
                   "drop_kwh", "area_rise_kwh", "months_after", "daily_zero_days",
                   "daily_step", "month")


@click.command()
@DB_OPTION
@USER_OPTION
@click.option("--month", default=None, help="Month assessed YYYY-MM (default: the latest "
              "billed).")
@click.option("--where", "where", multiple=True, metavar="D=V",
              help="Filter: district=, feeder=, transformer=, customer_class= (repeatable).")
@click.option("--limit", type=ROW_LIMIT, default=100, show_default=True)
@click.option("--lang", default="en", type=click.Choice(["en", "zh-CN"]), show_default=True,
              help="Language of the reasons.")
@CSV_FORMAT_OPTION
@handle_errors
def suspects(db: Path, user: str | None, month: str | None, where: tuple[str, ...],
             limit: int, lang: str, fmt: str) -> None:
    """Ranked theft suspects: a drop that the transformer area's loss mirrors."""
    from gcrm.revenue import queries, reasons

    filters = _parse_where(where)
    principal, con, scope = open_as(db, user, "read_customers")
    try:
        df = queries.suspects(con, _month(month, "--month"), filters, limit, scope=scope,
                              pii=principal is None or principal.can("read_pii"))
    finally:
        con.close()
    if principal:
        audit_action(db, principal, "suspects", None, month=month, where=list(where),
                     rows=len(df), customers=list(df["customer_id"]) if len(df) else [])
    if df.empty:
        emit(df.reindex(columns=list(SUSPECT_COLUMNS)), fmt)
        return
    out = reasons.with_reasons(df, lang)
    for col, digits in (("drop", 3), ("drop_kwh", 1), ("area_rise_kwh", 1), ("daily_step", 3)):
        out[col] = out[col].round(digits)
    emit(out[list(SUSPECT_COLUMNS)], fmt)


COMMANDS = (losses, suspects)
