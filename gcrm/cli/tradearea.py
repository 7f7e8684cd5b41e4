"""``gcrm tradearea ...``: trading-area analysis (docs/trade-areas.md). Options only; the work
is in :mod:`gcrm.tradearea.queries`."""

from __future__ import annotations

from pathlib import Path

import click

from gcrm.cli.common import (
    DB_OPTION,
    EXPONENT,
    FORMAT_OPTION,
    KM,
    MAX_KM,
    MAX_MINUTES,
    ROW_LIMIT,
    USER_OPTION,
    BadInput,
    FiniteRange,
    apply_options,
    audit_action,
    emit,
    float_list,
    handle_errors,
    note_suppressed,
    open_as,
)
from gcrm.vocab import SERVICE_POINT_KINDS

KIND_OPTION = click.option("--kind", "kinds", multiple=True,
                           type=click.Choice(SERVICE_POINT_KINDS),
                           help="Service-point kinds to use (repeat) [default: all].")
MONTH_OPTIONS = (
    click.option("--from", "month_from", default=None, help="First month YYYY-MM."),
    click.option("--to", "month_to", default=None, help="Last month YYYY-MM [default: the "
                 "last 12 months with data]."),
)
CENTER_OPTIONS = (
    click.option("--service-point", "service_point", default=None, help="Service point id."),
    click.option("--lon", type=FiniteRange(-180, 180), default=None,
                 help="Longitude (WGS-84)."),
    click.option("--lat", type=FiniteRange(-90, 90), default=None, help="Latitude (WGS-84)."),
)
OUT_OPTIONS = (
    click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
                 help="Also write the layer (.geojson or .gpkg)."),
    click.option("--gcj02", is_flag=True, help="Write GCJ-02 coordinates (Chinese web maps)."),
)
#: what every layer command takes: the output format, and a file to also write the layer to
LAYER_OUTPUT_OPTIONS = (FORMAT_OPTION, *OUT_OPTIONS)
#: persons per household (Huff's demand, an area's potential customers)
HOUSEHOLD_OPTION = click.option("--household-size", default=2.6, show_default=True,
                                type=FiniteRange(0, 20, min_open=True))


def _numbers(high: float):
    """A click callback: the option's comma-separated numbers, each more than 0 and at most
    ``high`` (exit 2 naming the option otherwise; see :func:`float_list`)."""
    return lambda ctx, param, text: float_list(text, param.opts[0], 0, high)


def _months(con, month_from, month_to):
    if not (month_from or month_to):
        return None
    from gcrm import cube

    first, last = cube.month_range(con, 12)
    return month_from or first, month_to or last


def _write(gdf, out: Path | None, gcj02: bool, layer: str) -> None:
    if out is not None:
        from gcrm.tradearea import queries

        queries.export_layer(gdf, out, "gcj02" if gcj02 else "wgs84", layer=layer)
        click.echo(f"wrote {out} ({'GCJ-02' if gcj02 else 'WGS-84'})", err=True)


def _layer_out(db: Path, principal, layer: str, target: str | None, g, fmt: str,
               out: Path | None, gcj02: bool) -> None:
    """Audit, write (``--out``) and print a trade-area layer (``target``: its centre)."""
    audit_action(db, principal, f"tradearea.{layer}", target, rows=len(g))
    _write(g, out, gcj02, layer)
    emit(_table(g), fmt)


def _cells_out(db: Path, principal, layer: str, df, km: float, limit: int | None, fmt: str,
               out: Path | None, gcj02: bool) -> None:
    """Audit, write (``--out``) and print a layer of population cells (gaps, overlaps)."""
    from gcrm.tradearea import queries

    audit_action(db, principal, f"tradearea.{layer}", None, km=km, rows=len(df))
    _write(queries.points_layer(df), out, gcj02, layer)
    emit(df.head(limit) if limit else df, fmt)


def _table(gdf):
    return gdf.drop(columns=[gdf.geometry.name]) if hasattr(gdf, "geometry") else gdf


@click.group()
def tradearea() -> None:
    """Trading areas: rings, drive times, proximity, Huff, summaries, sites, target lists."""


