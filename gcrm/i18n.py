"""One message catalogue for the user interface: English and Simplified Chinese.

Every label a page, report or chart shows comes from :func:`t`. Place names are data, never
translated: they stay Chinese in every language. Measure and dimension labels live with the
semantic model (:mod:`gcrm.cube.model`); this catalogue holds everything else.

Examples
--------
>>> t("home.title", "zh-CN")
'总览'
>>> t("home.period", "en", start="2025-11", end="2026-10")
'Last 12 months: 2025-11 to 2026-10'
>>> format_quantity(123456.0, "kWh", "zh-CN")
'12.35 万kWh'
"""

from __future__ import annotations

import math

LANGS: tuple[str, ...] = ("en", "zh-CN")
DEFAULT_LANG = "en"

#: Name of each language in its own language (for the language switch).
LANG_NAMES: dict[str, str] = {"en": "English", "zh-CN": "简体中文"}

#: key -> {lang: text}. Text may hold ``str.format`` fields, filled from ``t(**fmt)``.
MESSAGES: dict[str, dict[str, str]] = {
    # --- application shell
    "app.title": {"en": "GCRM", "zh-CN": "GCRM 地理客户关系管理"},
    "app.subtitle": {"en": "Geographic CRM for power supply",
                     "zh-CN": "供电企业地理客户关系与多维分析"},
    "app.language": {"en": "Language", "zh-CN": "语言"},
    "app.warehouse": {"en": "Warehouse: `{path}`", "zh-CN": "数据仓库：`{path}`"},
    "app.loaded_at": {"en": "Loaded: {when}", "zh-CN": "加载时间：{when}"},
    "app.never_loaded": {"en": "never", "zh-CN": "尚未加载"},
    "app.synthetic_note": {
        "en": "Demo data and the population grid are synthetic; they describe no real "
              "customers or people.",
        "zh-CN": "演示数据与人口网格均为合成数据，不涉及任何真实客户或人员。"},
    "app.no_warehouse.title": {"en": "No warehouse yet", "zh-CN": "尚无数据仓库"},
    "app.no_warehouse.body": {
        "en": "The warehouse `{path}` does not exist. Build the demo with `gcrm demo` "
              "(or load your data with `gcrm etl --input DIR`), then reload this page.",
        "zh-CN": "数据仓库 `{path}` 不存在。请先运行 `gcrm demo` 生成演示数据"
                 "（或用 `gcrm etl --input DIR` 加载您的数据），然后刷新本页。"},
    "app.warehouse_error": {
        "en": "The warehouse `{path}` could not be read: {error}",
        "zh-CN": "无法读取数据仓库 `{path}`：{error}"},
    "app.no_data": {
        "en": "The warehouse holds no consumption data yet. Load data with `gcrm etl` "
              "or `gcrm demo`.",
        "zh-CN": "数据仓库中还没有用电数据。请用 `gcrm etl` 或 `gcrm demo` 加载数据。"},
    # --- navigation
    "nav.home": {"en": "Overview", "zh-CN": "总览"},
    # --- home page
    "home.title": {"en": "Overview", "zh-CN": "总览"},
    "home.period": {"en": "Last 12 months: {start} to {end}",
                    "zh-CN": "近12个月：{start} 至 {end}"},
    "home.exact": {"en": "Exact value: {value}", "zh-CN": "精确值：{value}"},
    "home.map.title": {"en": "Customers by district", "zh-CN": "各区县客户分布"},
    "home.map.legend": {"en": "Customers", "zh-CN": "客户数"},
    "home.map.no_regions": {
        "en": "No district boundaries in the warehouse; load a regions.geojson.",
        "zh-CN": "数据仓库中没有区县边界，请加载 regions.geojson。"},
    "home.map.no_data": {"en": "no data", "zh-CN": "无数据"},
    "home.map.rank": {"en": "Rank {rank} of {total}", "zh-CN": "排名 {rank} / {total}"},
    "home.table.title": {"en": "Districts ranked by customers",
                         "zh-CN": "区县客户数排名"},
    "home.table.rank": {"en": "Rank", "zh-CN": "排名"},
    "home.table.name": {"en": "District", "zh-CN": "区县"},
    "home.unlocated": {"en": "(unlocated)", "zh-CN": "（未定位）"},
    # --- KPI tiles (short labels; the full measure labels live in gcrm.cube.model)
    "kpi.customers": {"en": "Customers", "zh-CN": "客户数"},
    "kpi.kwh": {"en": "Consumption", "zh-CN": "用电量"},
    "kpi.amount": {"en": "Billed", "zh-CN": "应收电费"},
    "kpi.paid": {"en": "Paid", "zh-CN": "实收电费"},
    "kpi.arrears": {"en": "Arrears", "zh-CN": "欠费"},
    # --- units
    "unit.kWh": {"en": "kWh", "zh-CN": "kWh"},
    "unit.yuan": {"en": "yuan", "zh-CN": "元"},
    "unit.customers": {"en": "", "zh-CN": "户"},
    "unit.payments": {"en": "", "zh-CN": "笔"},
    "unit.%": {"en": "%", "zh-CN": "%"},
}


