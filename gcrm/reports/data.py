"""The report model: every number of an area report, assembled once.

:func:`build` asks :mod:`gcrm.cube` (``query``/``compare``) and :mod:`gcrm.outages.queries`
(``indices``) for one region (``scope=[region_id]``) and one period, and returns a
:class:`ReportModel` of DataFrames and GeoDataFrames. The PDF, XLSX and GIS writers only
render this model, so the three formats always show the same numbers. The few reads of
the warehouse made here (the region's service points, residents and customer layer) restrict
it to the region through :func:`gcrm.security.scope.scope_sql`, as every query does.

A report built for a principal without ``read_pii`` applies disclosure control
(:mod:`gcrm.cube.disclosure`, setting ``min_cell``): every cube table is queried with
``min_cell`` and the reliability tables hide areas serving fewer customers, so a cell
describing fewer than ``min_cell`` customers (or giving one away) is missing; the writers
print it as "<5" with a one-line note (:meth:`ReportModel.hidden`).

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
from gcrm.cube import MEASURES, disclosure
from gcrm.cube.comparison import Match
from gcrm.cube.comparison_words import comparison_words, span_words
from gcrm.cube.disclosure import min_cell_for
from gcrm.outages import queries as rel
from gcrm.overview.queries import protect_kpis
from gcrm.reports.period import Period
from gcrm.security.masking import mask_frame
from gcrm.security.scope import scope_sql
from gcrm.spatial import h3cells
from gcrm.storage import regions, warehouse
from gcrm.storage.quality import quality_report
from gcrm.tariff.queries import Simulation, simulate
from gcrm.tariff.scenario import Scenario
from gcrm.vocab import SERVICE_POINT_KINDS

#: the KPI summary, in the order shown
KPI_MEASURES = ("customers", "kwh", "amount", "paid", "arrears", "collection_rate",
                "online_share")
#: measures of the sub-area layer (districts or grid cells)
AREA_MEASURES = ("customers", "kwh", "amount", "paid", "arrears", "collection_rate")
#: the reliability indices shown (columns of :func:`gcrm.outages.queries.indices`)
RELIABILITY_COLUMNS = ("customers_served", "saifi", "saidi", "caidi", "asai", "maifi",
                       "aihc_hours", "rs_pct")
TOP_N = 20
#: columns of the tariff scenario section (by customer class)
TARIFF_COLUMNS = ("customers", "covered", "kwh_before", "kwh_after", "peak_kwh_before",
                  "peak_kwh_after", "valley_kwh_before", "valley_kwh_after", "bill_before",
                  "bill_static", "bill_after", "peak_change_kwh", "peak_change_share",
                  "bill_change_static", "revenue_change", "revenue_change_share")
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
    #: customer_class, customers, kwh, amount, peak_share, valley_share, kwh_share
    class_mix: pd.DataFrame
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
    #: disclosure control (a principal without read_pii): cells describing fewer customers
    #: are missing; None: nothing hidden
    min_cell: int | None = None
    #: the next 12 months of kWh (month, kwh, lo, hi: 80 % interval) from
    #: :func:`gcrm.forecast.queries.forecast`, with ``attrs`` model and wape; None when the
    #: history is too short to forecast
    forecast: pd.DataFrame | None = None
    #: line loss of the transformer areas losing the most (docs/revenue.md); empty without
    #: supply data
    losses: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: a tariff scenario's effect on the region by customer class
    #: (:func:`gcrm.tariff.queries.simulate`, the numbers of ``gcrm tariff simulate --where
    #: district=ID``); None: no scenario asked
    tariff: Simulation | None = None

    @property
    def filters(self) -> str:
        """The slice this report shows, for footers and metadata."""
        return f"region={self.region_id}; period={self.period.label} " \
               f"({self.period.first}..{self.period.last})"

    def match(self, which: str) -> Match:
        """The like-for-like months behind the KPI changes: ``which`` is ``previous`` or
        ``last_year`` (:func:`gcrm.cube.period_kpis`)."""
        return self.kpis.attrs[f"{which}_match"]

    def earlier_words(self, which: str) -> str:
        """The earlier months compared, in words ("Jan-Oct 2025"), for column headers."""
        return span_words(self.match(which).earlier, self.lang)

    def compared_words(self, which: str) -> str:
        """What a change compares, in words ("Jan-Oct 2026 vs Jan-Oct 2025")."""
        return comparison_words(self.match(which), self.lang)

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
        if self.forecast is not None:
            out["forecast"] = self.forecast
        if len(self.losses):
            out["losses"] = self.losses
        if self.tariff is not None:
            out["tariff"] = self.tariff.table
        return out

    def totals(self) -> dict[str, float]:
        """Total-row values: the cube's totals for the region and period (the KPI query)."""
        out = {r.measure: r.value for r in self.kpis.itertuples(index=False)}
        out.update({"kwh_share": 1.0, "paid_share": 1.0, "payments": self.payments_total})
        return out

    def row_count(self) -> int:
        return sum(len(df) for df in self.tables().values())

    def hidden(self, key: str, df: pd.DataFrame | None = None) -> pd.DataFrame:
        """Which cells of table ``key`` (or of ``df``, rows of it) disclosure control hid:
        a boolean frame shaped like the table. The cube hides every measure of a row, so a
        row whose measures are all missing was hidden; of the KPIs, the periods whose slice
        was too small (``attrs["hidden"]``)."""
        df = self.tables()[key] if df is None else df
        out = pd.DataFrame(False, index=df.index, columns=df.columns)
        if self.min_cell is None or key == "top_customers" or not len(df):
            return out
        if key == "kpi":
            for col in self.kpis.attrs.get("hidden", ()):
                out[col] = df[col].isna()
            return out
        measures = [c for c in df.columns
                    if c in MEASURES or c in RELIABILITY_COLUMNS or c in TARIFF_COLUMNS]
        rows = df[measures].isna().all(axis=1).to_numpy() if measures else False
        for c in measures:
            out[c] = rows & df[c].isna().to_numpy()
        return out

    def hidden_count(self) -> int:
        """How many figures of the report's tables read "<5"."""
        return int(sum(self.hidden(k).to_numpy().sum() for k in self.tables()))


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


