"""Numbers for reading, formatted with Babel's CLDR data: 万/亿 in Chinese, K/M/B in English.

The scale words and their sizes come from CLDR's short compact decimal formats of the
language (``en``: K 10³, M 10⁶, B 10⁹, T 10¹²; ``zh_CN``: 万 10⁴, 亿 10⁸, 万亿 10¹²); digits,
grouping and the minus sign from its decimal symbols. GCRM keeps three rules of its own, so
that every figure reads as it always has:

- a number is scaled from 10,000 up only (CLDR's English starts K at 1,000), so that 9,999
  reads whole in every language;
- a scaled number keeps ``digits`` decimals (``1.20 万``, CLDR would drop the zero) and a space
  before the scale word (CLDR writes ``1.2万``, ``1.2K``);
- rounding is that of Python's own formatting (the float's exact value, ties to even), not of
  its shortest ``repr`` as :func:`babel.numbers.format_decimal` does with a float.
"""

from __future__ import annotations

import math
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING

from gcrm.i18n.catalog import DEFAULT_LANG, LOCALES, normalize_lang, unit_label

#: Numbers below this are never scaled.
SCALE_FROM = 10_000

#: Units counted in whole numbers.
WHOLE_UNITS = ("customers", "payments")

if TYPE_CHECKING:
    from babel import Locale
    from babel.numbers import NumberPattern


@cache
def _locale(lang: str) -> Locale:
    from babel import Locale  # deferred, like the catalogues: the sign-in page shows no number

    return Locale.parse(LOCALES[lang])


@cache
def _scales(lang: str) -> tuple[tuple[int, str], ...]:
    """(size, word) of each scale word of ``lang`` in CLDR, largest first.

    A compact pattern ``00万`` at magnitude 100,000 means: divide by 10,000, write ``万``.
    """
    sizes: dict[str, int] = {}
    for magnitude, pattern in _locale(lang).compact_decimal_formats["short"]["other"].items():
        word = (pattern.prefix[0] + pattern.suffix[0]).strip()
        if word:
            size = int(magnitude) // 10 ** (pattern.pattern.count("0") - 1)
            sizes[word] = min(size, sizes.get(word, size))
    return tuple(sorted(((size, word) for word, size in sizes.items()), reverse=True))


@cache
def _pattern(digits: int) -> NumberPattern:
    from babel.numbers import parse_pattern

    return parse_pattern("#,##0" + ("." + "0" * digits if digits > 0 else ""))


def _decimal(value: float, lang: str, digits: int) -> str:
    """``value`` grouped with ``digits`` decimals in ``lang`` (exact float, ties to even)."""
    return _pattern(digits).apply(Decimal(value), _locale(lang))


def _missing(value: object) -> bool:
    """``None`` or NaN (of any float type: Python, numpy, Decimal)."""
    if value is None:
        return True
    try:
        return math.isnan(value)  # type: ignore[arg-type]
    except TypeError:
        return False


def format_number(value: float | None, lang: str = DEFAULT_LANG, digits: int = 2,
                  whole: bool = False) -> str:
    """A number scaled for reading: 万/亿 in Chinese, K/M/B in English (from 10,000 up).

    Below 10,000 a number is shown whole when ``whole`` or when it is 100 or more, else with
    ``digits`` decimals. ``None``/NaN gives an en dash.

    >>> format_number(83210.0, "en"), format_number(83210.0, "zh-CN")
    ('83.21 K', '8.32 万')
    >>> format_number(9999.0, "en"), format_number(1234567890.0, "zh-CN")
    ('9,999', '12.35 亿')
    """
    if _missing(value):
        return "–"
    lang = normalize_lang(lang)
    v = float(value)  # type: ignore[arg-type]
    for size, word in _scales(lang):
        if abs(v) >= max(size, SCALE_FROM):
            return f"{_decimal(v / size, lang, digits)} {word}"
    return _decimal(v, lang, 0 if whole or abs(v) >= 100 else digits)


def format_quantity(value: float | None, unit: str, lang: str = DEFAULT_LANG,
                    digits: int = 2) -> str:
    """A number with its unit (a ``Measure.unit``), scaled by :func:`format_number`.

    Counts (customers, payments) are whole; in Chinese the unit follows 万/亿 directly.

    >>> format_quantity(1234567.0, "yuan", "en")
    '1.23 M yuan'
    >>> format_quantity(123456789.0, "yuan", "zh-CN")
    '1.23 亿元'
    >>> format_quantity(3000.0, "customers", "zh-CN")
    '3,000 户'
    """
    if _missing(value):
        return "–"
    if unit == "%":
        return f"{value:.1%}"
    lang = normalize_lang(lang)
    number = format_number(value, lang, digits, whole=unit in WHOLE_UNITS)
    u = unit_label(unit, lang)
    if not u:
        return number
    if lang == "zh-CN" and number.endswith(tuple(w for _, w in _scales(lang))):
        return number + u
    return f"{number} {u}"
