"""``gcrm tradearea ...``: trading-area analysis (docs/trade-areas.md). Options only; the work
is in :mod:`gcrm.tradearea.queries`."""

from __future__ import annotations

from pathlib import Path

import click

from gcrm.cli.common import (
    DB_OPTION,
    USER_OPTION,
    BadInput,
    audit_action,
    emit,
    handle_errors,
    principal_for,
)
from gcrm.vocab import SERVICE_POINT_KINDS

FORMAT_OPTION = click.option("--format", "fmt", type=click.Choice(["csv", "json", "table"]),
                             default="table", show_default=True)
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
    click.option("--lon", type=float, default=None, help="Longitude (WGS-84)."),
    click.option("--lat", type=float, default=None, help="Latitude (WGS-84)."),
)
OUT_OPTIONS = (
    click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
                 help="Also write the layer (.geojson or .gpkg)."),
    click.option("--gcj02", is_flag=True, help="Write GCJ-02 coordinates (Chinese web maps)."),
)


def _apply(options):
    def deco(fn):
        for opt in reversed(options):
            fn = opt(fn)
        return fn
    return deco


def _floats(text: str, what: str) -> list[float]:
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise BadInput(f"malformed {what} {text!r}: expected numbers separated by commas") \
            from None


def _open(db: Path, user: str | None, permission: str = "read_aggregates"):
    from gcrm.storage import warehouse

    principal = principal_for(db, user, permission)
    con = warehouse.connect(db, read_only=True)
    return principal, con, (principal.scope if principal else None)


def _months(con, month_from, month_to):
    if not (month_from or month_to):
        return None
    from gcrm import cube

    first, last = cube.month_range(con, 12)
    return month_from or first, month_to or last


def _write(gdf, out: Path | None, gcj02: bool, layer: str) -> None:
    if out is not None:
        from gcrm.tradearea import queries as T

        T.export_layer(gdf, out, "gcj02" if gcj02 else "wgs84", layer=layer)
        click.echo(f"wrote {out} ({'GCJ-02' if gcj02 else 'WGS-84'})", err=True)


def _table(gdf):
    return gdf.drop(columns=[gdf.geometry.name]) if hasattr(gdf, "geometry") else gdf


@click.group()
def tradearea() -> None:
    """Trading areas: rings, drive times, proximity, Huff, summaries, sites, target lists."""


# --------------------------------------------------------------------------- layers
@tradearea.command("rings")
@DB_OPTION
@USER_OPTION
@_apply(CENTER_OPTIONS)
@click.option("--km", default="1,3,5", show_default=True, help="Radii in km, comma-separated.")
@click.option("--bands", is_flag=True, help="Annular bands instead of whole disks.")
@FORMAT_OPTION
@_apply(OUT_OPTIONS)
@handle_errors
def rings_cmd(db, user, service_point, lon, lat, km, bands, fmt, out, gcj02) -> None:
    """Geodesic rings around a service point or a point, with customers and population."""
    from gcrm.tradearea import queries as T

    principal, con, scope = _open(db, user)
    x, y, label = T.resolve_center(con, service_point, lon, lat)
    g = T.rings(con, x, y, _floats(km, "--km"), bands=bands, scope=scope)
    audit_action(db, principal, "tradearea.rings", label, rows=len(g))
    _write(g, out, gcj02, "rings")
    emit(_table(g), fmt)


@tradearea.command("drivetime")
@DB_OPTION
@USER_OPTION
@_apply(CENTER_OPTIONS)
@click.option("--minutes", default="5,10,15", show_default=True,
              help="Drive times in minutes, comma-separated.")
@click.option("--pbf", type=click.Path(dir_okay=False, path_type=Path), default=None,
              envvar="GCRM_ROADS_PBF", help="OpenStreetMap .osm.pbf with the roads "
              "[$GCRM_ROADS_PBF]; without it: distance bands at 30 km/h.")
@FORMAT_OPTION
@_apply(OUT_OPTIONS)
@handle_errors
def drivetime_cmd(db, user, service_point, lon, lat, minutes, pbf, fmt, out, gcj02) -> None:
    """Drive-time areas along the road network (fallback: distance bands, with a note)."""
    from gcrm.tradearea import queries as T

    principal, con, scope = _open(db, user)
    x, y, label = T.resolve_center(con, service_point, lon, lat)
    g = T.drive_time(con, x, y, _floats(minutes, "--minutes"), pbf=pbf, scope=scope,
                     annotate=True)
    if (g["method"] == "distance_fallback").any():
        click.echo(f"note: {g['note'].iloc[0]}", err=True)
    audit_action(db, principal, "tradearea.drivetime", label, rows=len(g))
    _write(g, out, gcj02, "drivetime")
    emit(_table(g).drop(columns=["note"]), fmt)


