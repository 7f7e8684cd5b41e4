"""The report model: every number of an area report, assembled once.

:func:`build` asks :mod:`gcrm.cube` (``query``/``compare``) and :mod:`gcrm.outages.reliability`
(``indices``) for one region (``scope=[region_id]``) and one period, and returns a
:class:`ReportModel` of DataFrames and GeoDataFrames. The PDF, XLSX and GIS writers only
render this model, so the three formats always show the same numbers.

Examples
--------
>>> from gcrm.reports import build, parse_period  # doctest: +SKIP
>>> model = build(con, "220502", parse_period("2026-Q3"), principal=None, lang="zh-CN")
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb
import geopandas as gpd
import pandas as pd

from gcrm import cube
from gcrm.outages import reliability as rel
from gcrm.reports.period import Period
from gcrm.security.masking import mask_frame
from gcrm.spatial import h3cells
from gcrm.storage import regions, warehouse
from gcrm.storage.quality import quality_report
from gcrm.vocab import SERVICE_POINT_KINDS

#: the KPI summary, in the order shown
KPI_MEASURES = ("customers", "kwh", "amount", "paid", "arrears", "collection_rate",
                "online_share")
#: measures of the sub-area layer (districts or grid cells)
AREA_MEASURES = ("customers", "kwh", "amount", "paid", "arrears", "collection_rate")
#: the reliability indices shown (columns of :func:`gcrm.outages.reliability.indices`)
RELIABILITY_COLUMNS = ("customers_served", "saifi", "saidi", "caidi", "asai", "maifi",
                       "aihc_hours", "rs_pct")
TOP_N = 20
WGS84 = "EPSG:4326"


class ReportError(ValueError):
    """Bad report input (unknown region, a region out of scope, a period without data)."""


@dataclass
class ReportModel:
    region_id: str
    region_name: str
    region_level: str  # city | district
    parent_id: str | None
    period: Period
    lang: str
    user: str | None
    loaded_at: str | None
    generated_at: str
    months_with_data: list[str]
    #: measure, value, prev (previous period), prev_change, yoy (same period last year),
    #: yoy_change; the comparison columns are NaN when that period lacks data
    kpis: pd.DataFrame
    previous: Period
    last_year: Period
    previous_complete: bool
    last_year_complete: bool
    trend: pd.DataFrame  # month, kwh, amount, paid, customers, kwh_prev (same month last year)
    class_mix: pd.DataFrame  # customer_class, customers, kwh, amount, kwh_share
    channels: pd.DataFrame  # channel, payments, paid, paid_share
    arrears: pd.DataFrame  # customer_class, amount, paid, arrears, collection_rate
    reliability_year: int | None
    reliability: pd.DataFrame  # basis (all / excluding planned) + RELIABILITY_COLUMNS
    outage_areas: pd.DataFrame  # area, customers_served, saifi, saidi, ... per sub-area
    area_level: str  # district | grid: the level below the region
    areas: pd.DataFrame  # area, name, AREA_MEASURES
    service_points: pd.DataFrame  # service_point_id, name, kind, lon, lat, customers, kwh
    trade: dict[str, float]  # service_points, customers, residents, per_service_point, ...
    top_customers: pd.DataFrame | None  # None: the role may not see customer rows
    customers: pd.DataFrame | None  # every customer of the region (GIS layer), masked
    masked: bool
    top_n: int
    payments_total: float  # payments (count) in the period: the channel table's total
    quality: dict[str, Any]
    boundary: gpd.GeoDataFrame  # the region (full resolution)
    context: gpd.GeoDataFrame  # the districts around it (for the cover map)
    area_shapes: gpd.GeoDataFrame  # geometry of ``areas`` (area, geometry)
    notes: list[str] = field(default_factory=list)

    @property
    def filters(self) -> str:
        """The slice this report shows, for footers and metadata."""
        return f"region={self.region_id}; period={self.period.label} " \
               f"({self.period.first}..{self.period.last})"

    def kpi(self, name: str) -> float:
        row = self.kpis.loc[self.kpis["measure"] == name]
        return float(row["value"].iloc[0]) if len(row) else math.nan

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table of the report by section key (what the XLSX writer writes)."""
        out = {"kpi": self.kpis, "trend": self.trend, "class_mix": self.class_mix,
               "channels": self.channels, "arrears": self.arrears,
               "reliability": self.reliability, "outage_areas": self.outage_areas,
               "areas": self.areas, "service_points": self.service_points}
        if self.top_customers is not None:
            out["top_customers"] = self.top_customers
        return out

    def totals(self) -> dict[str, float]:
        """Total-row values: the cube's totals for the region and period (the KPI query)."""
        out = {r.measure: r.value for r in self.kpis.itertuples(index=False)}
        out.update({"kwh_share": 1.0, "paid_share": 1.0, "payments": self.payments_total})
        return out

    def row_count(self) -> int:
        return sum(len(df) for df in self.tables().values())