# --------------------------------------------------------------------------- layers
@tradearea.command("rings")
@DB_OPTION
@USER_OPTION
@apply_options(CENTER_OPTIONS)
@click.option("--km", default="1,3,5", show_default=True, callback=_numbers(MAX_KM),
              help="Radii in km, comma-separated.")
@click.option("--bands", is_flag=True, help="Annular bands instead of whole disks.")
@apply_options(LAYER_OUTPUT_OPTIONS)
@handle_errors
def rings_cmd(db, user, service_point, lon, lat, km, bands, fmt, out, gcj02) -> None:
    """Geodesic rings around a service point or a point, with customers and population."""
    from gcrm.tradearea import queries

    principal, con, scope = open_as(db, user)
    x, y, label = queries.resolve_center(con, service_point, lon, lat)
    g = queries.rings(con, x, y, km, bands=bands, scope=scope)
    _layer_out(db, principal, "rings", label, g, fmt, out, gcj02)


@tradearea.command("drivetime")
@DB_OPTION
@USER_OPTION
@apply_options(CENTER_OPTIONS)
@click.option("--minutes", default="5,10,15", show_default=True,
              callback=_numbers(MAX_MINUTES), help="Drive times in minutes, comma-separated.")
@click.option("--pbf", type=click.Path(dir_okay=False, path_type=Path), default=None,
              envvar="GCRM_ROADS_PBF", help="OpenStreetMap .osm.pbf with the roads "
              "[$GCRM_ROADS_PBF]; without it: distance bands at 30 km/h.")
@apply_options(LAYER_OUTPUT_OPTIONS)
@handle_errors
def drivetime_cmd(db, user, service_point, lon, lat, minutes, pbf, fmt, out, gcj02) -> None:
    """Drive-time areas along the road network (fallback: distance bands, with a note)."""
    from gcrm.tradearea import queries

    principal, con, scope = open_as(db, user)
    x, y, label = queries.resolve_center(con, service_point, lon, lat)
    g = queries.drive_time(con, x, y, minutes, pbf=pbf, scope=scope, annotate=True)
    if (g["method"] == "distance_fallback").any():
        click.echo(f"note: {g['note'].iloc[0]}", err=True)
    audit_action(db, principal, "tradearea.drivetime", label, rows=len(g))
    _write(g, out, gcj02, "drivetime")
    emit(_table(g).drop(columns=["note"]), fmt)


@tradearea.command("voronoi")
@DB_OPTION
@USER_OPTION
@KIND_OPTION
@apply_options(LAYER_OUTPUT_OPTIONS)
@handle_errors
def voronoi_cmd(db, user, kinds, fmt, out, gcj02) -> None:
    """Proximity (nearest service point) areas clipped to the regions."""
    from gcrm.tradearea import queries

    principal, con, scope = open_as(db, user)
    g = queries.proximity_areas(con, kinds or None, scope=scope)
    _layer_out(db, principal, "voronoi", None, g, fmt, out, gcj02)


@tradearea.command("customers")
@DB_OPTION
@USER_OPTION
@click.option("--service-point", "service_point", required=True, help="Service point id.")
@click.option("--shares", default="0.5,0.7,0.9", show_default=True, callback=_numbers(1),
              help="Shares of the paying customers, comma-separated.")
@click.option("--hull", type=click.Choice(["convex", "concave"]), default="convex",
              show_default=True)
@apply_options(MONTH_OPTIONS)
@apply_options(LAYER_OUTPUT_OPTIONS)
@handle_errors
def customers_cmd(db, user, service_point, shares, hull, month_from, month_to, fmt, out,
                  gcj02) -> None:
    """Customer-derived trade areas: hull of the nearest 50/70/90 % of a hall's payers."""
    from gcrm.tradearea import queries

    principal, con, scope = open_as(db, user)
    g = queries.customer_areas(con, service_point, shares, hull=hull,
                               months=_months(con, month_from, month_to), scope=scope)
    _layer_out(db, principal, "customers", service_point, g, fmt, out, gcj02)


@tradearea.command("huff")
@DB_OPTION
@USER_OPTION
@KIND_OPTION
@click.option("--alpha", default=1.0, show_default=True, type=EXPONENT,
              help="Attractiveness exponent.")