@tradearea.command("voronoi")
@DB_OPTION
@USER_OPTION
@KIND_OPTION
@FORMAT_OPTION
@_apply(OUT_OPTIONS)
@handle_errors
def voronoi_cmd(db, user, kinds, fmt, out, gcj02) -> None:
    """Proximity (nearest service point) areas clipped to the regions."""
    from gcrm.tradearea import queries as T

    principal, con, scope = _open(db, user)
    g = T.proximity_areas(con, kinds or None, scope=scope)
    audit_action(db, principal, "tradearea.voronoi", None, rows=len(g))
    _write(g, out, gcj02, "voronoi")
    emit(_table(g), fmt)


@tradearea.command("customers")
@DB_OPTION
@USER_OPTION
@click.option("--service-point", "service_point", required=True, help="Service point id.")
@click.option("--shares", default="0.5,0.7,0.9", show_default=True,
              help="Shares of the paying customers, comma-separated.")
@click.option("--hull", type=click.Choice(["convex", "concave"]), default="convex",
              show_default=True)
@_apply(MONTH_OPTIONS)
@FORMAT_OPTION
@_apply(OUT_OPTIONS)
@handle_errors
def customers_cmd(db, user, service_point, shares, hull, month_from, month_to, fmt, out,
                  gcj02) -> None:
    """Customer-derived trade areas: hull of the nearest 50/70/90 % of a hall's payers."""
    from gcrm.tradearea import queries as T

    principal, con, scope = _open(db, user)
    g = T.customer_areas(con, service_point, _floats(shares, "--shares"), hull=hull,
                         months=_months(con, month_from, month_to), scope=scope)
    audit_action(db, principal, "tradearea.customers", service_point, rows=len(g))
    _write(g, out, gcj02, "customers")
    emit(_table(g), fmt)


@tradearea.command("huff")
@DB_OPTION
@USER_OPTION
@KIND_OPTION
@click.option("--alpha", default=1.0, show_default=True, help="Attractiveness exponent.")
@click.option("--beta", default=2.0, show_default=True, help="Distance-decay exponent.")
@click.option("--demand", type=click.Choice(["households", "resident", "customers"]),
              default="households", show_default=True, help="Demand per population cell.")
@click.option("--household-size", default=2.6, show_default=True, type=float)
@click.option("--max-km", type=float, default=None, help="Ignore service points farther away.")
@FORMAT_OPTION
@_apply(OUT_OPTIONS)
@handle_errors
def huff_cmd(db, user, kinds, alpha, beta, demand, household_size, max_km, fmt, out,
             gcj02) -> None:
    """Huff model: expected customers per service point (--out writes the per-cell layer)."""
    from gcrm.tradearea import queries as T

    principal, con, scope = _open(db, user)
    per_point, per_cell = T.huff_shares(con, alpha, beta, kinds or None, demand,
                                        household_size, max_km, scope=scope)
    audit_action(db, principal, "tradearea.huff", None, alpha=alpha, beta=beta,
                 rows=len(per_point))
    _write(T.points_layer(per_cell), out, gcj02, "huff")
    emit(per_point, fmt)


@tradearea.command("gaps")
@DB_OPTION
@USER_OPTION
@KIND_OPTION
@click.option("--km", type=float, required=True, help="Service distance in km.")
@click.option("--limit", type=int, default=None, help="Show the N most populous gap cells.")
@FORMAT_OPTION
@_apply(OUT_OPTIONS)
@handle_errors
def gaps_cmd(db, user, kinds, km, limit, fmt, out, gcj02) -> None:
    """Population cells with no service point within --km."""
    from gcrm.tradearea import queries as T

    principal, con, scope = _open(db, user)
    df = T.gaps(con, km, kinds or None, scope=scope)
    click.echo(f"{len(df):,} cells without a service point within {km:g} km: "
               f"{df['resident'].sum():,.0f} residents", err=True)
    audit_action(db, principal, "tradearea.gaps", None, km=km, rows=len(df))
    _write(T.points_layer(df), out, gcj02, "gaps")
    emit(df.head(limit) if limit else df, fmt)