def normalize_lang(lang: str | None) -> str:
    """A supported language code for ``lang`` ('zh', 'zh_CN', 'zh-Hans' -> 'zh-CN')."""
    if not lang:
        return DEFAULT_LANG
    low = str(lang).replace("_", "-").lower()
    if low.startswith("zh"):
        return "zh-CN"
    return "en" if low.startswith("en") else DEFAULT_LANG


def t(key: str, lang: str = DEFAULT_LANG, **fmt: object) -> str:
    """The message ``key`` in ``lang``, with ``{field}``s filled from ``fmt``.

    An unknown key raises :class:`KeyError` (so a typo fails in tests, not silently in the
    UI). A language other than those in :data:`LANGS` falls back to English.
    """
    entry = MESSAGES[key]
    text = entry[normalize_lang(lang)]
    return text.format(**fmt) if fmt else text


def unit_label(unit: str, lang: str = DEFAULT_LANG) -> str:
    """A measure's unit (``Measure.unit``) as shown in ``lang``; unknown units pass through."""
    key = f"unit.{unit}"
    return t(key, lang) if key in MESSAGES else unit


def format_number(value: float | None, lang: str = DEFAULT_LANG, digits: int = 2,
                  whole: bool = False) -> str:
    """A number scaled for reading: 万/亿 in Chinese, K/M/B in English (from 10,000 up).

    Below 10,000 a number is shown whole when ``whole`` or when it is 100 or more, else with
    ``digits`` decimals. ``None``/NaN gives an en dash.

    >>> format_number(83210.0, "en"), format_number(83210.0, "zh-CN")
    ('83.21 K', '8.32 万')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    v = float(value)
    if normalize_lang(lang) == "zh-CN":
        steps = ((1e8, 1e8, "亿"), (1e4, 1e4, "万"))
    else:  # thresholds: from 10,000 up, so that 9,999 reads whole in both languages
        steps = ((1e9, 1e9, "B"), (1e6, 1e6, "M"), (1e4, 1e3, "K"))
    for threshold, size, prefix in steps:
        if abs(v) >= threshold:
            return f"{v / size:,.{digits}f} {prefix}"
    return f"{v:,.0f}" if whole or abs(v) >= 100 else f"{v:,.{digits}f}"


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
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if unit == "%":
        return f"{value:.1%}"
    lang = normalize_lang(lang)
    number = format_number(value, lang, digits, whole=unit in ("customers", "payments"))
    u = unit_label(unit, lang)
    if not u:
        return number
    if lang == "zh-CN" and number.endswith(("万", "亿")):
        return number + u
    return f"{number} {u}"
