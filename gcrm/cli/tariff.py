"""``gcrm tariff ...``: demand-side management (docs/tariff.md): peak/valley profiles, the
tariff what-if, the policy check and campaign lists. Options only; the work is in
:mod:`gcrm.tariff.queries`."""

from __future__ import annotations

from pathlib import Path

import click

from gcrm.cli.common import (
    CSV_FORMAT_OPTION,
    DB_OPTION,
    FORMAT_OPTION,
    ROW_LIMIT,
    USER_OPTION,
    BadInput,
    _parse_where,
    apply_options,
    audit_action,
    emit,
    handle_errors,
    note_suppressed,
    open_as,
    principal_for,
)

MONTH_OPTIONS = (
    click.option("--from", "month_from", default=None, help="First month YYYY-MM."),
    click.option("--to", "month_to", default=None,
                 help="Last month YYYY-MM [default: the last 12 months with data]."),
)
WHERE_OPTION = click.option("--where", "where", multiple=True, metavar="D=V",
                            help="Filter (repeat; same dimension = OR).")
SCENARIO_OPTION = click.option("--scenario", "scenario", required=True, metavar="FILE|NAME",
                               help="Scenario file (.toml/.json) or a saved scenario's name.")
OUT_OPTION = click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
                          default=None,
                          help="Also write the table to a .csv or .xlsx file (needs the export "
                               "permission).")


def _open(db, user, month_from, month_to, permission: str = "read_aggregates"):
    """Sign in, open the warehouse; (principal, con, scope, months, min_cell)."""
    from gcrm.cube.disclosure import min_cell_for
    from gcrm.tariff import queries

    principal, con, scope = open_as(db, user, permission)
    return principal, con, scope, queries.period(con, month_from, month_to), \
        min_cell_for(principal)


def _write(principal, df, out: Path | None, sheet: str) -> None:
    """Write ``df`` to ``out`` (.csv/.xlsx, formula-safe) when asked; needs ``export``."""
    if out is None:
        return
    if principal is not None and not principal.can("export"):
        raise BadInput(f"role {principal.role_name!r} may not download lists and reports")
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise BadInput(f"cannot write {out.name}: use a .csv or .xlsx file name")
    from gcrm.security.exports import csv_bytes, xlsx_bytes

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(csv_bytes(df) if suffix == ".csv" else xlsx_bytes(df, sheet[:31]))
    click.echo(f"wrote {len(df):,} rows to {out}", err=True)


@click.group()
def tariff() -> None:
    """Demand-side management: peak/valley profiles, tariff what-if, policy check, targets."""


@tariff.command("profiles")
@DB_OPTION
@USER_OPTION
@click.option("--by", "by", multiple=True, metavar="D",
              help="Group by a cube dimension (repeat); month gives the trend.")
@WHERE_OPTION
@apply_options(MONTH_OPTIONS)
@FORMAT_OPTION
@handle_errors
def profiles_cmd(db, user, by, where, month_from, month_to, fmt) -> None:
    """Peak, flat and valley energy and shares, and the valley headroom, by any dimension."""
    from gcrm.tariff import queries

    principal, con, scope, months, min_cell = _open(db, user, month_from, month_to)
    df = queries.profiles(con, list(by), _parse_where(where) or None, months, scope, min_cell)
    audit_action(db, principal, "tariff.profiles", None, by=",".join(by), rows=len(df))
    emit(df, fmt)
    note_suppressed(df, min_cell, fmt)


@tariff.command("rank")
@DB_OPTION
@USER_OPTION
@click.option("--by", "by", default="district", show_default=True,
              help="What to rank: district, feeder, segment, ... or customer (read_pii).")
@click.option("--order", type=click.Choice(["peak_share", "seasonal_swing", "valley_headroom"]),
              default="peak_share", show_default=True)
@click.option("--limit", type=ROW_LIMIT, default=None, help="Show the first N.")
@apply_options(MONTH_OPTIONS)
@FORMAT_OPTION
@handle_errors
def rank_cmd(db, user, by, order, limit, month_from, month_to, fmt) -> None:
    """Areas or customers ranked by peak share, seasonal swing or valley headroom."""
    from gcrm.tariff import queries

    perm = "read_customers" if by == "customer" else "read_aggregates"
    principal, con, scope, months, min_cell = _open(db, user, month_from, month_to, perm)
    df = queries.rank(con, by, order, months, scope, min_cell, limit)
    audit_action(db, principal, "tariff.rank", by, order=order, rows=len(df))
    emit(df, fmt)
    note_suppressed(df, min_cell, fmt)


@tariff.command("simulate")
@DB_OPTION
@USER_OPTION
@SCENARIO_OPTION
@click.option("--by", "by", multiple=True, metavar="D",
              help="Group by (repeat): city, district, customer_class, segment, tariff, "
                   "big_customer, feeder, service_point, season, customer (read_pii).")
