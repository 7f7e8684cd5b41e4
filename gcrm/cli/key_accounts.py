"""``gcrm alerts`` and ``gcrm accounts ...``: key accounts -- managers and portfolios, handovers,
customer groups and relations, alerts, watchlists, visit routes (docs/accounts.md). Options only;
the work is in :mod:`gcrm.accounts` (the same functions as the Key accounts page)."""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

import click

from gcrm.cli.common import (
    CSV_FORMAT_OPTION,
    DB_OPTION,
    FORMAT_OPTION,
    LANG_OPTION,
    USER_OPTION,
    BadInput,
    _os_user,
    audit_action,
    emit,
    handle_errors,
    open_as,
)

MONTH_RE = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def _actor(principal) -> str:
    return principal.name if principal else f"cli:{_os_user()}"


def _month(value: str | None, option: str = "--month") -> str | None:
    if value is not None and not MONTH_RE.fullmatch(value):
        raise BadInput(f"malformed {option} {value!r}: expected YYYY-MM")
    return value


@contextmanager
def _open(db: Path, user: str | None, permission: str = "read_customers"):
    """(principal, warehouse connection, store, viewer) for one command."""
    from gcrm.accounts.queries import Viewer
    from gcrm.storage.store import connect_store

    principal, con, _ = open_as(db, user, permission)
    store = connect_store(db)
    try:
        yield principal, con, store, Viewer.of(principal)
    finally:
        store.close()
        con.close()


# --------------------------------------------------------------------------- gcrm alerts
@click.command("alerts")
@DB_OPTION
@USER_OPTION
@click.option("--month", default=None, help="Month YYYY-MM [default: the latest with data].")
@click.option("--mine", is_flag=True, help="Only the user's portfolio and watchlist (not the "
              "other key accounts of the user's regions).")
@click.option("--open", "open_only", is_flag=True,
              help="Leave out alerts the user acknowledged or snoozed.")
@LANG_OPTION
@CSV_FORMAT_OPTION
@handle_errors
def alerts_cmd(db, user, month, mine, open_only, lang, fmt) -> None:
    """Alerts of key accounts: consumption drop/jump against last year, arrears age, outages,
    complaints open too long, anniversaries -- one row per alert with its reason in words."""
    from gcrm.accounts import queries as Q

    with _open(db, user) as (principal, con, store, viewer):
        df = Q.alerts(con, store, viewer, _month(month), lang=lang, mine_only=mine,
                      include_handled=not open_only)
    audit_action(db, principal, "accounts.alerts", None, month=month, rows=len(df),
                 masked=not viewer.show_pii)
    emit(df, fmt)


# --------------------------------------------------------------------------- gcrm accounts
@click.group("accounts")
def accounts() -> None:
    """Key accounts: managers, portfolios and handovers, groups and relations, watchlists."""


def _ids_from(ids: tuple[str, ...], ids_file: Path | None) -> list[str]:
    out = list(ids)
    if ids_file is not None:
        out += [ln.strip().split(",")[0] for ln in ids_file.read_text(
            encoding="utf-8").splitlines() if ln.strip() and ln.strip() != "customer_id"]
    return out


