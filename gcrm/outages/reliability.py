"""Reliability indices from the warehouse: the one function pages, reports and the CLI call."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd

from gcrm.outages.indices import MedResult, Options, major_event_days, reliability
from gcrm.security.scope import scope_sql

#: reliability grouping -> column of the customer/feeder join (identifiers from here only)
GROUPS = {
    "city": "c.city_id",
    "district": "c.district_id",
    "grid": "c.grid_id",
    "h3": "c.grid_id",  # the same H3 cells (resolution in meta 'h3_resolution'), named h3
    "feeder": "c.feeder_id",
    "substation": "fd.substation_id",
}
#: the contract's columns first, then the extras
COLUMNS = ("customers_served", "saifi", "saidi", "caidi", "asai", "maifi")


def _inputs(con: duckdb.DuckDBPyConnection, by: str,
            scope: Sequence[str] | None = None,
            within: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    if by not in GROUPS:
        raise ValueError(f"unknown grouping {by!r}; expected one of {', '.join(GROUPS)}")
    inside = ""
    inside_params: list = []
    if within is not None:  # flag the customers of one region (a drill-down)
        inside = ", (c.city_id = ? OR c.district_id = ?) IS TRUE AS _inside"
        inside_params = [within, within]
    sql = (f"SELECT c.customer_id, c.feeder_id, {GROUPS[by]} AS \"group\", c.opened_on"
           f"{inside} FROM dim_customer c LEFT JOIN dim_feeder fd ON fd.feeder_id = c.feeder_id")
    where, params = scope_sql(scope)  # a scoped user's system is their regions' customers
    customers = con.execute(f"{sql} WHERE {where}", [*inside_params, *params]).df()
    outages = con.execute("SELECT outage_id, feeder_id, start_at, end_at, duration_min, cause, "
                          "planned FROM fact_outage").df()
    return outages, customers


def years(con: duckdb.DuckDBPyConnection) -> list[int]:
    return [r[0] for r in con.execute(
        "SELECT DISTINCT year(start_at) FROM fact_outage ORDER BY 1").fetchall()]


def indices(con: duckdb.DuckDBPyConnection, year: int, by: str = "district",
            exclude_planned: bool = False, exclude_med: bool = False,
            scope: Sequence[str] | None = None, month: int | None = None,
            within: str | None = None,
            months: tuple[str, str] | None = None) -> pd.DataFrame:
    """One row per group: the reliability contract's columns, then CAIFI, CEMI, CELID, DL/T 836.

    The period is ``year``, one ``month`` of it, or ``months`` = ("YYYY-MM", "YYYY-MM")
    (inclusive, may cross a year boundary; ``year`` is then ignored): ASAI and RS use that
    period's minutes, customers served are those existing at its end.

    The group column is named after ``by``; customers outside every group appear with an
    empty group so that the groups add up to the system.

    ``within`` (a city or district id) drills down: only that region's customers (inside the
    scope) are grouped, e.g. ``indices(con, 2026, "h3", within="220502")`` gives one row per H3
    cell of 220502 whose customers served are the cell's customers in that district. Major
    event days stay those of the whole scope, so the cells weighted by customers served
    reproduce the district's row of ``indices(con, 2026, "district")``.
    """
    outages, customers = _inputs(con, by, scope, within)
    opts = Options(year=year, exclude_planned=exclude_planned, exclude_med=exclude_med,
                   month=month)
    if months is not None:
        opts = Options(year=int(months[1][:4]), exclude_planned=exclude_planned,
                       exclude_med=exclude_med, span=(months[0], months[1]))
    if within is None:
        res = reliability(outages, customers, opts)
    else:
        inside = customers.pop("_inside").astype(bool)
        res = reliability(outages, customers[inside], opts, system=customers)
    return res.rename(columns={"group": by})


def by_month(con: duckdb.DuckDBPyConnection, year: int, by: str = "district",
             exclude_planned: bool = False, exclude_med: bool = False,
             scope: Sequence[str] | None = None) -> pd.DataFrame:
    """Monthly indices of ``year``: the rows of :func:`indices` for each month, with ``month``
    (YYYY-MM) first. Monthly ASAI and RS use the minutes of that month."""
    outages, customers = _inputs(con, by, scope)
    frames = []
    for m in range(1, 13):
        res = reliability(outages, customers, Options(
            year=year, exclude_planned=exclude_planned, exclude_med=exclude_med, month=m))
        frames.append(res.rename(columns={"group": by}).assign(month=f"{year}-{m:02d}"))
    out = pd.concat(frames, ignore_index=True)
    return out[["month", *[c for c in out.columns if c != "month"]]]


def med(con: duckdb.DuckDBPyConnection, year: int, exclude_planned: bool = False,
        scope: Sequence[str] | None = None) -> MedResult:
    """Major event days of ``year`` (system level, 2.5 beta method)."""
    outages, customers = _inputs(con, "city", scope)
    return major_event_days(outages, customers, Options(year=year,
                                                        exclude_planned=exclude_planned))