@WHERE_OPTION
@apply_options(MONTH_OPTIONS)
@OUT_OPTION
@CSV_FORMAT_OPTION
@handle_errors
def simulate_cmd(db, user, scenario, by, where, month_from, month_to, out, fmt) -> None:
    """Tariff what-if: bills before, at unchanged behaviour and after the expected shift;
    revenue and peak-energy change. The total over your scope goes to stderr."""
    from gcrm.tariff import queries

    principal, con, scope, months, min_cell = _open(db, user, month_from, month_to)
    s = queries.resolve_scenario(db, scenario)
    r = queries.simulate(con, s, list(by), months, scope, _parse_where(where) or None, min_cell)
    t = r.total.iloc[0]
    if t.isna()["customers"]:
        click.echo(f"{s.name}: the total describes fewer than {min_cell} customers", err=True)
    else:
        def pct(v: float) -> str:
            return "–" if v != v else f"{v:+.2%}"  # NaN: nothing billed or no peak energy

        click.echo(f"{s.name}, {months[0]}..{months[1]}: {t['covered']:,.0f} of "
                   f"{t['customers']:,.0f} customers; revenue {t['revenue_change']:+,.0f} yuan"
                   f" ({pct(t['revenue_change_share'])}); peak energy "
                   f"{t['peak_change_kwh']:+,.0f} kWh ({pct(t['peak_change_share'])})",
                   err=True)
    table = r.table if by else r.total
    table.attrs["suppressed"] = r.suppressed
    audit_action(db, principal, "tariff.simulate", s.name, by=",".join(by), rows=len(table),
                 out=str(out) if out else None)
    _write(principal, table, out, s.name)
    emit(table, fmt)
    note_suppressed(table, min_cell, fmt)


@tariff.command("compare")
@DB_OPTION
@USER_OPTION
@click.option("--scenario", "scenarios", multiple=True, required=True, metavar="FILE|NAME",
              help="Scenario file or saved name (repeat: two or more).")
@click.option("--by", "by", multiple=True, metavar="D", help="Group by (repeat).")
@WHERE_OPTION
@apply_options(MONTH_OPTIONS)
@OUT_OPTION
@CSV_FORMAT_OPTION
@handle_errors
def compare_cmd(db, user, scenarios, by, where, month_from, month_to, out, fmt) -> None:
    """Scenarios side by side: one block of rows per scenario."""
    from gcrm.tariff import queries

    principal, con, scope, months, min_cell = _open(db, user, month_from, month_to)
    items = [queries.resolve_scenario(db, x) for x in scenarios]
    df = queries.compare(con, items, list(by), months, scope, _parse_where(where) or None,
                         min_cell)
    audit_action(db, principal, "tariff.compare", ",".join(s.name for s in items),
                 by=",".join(by), rows=len(df), out=str(out) if out else None)
    _write(principal, df, out, "compare")
    emit(df, fmt)


@tariff.command("check")
@DB_OPTION
@USER_OPTION
@SCENARIO_OPTION
@click.option("--by", type=click.Choice(["district", "city"]), default="district",
              show_default=True, help="Areas whose peak-valley gap sets the ratio.")
@apply_options(MONTH_OPTIONS)
@FORMAT_OPTION
@handle_errors
def check_cmd(db, user, scenario, by, month_from, month_to, fmt) -> None:
    """Policy check (NDRC 1093): peak/valley ratio against each area's peak-valley gap,
    critical peak at least 20 % above the peak."""
    from gcrm.tariff import queries

    principal, con, scope, months, _ = _open(db, user, month_from, month_to)
    s = queries.resolve_scenario(db, scenario)
    df = queries.check(con, s, by, months, scope)
    bad = int((df["status"] != "ok").sum())
    click.echo(f"{s.name}: {bad} of {len(df)} area-season(s) below the policy minimum",
               err=True)
    audit_action(db, principal, "tariff.check", s.name, rows=len(df), flagged=bad)
    emit(df, fmt)


@tariff.command("targets")
@DB_OPTION
@USER_OPTION
@SCENARIO_OPTION
@click.option("--kind", type=click.Choice(["invite", "warn"]), required=True,
              help="invite: bill falls most (voluntary tariff); warn: bill rises most even "
                   "after the shift (mandatory tariff).")
@click.option("--limit", type=ROW_LIMIT, default=100, show_default=True)
@WHERE_OPTION
@apply_options(MONTH_OPTIONS)
@OUT_OPTION
@FORMAT_OPTION
@handle_errors
def targets_cmd(db, user, scenario, kind, limit, where, month_from, month_to, out,
                fmt) -> None:
    """Campaign list under a scenario (PII masked per role; audited)."""
    from gcrm.tariff import queries

    principal, con, scope, months, _ = _open(db, user, month_from, month_to,
                                                "read_customers")
    if out is not None and principal is not None and not principal.can("export"):
        raise BadInput(f"role {principal.role_name!r} may not download lists and reports")
    s = queries.resolve_scenario(db, scenario)
    mask = principal is not None and not principal.can("read_pii")
    df = queries.targets(con, s, kind, months, scope, mask=mask, limit=limit,
                         where=_parse_where(where) or None)
    audit_action(db, principal, "tariff.targets", s.name, kind=kind, rows=len(df), masked=mask,
                 out=str(out) if out else None)
    _write(principal, df, out, f"{kind}")
    if out is None:
        emit(df, fmt)


@tariff.command("save")
@DB_OPTION
@USER_OPTION
@SCENARIO_OPTION
@handle_errors
def save_cmd(db, user, scenario) -> None:
    """Check a scenario file and save it under its name (setting tariff_dir)."""
    from gcrm.tariff import queries
    from gcrm.tariff.scenario import load

    principal = principal_for(db, user)
    s = load(scenario)
    path = queries.save_scenario(db, s)
    audit_action(db, principal, "tariff.save", s.name, path=str(path))
    click.echo(f"saved scenario {s.name} to {path}")


@tariff.command("list")
@DB_OPTION
@handle_errors
def list_cmd(db) -> None:
    """The saved scenarios."""
    from gcrm.tariff import queries

    for name in queries.saved_scenarios(db):
        click.echo(name)


COMMANDS = (tariff,)
