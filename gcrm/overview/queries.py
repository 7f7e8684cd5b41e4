"""The regional overview: what the overview map, its KPI tiles, trend and ranking show.

A :class:`Place` is where the manager is looking: everywhere in their scope (the map shows the
districts), one district (the map shows its H3 grid cells) or one cell (the map shows its
customers as points). Every number is a :mod:`gcrm.cube` query, a reliability-index call of
:mod:`gcrm.outages` or, for complaints, one bound-parameter query here; the same functions
serve the page and ``gcrm query`` gives the same figures (``--where district=...``). The
arithmetic on the fetched figures is in the kernels :mod:`gcrm.overview.figures` and
:mod:`gcrm.overview.bins`; the user's region scope is applied through
:func:`gcrm.security.scope.scope_sql` (directly, or by the cube and the reliability indices).

Map measures are the cube's measures plus reliability (SAIDI, SAIFI: IEEE 1366, sustained
interruptions) and complaints per 1,000 customers (service records). Reliability is computed
over the chosen months (IEEE 1366 over any reporting period: customers served at its end) and
ignores the customer filters, which the page says.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import duckdb
import pandas as pd

from gcrm import cube
from gcrm.cube import DIMENSIONS, MEASURES, disclosure
from gcrm.cube.engine import coerce_member
from gcrm.outages import queries as rel
from gcrm.overview.figures import months_between, per_1000, rank_regions, sparklines
from gcrm.revenue import queries as revenue
from gcrm.security.scope import scope_sql
from gcrm.storage import regions

#: dimensions the overview filters by (kept in the URL)
FILTER_DIMS: tuple[str, ...] = ("customer_class", "tariff", "big_customer")
#: most customer points fetched for one cell (the rest are counted, not drawn)
MAX_POINTS = 50_000


@dataclass(frozen=True)
class MapMeasure:
    """A measure the overview map can colour by."""

    name: str
    label_en: str
    label_zh: str
    unit: str
    fmt: str
    source: str  # cube | reliability | service | revenue
    higher_is_better: bool = True

    def label(self, lang: str = "en") -> str:
        return self.label_zh if lang.startswith("zh") else self.label_en


def _from_cube() -> dict[str, MapMeasure]:
    worse_when_high = {"arrears"}
    return {m.name: MapMeasure(m.name, m.label_en, m.label_zh, m.unit, m.fmt, "cube",
                               m.name not in worse_when_high) for m in MEASURES.values()}


MAP_MEASURES: dict[str, MapMeasure] = {
    **_from_cube(),
    "saidi": MapMeasure("saidi", "SAIDI (minutes per customer)", "SAIDI（户均停电时间）",
                        "min", ",.1f", "reliability", higher_is_better=False),
    "saifi": MapMeasure("saifi", "SAIFI (interruptions per customer)", "SAIFI（户均停电次数）",
                        "times", ",.3f", "reliability", higher_is_better=False),
    "complaints_per_1000": MapMeasure(
        "complaints_per_1000", "Complaints per 1,000 customers", "每千户投诉数", "per_1000",
        ",.2f", "service", higher_is_better=False),
    # line loss of the districts' transformer areas (docs/revenue.md); districts only
    "loss_rate": MapMeasure("loss_rate", "Line loss rate", "线损率", "%", ".2%", "revenue",
                            higher_is_better=False),
}


@dataclass(frozen=True)
class Place:
    """Where the overview looks: everywhere (``district`` None), a district, or one cell."""

    district: str | None = None
    grid: str | None = None

    def __post_init__(self) -> None:
        if self.grid is not None and self.district is None:
            raise ValueError("a grid cell is drilled into from its district")

    @property
    def child_level(self) -> str:
        """What the map shows here: ``district``, ``grid`` or ``customer`` (points)."""
        if self.grid is not None:
            return "customer"
        return "grid" if self.district is not None else "district"

    def where(self) -> dict[str, list]:
        out: dict[str, list] = {}
        if self.district is not None:
            out["district"] = [self.district]
        if self.grid is not None:
            out["grid"] = [self.grid]
        return out

    def up(self) -> Place:
        return Place(self.district) if self.grid is not None else Place()

    def down(self, key: str) -> Place:
        """The place of the map feature ``key`` (a district id or a cell id)."""
        if self.grid is not None:
            return self
        return Place(self.district, key) if self.district is not None else Place(key)


def _measure(name: str) -> MapMeasure:
    try:
        return MAP_MEASURES[name]
    except KeyError:
        raise ValueError(f"unknown map measure {name!r}; expected one of "
                         f"{', '.join(MAP_MEASURES)}") from None


def _filters(where: Mapping[str, Sequence] | None) -> dict[str, list]:
    where = dict(where or {})
    bad = [d for d in where if d not in FILTER_DIMS]
    if bad:
        raise ValueError(f"the overview filters by {', '.join(FILTER_DIMS)}, not "
                         f"{', '.join(bad)}")
    return {d: list(v) for d, v in where.items() if v}


def _cube_where(place: Place, where) -> dict[str, list]:
    return {**_filters(where), **place.where()}


# --------------------------------------------------------------------------- reliability
def _narrow(scope: Sequence[str] | None, place: Place,
            parents: Mapping[str, str | None]) -> list[str] | None:
    """The scope of the place: its district, if the user may see it."""
    if place.district is None:
        return None if scope is None else list(scope)
    if scope is None or place.district in scope or parents.get(place.district) in scope:
        return [place.district]
    return []


def _reliability(con, name: str, place: Place, months: tuple[str, str], scope,
                 min_cell: int | None = None) -> pd.DataFrame:
    level = place.child_level
    sc = _narrow(scope, place, regions.parents(con))
    res = rel.indices(con, int(months[1][:4]), by=level, scope=sc, months=months)
    out = pd.DataFrame({"key": res[level], "value": res[name].astype(float)})
    if min_cell is None:
        return out
    return small_cells(out, res["customers_served"], min_cell)


def small_cells(vals: pd.DataFrame, served: pd.Series, min_cell: int) -> pd.DataFrame:
    """Disclosure control for values that are not cube measures (reliability indices): the
    cube's rule (:mod:`gcrm.cube.disclosure`) with the customers served as the count. A
    region serving fewer than ``min_cell`` customers (and its complement, so that the
    customer-weighted whole does not give it away) loses its value; ``suppressed`` says
    which."""
    served = served.reset_index(drop=True)
    hidden = disclosure.complementary(vals.reset_index(drop=True), ["key"], served,
                                      disclosure.primary(served, min_cell))
    out = vals.copy()
    out.loc[out.index[hidden], "value"] = float("nan")
    out["suppressed"] = hidden
    return out


# --------------------------------------------------------------------------- line loss
def _losses(con, place: Place, months: tuple[str, str], scope, min_cell: int | None,
            by_month: bool = False) -> pd.DataFrame:
    """The districts' loss rate (:func:`gcrm.revenue.queries.losses`): key, [month], value.
    Empty below the districts (a 台区 is not a grid cell) and without supply data."""
    cols = [*(["month"] if by_month else []), "key", "value",
            *(["suppressed"] if min_cell is not None else [])]
    if place.child_level != "district" or not revenue.available(con):
        return pd.DataFrame(columns=cols)
    df = revenue.losses(con, "district", months[0], months[1], by_month=by_month, scope=scope)
    out = df.rename(columns={"district": "key"}).assign(value=df["loss_rate"].astype(float))
    if min_cell is not None:
        out["suppressed"] = False  # a district's loss describes its many customers
    return out[cols]


def _loss_whole(con, place: Place, months: tuple[str, str], scope) -> float:
    """The loss rate of the whole place: its computable districts' loss over their supply."""
    if place.grid is not None or not revenue.available(con):
        return float("nan")
    df = revenue.losses(con, "district", months[0], months[1], scope=scope)
    if place.district is not None:
        df = df[df["district"] == place.district]
    df = df[df["status"] != "not_computable"]
    sup = float(df["supplied_kwh"].sum())
    return (sup - float(df["billed_kwh"].sum())) / sup if sup else float("nan")


