"""What the Cube Explorer reads: the run's context and one view's cube results.

Every number comes from :mod:`gcrm.cube` through the cached wrappers of
:mod:`dashboards.components.data` (``cube_explore`` and friends); here they are combined the
way ``gcrm query`` would: a comparison or a pivot is ranked after the cube query, since the
cube only orders and limits a plain query.

For a role without ``read_pii`` every query carries ``min_cell``
(:func:`dashboards.components.disclosure.min_cell_for`): the cube hides the cells describing
fewer customers, and :class:`Result` says which rows of the view were hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboards.components import data, disclosure, session, shell
from dashboards.components.context import PageContext
from dashboards.explorer.labels import Labels
from dashboards.explorer.state import View
from gcrm.cube import DIMENSIONS, TOTAL, pivot
from gcrm.cube.disclosure import PERSONAL_DIMENSIONS


@dataclass(frozen=True)
class Context(PageContext):
    """One run of the page (:class:`~dashboards.components.context.PageContext`: language,
    warehouse, user, disclosure control), the cube's months and region names."""

    months: list[str]  # every month of the cube, ascending
    names: dict[str, str]  # region id -> Chinese name, within the user's scope

    @property
    def dims(self) -> list[str]:
        """The dimensions the user may group and filter by: not the personal ones (a single
        customer) for a role that sees aggregates only."""
        return [d for d in DIMENSIONS
                if self.min_cell is None or d not in PERSONAL_DIMENSIONS]

    @property
    def hidden_text(self) -> str:
        """How a hidden value reads ("<5")."""
        return disclosure.below(self.min_cell or 0)

    @property
    def full(self) -> tuple[str, str]:
        """The whole month range (what the month slider shows when no range is set)."""
        return self.months[0], self.months[-1]

    @property
    def labels(self) -> Labels:
        return Labels(self.lang, self.names)


def context(lang: str) -> Context | None:
    """The run's context, or None when the cube has no month (an empty warehouse)."""
    wh = shell.warehouse()
    who = session.access()
    months = data.cube_months(wh.path, wh.version, scope=who.scope)
    if not months:
        return None
    names = data.region_names(wh.path, wh.version, scope=who.scope)
    return Context(lang, wh.path, wh.version, who, months, names)


@dataclass(frozen=True)
class Result:
    """A view's cube result, the month range it was asked for and the slice's totals; with
    disclosure control, which rows of ``frame`` and whether the totals were hidden."""

    frame: pd.DataFrame
    months: tuple[str, str] | None  # None: every month
    totals: pd.DataFrame  # one row: each measure over the whole filtered slice
    hidden: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    totals_hidden: bool = False


def pandas_rank(df: pd.DataFrame, sort: str | None, top: int | None) -> pd.DataFrame:
    """Order and cut rows of a cube result (a comparison has no ORDER BY/LIMIT of its own)."""
    if sort:
        df = df.sort_values(sort.lstrip("-"), ascending=not sort.startswith("-"),
                            na_position="last", kind="stable")
    return df.head(top) if top else df


def explore(ctx: Context, view: View) -> Result:
    """The cube result of ``view`` (raises CubeError): ranked and cut like ``gcrm query``
    (with disclosure control the cube ranks hidden cells last, so their place tells
    nothing)."""
    months = view.months
    if view.compare and months is None:
        months = data.month_range(ctx.db, ctx.version, 1 if view.compare == "mom" else 12,
                                  scope=ctx.scope)
    in_cube = not (view.compare or (view.column and view.rows))
    result = data.cube_explore(ctx.db, ctx.version, view.measures, view.by, view.filters,
                               months, order_by=view.sort if in_cube else None,
                               limit=view.top if in_cube else None, totals=view.totals,
                               compare=view.compare, scope=ctx.scope, min_cell=ctx.min_cell)
    suppressed, match = result.attrs.get("suppressed", 0), result.attrs.get("match")
    if (view.sort or view.top) and not in_cube:
        if view.column and view.rows:
            result = _rank_pivot_rows(ctx, view, months, result)
        else:
            result = pandas_rank(result, view.sort, view.top).reset_index(drop=True)
    totals = data.cube_explore(ctx.db, ctx.version, view.measures, (), view.filters, months,
                               scope=ctx.scope, min_cell=ctx.min_cell)
    frame = result.reset_index(drop=True)
    frame.attrs["suppressed"] = suppressed
    frame.attrs["match"] = match  # the months a comparison compares, for the words
    return Result(frame, months, totals, disclosure.hidden_rows(frame, view.measures),
                  bool(disclosure.hidden_rows(totals, view.measures).any()))


