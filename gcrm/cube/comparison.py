"""Like-for-like comparison periods: the same months, one year (or one period) earlier.

A period's change against an earlier one is honest only over the months both have data
for. Given the months of the current period that have data (``present``) and the months of
the earlier window that have data, :func:`match` keeps the current months whose month
``lag`` months earlier has data, and pairs them with those earlier months. Year to date
(Jan-Oct of a year whose last months are not loaded yet), partial quarters, last-12-months
windows reaching before the first loaded month, and months missing in the middle are all the
same rule. :func:`runs` cuts a month list into consecutive runs for the words
(:mod:`gcrm.cube.comparison_words`).

>>> m = match(["2026-01", "2026-02", "2026-03"], ["2025-02", "2025-03", "2025-04"], 12)
>>> m.current, m.earlier, m.complete
(('2026-02', '2026-03'), ('2025-02', '2025-03'), False)
>>> runs(["2025-11", "2025-12", "2026-01", "2026-03"])
[('2025-11', '2026-01'), ('2026-03', '2026-03')]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


def month_index(month: str) -> int:
    """``YYYY-MM`` as a month count (year * 12 + month - 1)."""
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def month_at(idx: int) -> str:
    """The ``YYYY-MM`` of a month count (inverse of :func:`month_index`)."""
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}"


def shift(months: Iterable[str], k: int) -> tuple[str, ...]:
    """Every month moved ``k`` months (negative: earlier)."""
    return tuple(month_at(month_index(m) + k) for m in months)


def range_length(months: tuple[str, str]) -> int:
    """Number of months of an inclusive ``(first, last)`` range."""
    return month_index(months[1]) - month_index(months[0]) + 1


def earlier_range(months: tuple[str, str], lag: int) -> tuple[str, str]:
    """The inclusive range ``lag`` months before ``months``."""
    return (month_at(month_index(months[0]) - lag), month_at(month_index(months[1]) - lag))


@dataclass(frozen=True)
class Match:
    """The months compared: ``current[i]`` against ``earlier[i]`` (= ``current[i]`` - lag).

    ``present`` are the current period's months with data; ``complete`` says every one of
    them is compared (the earlier window had data for all of them)."""

    present: tuple[str, ...]
    current: tuple[str, ...]
    earlier: tuple[str, ...]
    lag: int

    @property
    def complete(self) -> bool:
        return self.current == self.present

    @property
    def empty(self) -> bool:
        return not self.current


def match(present: Sequence[str], earlier_present: Iterable[str], lag: int) -> Match:
    """The like-for-like comparison of ``present`` against data ``lag`` months earlier.

    ``present``: months of the current period with data; ``earlier_present``: months with
    data in the earlier window. Keeps the current months whose earlier month has data."""
    if lag < 1:
        raise ValueError(f"a comparison looks back at least one month (lag {lag})")
    have = set(earlier_present)
    cur = tuple(sorted(m for m in set(present)
                       if month_at(month_index(m) - lag) in have))
    return Match(tuple(sorted(set(present))), cur, shift(cur, -lag), lag)


def runs(months: Iterable[str]) -> list[tuple[str, str]]:
    """Sorted distinct months cut into runs of consecutive months, as ``(first, last)``."""
    idx = sorted({month_index(m) for m in months})
    out: list[tuple[str, str]] = []
    for i in idx:
        if out and month_index(out[-1][1]) == i - 1:
            out[-1] = (out[-1][0], month_at(i))
        else:
            out.append((month_at(i), month_at(i)))
    return out
