"""``gcrm inspect``: inspection orders (用电检查) from suspects to outcomes (docs/revenue.md)."""

from __future__ import annotations

from pathlib import Path

import click

from gcrm.cli.common import (
    CSV_FORMAT_OPTION,
    DB_OPTION,
    USER_OPTION,
    _os_user,
    audit_action,
    emit,
    handle_errors,
    open_as,
)

LIST_COLUMNS = ("order_id", "customer_id", "name", "customer_class", "district_id",
                "transformer_id", "method", "score", "status", "inspector", "planned_on",
                "outcome", "recovered_kwh", "recovered_yuan", "reason")


def _actor(principal) -> str:
    return principal.name if principal else f"cli:{_os_user()}"


def _pii(principal) -> bool:
    return principal is None or principal.can("read_pii")


@click.group()
def inspect() -> None:
    """Inspection orders: create from suspects, assign, route a day, record outcomes."""


@inspect.command("create")
@DB_OPTION
@USER_OPTION
@click.option("--customer", "customers", multiple=True, help="Customer id (repeatable).")
@click.option("--from-suspects", "top", type=click.IntRange(1, 500), default=None,
              help="Create orders for the N best-scored suspects instead.")
@click.option("--method", type=click.Choice(["score", "naive", "manual"]), default=None,
              help="What proposed the orders (default: score with --from-suspects, else "
              "manual).")
@handle_errors
def create(db: Path, user: str | None, customers: tuple[str, ...], top: int | None,
           method: str | None) -> None:
    """Open inspection orders (prints their ids)."""
    from gcrm.revenue import inspections, queries, reasons
    from gcrm.storage.store import connect_store

    if bool(customers) == bool(top):
        raise click.UsageError("give --customer ... or --from-suspects N (one of them)")
    principal, con, scope = open_as(db, user, "edit_service")
    store = connect_store(db)
    try:
        picks: list[tuple[str, float | None, str | None]] = [(c, None, None) for c in customers]
        if top:
            sus = queries.suspects(con, limit=top, scope=scope)
            picks = [(r["customer_id"], float(r["score"]), reasons.say(r))
                     for _, r in sus.iterrows()]
        for cid, score, why in picks:
            target = queries.inspection_target(con, cid, scope)
            try:
                oid = inspections.create(store, target, _actor(principal),
                                         method or ("score" if top else "manual"), score, why)
            except inspections.InspectionError as exc:
                if not top:
                    raise
                click.echo(f"skipped: {exc}", err=True)  # a suspect already being inspected
                continue
            click.echo(f"{oid}\t{cid}")
    finally:
        con.close()
        store.close()


@inspect.command("assign")
@DB_OPTION
@USER_OPTION
@click.argument("order_id", type=int)
@click.option("--inspector", required=True)
@click.option("--date", "day", required=True, type=click.DateTime(["%Y-%m-%d"]))
@handle_errors
def assign(db: Path, user: str | None, order_id: int, inspector: str, day) -> None:
    """Assign an order to an inspector for a day."""
    from gcrm.revenue import inspections
    from gcrm.storage.store import connect_store

    principal, con, scope = open_as(db, user, "edit_service")
    con.close()
    store = connect_store(db)
    try:
        _in_scope(store, order_id, scope)
        inspections.assign(store, order_id, inspector, day.date(), _actor(principal))
    finally:
        store.close()
    click.echo(f"order {order_id}: assigned to {inspector} on {day.date().isoformat()}")


@inspect.command("outcome")
@DB_OPTION
@USER_OPTION
@click.argument("order_id", type=int)
@click.option("--result", "outcome", required=True,
              type=click.Choice(["theft", "meter_fault", "normal"]))
@click.option("--kwh", "kwh", type=click.FloatRange(0), default=None,
              help="Recovered kWh (theft).")
@click.option("--yuan", "yuan", type=click.FloatRange(0), default=None,
              help="Recovered amount in yuan (theft).")