# --------------------------------------------------------------------------- complaints
def _complaints(con, place: Place, months: tuple[str, str], where, scope,
                by_month: bool = False) -> pd.DataFrame:
    """Complaints opened in ``months`` by the map's child level (and month): key, [month], n."""
    level = place.child_level
    conds, params = _customer_conditions(place, where, scope)
    conds += ["s.kind = 'complaint'", "strftime(s.opened_at, '%Y-%m') BETWEEN ? AND ?"]
    params += list(months)
    month_col = "strftime(s.opened_at, '%Y-%m') AS month, " if by_month else ""
    sql = (f"SELECT {month_col}{DIMENSIONS[level].expr} AS key, count(*) AS n "
           "FROM fact_service s JOIN dim_customer c ON c.customer_id = s.customer_id "
           f"WHERE {' AND '.join(conds)} GROUP BY ALL")
    return con.execute(sql, params).df()


def _customer_conditions(place: Place, where, scope) -> tuple[list[str], list]:
    """SQL conditions (and bound values) on the customer ``c`` for the scope, the place and
    the filters; values coerced as the cube does."""
    cond, params = scope_sql(scope)
    conds = [cond]
    for d, values in _cube_where(place, where).items():
        conds.append(f"{DIMENSIONS[d].expr} IN ({', '.join('?' for _ in values)})")
        params += [coerce_member(d, v) for v in values]
    return conds, params


