"""``gcrm forecast``: monthly forecasts of a cube measure (the forecast contract of DESIGN.md;
docs/forecast.md). Options only; the work is in :mod:`gcrm.forecast.queries`."""

from __future__ import annotations

from pathlib import Path

import click

from gcrm.cli.common import (
    CSV_FORMAT_OPTION,
    DB_OPTION,
    USER_OPTION,
    _parse_where,
    audit_action,
    emit,
    handle_errors,
    note_suppressed,
    open_as,
)

#: the longest horizon a forecast may ask for (months)
MAX_HORIZON = 60


@click.command("forecast")
@DB_OPTION
@USER_OPTION
@click.option("--measure", required=True,
              help="Measure to forecast: kwh, peak_kwh, flat_kwh, valley_kwh, amount, "
                   "customers.")
@click.option("--by", "by", multiple=True,
              help="Split by: city, district, grid, customer_class, segment, tariff (repeat).")
@click.option("--where", "where", multiple=True,
              help="DIMENSION=VALUE filter; repeat: OR on one dimension, AND across.")
@click.option("--horizon", type=click.IntRange(1, MAX_HORIZON), default=12, show_default=True,
              help="Months to forecast (1-60).")
@click.option("--train-to", "train_to", default=None,
              help="Use only data up to this month YYYY-MM (backtests).")
@click.option("--level", type=click.IntRange(50, 99), default=80, show_default=True,
              help="Prediction interval level, %.")
@click.option("--evaluate", is_flag=True,
              help="Hold out the last --horizon months and print, per level, MASE against "
                   "seasonal naive and AutoETS and the coverage of the intervals.")
@CSV_FORMAT_OPTION
@handle_errors
def forecast(db: Path, user, measure, by, where, horizon, train_to, level, evaluate,
             fmt) -> None:
    """Coherent monthly forecasts with prediction intervals, one row per --by combination
    and month: the --by columns, month, forecast, lo, hi, then the chosen model and its
    backtest MASE and interval coverage."""
    from gcrm.cube.disclosure import min_cell_for
    from gcrm.forecast import queries

    principal, con, scope = open_as(db, user)
    protect = min_cell_for(principal)
    filters = _parse_where(where)
    if evaluate:
        if train_to:
            raise click.UsageError("--evaluate holds out the last --horizon months itself; "
                                   "leave out --train-to")
        df, _ = queries.evaluate(con, measure, list(by), filters, horizon, level, scope)
    else:
        df = queries.forecast(con, measure, list(by), filters, horizon, level, train_to,
                              scope, protect)
    if principal:
        audit_action(db, principal, "forecast", None, measure=measure, by=list(by),
                     where=filters, evaluate=evaluate, rows=len(df),
                     suppressed=df.attrs.get("suppressed"))
    emit(df, fmt)
    note_suppressed(df, protect, fmt)


COMMANDS = (forecast,)