@click.option("--beta", default=2.0, show_default=True, type=EXPONENT,
              help="Distance-decay exponent.")
@click.option("--demand", type=click.Choice(["households", "resident", "customers"]),
              default="households", show_default=True, help="Demand per population cell.")
@HOUSEHOLD_OPTION
@click.option("--max-km", type=KM, default=None, help="Ignore service points farther away.")
@apply_options(LAYER_OUTPUT_OPTIONS)
@handle_errors
def huff_cmd(db, user, kinds, alpha, beta, demand, household_size, max_km, fmt, out,
             gcj02) -> None:
    """Huff model: expected customers per service point (--out writes the per-cell layer)."""
    from gcrm.tradearea import queries

    principal, con, scope = open_as(db, user)
    per_point, per_cell = queries.huff_shares(con, alpha, beta, kinds or None, demand,
                                              household_size, max_km, scope=scope)
    audit_action(db, principal, "tradearea.huff", None, alpha=alpha, beta=beta,
                 rows=len(per_point))
    _write(queries.points_layer(per_cell), out, gcj02, "huff")
    emit(per_point, fmt)


@tradearea.command("gaps")
@DB_OPTION
@USER_OPTION
@KIND_OPTION
@click.option("--km", type=KM, required=True, help="Service distance in km.")
@click.option("--limit", type=ROW_LIMIT, default=None,
              help="Show the N most populous gap cells.")
@apply_options(LAYER_OUTPUT_OPTIONS)
@handle_errors
def gaps_cmd(db, user, kinds, km, limit, fmt, out, gcj02) -> None:
    """Population cells with no service point within --km."""
    from gcrm.tradearea import queries

    principal, con, scope = open_as(db, user)
    df = queries.gaps(con, km, kinds or None, scope=scope)
    click.echo(f"{len(df):,} cells without a service point within {km:g} km: "
               f"{df['resident'].sum():,.0f} residents", err=True)
    _cells_out(db, principal, "gaps", df, km, limit, fmt, out, gcj02)


@tradearea.command("overlaps")
@DB_OPTION
@USER_OPTION
@KIND_OPTION
@click.option("--km", type=KM, required=True, help="Ring radius of each service point.")
@click.option("--limit", type=ROW_LIMIT, default=None)
@apply_options(LAYER_OUTPUT_OPTIONS)
@handle_errors
def overlaps_cmd(db, user, kinds, km, limit, fmt, out, gcj02) -> None:
    """Population cells inside the --km rings of two or more service points."""
    from gcrm.tradearea import queries

    principal, con, scope = open_as(db, user)
    df = queries.overlaps(con, km, kinds or None, scope=scope)
    click.echo(f"{len(df):,} cells within {km:g} km of two or more service points", err=True)
    _cells_out(db, principal, "overlaps", df, km, limit, fmt, out, gcj02)


@tradearea.command("sites")
@DB_OPTION
@USER_OPTION
@KIND_OPTION
@click.option("--k", "k", type=int, default=3, show_default=True, help="New sites to propose.")
@click.option("--km", type=KM, default=3.0, show_default=True, help="Coverage distance.")
@click.option("--weight", type=click.Choice(["resident", "floating", "population",
                                             "customers"]), default="resident",
              show_default=True)
@apply_options(LAYER_OUTPUT_OPTIONS)
@handle_errors
def sites_cmd(db, user, kinds, k, km, weight, fmt, out, gcj02) -> None:
    """Site selection: K new service points maximising covered demand (greedy MCLP)."""
    from gcrm.tradearea import queries

    principal, con, scope = open_as(db, user)
    r = queries.sites(con, k, km, weight, kinds or None, scope=scope)
    c = r.coverage.iloc[0]
    click.echo(f"{c['measure']}: before {c['before']:,.0f} ({c['before_share']:.1%}), after "
               f"{c['after']:,.0f} ({c['after_share']:.1%}) of {c['total']:,.0f}", err=True)
    audit_action(db, principal, "tradearea.sites", None, k=k, km=km, rows=len(r.sites))
    _write(queries.points_layer(r.sites), out, gcj02, "sites")
    emit(r.sites, fmt)


