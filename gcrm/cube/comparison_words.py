"""A comparison in words: "Jan-Oct 2026 vs Jan-Oct 2025" / "2026年1-10月 与 2025年1-10月 相比".

Every page, CLI command and report that shows a change says which months it compares with
:func:`comparison_words`, from the :class:`gcrm.cube.comparison.Match` behind the number.

>>> from gcrm.cube.comparison import match
>>> m = match([f"2026-{i:02d}" for i in range(1, 11)], [f"2025-{i:02d}" for i in range(1, 13)], 12)
>>> comparison_words(m, "en")
'Jan-Oct 2026 vs Jan-Oct 2025'
>>> comparison_words(m, "zh-CN")
'2026年1-10月 与 2025年1-10月 相比'
>>> span_words(["2025-11", "2025-12", "2026-01"], "en")
'Nov 2025-Jan 2026'
>>> span_words(["2026-01", "2026-02", "2026-04"], "zh-CN")
'2026年1-2、4月'
"""

from __future__ import annotations

from collections.abc import Iterable

from gcrm.cube.comparison import Match, runs
from gcrm.i18n import t

#: month names, January first (keys of the comparison catalogue)
MONTH_KEYS = ("compare.month.1", "compare.month.2", "compare.month.3", "compare.month.4",
              "compare.month.5", "compare.month.6", "compare.month.7", "compare.month.8",
              "compare.month.9", "compare.month.10", "compare.month.11", "compare.month.12")


def _name(month: str, lang: str) -> str:
    return t(MONTH_KEYS[int(month[5:7]) - 1], lang)


def _in_year(first: str, last: str, lang: str) -> str:
    """Months of one run inside one year, without the year ("Jan-Oct" / "1-10")."""
    if first == last:
        return _name(first, lang)
    return t("compare.months", lang, first=_name(first, lang), last=_name(last, lang))


def _year_parts(rs: list[tuple[str, str]], lang: str) -> list[str]:
    """Runs in words, the runs of one year sharing the year ("Jan-Feb, Apr-Oct 2026")."""
    parts: list[str] = []
    i = 0
    while i < len(rs):
        first, last = rs[i]
        if first[:4] != last[:4]:
            parts.append(t("compare.across", lang, first=_name(first, lang),
                           first_year=first[:4], last=_name(last, lang), last_year=last[:4]))
            i += 1
            continue
        if first[5:] == "01" and last[5:] == "12":
            parts.append(t("compare.year", lang, year=first[:4]))
            i += 1
            continue
        same = [(first, last)]
        while (i + len(same) < len(rs) and rs[i + len(same)][0][:4] == first[:4]
               and rs[i + len(same)][1][:4] == first[:4]):
            same.append(rs[i + len(same)])
        months = t("compare.sep", lang).join(_in_year(a, b, lang) for a, b in same)
        parts.append(t("compare.in_year", lang, months=months, year=first[:4]))
        i += len(same)
    return parts


def span_words(months: Iterable[str], lang: str = "en") -> str:
    """A set of months in words: "Jan-Oct 2026", "2026", "Nov 2025-Oct 2026"."""
    rs = runs(months)
    if not rs:
        return t("compare.no_months", lang)
    return t("compare.sep", lang).join(_year_parts(rs, lang))


def comparison_words(m: Match, lang: str = "en") -> str:
    """What a change compares: "Jan-Oct 2026 vs Jan-Oct 2025" (or that nothing compares)."""
    if m.empty:
        return t("compare.nothing", lang)
    return t("compare.vs", lang, current=span_words(m.current, lang),
             earlier=span_words(m.earlier, lang))
