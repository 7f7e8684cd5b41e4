"""Report periods: ``2025`` (a year), ``2025-Q3``, ``2025-07`` and ``2025-01..2025-06``.

>>> p = parse_period("2025-Q3")
>>> p.months, p.previous().months, p.last_year().months
(('2025-07', '2025-09'), ('2025-04', '2025-06'), ('2024-07', '2024-09'))
>>> parse_period("2025").previous().label
'2024'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:]) - 1


def _month(idx: int) -> str:
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}"


@dataclass(frozen=True)
class Period:
    """An inclusive month range with the label the user gave (or an equivalent one)."""

    first: str  # YYYY-MM
    last: str  # YYYY-MM
    kind: str  # year | quarter | month | range

    @property
    def months(self) -> tuple[str, str]:
        return (self.first, self.last)

    @property
    def n_months(self) -> int:
        return _index(self.last) - _index(self.first) + 1

    @property
    def year(self) -> int:
        """The calendar year of the period's last month (for annual figures)."""
        return int(self.last[:4])

    def month_list(self) -> list[str]:
        return [_month(i) for i in range(_index(self.first), _index(self.last) + 1)]

    @property
    def label(self) -> str:
        if self.kind == "year":
            return self.first[:4]
        if self.kind == "quarter":
            return f"{self.first[:4]}-Q{(int(self.first[5:]) - 1) // 3 + 1}"
        if self.kind == "month":
            return self.first
        return f"{self.first}..{self.last}"

    @property
    def slug(self) -> str:
        """The label made safe for file names (``..`` becomes ``_``)."""
        return self.label.replace("..", "_")

    def shifted(self, months: int) -> Period:
        return Period(_month(_index(self.first) + months), _month(_index(self.last) + months),
                      self.kind)

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return self.shifted(-self.n_months)

    def last_year(self) -> Period:
        """The same months a year earlier."""
        return self.shifted(-12)


def _check_month(year: str, month: str, text: str) -> str:
    if not 1 <= int(month) <= 12:
        raise ValueError(f"bad period {text!r}: month {month} is not 01-12")
    return f"{year}-{month}"


def parse_period(text: str) -> Period:
    """Parse a period; a malformed one raises :class:`ValueError` naming the accepted forms."""
    s = (text or "").strip()
    if m := _YEAR.match(s):
        return Period(f"{m[1]}-01", f"{m[1]}-12", "year")
    if m := _QUARTER.match(s):
        q = int(m[2])
        return Period(f"{m[1]}-{3 * q - 2:02d}", f"{m[1]}-{3 * q:02d}", "quarter")
    if m := _MONTH.match(s):
        month = _check_month(m[1], m[2], s)
        return Period(month, month, "month")
    if ".." in s:
        a, b = (x.strip() for x in s.split("..", 1))
        ma, mb = _MONTH.match(a), _MONTH.match(b)
        if ma and mb:
            first, last = _check_month(ma[1], ma[2], s), _check_month(mb[1], mb[2], s)
            if last < first:
                raise ValueError(f"bad period {text!r}: {last} is before {first}")
            return Period(first, last, "range")
    raise ValueError(f"bad period {text!r}: expected YYYY, YYYY-Qn, YYYY-MM or "
                     "YYYY-MM..YYYY-MM")