# --------------------------------------------------------------------------- inside an area
AREA_OPTIONS = (
    *CENTER_OPTIONS,
    click.option("--area", "area_file", type=click.Path(dir_okay=False, path_type=Path),
                 default=None, help="Polygon file (.geojson/.gpkg) defining the area."),
    click.option("--km", type=KM, default=None, help="Area = ring of this radius."),
    click.option("--minutes", type=FiniteRange(0, MAX_MINUTES, min_open=True), default=None,
                 help="Area = drive-time area."),
    click.option("--pbf", type=click.Path(dir_okay=False, path_type=Path), default=None,
                 envvar="GCRM_ROADS_PBF", help="Road network for --minutes."),
    click.option("--share", type=FiniteRange(0, 1, min_open=True), default=None,
                 help="Area = customer-derived area of --service-point (e.g. 0.7)."),
)


def _area(con, service_point, lon, lat, area_file, km, minutes, pbf, share, months):
    from gcrm.tradearea import queries

    return queries.area_from(con, geojson=area_file, service_point=service_point, lon=lon,
                             lat=lat, km=km, minutes=minutes, pbf=pbf, share=share,
                             months=months)


@tradearea.command("summary")
@DB_OPTION
@USER_OPTION
@apply_options(AREA_OPTIONS)
@apply_options(MONTH_OPTIONS)
@HOUSEHOLD_OPTION
@click.option("--part", type=click.Choice(["metrics", "classes", "channels", "cells"]),
              default="metrics", show_default=True, help="Which table to print.")
@FORMAT_OPTION
@handle_errors
def summary_cmd(db, user, service_point, lon, lat, area_file, km, minutes, pbf, share,
                month_from, month_to, household_size, part, fmt) -> None:
    """What lies inside an area, beside its district: customers, kWh, payments, arrears,
    outages, population, penetration, potential customers. For a role without read_pii,
    numbers describing fewer than min_cell customers are left empty."""
    from gcrm.cube.disclosure import min_cell_for
    from gcrm.tradearea import queries

    principal, con, scope = open_as(db, user)
    months = _months(con, month_from, month_to)
    area, label = _area(con, service_point, lon, lat, area_file, km, minutes, pbf, share, months)
    s = queries.area_summary(con, area, label, months, scope, household_size,
                             min_cell=min_cell_for(principal))
    click.echo(f"{label}; months {s.months[0]}..{s.months[1]}; compared with district "
               f"{s.district_id or '(none)'}", err=True)
    audit_action(db, principal, "tradearea.summary", label, customers=len(s.customer_ids),
                 suppressed=s.suppressed)
    table = {"metrics": s.metrics, "classes": s.by_class, "channels": s.by_channel,
             "cells": s.cells}[part].copy()
    hidden = {"metrics": ("area", "district"), "classes": ("by_class",),
              "channels": ("by_channel",), "cells": ("cells",)}[part]
    table.attrs["suppressed"] = sum(int(s.hidden[k].sum()) for k in hidden if k in s.hidden)
    emit(table, fmt)
    note_suppressed(table, s.min_cell, fmt)


@tradearea.command("targets")
@DB_OPTION
@USER_OPTION
@apply_options(AREA_OPTIONS)
@apply_options(MONTH_OPTIONS)
@click.option("--segment", type=click.Choice(["counter_payers", "big_unvisited"]),
              required=True)
@click.option("--min-counter-share", default=0.5, show_default=True, type=FiniteRange(0, 1),
              help="counter_payers: share of payments at a counter above this.")
@click.option("--visit-months", default=6, show_default=True, type=click.IntRange(1, 120),
              help="big_unvisited: no visit in this many months.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the list to a .csv or .xlsx file (needs the export permission).")
