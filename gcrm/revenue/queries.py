"""Revenue protection read from the warehouse: line losses, suspects, area lists.

The one module of the domain that reads DuckDB; it applies the user's region scope through
:func:`gcrm.security.scope.scope_sql` and hands frames to the pure kernels
(:mod:`gcrm.revenue.losses`, :mod:`gcrm.revenue.suspicion`). A transformer area (台区) and a
feeder belong to the district (and city) where most of their customers are; a scoped user sees
the areas of their regions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from gcrm import config
from gcrm.cube.disclosure import suppress
from gcrm.revenue import inspections
from gcrm.revenue.inspections import Target
from gcrm.revenue.losses import Thresholds, loss_table
from gcrm.revenue.route import Route, route
from gcrm.revenue.suspicion import Inputs, features, rank
from gcrm.revenue.territories import voronoi_cells
from gcrm.security.masking import mask_frame
from gcrm.security.scope import scope_sql
from gcrm.storage import warehouse
from gcrm.storage.regions import regions_geojson
from gcrm.vocab import VACANCY_TOPICS

LEVELS = ("transformer", "feeder", "district")
#: decimals of the output columns (kWh to 0.1, rates to 0.0001, yuan to 0.01)
ROUNDING = {"supplied_kwh": 1, "billed_kwh": 1, "loss_kwh": 1, "loss_rate": 4, "avg_price": 4,
            "loss_yuan": 2, "trend": 5, "loss_rate_last_year": 4, "change": 4}
#: the columns hidden for small areas from roles without ``read_pii``
SMALL_CELL_COLUMNS = ("supplied_kwh", "billed_kwh", "loss_kwh", "loss_rate", "loss_yuan",
                      "avg_price", "trend", "loss_rate_last_year", "change")


def available(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether supply data is loaded (older warehouses have no revenue tables at all)."""
    if not warehouse.has_tables(con, warehouse.REVENUE_TABLES):
        return False
    return bool(con.execute("SELECT count(*) > 0 FROM fact_supply").fetchone()[0])


def thresholds(level: str) -> Thresholds:
    """The loss thresholds of ``level`` from the settings (a ValueError names a bad one)."""
    vals = []
    for kind in ("high", "negative"):
        name = f"loss_{kind}_{level}"
        raw = config.get(name)
        try:
            vals.append(float(raw))
        except ValueError:
            raise ValueError(f"setting {name} must be a fraction such as 0.1, not {raw!r}") \
                from None
    return Thresholds(*vals)