# --------------------------------------------------------------------------- map values
def _map_level(measure: str, place: Place) -> MapMeasure:
    mm = _measure(measure)
    if place.child_level == "customer":
        raise ValueError("a grid cell's map shows customers, not a measure per region")
    return mm


def _by_region(con, measure: str, place: Place, months: tuple[str, str], where, scope,
               min_cell: int | None, by_month: bool) -> pd.DataFrame:
    """A cube or complaints measure by the map's regions (and month): [month], key, value,
    and with ``min_cell`` whether disclosure control hid the value (``suppressed``)."""
    level = place.child_level
    by = ["month", level] if by_month else [level]
    keys = ["month", "key"] if by_month else ["key"]
    cw = _cube_where(place, where)
    if _measure(measure).source == "service":
        customers = cube.query(con, ["customers"], by=by, where=cw, months=months, scope=scope,
                               min_cell=min_cell).rename(columns={level: "key"})
        out = per_1000(_complaints(con, place, months, where, scope, by_month), customers, keys)
        gone, hidden = customers["customers"].isna(), customers.attrs.get("suppressed")
    else:
        df = cube.query(con, [measure], by=by, where=cw, months=months, scope=scope,
                        min_cell=min_cell).rename(columns={level: "key"})
        out = df[keys].assign(value=df[measure].astype(float))
        gone, hidden = df[measure].isna(), df.attrs.get("suppressed")
    if min_cell is not None:
        out["suppressed"] = (gone & bool(hidden)).to_numpy()
    return out


def child_values(con: duckdb.DuckDBPyConnection, measure: str, place: Place,
                 months: tuple[str, str], where: Mapping[str, Sequence] | None = None,
                 scope: Sequence[str] | None = None,
                 min_cell: int | None = None) -> pd.DataFrame:
    """``measure`` for each region the map shows at ``place``: columns ``key``, ``value``.

    At the top the keys are district ids (customers without a district have key None), in a
    district H3 cell ids. Regions without data are absent.

    ``min_cell`` (a role without ``read_pii``) applies disclosure control: the value of a
    region describing fewer than ``min_cell`` customers (and of its complement) is missing,
    and a column ``suppressed`` marks those regions. Reliability uses the customers served.
    """
    mm = _map_level(measure, place)
    if mm.source == "reliability":
        return _reliability(con, measure, place, months, scope, min_cell)
    if mm.source == "revenue":
        return _losses(con, place, months, scope, min_cell)
    return _by_region(con, measure, place, months, where, scope, min_cell, by_month=False)


def monthly_child_values(con: duckdb.DuckDBPyConnection, measure: str, place: Place,
                         months: tuple[str, str], where: Mapping[str, Sequence] | None = None,
                         scope: Sequence[str] | None = None,
                         min_cell: int | None = None) -> pd.DataFrame:
    """:func:`child_values` month by month (the map's animation): ``month``, ``key``, ``value``
    (and ``suppressed`` with ``min_cell``).

    Reliability is monthly SAIDI/SAIFI (each month's own period).
    """
    mm = _map_level(measure, place)
    if mm.source == "reliability":
        frames = [_reliability(con, measure, place, (m, m), scope, min_cell).assign(month=m)
                  for m in months_between(months)]
        out = pd.concat(frames, ignore_index=True)
        return out[["month", "key", "value", *(["suppressed"] if min_cell is not None else [])]]
    if mm.source == "revenue":
        return _losses(con, place, months, scope, min_cell, by_month=True)
    return _by_region(con, measure, place, months, where, scope, min_cell, by_month=True)


def place_value(con: duckdb.DuckDBPyConnection, measure: str, place: Place,
                months: tuple[str, str], where: Mapping[str, Sequence] | None = None,
                scope: Sequence[str] | None = None, min_cell: int | None = None) -> float:
    """``measure`` for the whole place (the district average the table compares with); NaN
    when ``min_cell`` hides it (a place describing fewer than ``min_cell`` customers)."""
    mm = _measure(measure)
    if mm.source == "revenue":
        return _loss_whole(con, place, months, scope)
    if mm.source == "reliability":
        by = "grid" if place.grid is not None else "city"
        res = rel.indices(con, int(months[1][:4]), by=by,
                          scope=_narrow(scope, place, regions.parents(con)), months=months)
        if place.grid is not None:
            res = res[res["grid"] == place.grid]
        n = res["customers_served"].sum()  # the system index: customer-weighted
        if min_cell is not None and 0 < n < min_cell:
            return float("nan")
        return float((res[measure] * res["customers_served"]).sum() / n) if n else float("nan")
    if mm.source == "service":
        n_cust = float(cube.query(con, ["customers"], where=_cube_where(place, where),
                                  months=months, scope=scope,
                                  min_cell=min_cell)["customers"].iloc[0] or 0)
        total = float(_complaints(con, place, months, where, scope)["n"].sum())
        return total / n_cust * 1000 if n_cust else float("nan")
    df = cube.query(con, [measure], where=_cube_where(place, where), months=months, scope=scope,
                    min_cell=min_cell)
    return float(df[measure].iloc[0])