# --------------------------------------------------------------------------- helpers
def region_info(con: duckdb.DuckDBPyConnection, region_id: str) -> tuple[str, str, str | None]:
    """(name, level, parent_id) of a region; :class:`ReportError` when unknown."""
    row = con.execute("SELECT name, level, parent_id FROM dim_region WHERE region_id = ?",
                      [region_id]).fetchone()
    if row is None:
        known = con.execute("SELECT string_agg(region_id || ' ' || name, ', ' ORDER BY "
                            "region_id) FROM dim_region WHERE level IN ('city', 'district')"
                            ).fetchone()[0]
        raise ReportError(f"unknown region {region_id!r}; known regions: {known or 'none'}")
    name, level, parent = row
    if level not in ("city", "district"):
        raise ReportError(f"region {region_id} is a {level}; reports cover a city or a district")
    return name, level, parent


def check_scope(con: duckdb.DuckDBPyConnection, region_id: str,
                scope: tuple[str, ...] | None) -> None:
    """A scoped user may report on a region of their scope or a district of a city in it."""
    if scope is None:
        return
    _, _, parent = region_info(con, region_id)
    if region_id not in scope and parent not in scope:
        raise ReportError(f"region {region_id} is outside your regions "
                          f"({', '.join(scope) or 'none'})")


def _months_with_data(con, period: Period, scope: list[str]) -> list[str]:
    return cube.months_with_data(con, period.months, scope=scope)


def _share(df: pd.DataFrame, col: str) -> pd.Series:
    total = df[col].sum()
    return df[col] / total if total else df[col] * math.nan


def _h3_shapes(cells: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"area": cells}, geometry=[h3cells.polygon(c) for c in cells],
                            crs=WGS84)


def _regions_gdf(con, level: str, parent: str | None = None,
                 simplified: bool = True) -> gpd.GeoDataFrame:
    fc = regions.regions_geojson(con, level, simplified=simplified, parent=parent)
    if not fc["features"]:
        return gpd.GeoDataFrame({"region_id": [], "name": []}, geometry=[], crs=WGS84)
    return gpd.GeoDataFrame.from_features(fc["features"], crs=WGS84)


