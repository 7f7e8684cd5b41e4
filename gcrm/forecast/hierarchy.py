"""The hierarchy of series: every level a forecast is asked at, and how it sums.

Dimensions form chains (region: city > district > grid; class: customer_class > segment;
tariff). A *level* takes a prefix of each chain (possibly empty: the total); the *bottom* level
takes every chain to its finest asked member. Each series of a level is the sum of the bottom
series below it: the summing matrix ``S`` (series x bottom series) says which.

Pure pandas/numpy: no connection, no text.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: the hierarchies of the dimensions a forecast may be split by, coarse to fine
CHAINS: tuple[tuple[str, ...], ...] = (
    ("city", "district", "grid"),
    ("customer_class", "segment"),
    ("tariff",),
)
#: every dimension a forecast may be split by
DIMENSIONS: tuple[str, ...] = tuple(d for chain in CHAINS for d in chain)
#: finest levels always forecast, so that a forecast split by them and the total agree
DEFAULT_BOTTOM: tuple[str, ...] = ("district", "customer_class")


def chains_for(by: Sequence[str]) -> list[tuple[str, ...]]:
    """For each chain, its prefix down to the finest dimension of ``by`` (or of
    :data:`DEFAULT_BOTTOM`); chains with nothing asked are left out.

    >>> chains_for(["district"])
    [('city', 'district'), ('customer_class',)]
    >>> chains_for(["tariff"])
    [('city', 'district'), ('customer_class',), ('tariff',)]
    """
    unknown = [d for d in by if d not in DIMENSIONS]
    if unknown:
        raise ValueError(f"cannot forecast by {', '.join(unknown)}: choose among "
                         f"{', '.join(DIMENSIONS)}")
    wanted = set(by) | set(DEFAULT_BOTTOM)
    out = []
    for chain in CHAINS:
        depth = max((i + 1 for i, d in enumerate(chain) if d in wanted), default=0)
        if depth:
            out.append(chain[:depth])
    return out


def levels(chains: Sequence[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Every level: one prefix (possibly empty) of each chain, the total first, the bottom
    last."""
    prefixes = [[c[:i] for i in range(len(c) + 1)] for c in chains]
    out = [tuple(d for p in combo for d in p) for combo in itertools.product(*prefixes)]
    return sorted(out, key=len)


def level_name(level: Sequence[str]) -> str:
    """``"total"`` or the level's dimensions joined by ``x``."""
    return " x ".join(level) if level else "total"


@dataclass(frozen=True)
class Hierarchy:
    """The series of every level: ``series`` (``unique_id``, ``level`` and one column per
    dimension, empty where the level does not split by it), ``S`` (series x bottom, 0/1),
    ``tags`` (level name -> unique ids) and the bottom key table."""

    dims: tuple[str, ...]
    series: pd.DataFrame
    S: np.ndarray
    bottom: pd.DataFrame

    @property
    def tags(self) -> dict[str, np.ndarray]:
        return {name: g["unique_id"].to_numpy()
                for name, g in self.series.groupby("level", sort=False)}

    def bottom_ids(self) -> np.ndarray:
        return self.series["unique_id"].to_numpy()[-len(self.bottom):]


def build(bottom_keys: pd.DataFrame, chains: Sequence[tuple[str, ...]]) -> Hierarchy:
    """The hierarchy over the bottom series ``bottom_keys`` (one row each, the finest
    dimensions of every chain as columns)."""
    dims = tuple(d for c in chains for d in c)
    keys = (bottom_keys[list(dims)].astype(object).fillna("").astype(str)
            .sort_values(list(dims)).reset_index(drop=True))
    rows, blocks = [], []
    for level in levels(chains):
        lv = list(level)
        groups = keys.groupby(lv, sort=True, dropna=False).indices if lv else {(): keys.index}
        for key, idx in groups.items():
            key = key if isinstance(key, tuple) else (key,)
            row = dict.fromkeys(dims)
            row.update(zip(lv, key, strict=True))
            row["level"] = level_name(level)
            rows.append(row)
            s = np.zeros(len(keys))
            s[np.asarray(idx)] = 1.0
            blocks.append(s)
    series = pd.DataFrame(rows, columns=["level", *dims])
    series.insert(0, "unique_id", [f"s{i}" for i in range(len(series))])
    return Hierarchy(dims, series, np.vstack(blocks), keys)


def level_of(by: Sequence[str], chains: Sequence[tuple[str, ...]]) -> str:
    """The name of the level that answers a forecast split by ``by``: each chain cut at the
    finest dimension of ``by`` on it.

    >>> level_of(["customer_class", "district"], chains_for([]))
    'city x district x customer_class'
    """
    out: list[str] = []
    for chain in chains:
        depth = max((i + 1 for i, d in enumerate(chain) if d in by), default=0)
        out += chain[:depth]
    return level_name(out)