def _rank_pivot_rows(ctx: Context, view: View, months: tuple[str, str] | None,
                     result: pd.DataFrame) -> pd.DataFrame:
    """Rank the pivot's rows (by the row dimensions alone), then keep those rows."""
    in_cube = not view.compare  # see explore
    ranking = data.cube_explore(ctx.db, ctx.version, view.measures, view.rows, view.filters,
                                months, compare=view.compare,
                                order_by=view.sort if in_cube else None,
                                limit=view.top if in_cube else None, scope=ctx.scope,
                                min_cell=ctx.min_cell)
    if not in_cube:
        ranking = pandas_rank(ranking, view.sort, view.top)
    return ranking[list(view.rows)].merge(result, on=list(view.rows), how="inner")


def pivot_parts(ctx: Context, view: View, res: Result, values: list[str],
                ) -> tuple[pd.DataFrame, dict[tuple[str, object], np.ndarray],
                           dict[tuple[str, object], np.ndarray]]:
    """The pivot of ``res`` by the column dimension: (row keys, {(value, member): array},
    {(value, member): hidden cells}).

    With totals (and no comparison), the grand-total row gets each column member's total.
    A hidden cell is missing (the pivot's sum would make it 0).
    """
    rows = list(view.rows)
    order = res.frame[rows].fillna("").drop_duplicates()
    index = (pd.MultiIndex.from_frame(order) if len(rows) > 1
             else pd.Index(order[rows[0]], name=rows[0]))
    flags = pivot(res.frame.assign(_hidden=np.asarray(res.hidden, dtype=float)), rows,
                  view.column, "_hidden").reindex(index) if res.hidden.any() else None
    parts, hidden = {}, {}
    for v in values:
        p = pivot(res.frame, rows, view.column, v).reindex(index)
        for member in sorted(p.columns, key=lambda x: (x == TOTAL, str(x))):
            parts[(v, member)] = p[member].to_numpy(dtype=float, copy=True)
            hidden[(v, member)] = (np.zeros(len(index), dtype=bool) if flags is None
                                   else flags[member].fillna(0).to_numpy() > 0)
            parts[(v, member)][hidden[(v, member)]] = np.nan
    keys_frame = order.reset_index(drop=True)
    grand = [i for i, r in enumerate(keys_frame.to_dict("records"))
             if all(x == TOTAL for x in r.values())]
    if view.totals and not view.compare and grand:  # column totals in the total row
        _column_totals(ctx, view, res, parts, hidden, grand[0])
    return keys_frame, parts, hidden


def _column_totals(ctx: Context, view: View, res: Result, parts: dict, hidden: dict,
                   row: int) -> None:
    """Each column member's total into ``row`` (the grand-total row) of the pivot parts."""
    col_totals = data.cube_explore(ctx.db, ctx.version, view.measures, (view.column,),
                                   view.filters, res.months, scope=ctx.scope,
                                   min_cell=ctx.min_cell)
    secret = disclosure.hidden_rows(col_totals, view.measures)
    col_totals = col_totals.fillna({view.column: ""})
    for (v, member), arr in parts.items():
        at = (col_totals[view.column] == member).to_numpy()
        if at.any():
            arr[row] = col_totals.loc[at, v].iloc[0]
            hidden[(v, member)][row] = bool(secret[at][0])


def by_district(ctx: Context, measure: str, view: View,
                months: tuple[str, str] | None) -> pd.DataFrame:
    """``measure`` per district over the view's filters (the map; raises CubeError)."""
    return data.cube_explore(ctx.db, ctx.version, (measure,), ("district",), view.filters,
                             months, scope=ctx.scope, min_cell=ctx.min_cell)


def districts_geojson(ctx: Context) -> dict:
    """The districts within the user's scope (simplified boundaries, for the map)."""
    return data.regions_geojson(ctx.db, ctx.version, "district", scope=ctx.scope)
