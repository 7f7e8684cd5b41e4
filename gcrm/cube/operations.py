"""OLAP operations on top of :func:`gcrm.cube.query`: subtotals, pivot, time comparison,
drill-down and roll-up along the model's hierarchies. Pure pandas over query results, so every
number still comes from the one query path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import duckdb
import pandas as pd

from gcrm.cube.comparison import Match, earlier_range, match, range_length
from gcrm.cube.engine import CubeError, query
from gcrm.cube.model import DIMENSIONS, MEASURES

TOTAL = "(total)"


def with_totals(con: duckdb.DuckDBPyConnection, measures: Sequence[str], by: Sequence[str],
                **kwargs) -> pd.DataFrame:
    """Rows for every prefix of ``by`` (like SQL ROLLUP): detail rows, subtotals, grand total.

    Subtotal rows carry :data:`TOTAL` in the rolled-up dimensions and ``level`` = number of
    grouped dimensions. Each level is its own exact query, so distinct counts stay exact.
    """
    frames = []
    for n in range(len(by), -1, -1):
        part = query(con, measures, by=list(by[:n]), **kwargs)
        for d in by[n:]:
            part[d] = TOTAL
        part["level"] = n
        frames.append(part[[*by, *measures, "level"]])
    out = pd.concat(frames, ignore_index=True)
    if "min_cell" in kwargs and kwargs["min_cell"] is not None:
        out.attrs["suppressed"] = sum(f.attrs.get("suppressed", 0) for f in frames)
    # order: each group's detail rows followed by its subtotal; grand total last
    keys = [out[d].map(lambda v: (1, "") if v == TOTAL else (0, "" if pd.isna(v) else str(v)))
            for d in by]
    order = sorted(range(len(out)), key=lambda i: tuple(k.iloc[i] for k in keys))
    return out.iloc[order].reset_index(drop=True)


def pivot(df: pd.DataFrame, rows: Sequence[str], columns: str, measure: str) -> pd.DataFrame:
    """Rows x columns table of one measure (missing combinations are NaN)."""
    missing = [c for c in (*rows, columns, measure) if c not in df.columns]
    if missing:
        raise CubeError(f"cannot pivot: {', '.join(missing)} not in the result")
    filled = df.assign(**{c: df[c].fillna("") for c in (*rows, columns)})
    return filled.pivot_table(index=list(rows), columns=columns, values=measure,
                              aggfunc="sum", dropna=False, sort=True)


def shift_month(month: str, k: int) -> str:
    idx = int(month[:4]) * 12 + int(month[5:]) - 1 + k
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}"


COMPARE = {"yoy": 12, "mom": 1}


def compare(con: duckdb.DuckDBPyConnection, measures: Sequence[str], by: Sequence[str] = (),
            where: Mapping[str, Sequence] | None = None, months: tuple[str, str] | None = None,
            kind: str = "yoy", scope: Sequence[str] | None = None,
            min_cell: int | None = None) -> pd.DataFrame:
    """Time comparison: each measure with ``<m>_prev`` and ``<m>_growth`` (ratio - 1).

    ``yoy`` compares with the same months a year before, ``mom`` with the month before. With
    ``month`` in ``by`` the comparison is month by month; otherwise like for like
    (:func:`comparison_match`): ``<m>_prev`` sums the earlier months of the months with data
    that have an earlier counterpart, and ``<m>_growth`` compares this range over those same
    months (``<m>`` itself stays the whole range). ``attrs["match"]`` holds the
    :class:`gcrm.cube.comparison.Match` for the words.
    """
    if kind not in COMPARE:
        raise CubeError(f"unknown comparison {kind!r}; expected one of {', '.join(COMPARE)}")
    if {"year", "quarter"} & set(by):
        raise CubeError("time comparison works by month or over a month range; "
                        "drop year/quarter from the grouping")
    if months is None:
        raise CubeError("time comparison needs a month range")
    k = COMPARE[kind]
    mt = comparison_match(con, months, k, where, scope)
    kw = {"by": list(by), "where": where, "scope": scope, "min_cell": min_cell}
    cur = query(con, measures, months=months, **kw)
    if "month" in by:
        prev = query(con, measures, months=earlier_range(months, k), **kw)
        prev["month"] = prev["month"].map(lambda m: shift_month(m, k))
        base = cur
    else:
        prev = _over_or_empty(con, measures, mt.earlier, kw)
        whole = len(mt.current) == range_length(months)
        base = cur if whole else _over_or_empty(con, measures, mt.current, kw)
    out = _join(cur, prev, base, list(by), measures)
    if min_cell is not None:
        out.attrs["suppressed"] = cur.attrs.get("suppressed", 0) + prev.attrs.get("suppressed", 0)
    out.attrs["match"] = mt
    return out


def _over_or_empty(con, measures: Sequence[str], months: Sequence[str], kw: dict) -> pd.DataFrame:
    """:func:`over_months`, or an empty result with the right columns when no month compares."""
    if months:
        return over_months(con, measures, months, **kw)
    return pd.DataFrame(columns=[*kw["by"], *measures])


def _join(cur: pd.DataFrame, prev: pd.DataFrame, base: pd.DataFrame, keys: list[str],
          measures: Sequence[str]) -> pd.DataFrame:
    """``cur`` with ``<m>_prev`` (from ``prev``) and ``<m>_growth`` (``base`` against
    ``prev``), rows matched on ``keys`` (pandas matches NaN keys, the unlocated region)."""
    prev = prev.rename(columns={m: f"{m}_prev" for m in measures})
    base = base[[*keys, *measures]].rename(columns={m: f"{m}_base" for m in measures})
    if keys:
        out = cur.merge(prev[[*keys, *(f"{m}_prev" for m in measures)]], on=keys, how="left")
        out = out.merge(base, on=keys, how="left")
    else:
        out = pd.concat([cur.reset_index(drop=True),
                         prev.reset_index(drop=True).reindex(range(len(cur))),
                         base.reset_index(drop=True)], axis=1)
    for m in measures:
        p = pd.to_numeric(out[f"{m}_prev"], errors="coerce")
        out[f"{m}_prev"] = p
        out[f"{m}_growth"] = pd.to_numeric(out[f"{m}_base"], errors="coerce") / \
            p.where(p != 0) - 1
    return out.drop(columns=[f"{m}_base" for m in measures])


def drill_down(dim: str) -> str | None:
    """The dimension one level below ``dim`` in its hierarchy (None at the bottom)."""
    if dim not in DIMENSIONS:
        raise CubeError(f"unknown dimension {dim!r}")
    return next((d.name for d in DIMENSIONS.values() if d.parent == dim), None)


def roll_up(dim: str) -> str | None:
    """The dimension one level above ``dim`` (None at the top)."""
    if dim not in DIMENSIONS:
        raise CubeError(f"unknown dimension {dim!r}")
    return DIMENSIONS[dim].parent


def months_with_data(con: duckdb.DuckDBPyConnection, months: tuple[str, str],
                     where: Mapping[str, Sequence] | None = None,
                     scope: Sequence[str] | None = None) -> list[str]:
    """The months of ``months`` with consumption data (under ``where`` and ``scope``)."""
    df = query(con, ["kwh"], by=["month"], where=where, months=months, scope=scope)
    return sorted(df.loc[df["kwh"].notna(), "month"].tolist())


def _growth(cur: float, prev: float, ratio: bool) -> float:
    """Change of ``cur`` against ``prev``: points for ratios, ``cur / prev - 1`` otherwise."""
    if prev is None or pd.isna(prev) or pd.isna(cur):
        return float("nan")
    if ratio:
        return cur - prev
    return float("nan") if prev == 0 else cur / prev - 1


def comparison_match(con: duckdb.DuckDBPyConnection, months: tuple[str, str], lag: int,
                     where: Mapping[str, Sequence] | None = None,
                     scope: Sequence[str] | None = None,
                     present: Sequence[str] | None = None) -> Match:
    """The like-for-like months of ``months`` against ``lag`` months earlier
    (:func:`gcrm.cube.comparison.match` over the months with data under ``where``/``scope``;
    ``present``: the current months with data, if already known)."""
    if present is None:
        present = months_with_data(con, months, where, scope)
    earlier = months_with_data(con, earlier_range(months, lag), where, scope)
    return match(present, earlier, lag)


def over_months(con: duckdb.DuckDBPyConnection, measures: Sequence[str],
                months: Sequence[str], by: Sequence[str] = (),
                where: Mapping[str, Sequence] | None = None,
                scope: Sequence[str] | None = None, min_cell: int | None = None,
                ) -> pd.DataFrame:
    """:func:`query` over a set of months (not necessarily consecutive)."""
    w = {**(where or {}), "month": list(months)}
    return query(con, measures, by=list(by), where=w, scope=scope, min_cell=min_cell)


def _row(con, measures: Sequence[str], months: Sequence[str], where, scope) -> dict:
    """The measures over ``months`` as one row (NaN when no month compares)."""
    if not months:
        return dict.fromkeys(measures, float("nan"))
    df = over_months(con, measures, months, where=where, scope=scope)
    return {m: float(df[m].iloc[0]) for m in measures}


def period_kpis(con: duckdb.DuckDBPyConnection, measures: Sequence[str],
                months: tuple[str, str], where: Mapping[str, Sequence] | None = None,
                scope: Sequence[str] | None = None) -> pd.DataFrame:
    """Each measure over ``months`` against the previous period and the same period a year
    before: one row per measure with ``value``, ``prev``, ``prev_change``, ``yoy`` and
    ``yoy_change``.

    Like for like: the previous period is the present months (those with data) shifted back
    by the length of ``months``, last year the present months shifted back 12 months, each
    kept only where the earlier month has data (:func:`comparison_match`). A change compares
    the same months on both sides: when some present month has no earlier counterpart, the
    change uses this period's value over the matched months only. ``prev``/``yoy`` are the
    earlier values over the matched months. A change is a ratio ``cur / prev - 1``, except
    for measures in % (rates), whose change is the difference in points.

    ``attrs``: ``previous_match``/``last_year_match`` (:class:`gcrm.cube.comparison.Match`,
    for :func:`gcrm.cube.comparison_words.comparison_words`), ``previous``/``last_year``
    (the earlier windows as ranges) and ``previous_complete``/``last_year_complete``.
    """
    n = range_length(months)
    if n < 1:
        raise CubeError(f"the month range {months[0]}..{months[1]} is empty")
    present = months_with_data(con, months, where, scope)
    cur = query(con, measures, where=where, months=months, scope=scope)
    value = {m: float(cur[m].iloc[0]) for m in measures}
    sides = {}
    for name, lag in (("prev", n), ("yoy", 12)):
        mt = comparison_match(con, months, lag, where, scope, present)
        whole = len(mt.current) == n  # every month of the range compares: the value itself
        base = value if whole else _row(con, measures, mt.current, where, scope)
        sides[name] = (mt, base, _row(con, measures, mt.earlier, where, scope))
    rows = []
    for m in measures:
        ratio = MEASURES[m].unit == "%"
        row = {"measure": m, "value": value[m]}
        for name, (_, base, earlier) in sides.items():
            row[name] = earlier[m]
            row[f"{name}_change"] = _growth(base[m], earlier[m], ratio)
        rows.append(row)
    out = pd.DataFrame(rows, columns=["measure", "value", "prev", "prev_change", "yoy",
                                      "yoy_change"])
    pm, ym = sides["prev"][0], sides["yoy"][0]
    out.attrs.update(previous=earlier_range(months, n), last_year=earlier_range(months, 12),
                     previous_match=pm, last_year_match=ym,
                     previous_complete=pm.complete and not pm.empty,
                     last_year_complete=ym.complete and not ym.empty)
    return out