@tradearea.command("overlaps")
@DB_OPTION
@USER_OPTION
@KIND_OPTION
@click.option("--km", type=float, required=True, help="Ring radius of each service point.")
@click.option("--limit", type=int, default=None)
@FORMAT_OPTION
@_apply(OUT_OPTIONS)
@handle_errors
def overlaps_cmd(db, user, kinds, km, limit, fmt, out, gcj02) -> None:
    """Population cells inside the --km rings of two or more service points."""
    from gcrm.tradearea import queries as T

    principal, con, scope = _open(db, user)
    df = T.overlaps(con, km, kinds or None, scope=scope)
    click.echo(f"{len(df):,} cells within {km:g} km of two or more service points", err=True)
    audit_action(db, principal, "tradearea.overlaps", None, km=km, rows=len(df))
    _write(T.points_layer(df), out, gcj02, "overlaps")
    emit(df.head(limit) if limit else df, fmt)


@tradearea.command("sites")
@DB_OPTION
@USER_OPTION
@KIND_OPTION
@click.option("--k", "k", type=int, default=3, show_default=True, help="New sites to propose.")
@click.option("--km", type=float, default=3.0, show_default=True, help="Coverage distance.")
@click.option("--weight", type=click.Choice(["resident", "floating", "population",
                                             "customers"]), default="resident",
              show_default=True)
@FORMAT_OPTION
@_apply(OUT_OPTIONS)
@handle_errors
def sites_cmd(db, user, kinds, k, km, weight, fmt, out, gcj02) -> None:
    """Site selection: K new service points maximising covered demand (greedy MCLP)."""
    from gcrm.tradearea import queries as T

    principal, con, scope = _open(db, user)
    r = T.sites(con, k, km, weight, kinds or None, scope=scope)
    c = r.coverage.iloc[0]
    click.echo(f"{c['measure']}: before {c['before']:,.0f} ({c['before_share']:.1%}), after "
               f"{c['after']:,.0f} ({c['after_share']:.1%}) of {c['total']:,.0f}", err=True)
    audit_action(db, principal, "tradearea.sites", None, k=k, km=km, rows=len(r.sites))
    _write(T.points_layer(r.sites), out, gcj02, "sites")
    emit(r.sites, fmt)


# --------------------------------------------------------------------------- inside an area
AREA_OPTIONS = (
    *CENTER_OPTIONS,
    click.option("--area", "area_file", type=click.Path(dir_okay=False, path_type=Path),
                 default=None, help="Polygon file (.geojson/.gpkg) defining the area."),
    click.option("--km", type=float, default=None, help="Area = ring of this radius."),
    click.option("--minutes", type=float, default=None, help="Area = drive-time area."),
    click.option("--pbf", type=click.Path(dir_okay=False, path_type=Path), default=None,
                 envvar="GCRM_ROADS_PBF", help="Road network for --minutes."),
    click.option("--share", type=float, default=None,
                 help="Area = customer-derived area of --service-point (e.g. 0.7)."),
)


def _area(con, service_point, lon, lat, area_file, km, minutes, pbf, share, months):
    from gcrm.tradearea import queries as T

    return T.area_from(con, geojson=area_file, service_point=service_point, lon=lon, lat=lat,
                       km=km, minutes=minutes, pbf=pbf, share=share, months=months)


@tradearea.command("summary")
@DB_OPTION
@USER_OPTION
@_apply(AREA_OPTIONS)
@_apply(MONTH_OPTIONS)
@click.option("--household-size", default=2.6, show_default=True, type=float)
@click.option("--part", type=click.Choice(["metrics", "classes", "channels", "cells"]),
              default="metrics", show_default=True, help="Which table to print.")
@FORMAT_OPTION
@handle_errors
def summary_cmd(db, user, service_point, lon, lat, area_file, km, minutes, pbf, share,
                month_from, month_to, household_size, part, fmt) -> None:
    """What lies inside an area, beside its district: customers, kWh, payments, arrears,
    outages, population, penetration, potential customers."""
    from gcrm.tradearea import queries as T

    principal, con, scope = _open(db, user)
    months = _months(con, month_from, month_to)
    area, label = _area(con, service_point, lon, lat, area_file, km, minutes, pbf, share, months)
    s = T.area_summary(con, area, label, months, scope, household_size)
    click.echo(f"{label}; months {s.months[0]}..{s.months[1]}; compared with district "
               f"{s.district_id or '(none)'}", err=True)
    audit_action(db, principal, "tradearea.summary", label, customers=len(s.customer_ids))
    emit({"metrics": s.metrics, "classes": s.by_class, "channels": s.by_channel,
          "cells": s.cells}[part], fmt)


