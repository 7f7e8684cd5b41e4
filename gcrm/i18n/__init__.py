"""The user interface in English and Simplified Chinese: messages and numbers.

Every label a page, report or chart shows comes from :func:`t` (or :func:`tn` for a message
that counts). The messages are gettext catalogues, ``locales/en.po`` and ``locales/zh_CN.po``
(msgid = the key, msgstr = the text), read with Babel (:mod:`gcrm.i18n.catalog`); numbers are
scaled with CLDR's words through Babel (:mod:`gcrm.i18n.numbers`). Place names are data,
never translated: they stay Chinese in every language. Measure and dimension labels live with
the semantic model (:mod:`gcrm.cube.model`); the catalogues hold everything else.

Examples
--------
>>> t("home.title", "zh-CN")
'总览'
>>> t("home.period", "en", start="2025-11", end="2026-10")
'Last 12 months: 2025-11 to 2026-10'
>>> tn("audit.count", 1, "en"), tn("audit.count", 2, "en")
('1 entry', '2 entries')
>>> format_quantity(123456.0, "kWh", "zh-CN")
'12.35 万kWh'
"""

from __future__ import annotations

from gcrm.i18n.catalog import (
    DEFAULT_LANG,
    LANG_NAMES,
    LANGS,
    MESSAGES,
    normalize_lang,
    t,
    tn,
    unit_label,
)
from gcrm.i18n.numbers import format_number, format_quantity

__all__ = ["DEFAULT_LANG", "LANGS", "LANG_NAMES", "MESSAGES", "format_number",
           "format_quantity", "normalize_lang", "t", "tn", "unit_label"]