def _share(df: pd.DataFrame, col: str, total: float | None = None) -> pd.Series:
    """``col`` as a share of ``total`` (default: of the column's sum; the true total when
    disclosure control hid some cells)."""
    total = df[col].sum() if total is None else total
    return df[col] / total if total else df[col] * math.nan


def _protect(df: pd.DataFrame, by: list[str], counts: pd.Series,
             min_cell: int | None) -> pd.DataFrame:
    """Reliability rows under the cube's disclosure rule, with customers served as the count
    (:func:`gcrm.cube.disclosure.suppress`): every index of a small area goes missing."""
    if min_cell is None or not len(df):
        return df
    out, _ = disclosure.suppress(df.reset_index(drop=True), by, list(RELIABILITY_COLUMNS),
                                 counts.reset_index(drop=True), min_cell)
    return out


def _h3_shapes(cells: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"area": cells}, geometry=[h3cells.polygon(c) for c in cells],
                            crs=WGS84)


def _regions_gdf(con, level: str, parent: str | None = None,
                 simplified: bool = True) -> gpd.GeoDataFrame:
    fc = regions.regions_geojson(con, level, simplified=simplified, parent=parent)
    if not fc["features"]:
        return gpd.GeoDataFrame({"region_id": [], "name": []}, geometry=[], crs=WGS84)
    return gpd.GeoDataFrame.from_features(fc["features"], crs=WGS84)


# --------------------------------------------------------------------------- sections
def _months_or_fail(con, region_id: str, name: str, period: Period,
                    scope: list[str]) -> list[str]:
    """The months of ``period`` with consumption data in the region; ReportError if none."""
    have = _months_with_data(con, period, scope)
    if not have:
        all_months = cube.months(con)
        first, last = (all_months[0], all_months[-1]) if all_months else ('–', '–')
        raise ReportError(f"no consumption data for {region_id} {name} in {period.label}; "
                          f"the warehouse covers {first}..{last}")
    return have


