"""The overview's arithmetic on fetched figures (pure kernel: pandas, no connection).

Month lists, rates per 1,000 customers and the ranked table (rank, share, against the
average, sparklines); :mod:`gcrm.overview.queries` fetches the figures and calls these.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def months_between(months: tuple[str, str]) -> list[str]:
    """Every month from ``months[0]`` to ``months[1]`` (``YYYY-MM``, inclusive)."""
    first = int(months[0][:4]) * 12 + int(months[0][5:]) - 1
    last = int(months[1][:4]) * 12 + int(months[1][5:]) - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(first, last + 1)]


def per_1000(counts: pd.DataFrame, customers: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """``counts`` (``keys``, ``n``) per 1,000 ``customers`` (``keys``, ``customers``):
    ``keys`` and ``value``; no count is 0, no customer is NaN."""
    out = customers.merge(counts, on=keys, how="left")
    out["n"] = out["n"].fillna(0)
    out["value"] = out["n"] / out["customers"].where(out["customers"] > 0) * 1000
    return out[[*keys, "value"]]


def rank_regions(vals: pd.DataFrame, additive: bool, whole: float = float("nan"),
                 total: float | None = None) -> pd.DataFrame:
    """Regions' values (``key``, ``value``) ranked, rank 1 = highest; unlocated (key None)
    last without a rank. ``share``: of the total, for ``additive`` measures; ``vs_avg``:
    value / average - 1, the average being the mean of the located regions for additive
    measures, else ``whole`` (the rate of the whole place).

    ``total`` is the place's true total when some values are hidden (disclosure control):
    the shares are then of it, not of the values shown. A region without a value (hidden)
    gets no rank."""
    located = vals[vals["key"].notna()].copy()
    located["rank"] = located["value"].rank(method="min", ascending=False).astype("Int64")
    out = pd.concat([located.sort_values(["rank", "key"]), vals[vals["key"].isna()]],
                    ignore_index=True)
    total = vals["value"].sum() if total is None else total
    out["share"] = out["value"] / total if additive and total else np.nan
    average = located["value"].mean() if additive else whole
    out["vs_avg"] = out["value"] / average - 1 if average and not np.isnan(average) else np.nan
    return out


def sparklines(monthly: pd.DataFrame, keys: pd.Series,
               months: tuple[str, str]) -> list[list[float]]:
    """For each of ``keys`` (None: the unlocated), its monthly values (``month``, ``key``,
    ``value``) over every month of ``months``, NaN where it has none."""
    wide = (monthly.assign(key=monthly["key"].fillna("\0"))
            .pivot_table(index="key", columns="month", values="value", aggfunc="first",
                         dropna=False)
            .reindex(index=keys.fillna("\0"), columns=months_between(months)))
    return wide.to_numpy(dtype=float).tolist()
