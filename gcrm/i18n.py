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
    # --- cube explorer
    "nav.explorer": {"en": "Cube Explorer", "zh-CN": "多维分析"},
    "explorer.title": {"en": "Cube Explorer", "zh-CN": "多维分析"},
    "explorer.caption": {
        "en": "Pick measures and dimensions on the left; click a table row to drill down. "
              "The page address holds the whole view: copy it to share.",
        "zh-CN": "在左侧选择度量与维度；点击表格中的一行可向下钻取。"
                 "页面地址保存了完整视图，复制即可分享。"},
    "explorer.measures": {"en": "Measures", "zh-CN": "度量"},
    "explorer.rows": {"en": "Rows", "zh-CN": "行维度"},
    "explorer.rows_help": {
        "en": "In the order picked. Clicking a row replaces the last one by its next level "
              "(city → district → grid, year → quarter → month).",
        "zh-CN": "按选择顺序排列。点击一行时，最后一个行维度替换为下一层级"
                 "（城市 → 区县 → 网格，年 → 季度 → 月份）。"},
    "explorer.column": {"en": "Columns (pivot)", "zh-CN": "列维度（透视）"},
    "explorer.none": {"en": "(none)", "zh-CN": "（无）"},
    "explorer.all": {"en": "All", "zh-CN": "全部"},
    "explorer.months": {"en": "Months", "zh-CN": "月份范围"},
    "explorer.filters": {"en": "Filters ({n})", "zh-CN": "筛选（{n}）"},
    "explorer.compare": {"en": "Time comparison", "zh-CN": "时间对比"},
    "explorer.compare.none": {"en": "None", "zh-CN": "无"},
    "explorer.compare.yoy": {"en": "Year over year", "zh-CN": "同比"},
    "explorer.compare.mom": {"en": "Month over month", "zh-CN": "环比"},
    "explorer.totals": {"en": "Totals and subtotals", "zh-CN": "合计与小计"},
    "explorer.sort": {"en": "Sort by", "zh-CN": "排序依据"},
    "explorer.sort.none": {"en": "(dimension order)", "zh-CN": "（按维度顺序）"},
    "explorer.descending": {"en": "Descending", "zh-CN": "降序"},
    "explorer.top": {"en": "Top N (0 = all)", "zh-CN": "前 N 名（0 = 全部）"},
    "explorer.sort_disabled": {"en": "Sort and top-N do not apply with totals.",
                               "zh-CN": "显示合计时不适用排序与前 N 名。"},
    "explorer.pick_measure": {"en": "Pick at least one measure.",
                              "zh-CN": "请至少选择一个度量。"},
    "explorer.bad_filter": {"en": "Ignored filter values not in the warehouse: {values}",
                            "zh-CN": "已忽略数据仓库中不存在的筛选值：{values}"},
    "explorer.slice": {"en": "Current slice, {start} to {end}",
                       "zh-CN": "当前切片：{start} 至 {end}"},
    "explorer.compare_period": {"en": "Compared with {start} to {end}",
                                "zh-CN": "对比期：{start} 至 {end}"},
    "explorer.path": {"en": "Drill path:", "zh-CN": "钻取路径："},
    "explorer.path_root": {"en": "All", "zh-CN": "全部"},
    "explorer.no_lower": {"en": "{dim} has no lower level to drill into.",
                          "zh-CN": "{dim}没有可以钻取的下一层级。"},
    "explorer.result": {"en": "Result: {n} rows", "zh-CN": "查询结果：{n} 行"},
    "explorer.drill_hint": {"en": "click a row to drill down", "zh-CN": "点击一行向下钻取"},
    "explorer.total": {"en": "Total", "zh-CN": "合计"},
    "explorer.empty": {"en": "(empty)", "zh-CN": "（空）"},
    "explorer.yes": {"en": "yes", "zh-CN": "是"},
    "explorer.no": {"en": "no", "zh-CN": "否"},
    "explorer.prev_col": {"en": "{measure}, {kind} base", "zh-CN": "{measure}（{kind}基期）"},
    "explorer.growth_col": {"en": "{measure}, {kind} growth", "zh-CN": "{measure}{kind}增长率"},
    "explorer.download_csv": {"en": "CSV", "zh-CN": "CSV"},
    "explorer.download_xlsx": {"en": "Excel", "zh-CN": "Excel"},
    "explorer.cli": {"en": "The same query on the command line",
                     "zh-CN": "命令行中的等价查询"},
    "explorer.cli_none": {
        "en": "Sorting or top-N on a comparison or a pivot has no exact `gcrm query` "
              "equivalent; the CSV is what the table shows.",
        "zh-CN": "对时间对比或透视表的排序与前 N 名没有完全等价的 `gcrm query` 命令；"
                 "CSV 即表格所示内容。"},
    "explorer.chart": {"en": "Chart: {measure}", "zh-CN": "图表：{measure}"},
    "explorer.chart_top": {"en": "Showing the top {n} of {total}.",
                           "zh-CN": "仅显示前 {n} 项（共 {total} 项）。"},
    "explorer.no_chart": {"en": "Add a row dimension to see a chart.",
                          "zh-CN": "添加行维度后显示图表。"},
    "explorer.map": {"en": "Map by district: {measure}", "zh-CN": "区县分布：{measure}"},
    "explorer.map_unlocated": {"en": "Unlocated customers (not on the map): {value}",
                               "zh-CN": "未定位客户（不在地图上）：{value}"},
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