def _trend(con, period: Period, scope: list[str], have: list[str],
           min_cell: int | None = None) -> pd.DataFrame:
    """Monthly kWh, amount, paid and customers, with the same month last year."""
    trend = cube.compare(con, ["kwh", "amount", "paid", "customers"], by=["month"],
                         months=period.months, kind="yoy", scope=scope, min_cell=min_cell)
    trend = trend[["month", "kwh", "amount", "paid", "customers", "kwh_prev"]]
    return trend[trend["month"].isin(have)].reset_index(drop=True)


def _mixes(con, period: Period, scope: list[str], kpis: pd.DataFrame,
           min_cell: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(class mix, payment channels, arrears by class) of the period; with ``min_cell`` the
    shares are of the region's true totals (the KPIs), not of the cells shown."""
    def total(measure: str) -> float | None:
        return None if min_cell is None else float(
            kpis.loc[kpis["measure"] == measure, "value"].iloc[0])

    # with min_cell the cube lists hidden rows last, so their place tells nothing
    class_mix = cube.query(  # with the peak/valley profile of each class (docs/tariff.md)
        con, ["customers", "kwh", "amount", "peak_share", "valley_share"],
        by=["customer_class"], months=period.months,
        scope=scope, order_by="-kwh", min_cell=min_cell)
    class_mix["kwh_share"] = _share(class_mix, "kwh", total("kwh"))

    channels = cube.query(
        con, ["payments", "paid"], by=["channel"], months=period.months, scope=scope,
        order_by="-paid", min_cell=min_cell)
    channels["paid_share"] = _share(channels, "paid", total("paid"))

    arrears = cube.query(
        con, ["amount", "paid", "arrears", "collection_rate"], by=["customer_class"],
        months=period.months, scope=scope, order_by="-arrears", min_cell=min_cell)
    return class_mix, channels, arrears


def _reliability(con, region_id: str, level: str, area_level: str, period: Period,
                 scope: list[str], min_cell: int | None = None,
                 ) -> tuple[int | None, pd.DataFrame, pd.DataFrame]:
    """(year, indices of the region, indices per sub-area) over the report's months (IEEE
    1366 over any reporting period); year None when the period has no outages. With
    ``min_cell``, areas serving fewer customers (and their complements) lose their indices."""
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
        oa = _protect(oa[["area", *RELIABILITY_COLUMNS]], ["area"], oa["customers_served"],
                      min_cell)
        outage_areas = oa.loc[oa["area"].notna(), ["area", *RELIABILITY_COLUMNS]]
        outage_areas = outage_areas.sort_values(["saidi", "area"] if min_cell else "saidi",
                                                ascending=False).reset_index(drop=True)
    reliability = pd.DataFrame(rel_rows, columns=["basis", *RELIABILITY_COLUMNS])
    reliability = _protect(reliability, [], reliability["customers_served"], min_cell)
    return rel_year, reliability, outage_areas


def _areas(con, region_id: str, area_level: str, period: Period, scope: list[str],
           min_cell: int | None = None) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """Sub-areas (the districts of a city, the H3 grid cells of a district) and their shapes."""
    areas = cube.query(con, list(AREA_MEASURES), by=[area_level], months=period.months,
                       scope=scope, order_by="-kwh", min_cell=min_cell)
    areas = areas.rename(columns={area_level: "area"})
    areas = areas[areas["area"].notna()].reset_index(drop=True)
    if area_level != "district":
        return areas, _h3_shapes(areas["area"].tolist())
    areas.insert(1, "name", areas["area"].map(regions.region_names(con)))
    shapes = _regions_gdf(con, "district", parent=region_id, simplified=False)
    return areas, shapes.rename(columns={"region_id": "area"})[["area", "geometry"]]


def _service_points_in(con, scope: list[str]) -> pd.DataFrame:
    """The region's service points (located or not), by kind."""
    cond, params = scope_sql(scope, alias="s")
    return con.execute(
        "SELECT s.service_point_id, s.name, s.kind, s.lon, s.lat, s.district_id "
        f"FROM dim_service_point s WHERE {cond} ORDER BY s.kind, s.service_point_id",
        params).df()


def _residents(con, scope: list[str]) -> float:
    """Residents of the region's population-grid cells."""
    cond, params = scope_sql(scope, alias="p")
    return float(con.execute(f"SELECT coalesce(sum(p.resident), 0) FROM population_grid p "
                             f"WHERE {cond}", params).fetchone()[0])


def _homed(con, period: Period, scope: list[str], sp: pd.DataFrame, per_sp: pd.DataFrame,
           min_cell: int | None) -> float:
    """Customers of the region whose home service point is one of the region's ``sp``: the
    sum over them, or with ``min_cell`` (hidden cells would be left out of a sum) the true
    total, a cell of its own."""
    ids = sp["service_point_id"].tolist()
    if min_cell is None or not ids:
        return float(per_sp.loc[per_sp["service_point_id"].isin(ids), "customers"].sum())
    return float(cube.query(con, ["customers"], where={"service_point": ids},
                            months=period.months, scope=scope,
                            min_cell=min_cell)["customers"].iloc[0])


def _trade(con, period: Period, scope: list[str], customers_total: float,
           min_cell: int | None = None) -> tuple[pd.DataFrame, dict[str, float]]:
    """Trading area: service points in the region, customers per point, penetration (a
    point without customers has 0, one hidden by ``min_cell`` stays missing)."""
    sp = _service_points_in(con, scope)
    per_sp = cube.query(con, ["customers", "kwh"], by=["service_point"], months=period.months,
                        scope=scope, min_cell=min_cell,
                        ).rename(columns={"service_point": "service_point_id"})
    service_points = sp.merge(per_sp, on="service_point_id", how="left")
    cols = ["customers", "kwh"]
    absent = ~service_points["service_point_id"].isin(per_sp["service_point_id"])
    service_points[cols] = service_points[cols].where(~absent, service_points[cols].fillna(0.0))
    residents = _residents(con, scope)
    homed = _homed(con, period, scope, sp, per_sp, min_cell)
    n_sp = len(sp)
    trade = {
        "service_points": float(n_sp),
        **{f"service_points_{k}": float((sp["kind"] == k).sum())
           for k in SERVICE_POINT_KINDS},
        "customers": customers_total,
        "customers_homed_here": homed,
        "residents": residents,
        "customers_per_service_point": customers_total / n_sp if n_sp else math.nan,
        "penetration_per_1000": customers_total * 1000 / residents if residents else math.nan,
    }
    return service_points, trade


def _top_customers(con, period: Period, scope: list[str], top_n: int) -> pd.DataFrame:
    """The ``top_n`` customers by kWh with their name, class, tariff and address."""
    top = cube.query(con, ["kwh", "amount", "paid", "arrears"], by=["customer"],
                     months=period.months, scope=scope, order_by="-kwh", limit=top_n)
    attrs = con.execute(
        "SELECT customer_id AS customer, name, customer_class, tariff, address "
        "FROM dim_customer WHERE list_contains(?, customer_id)", [top["customer"].tolist()]).df()
    return top.merge(attrs, on="customer", how="left")[
        ["customer", "name", "customer_class", "tariff", "address", "kwh", "amount", "paid",
         "arrears"]]


def _customer_layer(con, period: Period, scope: list[str]) -> pd.DataFrame:
    """Every located customer of the region with its kWh, amount and paid (the GIS layer)."""
    per_c = cube.query(con, ["kwh", "amount", "paid"], by=["customer"],
                       months=period.months, scope=scope)
    cond, params = scope_sql(scope)
    customers = con.execute(
        "SELECT c.customer_id AS customer, c.name, c.customer_class, c.tariff, c.big_customer, "
        "c.phone, c.address, c.lon, c.lat, c.district_id, c.grid_id, c.feeder_id, "
        f"c.service_point_id FROM dim_customer c WHERE {cond} AND c.lon IS NOT NULL "
        "AND c.lat IS NOT NULL ORDER BY c.customer_id", params).df()
    return customers.merge(per_c, on="customer", how="left")


def _customer_rows(con, principal, period: Period, scope: list[str], top_n: int,
                   ) -> tuple[pd.DataFrame | None, pd.DataFrame | None, bool]:
    """(top customers, customer layer, masked): rows only for roles that may see customer
    rows (None otherwise), masked without ``read_pii``."""
    see_rows = principal is None or principal.can("read_customers")
    masked = principal is not None and not principal.can("read_pii")
    if not see_rows:
        return None, None, masked
    top = _top_customers(con, period, scope, top_n)
    customers = _customer_layer(con, period, scope)
    if masked:
        top, customers = mask_frame(top), mask_frame(customers)
    return top, customers, masked


def _quality(con, principal, period: Period, scope: list[str], have: list[str],
             customers_total: float) -> dict[str, Any]:
    """Data quality of the region (and the warehouse's unlocated customers, unscoped only)."""
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
    return quality


def _maps(con, region_id: str, level: str,
          parent: str | None) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """(the region's boundary at full resolution, the districts around it for the cover)."""
    boundary = _regions_gdf(con, level, simplified=False)
    boundary = boundary[boundary["region_id"] == region_id].reset_index(drop=True)
    city = region_id if level == "city" else parent
    return boundary, _regions_gdf(con, "district", parent=city)


def _kpis(con, region_id: str, name: str, period: Period, scope: list[str],
          min_cell: int | None) -> pd.DataFrame:
    """The KPI summary (:func:`gcrm.cube.period_kpis`); with ``min_cell`` its hidden periods
    are missing, and a region whose own period is hidden gets no report (ReportError)."""
    kpis = cube.period_kpis(con, list(KPI_MEASURES), period.months, scope=scope)
    if min_cell is None:
        return kpis
    kpis = protect_kpis(con, kpis, period.months, None, scope, min_cell)
    if "value" in kpis.attrs["hidden"]:
        raise ReportError(f"{region_id} {name} describes fewer than {min_cell} customers in "
                          f"{period.label}; your role sees aggregates only")
    return kpis


# --------------------------------------------------------------------------- build
#: columns of the report's line-loss table
LOSS_COLUMNS = ("transformer", "name", "supplied_kwh", "billed_kwh", "loss_kwh", "loss_rate",
                "loss_yuan", "status")


def _losses(con, period: Period, scope: list[str], min_cell: int | None,
            n: int = 10) -> pd.DataFrame:
    """The ``n`` transformer areas of the region losing the most over the period's months
    that have supply readings (empty without supply data)."""
    from gcrm.revenue import queries as revenue

    if not revenue.available(con):
        return pd.DataFrame(columns=list(LOSS_COLUMNS))
    have = [m for m in revenue.months(con) if period.first <= m <= period.last]
    if not have:
        return pd.DataFrame(columns=list(LOSS_COLUMNS))
    df = revenue.losses(con, "transformer", have[0], have[-1], scope=scope, min_cell=min_cell)
    df = df[df["status"] != "not_computable"].sort_values("loss_kwh", ascending=False)
    return df.head(n)[list(LOSS_COLUMNS)].reset_index(drop=True)


def build(con: duckdb.DuckDBPyConnection, region_id: str, period: Period, principal=None,
          lang: str = "en", top_n: int = TOP_N,
          scenario: Scenario | None = None) -> ReportModel:
    """Assemble the report model of ``region_id`` for ``period`` as ``principal`` sees it.

    ``principal`` None is the local operator (everything, unmasked). A principal without
    ``read_pii`` gets disclosure control (:func:`min_cell_for`). Raises
    :class:`ReportError` for an unknown region, a region outside the user's scope, a
    period without consumption data in the region, or (disclosure control) a region whose
    period describes fewer than ``min_cell`` customers. With ``scenario`` (a tariff
    scenario), the model also holds its effect on the region by customer class.
    """
    name, level, parent = region_info(con, region_id)
    check_scope(con, region_id, principal.scope if principal else None)
    scope, min_cell = [region_id], min_cell_for(principal)
    have = _months_or_fail(con, region_id, name, period, scope)
    kpis = _kpis(con, region_id, name, period, scope, min_cell)
    payments_total = float(cube.query(con, ["payments"], months=period.months,
                                      scope=scope)["payments"].iloc[0])
    customers_total = float(kpis.loc[kpis["measure"] == "customers", "value"].iloc[0])
    class_mix, channels, arrears = _mixes(con, period, scope, kpis, min_cell)
    area_level = "grid" if level == "district" else "district"
    rel_year, reliability, outage_areas = _reliability(con, region_id, level, area_level,
                                                       period, scope, min_cell)
    areas, shapes = _areas(con, region_id, area_level, period, scope, min_cell)
    service_points, trade = _trade(con, period, scope, customers_total, min_cell)
    top, customers, masked = _customer_rows(con, principal, period, scope, top_n)
    boundary, context = _maps(con, region_id, level, parent)
    notes = ([] if rel_year is not None else ["no_outages"]) + \
        (["partial_period"] if len(have) < period.n_months else [])
    return ReportModel(
        region_id=region_id, region_name=name, region_level=level, parent_id=parent,
        period=period, lang=lang, user=principal.name if principal else None,
        loaded_at=warehouse.get_meta(con, "loaded_at"),
        generated_at=datetime.now().isoformat(timespec="seconds"),
        months_with_data=have, kpis=kpis, previous=period.previous(),
        last_year=period.last_year(), previous_complete=kpis.attrs["previous_complete"],
        last_year_complete=kpis.attrs["last_year_complete"],
        trend=_trend(con, period, scope, have, min_cell), class_mix=class_mix,
        channels=channels,
        arrears=arrears, reliability_year=rel_year, reliability=reliability,
        outage_areas=outage_areas, area_level=area_level, areas=areas,
        service_points=service_points, trade=trade, top_customers=top, customers=customers,
        masked=masked, top_n=top_n, payments_total=payments_total,
        quality=_quality(con, principal, period, scope, have, customers_total),
        boundary=boundary, context=context, area_shapes=shapes, notes=notes,
        min_cell=min_cell, forecast=_forecast(con, scope, min_cell),
        losses=_losses(con, period, scope, min_cell),
        tariff=_tariff(con, scenario, period, scope, min_cell))


def _tariff(con, scenario: Scenario | None, period: Period, scope: list[str],
            min_cell: int | None) -> Simulation | None:
    """The scenario's effect on the region over the period, by customer class: the same
    call as ``gcrm tariff simulate --by customer_class --where district=ID`` (or ``city=``),
    with the region as the scope; disclosure control as every section."""
    if scenario is None:
        return None
    sim = simulate(con, scenario, ["customer_class"], (period.first, period.last),
                          scope=scope, min_cell=min_cell)
    sim.table = sim.table[["customer_class", *TARIFF_COLUMNS]]
    sim.total = sim.total[list(TARIFF_COLUMNS)]
    return sim


def _forecast(con, scope: list[str], min_cell: int | None) -> pd.DataFrame | None:
    """The region's kWh forecast for the 12 months after the data (the Forecast page's
    numbers); None when the history is too short."""
    from gcrm.forecast import queries as forecasts

    try:
        df = forecasts.forecast(con, "kwh", [], horizon=12, scope=scope, min_cell=min_cell)
    except ValueError:
        return None
    out = pd.DataFrame({"month": df["month"], "kwh": df["forecast"],
                        "lo": df["lo"].round().astype("Int64"),
                        "hi": df["hi"].round().astype("Int64")})
    out.attrs.update(model=str(df["model"].iloc[0]), mase=float(df["backtest_mase"].iloc[0]))
    return out