# --------------------------------------------------------------------------- tiles, trend
def kpis(con: duckdb.DuckDBPyConnection, measures: Sequence[str], place: Place,
         months: tuple[str, str], where: Mapping[str, Sequence] | None = None,
         scope: Sequence[str] | None = None, min_cell: int | None = None) -> pd.DataFrame:
    """KPI tiles of the place: :func:`gcrm.cube.period_kpis` (value, previous period, same
    period last year) with the place and the filters as the cube's ``where``; with
    ``min_cell``, through :func:`protect_kpis`."""
    cw = _cube_where(place, where)
    k = cube.period_kpis(con, list(measures), months, where=cw, scope=scope)
    return k if min_cell is None else protect_kpis(con, k, months, cw, scope, min_cell)


def protect_kpis(con: duckdb.DuckDBPyConnection, kpis: pd.DataFrame, months: tuple[str, str],
                 where: Mapping[str, Sequence] | None, scope: Sequence[str] | None,
                 min_cell: int) -> pd.DataFrame:
    """:func:`gcrm.cube.period_kpis` tiles under disclosure control: a period (this one, the
    previous one, the same one last year) whose slice describes fewer than ``min_cell``
    customers loses its values, and every change computed from them. ``attrs["hidden"]``
    lists the columns hidden (``value``, ``prev``, ``yoy``)."""
    measures = kpis["measure"].tolist()
    out = kpis.copy()
    hidden = []
    def small(month_sets) -> bool:
        return any(cube.over_months(con, measures, ms, where=where, scope=scope,
                                    min_cell=min_cell).attrs.get("suppressed")
                   for ms in month_sets if ms)

    if cube.query(con, measures, where=where, months=months, scope=scope,
                  min_cell=min_cell).attrs.get("suppressed"):
        hidden.append("value")
    for col, mt in (("prev", kpis.attrs["previous_match"]),
                    ("yoy", kpis.attrs["last_year_match"])):
        if small((mt.earlier, mt.current)):  # both sides of the like-for-like change
            hidden.append(col)
    gone = {"value": ["value", "prev_change", "yoy_change"], "prev": ["prev", "prev_change"],
            "yoy": ["yoy", "yoy_change"]}
    for col in hidden:
        out[gone[col]] = float("nan")
    out.attrs["hidden"] = hidden
    return out


def trend(con: duckdb.DuckDBPyConnection, measures: Sequence[str], place: Place,
          months: tuple[str, str], where: Mapping[str, Sequence] | None = None,
          scope: Sequence[str] | None = None, min_cell: int | None = None) -> pd.DataFrame:
    """Monthly values of ``measures`` for the place, with the same month a year before
    (``<m>_prev``) — :func:`gcrm.cube.compare` ``yoy`` (months hidden by ``min_cell`` are
    missing)."""
    return cube.compare(con, list(measures), by=["month"], where=_cube_where(place, where),
                        months=months, kind="yoy", scope=scope, min_cell=min_cell)