# --------------------------------------------------------------------------- build
def build(con: duckdb.DuckDBPyConnection, region_id: str, period: Period, principal=None,
          lang: str = "en", top_n: int = TOP_N) -> ReportModel:
    """Assemble the report model of ``region_id`` for ``period`` as ``principal`` sees it.

    ``principal`` None is the local operator (everything, unmasked). Raises
    :class:`ReportError` for an unknown region, a region outside the user's scope or a
    period without consumption data in the region.
    """
    name, level, parent = region_info(con, region_id)
    check_scope(con, region_id, principal.scope if principal else None)
    scope = [region_id]
    have = _months_with_data(con, period, scope)
    if not have:
        all_months = cube.months(con)
        first, last = (all_months[0], all_months[-1]) if all_months else ('–', '–')
        raise ReportError(f"no consumption data for {region_id} {name} in {period.label}; "
                          f"the warehouse covers {first}..{last}")
    notes: list[str] = []
    prev_p, ly_p = period.previous(), period.last_year()
    kpis = cube.period_kpis(con, list(KPI_MEASURES), period.months, scope=scope)
    prev_ok, ly_ok = kpis.attrs["previous_complete"], kpis.attrs["last_year_complete"]
    payments_total = float(cube.query(con, ["payments"], months=period.months,
                                      scope=scope)["payments"].iloc[0])

    trend = cube.compare(con, ["kwh", "amount", "paid", "customers"], by=["month"],
                         months=period.months, kind="yoy", scope=scope)
    trend = trend[["month", "kwh", "amount", "paid", "customers", "kwh_prev"]]
    trend = trend[trend["month"].isin(have)].reset_index(drop=True)

    class_mix = cube.query(con, ["customers", "kwh", "amount"], by=["customer_class"],
                           months=period.months, scope=scope, order_by="-kwh")
    class_mix["kwh_share"] = _share(class_mix, "kwh")

    channels = cube.query(con, ["payments", "paid"], by=["channel"], months=period.months,
                          scope=scope, order_by="-paid")
    channels["paid_share"] = _share(channels, "paid")

    arrears = cube.query(con, ["amount", "paid", "arrears", "collection_rate"],
                         by=["customer_class"], months=period.months, scope=scope,
                         order_by="-arrears")

    # reliability over the report's months (IEEE 1366 over any reporting period)
    area_level = "grid" if level == "district" else "district"
    with_outages = set(rel.years(con)) & set(range(int(period.first[:4]), period.year + 1))
    rel_year = period.year if with_outages else None
    rel_rows = []
    outage_areas = pd.DataFrame(columns=["area", *RELIABILITY_COLUMNS])
    if rel_year is not None:
        for basis, excl in (("all", False), ("excluding_planned", True)):
            df = rel.indices(con, rel_year, level, exclude_planned=excl, scope=scope,
                             months=period.months)
            row = df.loc[df[level] == region_id]
            if len(row):
                rel_rows.append({"basis": basis, **{c: float(row[c].iloc[0])
                                                    for c in RELIABILITY_COLUMNS}})
        oa = rel.indices(con, rel_year, area_level, scope=scope, months=period.months)
        oa = oa.rename(columns={area_level: "area"})
        outage_areas = oa.loc[oa["area"].notna(), ["area", *RELIABILITY_COLUMNS]]
        outage_areas = outage_areas.sort_values("saidi", ascending=False).reset_index(drop=True)
    else:
        notes.append("no_outages")
    reliability = pd.DataFrame(rel_rows, columns=["basis", *RELIABILITY_COLUMNS])

    # sub-areas: the districts of a city, the H3 grid cells of a district
    areas = cube.query(con, list(AREA_MEASURES), by=[area_level], months=period.months,
                       scope=scope, order_by="-kwh").rename(columns={area_level: "area"})
    areas = areas[areas["area"].notna()].reset_index(drop=True)
    names = regions.region_names(con)
    if area_level == "district":
        areas.insert(1, "name", areas["area"].map(names))
        shapes = _regions_gdf(con, "district", parent=region_id, simplified=False)
        shapes = shapes.rename(columns={"region_id": "area"})[["area", "geometry"]]
    else:
        shapes = _h3_shapes(areas["area"].tolist())

    # trading area: service points in the region, customers per point, penetration
    sp = con.execute(
        "SELECT service_point_id, name, kind, lon, lat, district_id FROM dim_service_point "
        "WHERE district_id = ? OR city_id = ? ORDER BY kind, service_point_id",
        [region_id, region_id]).df()
    per_sp = cube.query(con, ["customers", "kwh"], by=["service_point"], months=period.months,
                        scope=scope).rename(columns={"service_point": "service_point_id"})
    service_points = sp.merge(per_sp, on="service_point_id", how="left")
    service_points[["customers", "kwh"]] = service_points[["customers", "kwh"]].fillna(0.0)
    residents = con.execute(
        "SELECT coalesce(sum(resident), 0) FROM population_grid "
        "WHERE district_id = ? OR city_id = ?", [region_id, region_id]).fetchone()[0]
    customers_total = float(kpis.loc[kpis["measure"] == "customers", "value"].iloc[0])
    homed = float(per_sp.loc[per_sp["service_point_id"].isin(sp["service_point_id"]),
                             "customers"].sum())
    n_sp = len(sp)
    trade = {
        "service_points": float(n_sp),
        **{f"service_points_{k}": float((sp["kind"] == k).sum())
           for k in SERVICE_POINT_KINDS},
        "customers": customers_total,
        "customers_homed_here": homed,
        "residents": float(residents),
        "customers_per_service_point": customers_total / n_sp if n_sp else math.nan,
        "penetration_per_1000": customers_total * 1000 / residents if residents else math.nan,
    }

    # customers: only for roles that may see customer rows; masked without read_pii
    see_rows = principal is None or principal.can("read_customers")
    masked = principal is not None and not principal.can("read_pii")
    top = customers = None
    if see_rows:
        top = cube.query(con, ["kwh", "amount", "paid", "arrears"], by=["customer"],
                         months=period.months, scope=scope, order_by="-kwh", limit=top_n)
        ids = top["customer"].tolist()
        attrs = con.execute(
            "SELECT customer_id AS customer, name, customer_class, tariff, address "
            "FROM dim_customer WHERE list_contains(?, customer_id)", [ids]).df()
        top = top.merge(attrs, on="customer", how="left")[
            ["customer", "name", "customer_class", "tariff", "address", "kwh", "amount", "paid",
             "arrears"]]
        per_c = cube.query(con, ["kwh", "amount", "paid"], by=["customer"],
                           months=period.months, scope=scope)
        customers = con.execute(
            "SELECT customer_id AS customer, name, customer_class, tariff, big_customer, "
            "phone, address, lon, lat, district_id, grid_id, feeder_id, service_point_id "
            "FROM dim_customer WHERE (district_id = ? OR city_id = ?) AND lon IS NOT NULL "
            "AND lat IS NOT NULL ORDER BY customer_id", [region_id, region_id]).df()
        customers = customers.merge(per_c, on="customer", how="left")
        if masked:
            top, customers = mask_frame(top), mask_frame(customers)

    # data quality
    q = quality_report(con, limit=5, scope=scope)
    status = dict(zip(q.by_status["locate_status"], q.by_status["customers"], strict=True))
    quality: dict[str, Any] = {
        "customers_on_record": int(q.customers),
        "customers_with_consumption": int(customers_total),
        "duplicate_groups": len(q.duplicates),
        "rejected_rows_last_load": int(q.rejects["rows"].sum()) if len(q.rejects) else 0,
        "months_in_period": period.n_months,
        "months_with_data": len(have),
        "locate_status": status,
    }
    if principal is None or principal.scope is None:  # warehouse-wide figure: unscoped only
        everywhere = quality_report(con, limit=1)
        quality["unlocated_warehouse"] = int(
            everywhere.by_status.loc[everywhere.by_status["locate_status"] != "ok",
                                     "customers"].sum())
    if len(have) < period.n_months:
        notes.append("partial_period")

    boundary = _regions_gdf(con, level, simplified=False)
    boundary = boundary[boundary["region_id"] == region_id].reset_index(drop=True)
    city = region_id if level == "city" else parent
    context = _regions_gdf(con, "district", parent=city)

    return ReportModel(
        region_id=region_id, region_name=name, region_level=level, parent_id=parent,
        period=period, lang=lang, user=principal.name if principal else None,
        loaded_at=warehouse.get_meta(con, "loaded_at"),
        generated_at=datetime.now().isoformat(timespec="seconds"),
        months_with_data=have, kpis=kpis, previous=prev_p, last_year=ly_p,
        previous_complete=prev_ok, last_year_complete=ly_ok, trend=trend,
        class_mix=class_mix, channels=channels, arrears=arrears, reliability_year=rel_year,
        reliability=reliability, outage_areas=outage_areas, area_level=area_level,
        areas=areas, service_points=service_points, trade=trade, top_customers=top,
        customers=customers, masked=masked, top_n=top_n,
        payments_total=payments_total, quality=quality, boundary=boundary,
        context=context, area_shapes=shapes, notes=notes)