def _area(path: Path):
    """The (multi)polygon of a GeoJSON file (a geometry, a Feature or a FeatureCollection)."""
    from gcrm.accounts.queries import area_of

    try:
        return area_of(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise BadInput(f"--area {path}: {exc}") from None


@accounts.command("assign")
@DB_OPTION
@USER_OPTION
@click.argument("customer_ids", nargs=-1)
@click.option("--manager", default=None, help="The account that takes the customers.")
@click.option("--release", is_flag=True, help="Take the customers out of every portfolio.")
@click.option("--reason", required=True, help="Why (kept in each customer's history).")
@click.option("--ids-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="A file of customer ids (one a line, or a CSV's first column).")
@click.option("--area", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="GeoJSON polygon: every customer inside it.")
@click.option("--big", is_flag=True, help="With --area: only big customers.")
@handle_errors
def assign_cmd(db, user, customer_ids, manager, release, reason, ids_file, area, big) -> None:
    """Give customers (ids, a file of ids, or an area) to --manager; every handover is kept."""
    from gcrm.accounts import queries as Q

    if bool(manager) == release:
        raise BadInput("give either --manager NAME or --release")
    with _open(db, user, "assign_accounts") as (principal, con, store, viewer):
        ids = _ids_from(customer_ids, ids_file)
        if area is not None:
            ids += Q.customers_in_area(con, store, viewer, _area(area), big_only=big)
        if not ids:
            raise BadInput("no customer given: pass ids, --ids-file or --area")
        done = Q.reassign(con, store, viewer, ids, None if release else manager,
                          user=_actor(principal), reason=reason)
    click.echo(f"{len(done)} handover(s) recorded; {len(set(ids)) - len(done)} customer(s) "
               "already with that manager")


@accounts.command("portfolio")
@DB_OPTION
@USER_OPTION
@click.option("--manager", default=None, help="Whose portfolio [default: the user's].")
@click.option("--month", default=None, help="Month of the kWh column [default: latest].")
@FORMAT_OPTION
@handle_errors
def portfolio_cmd(db, user, manager, month, fmt) -> None:
    """A manager's portfolio: this month's kWh, arrears, open complaints, last visit and what
    changed since."""
    from gcrm.accounts import queries as Q

    if manager is None and user is None:
        raise BadInput("give --manager NAME (or --user for your own portfolio)")
    with _open(db, user) as (principal, con, store, viewer):
        df = Q.portfolio_view(con, store, viewer, manager, _month(month))
    audit_action(db, principal, "accounts.portfolio", manager or user, rows=len(df))
    emit(df, fmt)


@accounts.command("handovers")
@DB_OPTION
@USER_OPTION
@click.argument("customer_id")
@FORMAT_OPTION
@handle_errors
def handovers_cmd(db, user, customer_id, fmt) -> None:
    """The handover history of a customer (and of the customers merged into it)."""
    from gcrm.accounts import queries as Q

    with _open(db, user) as (principal, con, store, viewer):
        if not Q.visible(con, store, viewer, [customer_id]):
            raise BadInput(f"unknown customer {customer_id!r}")
        df = Q.card_accounts(con, store, viewer, customer_id)["handovers"]
    audit_action(db, principal, "accounts.handovers", customer_id, rows=len(df))
    emit(df, fmt)


@accounts.command("groups")
@DB_OPTION
@USER_OPTION
@FORMAT_OPTION
@handle_errors
def groups_cmd(db, user, fmt) -> None:
    """Customer groups (relations parent_of and same_owner) with their number of members."""
    from gcrm.accounts import queries as Q

    with _open(db, user) as (principal, con, store, viewer):
        df = Q.groups_list(con, store, viewer)
    audit_action(db, principal, "accounts.groups", None, rows=len(df))
    emit(df, fmt)


@accounts.command("group")
@DB_OPTION
@USER_OPTION
@click.argument("group_id")
@click.option("--from", "month_from", default=None, help="First month YYYY-MM.")
@click.option("--to", "month_to", default=None, help="Last month YYYY-MM.")
@FORMAT_OPTION
@handle_errors
def group_cmd(db, user, group_id, month_from, month_to, fmt) -> None:
    """One group: its members' kWh, billed, paid, balance (billed - paid), arrears (bills past
    due at the end of --to) and outages, and the TOTAL row."""
    from gcrm.accounts import queries as Q

    months = None
    if month_from or month_to:
        months = (_month(month_from, "--from") or "0000-00", _month(month_to, "--to") or "9999-99")
    with _open(db, user) as (principal, con, store, viewer):
        df = Q.group_view(con, store, viewer, group_id, months)
    audit_action(db, principal, "accounts.group", group_id, rows=len(df))
    emit(df.drop(columns=["lon", "lat"]), fmt)


@accounts.command("relate")
@DB_OPTION
@USER_OPTION
@click.argument("customer_id")
@click.argument("related_id")
@click.option("--kind", required=True, type=click.Choice(["parent_of", "pays_for",
                                                          "same_owner"]))
@click.option("--remove", is_flag=True, help="Remove the relation instead.")
@handle_errors
def relate_cmd(db, user, customer_id, related_id, kind, remove) -> None:
    """Record that CUSTOMER_ID --kind--> RELATED_ID (or remove it); audited."""
    from gcrm.accounts import queries as Q

    with _open(db, user, "edit_service") as (principal, con, store, viewer):
        Q.edit_relation(con, store, viewer, customer_id, related_id, kind,
                        "remove" if remove else "add", _actor(principal))
    click.echo(f"{'removed' if remove else 'added'}: {customer_id} {kind} {related_id}")


@accounts.command("watch")
@DB_OPTION
@USER_OPTION
@click.argument("customer_id")
@click.option("--off", is_flag=True, help="Take the customer off the watchlist.")
@handle_errors
def watch_cmd(db, user, customer_id, off) -> None:
    """Put a customer on the user's watchlist (its alerts are then the user's too)."""
    from gcrm.accounts import portfolios as pf
    from gcrm.accounts import queries as Q

    with _open(db, user) as (principal, con, store, viewer):
        if not Q.visible(con, store, viewer, [customer_id]):
            raise BadInput(f"unknown customer {customer_id!r}")
        pf.watch(store, _actor(principal), customer_id, on=not off)
    click.echo(f"{customer_id} {'off' if off else 'on'} the watchlist of {_actor(principal)}")


@accounts.command("ack")
@DB_OPTION
@USER_OPTION
@click.argument("key")
@click.option("--snooze-until", default=None, help="Snooze until this date YYYY-MM-DD instead.")
@click.option("--reopen", is_flag=True, help="Bring an acknowledged or snoozed alert back.")
@handle_errors
def ack_cmd(db, user, key, snooze_until, reopen) -> None:
    """Acknowledge the alert KEY (customer|kind|when, the `key` column of `gcrm alerts`)."""
    from gcrm.accounts import portfolios as pf
    from gcrm.accounts import queries as Q

    with _open(db, user) as (principal, con, store, viewer):
        if not Q.visible(con, store, viewer, [key.split("|")[0]]):
            raise BadInput(f"unknown alert {key!r}")
        state = None if reopen else ("snoozed" if snooze_until else "acknowledged")
        pf.handle_alert(store, _actor(principal), key, state, snooze_until)
    click.echo(f"{key}: {state or 'reopened'}")


@accounts.command("route")
@DB_OPTION
@USER_OPTION
@click.argument("customer_ids", nargs=-1)
@click.option("--start", "start", required=True, metavar="LON,LAT",
              help="Where the day starts and ends (WGS-84).")
@click.option("--day-start", default="08:30", show_default=True, help="HH:MM.")
@click.option("--window", "windows", multiple=True, metavar="ID=HH:MM-HH:MM",
              help="A customer's time window (repeat).")
@click.option("--from-alerts", is_flag=True,
              help="Add the customers of the user's open alerts of the latest month.")
@click.option("--pbf", type=click.Path(dir_okay=False, path_type=Path), default=None,
              envvar="GCRM_ROADS_PBF", help="OpenStreetMap .osm.pbf with the roads "
              "[default: straight lines at the visit_speed_kmh setting].")
@FORMAT_OPTION
@handle_errors
def route_cmd(db, user, customer_ids, start, day_start, windows, from_alerts, pbf,
              fmt) -> None:
    """An optimised visiting order for one day (OR-tools), from --start and back."""
    from gcrm.accounts import queries as Q

    try:
        lon, lat = (float(x) for x in start.split(","))
    except ValueError:
        raise BadInput(f"malformed --start {start!r}: expected LON,LAT") from None
    wins = {}
    for w in windows:
        cid, _, span = w.partition("=")
        if not span or "-" not in span:
            raise BadInput(f"malformed --window {w!r}: expected ID=HH:MM-HH:MM")
        wins[cid.strip()] = span
    graph = None
    if pbf is not None:
        from gcrm.tradearea.network import load_graph

        graph = load_graph(pbf)
    with _open(db, user) as (principal, con, store, viewer):
        ids = list(customer_ids)
        if from_alerts:
            al = Q.alerts(con, store, viewer, include_handled=False)
            ids += list(dict.fromkeys(al["customer_id"]))
        if not ids:
            raise BadInput("no customer to visit: pass ids or --from-alerts")
        stops, summary = Q.plan_visits(con, store, viewer, list(dict.fromkeys(ids)),
                                       (lon, lat), day_start, wins, graph)
    audit_action(db, principal, "accounts.route", None, rows=len(stops))
    if fmt == "table":
        click.echo(f"{len(stops)} visits, {summary['travel_min']} min travelling "
                   f"({summary['method']}, {summary['solver']}); not fitting the day: "
                   f"{', '.join(summary['dropped']) or 'none'}; unlocated: "
                   f"{', '.join(summary['unlocated']) or 'none'}", err=True)
    emit(stops, fmt)


@accounts.command("visit")
@DB_OPTION
@USER_OPTION
@click.argument("customer_id")
@click.option("--when", default=None, help="YYYY-MM-DD[THH:MM] [default: now].")
@click.option("--topic", default=None)
@click.option("--note", default=None)
@click.option("--score", type=click.IntRange(1, 5), default=None,
              help="The customer's satisfaction, 1 (very unhappy) to 5 (very happy).")
@click.option("--comment", default=None, help="The customer's opinion in their words.")
@handle_errors
def visit_cmd(db, user, customer_id, when, topic, note, score, comment) -> None:
    """Record a visit (and the customer's opinion of our service)."""
    from datetime import datetime

    from gcrm.accounts import queries as Q

    try:
        at = datetime.fromisoformat(when) if when else datetime.now()
    except ValueError:
        raise BadInput(f"malformed --when {when!r}: expected YYYY-MM-DD[THH:MM]") from None
    with _open(db, user, "edit_service") as (principal, con, store, viewer):
        rid = Q.record_visit(con, store, viewer, customer_id, at, _actor(principal), topic,
                             note, score, comment)
    click.echo(f"visit #{rid} recorded for {customer_id}")


@accounts.command("opinions")
@DB_OPTION
@USER_OPTION
@click.option("--by", type=click.Choice(["manager", "district", "topic"]), default="manager",
              show_default=True)
@FORMAT_OPTION
@handle_errors
def opinions_cmd(db, user, by, fmt) -> None:
    """Service evaluation: customers' satisfaction by manager, district or topic."""
    from gcrm.accounts import queries as Q

    with _open(db, user) as (principal, con, store, viewer):
        df = Q.opinions(con, store, viewer, by)
    audit_action(db, principal, "accounts.opinions", None, by=by, rows=len(df))
    emit(df, fmt)


COMMANDS = (alerts_cmd, accounts)