@click.option("--note", default=None)
@handle_errors
def outcome(db: Path, user: str | None, order_id: int, outcome: str, kwh: float | None,
            yuan: float | None, note: str | None) -> None:
    """Record an inspection's outcome."""
    from gcrm.revenue import inspections
    from gcrm.storage.store import connect_store

    principal, con, scope = open_as(db, user, "edit_service")
    con.close()
    store = connect_store(db)
    try:
        _in_scope(store, order_id, scope)
        inspections.record_outcome(store, order_id, outcome, _actor(principal), kwh, yuan, note)
    finally:
        store.close()
    recovered = ", ".join(f"{v:,.0f} {unit}" for v, unit in ((kwh, "kWh"), (yuan, "yuan"))
                          if v is not None)
    click.echo(f"order {order_id}: {outcome} recorded"
               + (f", recovered {recovered}" if recovered else ""))


def _in_scope(store, order_id: int, scope) -> None:
    from gcrm.revenue import inspections

    if scope is not None and order_id not in set(inspections.orders(store, scope)["order_id"]):
        raise inspections.InspectionError(f"no inspection order {order_id} in your regions")


@inspect.command("list")
@DB_OPTION
@USER_OPTION
@click.option("--status", type=click.Choice(["open", "assigned", "done", "cancelled"]))
@click.option("--inspector", default=None)
@CSV_FORMAT_OPTION
@handle_errors
def list_(db: Path, user: str | None, status: str | None, inspector: str | None,
          fmt: str) -> None:
    """Inspection orders in your regions (names masked without read_pii)."""
    from gcrm.revenue import queries
    from gcrm.storage.store import connect_store

    principal, con, scope = open_as(db, user, "read_customers")
    store = connect_store(db)
    try:
        df = queries.inspection_orders(con, store, scope, _pii(principal), status=status,
                                       inspector=inspector)
    finally:
        con.close()
        store.close()
    audit_action(db, principal, "inspection.list", None, rows=len(df))
    emit(df.reindex(columns=list(LIST_COLUMNS)), fmt)


@inspect.command("route")
@DB_OPTION
@USER_OPTION
@click.option("--inspector", required=True)
@click.option("--date", "day", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--pbf", type=click.Path(dir_okay=False, path_type=Path), default=None,
              envvar="GCRM_ROADS_PBF", help="OpenStreetMap .osm.pbf with the roads "
              "[$GCRM_ROADS_PBF; default: straight lines].")
@CSV_FORMAT_OPTION
@handle_errors
def route_(db: Path, user: str | None, inspector: str, day, pbf: Path | None,
           fmt: str) -> None:
    """A day's visiting order for an inspector (OR-tools; on the roads with --pbf)."""
    from gcrm.revenue import queries
    from gcrm.storage.store import connect_store

    principal, con, scope = open_as(db, user, "read_customers")
    store = connect_store(db)
    try:
        df, r = queries.day_route(con, store, inspector, day.date(), scope, _pii(principal),
                                  pbf=pbf)
    finally:
        con.close()
        store.close()
    audit_action(db, principal, "inspection.route", inspector, day=day.date(), rows=len(df))
    if r is not None and r.method == "roads":
        click.echo(f"route: {r.minutes:.1f} min on the roads, {r.metres / 1000:.1f} km "
                   f"straight-line (in the listed order {r.naive_minutes:.1f} min)", err=True)
    elif r is not None:
        click.echo(f"route: {r.metres / 1000:.1f} km straight-line (in the listed order "
                   f"{r.naive_metres / 1000:.1f} km)", err=True)
    emit(df.reindex(columns=["stop", *LIST_COLUMNS[:6], "lon", "lat"]), fmt)


@inspect.command("hitrate")
@DB_OPTION
@USER_OPTION
@click.option("--by", "by", multiple=True, type=click.Choice(["method", "district_id",
                                                                "transformer_id", "inspector"]),
              help="Group by (default: method).")
@CSV_FORMAT_OPTION
@handle_errors
def hitrate(db: Path, user: str | None, by: tuple[str, ...], fmt: str) -> None:
    """Hit rate of finished inspections by method and area."""
    from gcrm.revenue import inspections
    from gcrm.storage.store import connect_store

    _principal, con, scope = open_as(db, user, "read_aggregates")
    con.close()
    store = connect_store(db)
    try:
        df = inspections.hit_rate(inspections.orders(store, scope), by or ("method",))
    finally:
        store.close()
    emit(df, fmt)




COMMANDS = (inspect,)
