"""``gcrm report``: area reports as PDF, XLSX, GeoPackage or GeoJSON (docs/reports.md)."""

from __future__ import annotations

from pathlib import Path

import click

from gcrm.cli.common import (
    DB_OPTION,
    USER_OPTION,
    BadInput,
    audit_action,
    handle_errors,
    lang_option,
    open_as,
)

FORMATS = ("pdf", "xlsx", "gpkg", "geojson")


def _districts(con, scope: tuple[str, ...] | None) -> list[tuple[str, str]]:
    rows = con.execute("SELECT region_id, name, parent_id FROM dim_region "
                       "WHERE level = 'district' ORDER BY region_id").fetchall()
    return [(rid, name) for rid, name, parent in rows
            if scope is None or rid in scope or parent in scope]


def _scenario(db: Path, ref: str | None, fmt: str):
    """The tariff scenario of ``--tariff-scenario`` (a file or a saved name), or None."""
    if ref is None:
        return None
    from gcrm.tariff.queries import resolve_scenario
    from gcrm.tariff.scenario import ScenarioError

    if fmt not in ("pdf", "xlsx"):
        raise BadInput("--tariff-scenario applies to --format pdf or xlsx only")
    try:
        return resolve_scenario(db, ref)
    except ScenarioError as exc:
        raise BadInput(f"--tariff-scenario: {exc}") from exc


def _export(db: Path, con, principal, region_id: str, period, fmt: str, out: Path,
            lang: str, crs: str, force: bool, scenario=None) -> None:
    from gcrm.reports import build
    from gcrm.reports.export import write

    model = build(con, region_id, period, principal=principal, lang=lang, scenario=scenario)
    write(model, fmt, out, crs=crs, force=force)
    customer_rows = (len(model.customers) if fmt in ("gpkg", "geojson") else
                     len(model.top_customers)) if model.top_customers is not None else 0
    audit_action(db, principal, "report.export", str(out), region=region_id,
                 period=model.period.label, format=fmt, crs=crs if fmt in ("gpkg", "geojson")
                 else None, lang=lang, rows=model.row_count(), customer_rows=customer_rows,
                 masked=model.masked, tariff_scenario=scenario.name if scenario else None)


@click.command("report")
@DB_OPTION
@USER_OPTION
@click.option("--region", "region_id", default=None, help="Region id (a city or a district).")
@click.option("--all-districts", is_flag=True,
              help="One report per district (within your regions) into --out-dir.")
@click.option("--period", required=True,
              help="YYYY, YYYY-Qn, YYYY-MM or YYYY-MM..YYYY-MM.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="pdf", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Output file (with --region).")
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (with --all-districts); files are named "
                   "<region_id>_<name>_<period>.<ext>.")
@click.option("--force", is_flag=True, help="Replace existing files.")
@lang_option()
@click.option("--crs", type=click.Choice(["wgs84", "gcj02"]), default="wgs84",
              show_default=True, help="Coordinates of the GIS formats (gcj02: for Chinese "
                                      "basemaps).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--tariff-scenario", "tariff_ref", default=None, metavar="FILE|NAME",
              help="Add a tariff scenario's effect on the region (pdf, xlsx): a scenario "
                   "file or a saved scenario's name (docs/tariff.md).")
@handle_errors
def report(db: Path, user: str | None, region_id: str | None, all_districts: bool, period: str,
           fmt: str, out: Path | None, out_dir: Path | None, force: bool, lang: str, crs: str,
           quiet: bool, tariff_ref: str | None) -> None:
    """Area report of one region and period: PDF, XLSX, GeoPackage or GeoJSON."""
    from gcrm.reports import check_scope, parse_period
    from gcrm.reports.output import check_target

    if bool(region_id) == all_districts:
        raise BadInput("give either --region ID or --all-districts")
    if region_id and (out is None or out_dir is not None):
        raise BadInput("--region needs --out FILE (and no --out-dir)")
    if all_districts and (out_dir is None or out is not None):
        raise BadInput("--all-districts needs --out-dir DIR (and no --out)")
    if crs != "wgs84" and fmt not in ("gpkg", "geojson"):
        raise BadInput("--crs applies to --format gpkg or geojson only")
    p = parse_period(period)
    scenario = _scenario(db, tariff_ref, fmt)
    principal, con, scope = open_as(db, user, "export")
    try:
        if region_id:
            check_scope(con, region_id, scope)
            check_target(out, fmt, force)
            _export(db, con, principal, region_id, p, fmt, out, lang, crs, force, scenario)
            click.echo(f"report written: {out}")
            return
        _batch(db, con, principal, scope, p, fmt, out_dir, lang, crs, force, quiet, scenario)
    finally:
        con.close()


def _batch(db, con, principal, scope, p, fmt, out_dir: Path, lang, crs, force,
           quiet, scenario=None) -> None:
    from tqdm import tqdm

    from gcrm import cube
    from gcrm.reports.output import batch_name, check_target, inside

    districts = _districts(con, scope)
    if not districts:
        raise BadInput("no districts to report on" + (" within your regions" if scope else ""))
    have = cube.query(con, ["kwh"], by=["district"], months=p.months,
                      scope=[d for d, _ in districts])
    with_data = set(have.loc[have["kwh"].notna(), "district"])
    todo = [(d, n) for d, n in districts if d in with_data]
    if not todo:
        all_months = cube.months(con)
        first, last = (all_months[0], all_months[-1]) if all_months else ('–', '–')
        raise BadInput(f"no consumption data in {p.label} for any district; the warehouse "
                       f"covers {first}..{last}")
    if not out_dir.exists():
        parent = out_dir.parent if str(out_dir.parent) else Path(".")
        if not parent.is_dir():
            raise BadInput(f"cannot create {out_dir}: folder {parent} does not exist")
        try:
            out_dir.mkdir()
        except OSError as exc:
            raise BadInput(f"cannot create {out_dir}: {exc.strerror}") from exc
    targets = [(d, inside(out_dir, batch_name(d, n, p.slug, fmt))) for d, n in todo]
    for _, target in targets:  # every target checked before anything is written
        check_target(target, fmt, force)
    for d, n in districts:
        if d not in with_data:
            click.echo(f"skipped {d} {n}: no data in {p.label}", err=True)
    for d, target in tqdm(targets, desc=f"reports {p.label}", unit="district",
                          disable=quiet):
        _export(db, con, principal, d, p, fmt, target, lang, crs, force, scenario)
    click.echo(f"{len(targets)} reports written to {out_dir}")


COMMANDS = (report,)
