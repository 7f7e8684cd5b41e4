"""OLAP operations on top of :func:`gcrm.cube.query`: subtotals, pivot, time comparison,
drill-down and roll-up along the model's hierarchies. Pure pandas over query results, so every
number still comes from the one query path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import duckdb
import pandas as pd

from gcrm.cube.engine import CubeError, query
from gcrm.cube.model import DIMENSIONS

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
            kind: str = "yoy", scope: Sequence[str] | None = None) -> pd.DataFrame:
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
    cur = query(con, measures, by=list(by), where=where, months=months, scope=scope)
    prev_range = (shift_month(months[0], -k), shift_month(months[1], -k))
    prev = query(con, measures, by=list(by), where=where, months=prev_range, scope=scope)
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
