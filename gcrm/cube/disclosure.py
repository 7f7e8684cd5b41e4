"""Statistical disclosure control for roles without the ``read_pii`` permission.

A cell of a cube result *describes* the customers it counts. Shown to a role that may not see
individuals, a cell describing fewer than ``min_cell`` customers (setting ``min_cell``,
default 5) is **suppressed**: every measure of that row becomes missing (empty in CSV, ``null``
in JSON, "<5" on pages and in reports). Totals are computed before suppression and stay true.

**Complementary suppression.** A suppressed cell could be recovered by subtracting the shown
cells of its breakdown from the breakdown's total (which the user can always ask for). So along
every dimension of the result, a group of cells that differ only in that dimension never has
exactly one suppressed cell, and neither has the whole table (its grand total is known too):
the smallest other cell of the group is suppressed as well, and this repeats until no group
has a lone suppressed cell (the usual "secondary suppression" of
statistical offices, in its simplest form: smallest complement first).

Pure functions over DataFrames; :func:`gcrm.cube.query` applies them when asked to protect.

>>> import pandas as pd
>>> df = pd.DataFrame({"district": ["a", "b", "c"], "kwh": [100.0, 7.0, 50.0],
...                    "customers": [40, 2, 30]})
>>> out, n = suppress(df, by=["district"], value_cols=["kwh", "customers"],
...                   counts=df["customers"], min_cell=5)
>>> out["kwh"].tolist()   # b is below 5; c, the smallest other cell, hides it from a - total
[100.0, nan, nan]
>>> n
2
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

#: dimensions that name one customer: refused outright without ``read_pii``
PERSONAL_DIMENSIONS = ("customer",)


class DisclosureError(ValueError):
    """A request that would show individuals to a role without ``read_pii``."""


def min_cell_for(who) -> int | None:
    """The ``min_cell`` setting for ``who`` (a principal, or a page's access) when its role
    lacks ``read_pii``; None (nothing hidden) for such roles and for the local operator
    (``who`` None). A setting that is not a whole number of at least 1 is a ValueError."""
    if who is None or who.can("read_pii"):
        return None
    from gcrm import config

    raw = config.get("min_cell")
    try:
        n = int(raw)
    except ValueError:
        n = 0
    if n < 1:
        raise ValueError(f"setting min_cell must be a whole number of at least 1, not {raw!r}")
    return n


def order_hidden_last(df: pd.DataFrame, hidden: np.ndarray, by: Sequence[str],
                      order_by: str | None, limit: int | None) -> pd.DataFrame:
    """Order and cut a protected result. Ordered by a measure or dimension (``-`` =
    descending), the shown rows come first and the hidden rows after them in the order of
    ``by``: sorting before hiding would tell a hidden cell's rank by its place. Without
    ``order_by`` the rows keep their order (by key, which tells nothing). Then the first
    ``limit``."""
    out = df
    if order_by:
        col, desc = order_by.lstrip("-"), order_by.startswith("-")
        shown = df[~hidden].sort_values(col, ascending=not desc, na_position="last",
                                        kind="stable")
        concealed = df[hidden]
        if by:
            concealed = concealed.sort_values(list(by), na_position="last", kind="stable")
        out = pd.concat([shown, concealed], ignore_index=True)
    return out.head(limit).reset_index(drop=True) if limit is not None else out


def check_request(by: Sequence[str], where: dict | None) -> None:
    """Refuse grouping by, or filtering on, a dimension that names one customer."""
    for d in PERSONAL_DIMENSIONS:
        if d in by:
            raise DisclosureError(f"--by {d} shows individual customers; your role may see "
                                  "aggregates only (permission read_pii needed)")
        if where and d in where:
            raise DisclosureError(f"--where {d}= selects one customer; your role may see "
                                  "aggregates only (permission read_pii needed)")


def describing(counts: pd.DataFrame) -> pd.Series:
    """How many customers each row describes, from its count columns (customers with
    consumption, payers, ...): the smallest count that is not zero. A row with 2 customers and
    no payer describes 2 customers (its kWh is theirs), not 0."""
    n = counts.apply(pd.to_numeric, errors="coerce")
    return n.where(n > 0).min(axis=1, skipna=True).fillna(0)


def primary(counts: pd.Series, min_cell: int) -> np.ndarray:
    """Cells describing at least one and fewer than ``min_cell`` customers."""
    n = pd.to_numeric(counts, errors="coerce").to_numpy(dtype=float)
    return (n > 0) & (n < min_cell)


def complementary(df: pd.DataFrame, by: Sequence[str], counts: pd.Series,
                  hidden: np.ndarray) -> np.ndarray:
    """Extend ``hidden`` until no group along any dimension, and not the whole table, has
    exactly one hidden cell."""
    hidden = hidden.copy()
    if not len(df) or not hidden.any():
        return hidden
    n = pd.to_numeric(counts, errors="coerce").fillna(0).to_numpy(dtype=float)
    keys = df[list(by)].astype(str).reset_index(drop=True) if by else None
    changed = True
    # along every dimension, and over the whole table (its grand total is always known)
    groupings = [[c for c in by if c != d] for d in by]
    if len(by) != 1:  # with one dimension, its group is already the whole table
        groupings.append([])
    while changed:
        changed = False
        for others in groupings:
            groups = (np.zeros(len(df), dtype=np.int64) if not others
                      else keys.groupby(others, sort=False).ngroup().to_numpy())
            for g in np.unique(groups[hidden]):
                members = np.flatnonzero(groups == g)
                if hidden[members].sum() != 1 or len(members) < 2:
                    continue
                shown = members[~hidden[members]]
                hidden[shown[np.argmin(n[shown])]] = True
                changed = True
    return hidden


def hide(df: pd.DataFrame, by: Sequence[str], counts: pd.Series,
         min_cell: int) -> np.ndarray:
    """Which rows of ``df`` to suppress: small cells and their complements."""
    return complementary(df, by, counts.reset_index(drop=True), primary(counts, min_cell))


def suppress(df: pd.DataFrame, by: Sequence[str], value_cols: Sequence[str],
             counts: pd.Series, min_cell: int) -> tuple[pd.DataFrame, int]:
    """``df`` with the measures of small cells (and their complements) set missing.

    Returns the new frame and how many rows were suppressed.
    """
    hidden = hide(df, by, counts, min_cell)
    out = df.copy()
    if hidden.any():
        cols = [c for c in value_cols if c in out.columns]
        out[cols] = out[cols].astype(float)
        out.loc[out.index[hidden], cols] = np.nan
    return out, int(hidden.sum())