@tradearea.command("targets")
@DB_OPTION
@USER_OPTION
@_apply(AREA_OPTIONS)
@_apply(MONTH_OPTIONS)
@click.option("--segment", type=click.Choice(["counter_payers", "big_unvisited"]),
              required=True)
@click.option("--min-counter-share", default=0.5, show_default=True, type=float,
              help="counter_payers: share of payments at a counter above this.")
@click.option("--visit-months", default=6, show_default=True, type=int,
              help="big_unvisited: no visit in this many months.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the list to a .csv or .xlsx file (needs the export permission).")
@FORMAT_OPTION
@handle_errors
def targets_cmd(db, user, service_point, lon, lat, area_file, km, minutes, pbf, share,
                month_from, month_to, segment, min_counter_share, visit_months, out,
                fmt) -> None:
    """Campaign target list: customers inside an area in a segment (PII masked per role)."""
    from gcrm.tradearea import queries as T

    principal, con, scope = _open(db, user, "read_customers")
    if out is not None and principal is not None and not principal.can("export"):
        raise BadInput(f"role {principal.role_name!r} may not download lists and reports")
    months = _months(con, month_from, month_to)
    area, label = _area(con, service_point, lon, lat, area_file, km, minutes, pbf, share, months)
    mask = principal is not None and not principal.can("read_pii")
    df = T.targets(con, area, segment, months, scope, mask=mask,
                   min_counter_share=min_counter_share, visit_months=visit_months)
    audit_action(db, principal, "tradearea.targets", label, segment=segment, rows=len(df),
                 masked=mask, out=str(out) if out else None)
    if out is not None:
        suffix = out.suffix.lower()
        if suffix not in (".csv", ".xlsx"):
            raise BadInput(f"cannot write {out.name}: use a .csv or .xlsx file name")
        out.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".csv":
            df.to_csv(out, index=False, encoding="utf-8-sig")
        else:
            df.to_excel(out, index=False, sheet_name=segment)
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
@_apply(CENTER_OPTIONS)
@click.option("--km", default="3", show_default=True,
              help="rings: radii; gaps/overlaps/sites: distance (km).")
@click.option("--minutes", default="5,10,15", show_default=True, help="drivetime: minutes.")
@click.option("--pbf", type=click.Path(dir_okay=False, path_type=Path), default=None,
              envvar="GCRM_ROADS_PBF")
@click.option("--shares", default="0.5,0.7,0.9", show_default=True, help="customers: shares.")
@click.option("--k", "k", type=int, default=3, show_default=True, help="sites: how many.")
@KIND_OPTION
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help=".geojson or .gpkg")
@click.option("--gcj02", is_flag=True, help="Write GCJ-02 coordinates.")
@handle_errors
def export_cmd(db, user, layer, service_point, lon, lat, km, minutes, pbf, shares, k, kinds,
               out, gcj02) -> None:
    """Write one trade-area layer as GeoJSON or GeoPackage (WGS-84, or GCJ-02)."""
    from gcrm.tradearea import queries as T

    principal, con, scope = _open(db, user)
    kinds = kinds or None
    if layer in ("rings", "drivetime"):
        x, y, _ = T.resolve_center(con, service_point, lon, lat)
        g = (T.rings(con, x, y, _floats(km, "--km"), scope=scope) if layer == "rings" else
             T.drive_time(con, x, y, _floats(minutes, "--minutes"), pbf=pbf, scope=scope,
                          annotate=True))
    elif layer == "voronoi":
        g = T.proximity_areas(con, kinds, scope=scope)
    elif layer == "customers":
        if not service_point:
            raise BadInput("--layer customers needs --service-point")
        g = T.customer_areas(con, service_point, _floats(shares, "--shares"), scope=scope)
    elif layer == "huff":
        g = T.points_layer(T.huff_shares(con, kinds=kinds, scope=scope)[1])
    else:
        dist = _floats(km, "--km")[0]
        df = (T.gaps(con, dist, kinds, scope) if layer == "gaps" else
              T.overlaps(con, dist, kinds, scope) if layer == "overlaps" else
              T.sites(con, k, dist, kinds=kinds, scope=scope).sites)
        g = T.points_layer(df)
    path = T.export_layer(g, out, "gcj02" if gcj02 else "wgs84", layer=layer)
    audit_action(db, principal, "tradearea.export", str(path), layer=layer, rows=len(g))
    click.echo(f"wrote {len(g):,} features of layer {layer} to {path} "
               f"({'GCJ-02' if gcj02 else 'WGS-84'})")


COMMANDS = (tradearea,)