@FORMAT_OPTION
@handle_errors
def targets_cmd(db, user, service_point, lon, lat, area_file, km, minutes, pbf, share,
                month_from, month_to, segment, min_counter_share, visit_months, out,
                fmt) -> None:
    """Campaign target list: customers inside an area in a segment (PII masked per role)."""
    from gcrm.tradearea import queries

    principal, con, scope = open_as(db, user, "read_customers")
    if out is not None and principal is not None and not principal.can("export"):
        raise BadInput(f"role {principal.role_name!r} may not download lists and reports")
    months = _months(con, month_from, month_to)
    area, label = _area(con, service_point, lon, lat, area_file, km, minutes, pbf, share, months)
    mask = principal is not None and not principal.can("read_pii")
    df = queries.targets(con, area, segment, months, scope, mask=mask,
                         min_counter_share=min_counter_share, visit_months=visit_months)
    audit_action(db, principal, "tradearea.targets", label, segment=segment, rows=len(df),
                 masked=mask, out=str(out) if out else None)
    if out is not None:
        suffix = out.suffix.lower()
        if suffix not in (".csv", ".xlsx"):
            raise BadInput(f"cannot write {out.name}: use a .csv or .xlsx file name")
        out.parent.mkdir(parents=True, exist_ok=True)
        from gcrm.security.exports import csv_bytes, xlsx_bytes

        out.write_bytes(csv_bytes(df) if suffix == ".csv" else xlsx_bytes(df, segment))
        click.echo(f"wrote {len(df):,} customers to {out}", err=True)
        return
    emit(df, fmt)


# --------------------------------------------------------------------------- export
@tradearea.command("export")
@DB_OPTION
@USER_OPTION
@click.option("--layer", type=click.Choice(["rings", "drivetime", "voronoi", "customers",
                                            "huff", "gaps", "overlaps", "sites"]),
              required=True)
@apply_options(CENTER_OPTIONS)
@click.option("--km", default="3", show_default=True, callback=_numbers(MAX_KM),
              help="rings: radii; gaps/overlaps/sites: distance (km).")
@click.option("--minutes", default="5,10,15", show_default=True,
              callback=_numbers(MAX_MINUTES), help="drivetime: minutes.")
@click.option("--pbf", type=click.Path(dir_okay=False, path_type=Path), default=None,
              envvar="GCRM_ROADS_PBF")
@click.option("--shares", default="0.5,0.7,0.9", show_default=True, callback=_numbers(1),
              help="customers: shares.")
@click.option("--k", "k", type=int, default=3, show_default=True, help="sites: how many.")
@KIND_OPTION
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help=".geojson or .gpkg")
@click.option("--gcj02", is_flag=True, help="Write GCJ-02 coordinates.")
@handle_errors
def export_cmd(db, user, layer, service_point, lon, lat, km, minutes, pbf, shares, k, kinds,
               out, gcj02) -> None:
    """Write one trade-area layer as GeoJSON or GeoPackage (WGS-84, or GCJ-02)."""
    from gcrm.tradearea import queries

    principal, con, scope = open_as(db, user)
    kinds = kinds or None
    if layer in ("rings", "drivetime"):
        x, y, _ = queries.resolve_center(con, service_point, lon, lat)
        g = (queries.rings(con, x, y, km, scope=scope) if layer == "rings"
             else queries.drive_time(con, x, y, minutes, pbf=pbf, scope=scope, annotate=True))
    elif layer == "voronoi":
        g = queries.proximity_areas(con, kinds, scope=scope)
    elif layer == "customers":
        if not service_point:
            raise BadInput("--layer customers needs --service-point")
        g = queries.customer_areas(con, service_point, shares, scope=scope)
    elif layer == "huff":
        g = queries.points_layer(queries.huff_shares(con, kinds=kinds, scope=scope)[1])
    else:
        dist = km[0]
        df = (queries.gaps(con, dist, kinds, scope) if layer == "gaps" else
              queries.overlaps(con, dist, kinds, scope) if layer == "overlaps" else
              queries.sites(con, k, dist, kinds=kinds, scope=scope).sites)
        g = queries.points_layer(df)
    path = queries.export_layer(g, out, "gcj02" if gcj02 else "wgs84", layer=layer)
    audit_action(db, principal, "tradearea.export", str(path), layer=layer, rows=len(g))
    click.echo(f"wrote {len(g):,} features of layer {layer} to {path} "
               f"({'GCJ-02' if gcj02 else 'WGS-84'})")


COMMANDS = (tradearea,)