def ranking(con: duckdb.DuckDBPyConnection, measure: str, place: Place,
            months: tuple[str, str], where: Mapping[str, Sequence] | None = None,
            scope: Sequence[str] | None = None, top: int | None = None,
            min_cell: int | None = None) -> pd.DataFrame:
    """The map's regions ranked by ``measure`` (rank 1 = highest value): ``key``, ``value``,
    ``rank``, ``share`` (of the place's total, for additive measures), ``vs_avg`` (value / the
    average region - 1), ``trend`` (list of monthly values over ``months``, for sparklines).
    Unlocated customers (key None) come last without a rank.

    Additive measures (sums, and distinct customer counts: every customer lies in one region)
    compare with the mean of the located regions; rates and ratios (online share, SAIDI,
    complaints per 1,000) with the rate of the whole place. With ``min_cell`` the values go
    through disclosure control (:func:`child_values`): hidden regions have no value and no
    rank, and shares are of the place's true total."""
    mm = _measure(measure)
    vals = child_values(con, measure, place, months, where, scope, min_cell)
    additive = mm.source == "cube" and not MEASURES[measure].derived
    whole = (float("nan") if additive and min_cell is None
             else place_value(con, measure, place, months, where, scope, min_cell))
    out = rank_regions(vals, additive, float("nan") if additive else whole,
                       total=whole if additive and min_cell is not None else None)
    if top is not None:
        out = out.head(top)
    monthly = monthly_child_values(con, measure, place, months, where, scope, min_cell)
    out["trend"] = sparklines(monthly, out["key"], months)
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- map layers
def customer_points(con: duckdb.DuckDBPyConnection, place: Place,
                    where: Mapping[str, Sequence] | None = None,
                    scope: Sequence[str] | None = None,
                    limit: int = MAX_POINTS) -> tuple[pd.DataFrame, int]:
    """Located customers of a cell (the finest drill level): ``customer_id``,
    ``customer_class``, ``tariff``, ``big_customer``, ``lon``, ``lat``; and how many there are
    in all (at most ``limit`` rows come back, big customers first)."""
    if place.grid is None:
        raise ValueError("customer points are shown for one grid cell")
    conds, params = _customer_conditions(place, where, scope)
    conds += ["c.lon IS NOT NULL", "c.lat IS NOT NULL"]
    base = f"FROM dim_customer c WHERE {' AND '.join(conds)}"
    total = con.execute(f"SELECT count(*) {base}", params).fetchone()[0]
    df = con.execute(
        "SELECT c.customer_id, c.customer_class, c.tariff, c.big_customer, c.lon, c.lat "
        f"{base} ORDER BY c.big_customer DESC, c.customer_id LIMIT ?", [*params, limit]).df()
    return df, int(total)


def recent_outages(con: duckdb.DuckDBPyConnection, months: tuple[str, str],
                   scope: Sequence[str] | None = None, limit: int = 500) -> pd.DataFrame:
    """The latest ``limit`` outages starting in ``months`` on feeders serving the scope, placed
    at the centre of the feeder's located customers in scope: ``outage_id``, ``feeder_id``,
    ``start_at``, ``duration_min``, ``cause``, ``planned``, ``lon``, ``lat``, ``customers``."""
    cond, params = scope_sql(scope)
    first, last = months
    after = cube.shift_month(last, 1)
    return con.execute(
        "WITH fc AS (SELECT c.feeder_id, avg(c.lon) AS lon, avg(c.lat) AS lat, count(*) AS n "
        f"FROM dim_customer c WHERE c.lon IS NOT NULL AND {cond} GROUP BY 1) "
        "SELECT o.outage_id, o.feeder_id, o.start_at, o.duration_min, o.cause, o.planned, "
        "fc.lon, fc.lat, fc.n AS customers FROM fact_outage o JOIN fc USING (feeder_id) "
        "WHERE o.start_at >= CAST(? AS DATE) AND o.start_at < CAST(? AS DATE) "
        "ORDER BY o.start_at DESC, o.outage_id LIMIT ?",
        [*params, f"{first}-01", f"{after}-01", limit]).df()


def feeder_lines(con: duckdb.DuckDBPyConnection,
                 scope: Sequence[str] | None = None) -> pd.DataFrame:
    """A schematic of each feeder serving the scope: from its substation (``sub_lon``,
    ``sub_lat``) to the centre of its located customers (``lon``, ``lat``), with ``customers``.
    The input contract has no network geometry, so this is a sketch, not the route."""
    cond, params = scope_sql(scope)
    return con.execute(
        "SELECT fd.feeder_id, fd.name, fd.substation_id, fd.substation_name, "
        "fd.lon AS sub_lon, fd.lat AS sub_lat, avg(c.lon) AS lon, avg(c.lat) AS lat, "
        "count(*) AS customers FROM dim_customer c JOIN dim_feeder fd "
        f"ON fd.feeder_id = c.feeder_id WHERE c.lon IS NOT NULL AND {cond} "
        "GROUP BY ALL ORDER BY fd.feeder_id", params).df()


def population(con: duckdb.DuckDBPyConnection,
               scope: Sequence[str] | None = None) -> pd.DataFrame:
    """Population-grid cells in scope: ``cell_id``, ``lon``, ``lat``, ``resident``,
    ``floating``."""
    cond, params = scope_sql(scope, alias="p")
    return con.execute("SELECT p.cell_id, p.lon, p.lat, p.resident, p.floating "
                       f"FROM population_grid p WHERE {cond} ORDER BY p.cell_id", params).df()
