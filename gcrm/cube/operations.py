"""OLAP operations on top of :func:`gcrm.cube.query`: subtotals, pivot, time comparison,
drill-down and roll-up along the model's hierarchies. Pure pandas over query results, so every
number still comes from the one query path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import duckdb
import pandas as pd

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

    ``yoy`` compares with the same period a year before, ``mom`` with the previous month. With
    ``month`` in ``by`` the comparison is month by month; otherwise the whole ``months`` range
    is compared with the range shifted back.
    """
    if kind not in COMPARE:
        raise CubeError(f"unknown comparison {kind!r}; expected one of {', '.join(COMPARE)}")
    if {"year", "quarter"} & set(by):
        raise CubeError("time comparison works by month or over a month range; "
                        "drop year/quarter from the grouping")
    if months is None:
        raise CubeError("time comparison needs a month range")
    k = COMPARE[kind]
    cur = query(con, measures, by=list(by), where=where, months=months, scope=scope,
                min_cell=min_cell)
    prev_range = (shift_month(months[0], -k), shift_month(months[1], -k))
    prev = query(con, measures, by=list(by), where=where, months=prev_range, scope=scope,
                 min_cell=min_cell)
    if "month" in by:
        prev["month"] = prev["month"].map(lambda m: shift_month(m, k))
    keys = list(by)
    prev = prev.rename(columns={m: f"{m}_prev" for m in measures})
    if keys:  # pandas matches NaN keys (the unlocated region) to NaN keys
        out = cur.merge(prev, on=keys, how="left")
    else:
        out = pd.concat([cur, prev], axis=1)
    for m in measures:
        out[f"{m}_growth"] = out[m] / out[f"{m}_prev"].where(out[f"{m}_prev"] != 0) - 1
    if min_cell is not None:
        out.attrs["suppressed"] = cur.attrs.get("suppressed", 0) + prev.attrs.get("suppressed", 0)
    return out


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


def period_kpis(con: duckdb.DuckDBPyConnection, measures: Sequence[str],
                months: tuple[str, str], where: Mapping[str, Sequence] | None = None,
                scope: Sequence[str] | None = None, check_complete: bool = True,
                ) -> pd.DataFrame:
    """Each measure over ``months`` against the previous period and the same period a year
    before: one row per measure with ``value``, ``prev``, ``prev_change``, ``yoy`` and
    ``yoy_change``. ``attrs`` holds the ``previous`` and ``last_year`` month ranges and whether
    each was complete (``previous_complete``, ``last_year_complete``).

    The previous period is the range of the same length just before ``months``. A change is a
    ratio ``cur / prev - 1``, except for measures in % (rates), whose change is the difference
    in points. With ``check_complete`` a comparison period with fewer months of data than
    ``months`` itself is not compared (NaN): a year against half a year would mislead.
    """
    n = (int(months[1][:4]) * 12 + int(months[1][5:])) - (int(months[0][:4]) * 12
                                                          + int(months[0][5:])) + 1
    if n < 1:
        raise CubeError(f"the month range {months[0]}..{months[1]} is empty")
    prev_range = (shift_month(months[0], -n), shift_month(months[1], -n))
    ly_range = (shift_month(months[0], -12), shift_month(months[1], -12))
    cur = query(con, measures, where=where, months=months, scope=scope)
    prev = query(con, measures, where=where, months=prev_range, scope=scope)
    ly = query(con, measures, where=where, months=ly_range, scope=scope)
    prev_ok = ly_ok = True
    if check_complete:
        have = len(months_with_data(con, months, where, scope))
        prev_ok = len(months_with_data(con, prev_range, where, scope)) >= have
        ly_ok = len(months_with_data(con, ly_range, where, scope)) >= have
    rows = []
    for m in measures:
        ratio = MEASURES[m].unit == "%"
        value = float(cur[m].iloc[0])
        p = float(prev[m].iloc[0]) if prev_ok else float("nan")
        y = float(ly[m].iloc[0]) if ly_ok else float("nan")
        rows.append({"measure": m, "value": value, "prev": p,
                     "prev_change": _growth(value, p, ratio),
                     "yoy": y, "yoy_change": _growth(value, y, ratio)})
    out = pd.DataFrame(rows)
    out.attrs.update(previous=prev_range, last_year=ly_range, previous_complete=prev_ok,
                     last_year_complete=ly_ok)
    return out