def months(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Months with supply readings, oldest first."""
    return [r[0] for r in con.execute(
        "SELECT DISTINCT month FROM fact_supply ORDER BY 1").fetchall()]


def _shift(month: str, k: int) -> str:
    return str(pd.Period(month, freq="M") + k)


def _area_sql(level: str) -> str:
    """(key, feeder, city_id, district_id) of every area of ``level`` (no scope yet)."""
    if level == "transformer":
        return ("SELECT transformer_id AS key, feeder_id AS feeder, city_id, district_id "
                "FROM dim_transformer")
    return ("SELECT feeder_id AS key, feeder_id AS feeder, arg_max(city_id, n) AS city_id, "
            "arg_max(district_id, n) AS district_id FROM (SELECT feeder_id, city_id, "
            "district_id, count(*) AS n FROM dim_customer GROUP BY ALL) GROUP BY feeder_id")


def monthly(con: duckdb.DuckDBPyConnection, level: str, first: str, last: str,
            scope: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per area-month of ``level`` (transformer or feeder) in ``first..last``:
    ``key``, ``feeder``, ``district_id``, ``month``, ``supplied_kwh`` (NaN: no reading),
    ``billed_kwh``, ``billed_yuan``, ``customers`` (attached customers billed that month)."""
    where, params = scope_sql(scope, alias="a")
    link = "transformer_id" if level == "transformer" else "feeder_id"
    sql = f"""
        WITH a AS ({_area_sql(level)}),
        m AS (SELECT month FROM dim_time WHERE month BETWEEN ? AND ?
              UNION SELECT DISTINCT month FROM fact_supply WHERE month BETWEEN ? AND ?),
        b AS (SELECT c.{link} AS key, f.month, sum(f.kwh) AS billed_kwh,
                     sum(f.amount) AS billed_yuan, count(*) AS customers
              FROM fact_consumption f JOIN dim_customer c ON c.customer_key = f.customer_key
              WHERE f.month BETWEEN ? AND ? AND c.{link} IS NOT NULL GROUP BY ALL),
        s AS (SELECT point_id AS key, month, sum(kwh) AS supplied_kwh FROM fact_supply
              WHERE level = ? AND month BETWEEN ? AND ? GROUP BY ALL)
        SELECT a.key, a.feeder, a.district_id, m.month, s.supplied_kwh, b.billed_kwh,
               b.billed_yuan, coalesce(b.customers, 0) AS customers
        FROM a CROSS JOIN m LEFT JOIN s ON s.key = a.key AND s.month = m.month
        LEFT JOIN b ON b.key = a.key AND b.month = m.month
        WHERE {where} AND (s.supplied_kwh IS NOT NULL OR b.billed_kwh IS NOT NULL)
        ORDER BY a.key, m.month"""
    return con.execute(sql, [first, last, first, last, first, last, level, first, last,
                             *params]).df()


def losses(con: duckdb.DuckDBPyConnection, by: str, first: str | None = None,
           last: str | None = None, *, by_month: bool = False,
           scope: Sequence[str] | None = None, min_cell: int | None = None) -> pd.DataFrame:
    """Line loss by ``by`` (transformer, feeder or district) over ``first..last`` (default:
    every month with supply): the columns of the revenue-protection contract plus context
    (``customers``, ``avg_price``, ``loss_yuan``, ``trend``, ``loss_rate_last_year``,
    ``change``). ``min_cell`` (:func:`gcrm.cube.disclosure.min_cell_for` of a role without
    ``read_pii``): the figures of areas describing fewer customers are suppressed."""
    if by not in LEVELS:
        raise ValueError(f"unknown --by {by!r}; expected one of {', '.join(LEVELS)}")
    if not available(con):
        raise ValueError("no supply data loaded: load supply.csv (see docs/revenue.md)")
    have = months(con)
    first, last = first or have[0], last or have[-1]
    if first > last:
        raise ValueError(f"--from {first} is after --to {last}")
    th = thresholds(by)
    now = _frame(con, by, first, last, scope)
    ly = _frame(con, by, _shift(first, -12), _shift(last, -12), scope)
    keys = [by, *(["month"] if by_month else [])]
    out = loss_table(now, keys, th, ly)
    out = _context(con, out, by).round(ROUNDING)
    if min_cell is not None and not out.empty:
        out, n = suppress(out, keys, SMALL_CELL_COLUMNS, out["customers"], min_cell)
        out.attrs["suppressed"] = n
    return out.reset_index(drop=True)


def _frame(con: duckdb.DuckDBPyConnection, by: str, first: str, last: str,
           scope: Sequence[str] | None) -> pd.DataFrame:
    """The monthly frame keyed by the ``by`` column (districts add up their areas)."""
    if by == "district":
        m = monthly(con, "transformer", first, last, scope)
        m = m[m["district_id"].notna()]
        m = m[m["supplied_kwh"].notna()]  # only areas with a reading that month
        g = m.groupby(["district_id", "month"], as_index=False).agg(
            supplied_kwh=("supplied_kwh", "sum"), billed_kwh=("billed_kwh", "sum"),
            billed_yuan=("billed_yuan", "sum"), customers=("customers", "sum"))
        return g.rename(columns={"district_id": "district"})
    m = monthly(con, by, first, last, scope)
    return m.drop(columns=["feeder", "district_id"]).rename(columns={"key": by})[
        [by, "month", "supplied_kwh", "billed_kwh", "billed_yuan", "customers"]]


def _context(con: duckdb.DuckDBPyConnection, out: pd.DataFrame, by: str) -> pd.DataFrame:
    """Names and places of the areas (name, feeder, district) after the key columns."""
    if by == "transformer":
        names = con.execute(
            "SELECT t.transformer_id AS transformer, t.name, t.feeder_id AS feeder, "
            "t.district_id AS district, t.lon, t.lat FROM dim_transformer t").df()
    elif by == "feeder":
        names = con.execute("SELECT feeder_id AS feeder, name FROM dim_feeder").df()
    else:
        names = con.execute(
            "SELECT region_id AS district, name FROM dim_region WHERE level = 'district'").df()
    out = out.merge(names, on=by, how="left")
    front = [c for c in out.columns if c in (by, "month")]
    extra = [c for c in names.columns if c != by]
    rest = [c for c in out.columns if c not in front and c not in extra]
    return out[[*front, *rest, *extra]]


# --------------------------------------------------------------------------- suspects
#: ``--where`` dimensions of ``gcrm suspects`` -> column of the suspects frame
SUSPECT_FILTERS = {"district": "district_id", "feeder": "feeder_id",
                   "transformer": "transformer_id", "customer_class": "customer_class"}
#: months of history read before the month assessed
HISTORY = 24


def suspect_inputs(con: duckdb.DuckDBPyConnection, month: str,
                   scope: Sequence[str] | None = None) -> Inputs:
    """The kernel's inputs for the months up to ``month`` (scoped customers)."""
    first = _shift(month, -HISTORY)
    where, params = scope_sql(scope)
    bills = con.execute(f"""
        SELECT c.customer_id, f.month, f.kwh FROM fact_consumption f
        JOIN dim_customer c ON c.customer_key = f.customer_key
        WHERE f.month BETWEEN ? AND ? AND {where}""", [first, month, *params]).df()
    wide = bills.pivot(index="customer_id", columns="month", values="kwh").sort_index()
    wide = wide.reindex(columns=sorted(wide.columns))
    cust = con.execute(f"""
        SELECT customer_id, customer_class, district_id, transformer_id FROM dim_customer c
        WHERE {where}""", params).df().set_index("customer_id")
    loss = con.execute("""
        WITH b AS (SELECT c.transformer_id, f.month, sum(f.kwh) AS billed
                   FROM fact_consumption f JOIN dim_customer c ON c.customer_key = f.customer_key
                   WHERE f.month BETWEEN ? AND ? AND c.transformer_id IS NOT NULL GROUP BY ALL)
        SELECT s.point_id AS transformer_id, s.month, s.kwh - coalesce(b.billed, 0) AS loss,
               s.kwh AS supplied
        FROM fact_supply s LEFT JOIN b ON b.transformer_id = s.point_id AND b.month = s.month
        WHERE s.level = 'transformer' AND s.month BETWEEN ? AND ?""",
                       [first, month, first, month]).df()
    loss_wide = loss.pivot(index="transformer_id", columns="month", values="loss")
    supply_wide = loss.pivot(index="transformer_id", columns="month", values="supplied")
    marks = ", ".join("?" for _ in VACANCY_TOPICS)
    vac = con.execute(f"""
        SELECT customer_id, min(strftime(opened_at, '%Y-%m')) AS month FROM fact_service
        WHERE topic IN ({marks}) AND strftime(opened_at, '%Y-%m') <= ? GROUP BY 1""",
                      [*VACANCY_TOPICS, month]).df()
    return Inputs(wide, cust, loss_wide, supply_wide, vac.set_index("customer_id")["month"])


def daily_patterns(con: duckdb.DuckDBPyConnection, month: str,
                   scope: Sequence[str] | None = None) -> pd.DataFrame:
    """Attack patterns on daily reads (where loaded) over ``month`` and the month before:
    ``daily_days``, ``daily_zero_days`` (days read as 0) and ``daily_step`` (1 - the mean of
    the last 14 days / the mean of the first 14: a sudden fall within the window)."""
    cols = ["customer_id", "daily_days", "daily_zero_days", "daily_step"]
    if not available(con):
        return pd.DataFrame(columns=cols)
    first = pd.Period(month, freq="M") - 1
    lo, hi = first.start_time.date(), pd.Period(month, freq="M").end_time.date()
    where, params = scope_sql(scope)
    return con.execute(f"""
        SELECT d.customer_id, count(*) AS daily_days,
               count(*) FILTER (WHERE d.kwh = 0) AS daily_zero_days,
               1 - avg(d.kwh) FILTER (WHERE d.date > ?::DATE - 14)
                   / nullif(avg(d.kwh) FILTER (WHERE d.date < ?::DATE + 14), 0) AS daily_step
        FROM fact_daily_read d JOIN dim_customer c USING (customer_id)
        WHERE d.date BETWEEN ? AND ? AND {where} GROUP BY 1""",
                       [hi, lo, lo, hi, *params]).df()[cols]


def latest_month(con: duckdb.DuckDBPyConnection) -> str | None:
    return con.execute("SELECT max(month) FROM fact_consumption").fetchone()[0]


def suspects(con: duckdb.DuckDBPyConnection, month: str | None = None,
             where: dict[str, list[str]] | None = None, limit: int = 100,
             scope: Sequence[str] | None = None, pii: bool = True) -> pd.DataFrame:
    """Ranked theft suspects at ``month`` (default: the latest billed month): the features of
    :mod:`gcrm.revenue.suspicion` with ``score``, plus the customer's context (name masked
    unless ``pii``). ``reasons`` are added by :mod:`gcrm.revenue.reasons`."""
    if not available(con):
        raise ValueError("no supply data loaded: load supply.csv (see docs/revenue.md)")
    for dim in where or {}:
        if dim not in SUSPECT_FILTERS:
            raise ValueError(f"unknown --where dimension {dim!r}; expected one of "
                             f"{', '.join(SUSPECT_FILTERS)}")
    month = month or latest_month(con)
    ranked = rank(features(suspect_inputs(con, month, scope)))
    if ranked.empty:
        return ranked
    ctx = con.execute("""
        SELECT c.customer_id, c.name, c.customer_class, c.feeder_id, c.district_id, c.lon,
               c.lat, t.name AS transformer_name
        FROM dim_customer c LEFT JOIN dim_transformer t USING (transformer_id)""").df()
    out = ranked.merge(ctx, on="customer_id", how="left").merge(
        daily_patterns(con, month, scope), on="customer_id", how="left")
    for dim, values in (where or {}).items():
        out = out[out[SUSPECT_FILTERS[dim]].isin(values)]
    out = out.head(limit).reset_index(drop=True)
    if not pii:
        out = mask_frame(out, ("name",))
    return out.assign(month=month)


# --------------------------------------------------------------------------- inspections
def inspection_target(con: duckdb.DuckDBPyConnection, customer_id: str,
                      scope: Sequence[str] | None = None) -> Target:
    """Where ``customer_id`` is, for a new order (a ValueError if unknown or out of scope)."""
    where, params = scope_sql(scope)
    row = con.execute(f"""
        SELECT customer_id, transformer_id, city_id, district_id, lon, lat FROM dim_customer c
        WHERE customer_id = ? AND {where}""", [customer_id, *params]).fetchone()
    if row is None:
        raise ValueError(f"unknown customer {customer_id!r} (or outside your regions)")
    return Target(*row)


def inspection_orders(con: duckdb.DuckDBPyConnection, store, scope: Sequence[str] | None = None,
                      pii: bool = True, **filters) -> pd.DataFrame:
    """The orders in ``scope`` with the customer's name (masked unless ``pii``) and class."""
    df = inspections.orders(store, scope, **filters)
    if df.empty:
        return df.assign(name=pd.Series(dtype=str), customer_class=pd.Series(dtype=str))
    ids = list(df["customer_id"].unique())
    names = con.execute(
        f"SELECT customer_id, name, customer_class FROM dim_customer WHERE customer_id IN "
        f"({', '.join('?' for _ in ids)})", ids).df()
    out = df.merge(names, on="customer_id", how="left")
    return out if pii else mask_frame(out, ("name",))


def day_route(con: duckdb.DuckDBPyConnection, store, inspector: str, day: date,
              scope: Sequence[str] | None = None, pii: bool = True,
              start: tuple[float, float] | None = None,
              pbf: str | Path | None = None) -> tuple[pd.DataFrame, Route | None]:
    """An inspector's assigned orders of ``day`` in visiting order (``stop`` 1, 2, ...) and
    the route (None when no order has a position): over the roads of ``pbf`` (an OpenStreetMap
    extract, as for visit routes and drive-time areas) when given, else straight lines
    (``Route.method`` says which)."""
    df = inspection_orders(con, store, scope, pii, status="assigned", inspector=inspector,
                           planned_on=day)
    df = df.dropna(subset=["lon", "lat"]).reset_index(drop=True) if len(df) else df
    if df.empty:
        return df, None
    from gcrm.tradearea.network import load_graph

    graph = None if pbf is None else load_graph(pbf)
    r = route(list(zip(df["lon"], df["lat"], strict=True)), start, graph=graph)
    out = df.iloc[r.order].reset_index(drop=True)
    return out.assign(stop=range(1, len(out) + 1)), r


# --------------------------------------------------------------------------- map
def area_map(con: duckdb.DuckDBPyConnection, losses_by_area: pd.DataFrame,
             scope: Sequence[str] | None = None) -> dict:
    """GeoJSON of the transformer areas as Voronoi cells within their districts, with the
    rows of ``losses_by_area`` (``losses(by="transformer")``) as properties
    (``region_id`` = transformer id, what a map click reports)."""
    from shapely.geometry import mapping, shape

    geo = regions_geojson(con, level="district", simplified=True)
    keep = None if scope is None else set(scope)
    feats = []
    rows = losses_by_area.set_index("transformer")
    for f in geo["features"]:
        p = f["properties"]
        if keep is not None and p["region_id"] not in keep and p.get("parent_id") not in keep:
            continue
        inside = rows[rows["district"] == p["region_id"]]
        if inside.empty:
            continue
        cells = voronoi_cells(list(inside.index), inside["lon"], inside["lat"],
                              shape(f["geometry"]))
        for tid, cell in cells.items():
            r = inside.loc[tid]
            props = {"region_id": tid, **{k: (None if pd.isna(v) else v)
                                          for k, v in r.items() if k != "lon"}}
            feats.append({"type": "Feature", "geometry": mapping(cell.simplify(0.0005)),
                          "properties": props})
    return {"type": "FeatureCollection", "features": feats}
