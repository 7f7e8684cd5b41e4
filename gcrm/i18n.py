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


# --- area reports (gcrm/reports): PDF, XLSX and GIS exports
MESSAGES.update({
    "report.title": {"en": "Area report", "zh-CN": "区域分析报告"},
    "report.period": {"en": "Period: {period} ({first} to {last})",
                      "zh-CN": "报告期：{period}（{first} 至 {last}）"},
    "report.coverage": {"en": "Data cover {n} of {total} months of the period: {months}.",
                        "zh-CN": "报告期 {total} 个月中有 {n} 个月有数据：{months}。"},
    "report.generated": {"en": "Generated {when} for {user}; data loaded {loaded}.",
                         "zh-CN": "生成时间 {when}，用户 {user}；数据加载时间 {loaded}。"},
    "report.footer": {"en": "Data loaded {loaded} | {filters} | user {user} | page {page}",
                      "zh-CN": "数据加载 {loaded} | {filters} | 用户 {user} | 第 {page} 页"},
    "report.operator": {"en": "local operator", "zh-CN": "本地操作员"},
    "report.cover.map": {"en": "{region} within the districts of the city",
                         "zh-CN": "{region}在全市区县中的位置"},
    "report.section.kpi": {"en": "Key figures", "zh-CN": "关键指标"},
    "report.col.measure": {"en": "Measure", "zh-CN": "指标"},
    "report.col.value": {"en": "This period", "zh-CN": "本期"},
    "report.col.prev": {"en": "Previous period ({period})", "zh-CN": "上期（{period}）"},
    "report.col.prev_change": {"en": "Change vs previous", "zh-CN": "环比"},
    "report.col.yoy": {"en": "Same period last year ({period})",
                       "zh-CN": "去年同期（{period}）"},
    "report.col.yoy_change": {"en": "Change vs last year", "zh-CN": "同比"},
    "report.cmp_note": {
        "en": "A comparison is left blank (–) when the compared period lacks data for some "
              "months. Ratios change in percentage points (pp).",
        "zh-CN": "对比期缺少部分月份数据时，对比值留空（–）。比率类指标的变化以百分点（pp）表示。"},
    "report.section.consumption": {"en": "Consumption", "zh-CN": "用电分析"},
    "report.chart.trend": {"en": "Monthly consumption (kWh)", "zh-CN": "月度用电量（kWh）"},
    "report.chart.current": {"en": "This period", "zh-CN": "本期"},
    "report.chart.last_year": {"en": "Same month last year", "zh-CN": "去年同月"},
    "report.chart.class_mix": {"en": "Consumption by customer class",
                               "zh-CN": "分类用电结构"},
    "report.section.payments": {"en": "Payments and arrears", "zh-CN": "缴费与欠费"},
    "report.chart.channels": {"en": "Paid by channel (yuan)", "zh-CN": "各渠道缴费金额（元）"},
    "report.arrears.title": {"en": "Arrears by customer class", "zh-CN": "分类欠费情况"},
    "report.section.reliability": {"en": "Supply reliability ({year})",
                                   "zh-CN": "供电可靠性（{year}年）"},
    "report.rel.all": {"en": "All interruptions (RS-1)", "zh-CN": "全部停电（RS-1）"},
    "report.rel.excluding_planned": {"en": "Excluding planned outages",
                                     "zh-CN": "不计计划停电"},
    "report.rel.none": {"en": "No outage data for {year}.", "zh-CN": "{year}年无停电数据。"},
    "report.rel.note": {
        "en": "Annual indices of calendar year {year} (IEEE 1366; sustained > 5 min, MAIFI "
              "counts momentary). DL/T 836: AIHC = SAIDI / 60, RS-1 = 1 - AIHC / hours of "
              "the year.",
        "zh-CN": "{year}年全年指标（IEEE 1366；持续停电 > 5 分钟，MAIFI 统计瞬时停电）。"
                 "DL/T 836：户均停电时间 AIHC = SAIDI / 60，RS-1 = 1 - AIHC / 全年小时数。"},
    "report.chart.outage_map": {"en": "SAIDI by {area} (minutes, {year})",
                                "zh-CN": "各{area}户均停电时间 SAIDI（分钟，{year}年）"},
    "report.col.basis": {"en": "Basis", "zh-CN": "统计口径"},
    "report.col.customers_served": {"en": "Customers served", "zh-CN": "用户总数"},
    "report.col.saifi": {"en": "SAIFI (per customer)", "zh-CN": "SAIFI（次/户）"},
    "report.col.saidi": {"en": "SAIDI (min)", "zh-CN": "SAIDI（分钟/户）"},
    "report.col.caidi": {"en": "CAIDI (min)", "zh-CN": "CAIDI（分钟/次）"},
    "report.col.asai": {"en": "ASAI", "zh-CN": "ASAI（供电可用率）"},
    "report.col.maifi": {"en": "MAIFI (per customer)", "zh-CN": "MAIFI（次/户）"},
    "report.col.aihc_hours": {"en": "AIHC (h)", "zh-CN": "AIHC（小时/户）"},
    "report.col.rs_pct": {"en": "RS-1 (%)", "zh-CN": "RS-1（%）"},
    "report.section.areas": {"en": "Sub-areas", "zh-CN": "下级区域"},
    "report.area.district": {"en": "district", "zh-CN": "区县"},
    "report.area.grid": {"en": "grid cell (H3)", "zh-CN": "网格（H3）"},
    "report.col.area": {"en": "Area", "zh-CN": "区域"},
    "report.col.name": {"en": "Name", "zh-CN": "名称"},
    "report.col.month": {"en": "Month", "zh-CN": "月份"},
    "report.col.kwh_prev": {"en": "kWh, same month last year", "zh-CN": "去年同月用电量"},
    "report.col.share": {"en": "Share", "zh-CN": "占比"},
    "report.col.customer_class": {"en": "Customer class", "zh-CN": "用电类别"},
    "report.col.channel": {"en": "Payment channel", "zh-CN": "缴费渠道"},
    "report.col.customer": {"en": "Customer ID", "zh-CN": "客户编号"},
    "report.col.tariff": {"en": "Tariff", "zh-CN": "电价"},
    "report.col.address": {"en": "Address", "zh-CN": "地址"},
    "report.col.service_point": {"en": "Service point", "zh-CN": "营业网点"},
    "report.col.kind": {"en": "Kind", "zh-CN": "类型"},
    "report.col.lon": {"en": "Longitude", "zh-CN": "经度"},
    "report.col.lat": {"en": "Latitude", "zh-CN": "纬度"},
    "report.col.district_id": {"en": "District", "zh-CN": "区县"},
    "report.col.item": {"en": "Item", "zh-CN": "项目"},
    "report.total": {"en": "Total", "zh-CN": "合计"},
    "report.section.trade": {"en": "Trading area", "zh-CN": "营业网点与商圈"},
    "report.trade.service_points": {"en": "Service points in the region",
                                    "zh-CN": "区域内营业网点"},
    "report.trade.service_points_business_hall": {"en": "Business halls", "zh-CN": "营业厅"},
    "report.trade.service_points_bank_agent": {"en": "Bank agents", "zh-CN": "银行代收点"},
    "report.trade.service_points_self_service": {"en": "Self-service terminals",
                                                 "zh-CN": "自助缴费终端"},
    "report.trade.customers": {"en": "Customers (with consumption in the period)",
                               "zh-CN": "客户数（本期有用电）"},
    "report.trade.customers_homed_here": {"en": "Customers homed at these service points",
                                          "zh-CN": "归属本区域网点的客户"},
    "report.trade.residents": {"en": "Residents (population grid)",
                               "zh-CN": "常住人口（人口网格）"},
    "report.trade.customers_per_service_point": {"en": "Customers per service point",
                                                 "zh-CN": "网点户均服务客户数"},
    "report.trade.penetration_per_1000": {"en": "Penetration (customers per 1,000 residents)",
                                          "zh-CN": "渗透率（每千常住人口客户数）"},
    "report.section.top": {"en": "Top {n} customers by consumption",
                           "zh-CN": "用电量前 {n} 名客户"},
    "report.top.hidden": {
        "en": "Your role may not see individual customers: no customer rows in this report.",
        "zh-CN": "您的角色无权查看客户明细：本报告不含客户记录。"},
    "report.top.masked": {"en": "Personal fields are masked for your role.",
                          "zh-CN": "根据您的角色，个人信息已脱敏。"},
    "report.section.quality": {"en": "Data quality", "zh-CN": "数据质量说明"},
    "report.quality.customers_on_record": {"en": "Customers on record in the region",
                                           "zh-CN": "区域内在册客户"},
    "report.quality.customers_with_consumption": {"en": "Customers with consumption in the "
                                                        "period",
                                                  "zh-CN": "本期有用电记录的客户"},
    "report.quality.duplicate_groups": {"en": "Suspected duplicate customer groups",
                                        "zh-CN": "疑似重复客户组"},
    "report.quality.rejected_rows_last_load": {"en": "Rows rejected by the last load "
                                                     "(warehouse-wide)",
                                               "zh-CN": "最近一次加载拒收行数（全库）"},
    "report.quality.months_with_data": {"en": "Months with data / months in the period",
                                        "zh-CN": "有数据月份 / 报告期月份"},
    "report.quality.unlocated_warehouse": {
        "en": "Unlocated customers (warehouse-wide, in no regional report)",
        "zh-CN": "未定位客户（全库，不计入任何区域报告）"},
    "report.quality.note": {
        "en": "Every figure comes from the GCRM cube for this region and period; customers "
              "count when they have consumption in the period.",
        "zh-CN": "所有数字均来自 GCRM 多维模型（本区域、本报告期）；客户数按本期有用电记录统计。"},
    "report.class.residential": {"en": "Residential", "zh-CN": "居民"},
    "report.class.commercial": {"en": "Commercial", "zh-CN": "商业"},
    "report.class.industrial": {"en": "Industrial", "zh-CN": "工业"},
    "report.class.agricultural": {"en": "Agricultural", "zh-CN": "农业"},
    "report.class.public": {"en": "Public", "zh-CN": "公共事业"},
    "report.channel.counter": {"en": "Counter", "zh-CN": "柜台"},
    "report.channel.bank": {"en": "Bank", "zh-CN": "银行代收"},
    "report.channel.online": {"en": "Online", "zh-CN": "网上缴费"},
    "report.channel.app": {"en": "App", "zh-CN": "手机 App"},
    "report.channel.autodebit": {"en": "Auto-debit", "zh-CN": "代扣"},
    "report.channel.prepaid": {"en": "Prepaid", "zh-CN": "预付费"},
    "report.kind.business_hall": {"en": "Business hall", "zh-CN": "营业厅"},
    "report.kind.bank_agent": {"en": "Bank agent", "zh-CN": "银行代收点"},
    "report.kind.self_service": {"en": "Self-service terminal", "zh-CN": "自助缴费终端"},
    "report.sheet.about": {"en": "About", "zh-CN": "说明"},
    "report.about.region": {"en": "Region", "zh-CN": "区域"},
    "report.about.period": {"en": "Period", "zh-CN": "报告期"},
    "report.about.filters": {"en": "Filters", "zh-CN": "筛选条件"},
    "report.about.user": {"en": "User", "zh-CN": "用户"},
    "report.about.loaded_at": {"en": "Data loaded", "zh-CN": "数据加载时间"},
    "report.about.generated_at": {"en": "Generated", "zh-CN": "生成时间"},
    "report.about.masked": {"en": "Personal fields masked", "zh-CN": "个人信息脱敏"},
    "report.about.crs": {"en": "Coordinates", "zh-CN": "坐标系"},
    "report.crs.wgs84": {"en": "WGS-84 (EPSG:4326)", "zh-CN": "WGS-84（EPSG:4326）"},
    "report.crs.gcj02": {
        "en": "GCJ-02 (shifted WGS-84 for Chinese basemaps; labelled EPSG:4326, "
              "not true WGS-84)",
        "zh-CN": "GCJ-02（国测局坐标，用于国内底图；标注为 EPSG:4326，但并非真正的 WGS-84）"},
    "report.yes": {"en": "yes", "zh-CN": "是"},
    "report.no": {"en": "no", "zh-CN": "否"},
})
MESSAGES.update({
    "report.col.service_point_id": {"en": "Service point", "zh-CN": "营业网点"},
})
# --- customers page (customer 360)
MESSAGES.update({
    "nav.customers": {"en": "Customers", "zh-CN": "客户360"},
    "cust.title": {"en": "Customers", "zh-CN": "客户360"},
    "cust.caption": {"en": "Search a customer, open the card, record service. Signed in as {user}.",
                     "zh-CN": "查询客户、查看客户视图、登记服务记录。当前用户：{user}。"},
    "cust.no_permission": {"en": "User {user} may not see individual customers.",
                           "zh-CN": "用户 {user} 无权查看客户明细。"},
    "cust.tab.search": {"en": "Search and card", "zh-CN": "查询与客户视图"},
    "cust.tab.anniversaries": {"en": "Anniversaries", "zh-CN": "客户周年"},
    "cust.search.label": {"en": "Search customers", "zh-CN": "查询客户"},
    "cust.search.placeholder": {
        "en": "Customer id, name (partial, Chinese), phone, ID number or address",
        "zh-CN": "客户编号、户名（可部分匹配）、电话、身份证号或地址"},
    "cust.search.none": {"en": "No customer matches “{text}”.",
                         "zh-CN": "没有与“{text}”匹配的客户。"},
    "cust.search.count": {"en": "{n} customers found, best match first.",
                          "zh-CN": "找到 {n} 个客户，按匹配度排序。"},
    "cust.search.open": {"en": "Customer card", "zh-CN": "打开客户视图"},
    "cust.col.id": {"en": "Customer id", "zh-CN": "客户编号"},
    "cust.col.name": {"en": "Name", "zh-CN": "户名"},
    "cust.col.class": {"en": "Class", "zh-CN": "用电类别"},
    "cust.col.phone": {"en": "Phone", "zh-CN": "电话"},
    "cust.col.id_number": {"en": "ID number", "zh-CN": "身份证号"},
    "cust.col.address": {"en": "Address", "zh-CN": "地址"},
    "cust.col.district": {"en": "District", "zh-CN": "区县"},
    "cust.col.score": {"en": "Match", "zh-CN": "匹配度"},
    "cust.col.when": {"en": "When", "zh-CN": "时间"},
    "cust.col.kind": {"en": "Kind", "zh-CN": "类型"},
    "cust.col.topic": {"en": "Topic", "zh-CN": "主题"},
    "cust.col.status": {"en": "Status", "zh-CN": "状态"},
    "cust.col.note": {"en": "Note", "zh-CN": "备注"},
    "cust.col.source": {"en": "Source", "zh-CN": "来源"},
    "cust.col.record": {"en": "Record", "zh-CN": "记录号"},
    "cust.col.user": {"en": "User", "zh-CN": "用户"},
    "cust.col.field": {"en": "Field", "zh-CN": "字段"},
    "cust.col.old": {"en": "Old value", "zh-CN": "原值"},
    "cust.col.new": {"en": "New value", "zh-CN": "新值"},
    "cust.col.bucket": {"en": "Days overdue", "zh-CN": "逾期天数"},
    "cust.col.outstanding": {"en": "Outstanding (yuan)", "zh-CN": "欠费（元）"},
    "cust.col.channel": {"en": "Channel", "zh-CN": "缴费渠道"},
    "cust.col.payments": {"en": "Payments", "zh-CN": "笔数"},
    "cust.col.start": {"en": "Start", "zh-CN": "开始"},
    "cust.col.end": {"en": "End", "zh-CN": "结束"},
    "cust.col.minutes": {"en": "Minutes", "zh-CN": "时长（分钟）"},
    "cust.col.cause": {"en": "Cause", "zh-CN": "原因"},
    "cust.col.planned": {"en": "Planned", "zh-CN": "计划停电"},
    "cust.f.field": {"en": "Field", "zh-CN": "项目"},
    "cust.f.value": {"en": "Value", "zh-CN": "内容"},
    "cust.f.segment": {"en": "Segment", "zh-CN": "客户细分"},
    "cust.f.tariff": {"en": "Tariff", "zh-CN": "电价"},
    "cust.f.big": {"en": "Big customer", "zh-CN": "大客户"},
    "cust.f.feeder": {"en": "Substation / feeder", "zh-CN": "变电站 / 线路"},
    "cust.f.service_point": {"en": "Service point", "zh-CN": "营业网点"},
    "cust.f.manager": {"en": "Account manager", "zh-CN": "客户经理"},
    "cust.f.opened": {"en": "Opened on", "zh-CN": "立户日期"},
    "cust.card.masked": {"en": "Contact fields are masked for your role.",
                         "zh-CN": "根据您的角色，联系信息已脱敏显示。"},
    "cust.card.unlocated": {"en": "This customer has no location.",
                            "zh-CN": "该客户尚未定位。"},
    "cust.card.consumption": {"en": "Monthly consumption: peak, flat, valley (kWh)",
                              "zh-CN": "月度用电量：峰、平、谷（kWh）"},
    "cust.card.no_consumption": {"en": "No consumption recorded.", "zh-CN": "没有用电记录。"},
    "cust.card.billing": {"en": "Billed and paid (yuan)", "zh-CN": "应收与实收（元）"},
    "cust.card.ageing": {"en": "Arrears by age", "zh-CN": "欠费账龄"},
    "cust.card.channels": {"en": "Payment channels", "zh-CN": "缴费渠道"},
    "cust.card.outages": {"en": "Outages suffered ({n})", "zh-CN": "经历的停电（{n} 次）"},
    "cust.card.timeline": {"en": "Service timeline", "zh-CN": "服务记录时间线"},
    "cust.card.timeline_more": {"en": "{n} older entries not shown.",
                                "zh-CN": "另有 {n} 条较早记录未显示。"},
    "cust.card.no_timeline": {"en": "No service history yet.", "zh-CN": "暂无服务记录。"},
    "cust.tou.peak": {"en": "Peak", "zh-CN": "峰"},
    "cust.tou.flat": {"en": "Flat", "zh-CN": "平"},
    "cust.tou.valley": {"en": "Valley", "zh-CN": "谷"},
    "cust.rec.title": {"en": "Record a visit, complaint or note",
                       "zh-CN": "登记走访、投诉或备注"},
    "cust.rec.no_permission": {"en": "Your role may not record service.",
                               "zh-CN": "您的角色无权登记服务记录。"},
    "cust.rec.date": {"en": "Date", "zh-CN": "日期"},
    "cust.rec.time": {"en": "Time", "zh-CN": "时间"},
    "cust.rec.contact": {"en": "Contact person", "zh-CN": "联系人"},
    "cust.rec.save": {"en": "Save record", "zh-CN": "保存记录"},
    "cust.rec.error": {"en": "Not saved: {error}", "zh-CN": "未保存：{error}"},
    "cust.rec.saved": {"en": "Record #{id} saved.", "zh-CN": "记录 #{id} 已保存。"},
    "cust.kind.visit": {"en": "Visit", "zh-CN": "走访"},
    "cust.kind.complaint": {"en": "Complaint", "zh-CN": "投诉"},
    "cust.kind.request": {"en": "Request", "zh-CN": "诉求"},
    "cust.kind.note": {"en": "Note", "zh-CN": "备注"},
    "cust.kind.contact": {"en": "Contact", "zh-CN": "联络"},
    "cust.status.open": {"en": "Open", "zh-CN": "待处理"},
    "cust.status.in_progress": {"en": "In progress", "zh-CN": "处理中"},
    "cust.status.resolved": {"en": "Resolved", "zh-CN": "已解决"},
    "cust.status.closed": {"en": "Closed", "zh-CN": "已关闭"},
    "cust.flow.title": {"en": "Records and history", "zh-CN": "记录与修改历史"},
    "cust.flow.none": {"en": "No records entered in GCRM for this customer yet.",
                       "zh-CN": "该客户在 GCRM 中尚无登记记录。"},
    "cust.flow.record": {"en": "Record", "zh-CN": "记录"},
    "cust.flow.status": {"en": "Status: {status}", "zh-CN": "状态：{status}"},
    "cust.flow.moved": {"en": "Record #{id} is now {status}.",
                        "zh-CN": "记录 #{id} 状态已改为{status}。"},
    "cust.flow.resolved_in": {"en": "Resolved in {hours} hours.",
                              "zh-CN": "用时 {hours} 小时解决。"},
    "cust.flow.history": {"en": "History of the record", "zh-CN": "记录修改历史"},
    "cust.anniv.days": {"en": "Anniversaries in the next N days (big customers)",
                        "zh-CN": "未来 N 天内的大客户立户周年"},
    "cust.anniv.count": {"en": "{n} big customers with an anniversary in the next {days} days.",
                         "zh-CN": "未来 {days} 天内有 {n} 个大客户迎来立户周年。"},
    "cust.anniv.date": {"en": "Anniversary", "zh-CN": "周年日"},
    "cust.anniv.in": {"en": "In days", "zh-CN": "剩余天数"},
    "cust.anniv.years": {"en": "Years", "zh-CN": "周年数"},
})
# --- outage page (dashboards/views/outages.py)
MESSAGES.update({
    "nav.outages": {"en": "Outages", "zh-CN": "停电分析"},
    "outages.title": {"en": "Outages and reliability", "zh-CN": "停电与供电可靠性"},
    "outages.no_data": {"en": "The warehouse holds no outage events.",
                        "zh-CN": "数据仓库中没有停电事件。"},
    "outages.error": {"en": "Cannot show this: {error}", "zh-CN": "无法显示：{error}"},
    "outages.year": {"en": "Year", "zh-CN": "年份"},
    "outages.by": {"en": "Group by", "zh-CN": "分组"},
    "outages.by.district": {"en": "District", "zh-CN": "区县"},
    "outages.by.feeder": {"en": "Feeder", "zh-CN": "线路"},
    "outages.by.substation": {"en": "Substation", "zh-CN": "变电站"},
    "outages.exclude_planned": {"en": "Exclude planned outages", "zh-CN": "剔除计划停电"},
    "outages.exclude_med": {"en": "Exclude major event days", "zh-CN": "剔除重大事件日"},
    "outages.unlocated": {"en": "(no region)", "zh-CN": "（未定位）"},
    "outages.table.title": {"en": "Reliability indices", "zh-CN": "供电可靠性指标"},
    "outages.table.note": {
        "en": "IEEE 1366 indices; RS-1 after DL/T 836. SAIDI and CAIDI in minutes, CEMI-3 and "
              "CELID-6h as shares of customers served.",
        "zh-CN": "指标依据 IEEE 1366；RS-1 依据 DL/T 836。SAIDI、CAIDI 单位为分钟，CEMI-3 与 "
                 "CELID-6h 为占服务客户数的比例。"},
    "outages.col.group": {"en": "Group", "zh-CN": "分组"},
    "outages.col.customers": {"en": "Customers served", "zh-CN": "服务客户数"},
    "outages.col.affected": {"en": "Customers affected", "zh-CN": "受影响客户"},
    "outages.col.feeder": {"en": "Feeder", "zh-CN": "线路"},
    "outages.col.customer_minutes": {"en": "Customer-minutes", "zh-CN": "停电时户数（分钟）"},
    "outages.index.saifi": {"en": "SAIFI", "zh-CN": "SAIFI 平均停电频率"},
    "outages.index.saidi": {"en": "SAIDI (min)", "zh-CN": "SAIDI 平均停电时间（分）"},
    "outages.index.caidi": {"en": "CAIDI (min)", "zh-CN": "CAIDI 平均停电持续时间（分）"},
    "outages.index.asai": {"en": "ASAI", "zh-CN": "ASAI 平均供电可用率"},
    "outages.index.maifi": {"en": "MAIFI", "zh-CN": "MAIFI 瞬时停电频率"},
    "outages.index.cemi_3": {"en": "CEMI-3", "zh-CN": "CEMI-3 多次停电客户比例"},
    "outages.index.celid_6h": {"en": "CELID-6h", "zh-CN": "CELID-6h 长时停电客户比例"},
    "outages.index.rs_pct": {"en": "RS-1 (%)", "zh-CN": "RS-1 供电可靠率（%）"},
    "outages.map.title": {"en": "Index by district, outage events",
                          "zh-CN": "各区县指标与停电事件"},
    "outages.map.index": {"en": "Index on the map", "zh-CN": "地图指标"},
    "outages.map.no_regions": {"en": "No district boundaries in the warehouse.",
                               "zh-CN": "数据仓库中没有区县边界。"},
    "outages.map.no_data": {"en": "No data", "zh-CN": "无数据"},
    "outages.map.causes": {"en": "Events by cause", "zh-CN": "停电事件（按原因）"},
    "outages.map.size": {"en": "Dot size: customers affected", "zh-CN": "圆点大小：受影响客户数"},
    "outages.cause.weather": {"en": "Weather", "zh-CN": "天气"},
    "outages.cause.equipment": {"en": "Equipment", "zh-CN": "设备故障"},
    "outages.cause.external_damage": {"en": "External damage", "zh-CN": "外力破坏"},
    "outages.cause.maintenance": {"en": "Maintenance", "zh-CN": "检修"},
    "outages.cause.other": {"en": "Other", "zh-CN": "其他"},
    "outages.daily.title": {"en": "Daily SAIDI and major event days",
                            "zh-CN": "每日 SAIDI 与重大事件日"},
    "outages.daily.caption": {
        "en": "Major-event-day threshold T_MED = {threshold} min (2.5 beta, fitted on "
              "{basis}); {days} major event day(s).",
        "zh-CN": "重大事件日阈值 T_MED = {threshold} 分钟（2.5β 法，拟合数据：{basis}）；"
                 "重大事件日 {days} 天。"},
    "outages.daily.no_threshold": {"en": "Too few outage days to fit a major-event threshold.",
                                   "zh-CN": "停电天数过少，无法拟合重大事件日阈值。"},
    "outages.daily.day": {"en": "Day", "zh-CN": "日期"},
    "outages.daily.saidi": {"en": "Daily SAIDI (min)", "zh-CN": "每日 SAIDI（分）"},
    "outages.daily.threshold": {"en": "T_MED", "zh-CN": "T_MED 阈值"},
    "outages.daily.meds": {"en": "Major event days: {days}", "zh-CN": "重大事件日：{days}"},
    "outages.worst.title": {"en": "Worst feeders (customer-minutes)",
                            "zh-CN": "停电时户数最多的线路"},
    "outages.cemi.title": {"en": "Most-interrupted customers", "zh-CN": "频繁停电客户"},
    "outages.cemi.n": {"en": "More than n sustained interruptions",
                       "zh-CN": "持续停电次数多于 n 次"},
    "outages.cemi.count": {"en": "{count} customers", "zh-CN": "共 {count} 户"},
    "outages.event.title": {"en": "Outage event", "zh-CN": "停电事件详情"},
    "outages.event.none": {"en": "No outage events in this year.", "zh-CN": "本年没有停电事件。"},
    "outages.event.pick": {"en": "Event (largest first)", "zh-CN": "事件（按影响从大到小）"},
    "outages.event.duration": {"en": "Duration", "zh-CN": "停电时长"},
    "outages.event.cause": {"en": "Cause", "zh-CN": "原因"},
    "outages.event.planned": {"en": "planned", "zh-CN": "计划"},
    "outages.event.big": {"en": "Big customers affected", "zh-CN": "受影响大客户"},
    "outages.event.big_list": {"en": "Big customers affected: {count}",
                               "zh-CN": "受影响大客户：{count} 户"},
    "outages.notice.title": {"en": "Planned-outage notice", "zh-CN": "计划停电通知"},
    "outages.notice.not_allowed": {"en": "Your role may not prepare outage notices.",
                                   "zh-CN": "您的角色无权准备停电通知。"},
    "outages.notice.feeders": {"en": "Feeders", "zh-CN": "线路"},
    "outages.notice.date": {"en": "Maintenance date", "zh-CN": "检修日期"},
    "outages.notice.start": {"en": "From", "zh-CN": "开始时间"},
    "outages.notice.end": {"en": "To", "zh-CN": "结束时间"},
    "outages.notice.pick": {"en": "Choose one or more feeders.", "zh-CN": "请选择一条或多条线路。"},
    "outages.notice.count": {"en": "{count} customers to notify for {start} to {end}",
                             "zh-CN": "{start} 至 {end} 需通知客户 {count} 户"},
    "outages.notice.masked": {"en": "Contact fields are masked for your role.",
                              "zh-CN": "根据您的角色，联系信息已脱敏。"},
    "outages.notice.csv": {"en": "Download CSV", "zh-CN": "下载 CSV"},
    "outages.notice.xlsx": {"en": "Download Excel", "zh-CN": "下载 Excel"},
    "outages.no_customer_rows": {"en": "Your role may not see individual customers.",
                                 "zh-CN": "您的角色无权查看客户明细。"},
    "outages.notice.audit_failed": {"en": "The download was not recorded in the audit log: "
                                          "{error}",
                                    "zh-CN": "下载未能写入审计日志：{error}"},
})

# ------------------------------------------------------------------ login, roles, audit log
MESSAGES.update({
    "nav.login": {"en": "Sign in", "zh-CN": "登录"},
    "nav.audit": {"en": "Audit log", "zh-CN": "审计日志"},
    "login.title": {"en": "Sign in", "zh-CN": "用户登录"},
    "login.intro": {"en": "Customer archives are personal data: sign in with your account.",
                    "zh-CN": "客户档案属于个人信息，请使用您的账号登录。"},
    "login.user": {"en": "User name", "zh-CN": "用户名"},
    "login.password": {"en": "Password", "zh-CN": "密码"},
    "login.submit": {"en": "Sign in", "zh-CN": "登录"},
    "login.failed": {"en": "Sign-in failed: {error}", "zh-CN": "登录失败：{error}"},
    "auth.signed_in": {"en": "Signed in as **{user}** ({role})",
                       "zh-CN": "当前用户：**{user}**（{role}）"},
    "auth.scope": {"en": "Regions: {scope}", "zh-CN": "数据范围：{scope}"},
    "auth.scope_all": {"en": "all regions", "zh-CN": "全部地区"},
    "auth.scope_none": {"en": "none", "zh-CN": "无"},
    "auth.logout": {"en": "Sign out", "zh-CN": "退出登录"},
    "auth.denied": {"en": "Your role ({role}) may not {permission}.",
                    "zh-CN": "您的角色（{role}）无此权限：{permission}。"},
    "auth.audit_failed": {"en": "The download could not be recorded in the audit log: {error}",
                          "zh-CN": "下载未能写入审计日志：{error}"},
    "explorer.export_denied": {"en": "Your role may not export data.",
                               "zh-CN": "您的角色无权导出数据。"},
    "audit.title": {"en": "Audit log", "zh-CN": "审计日志"},
    "audit.caption": {"en": "Logins, exports, record edits and account changes, newest first. "
                            "Each entry is chained to the previous one by its hash.",
                      "zh-CN": "登录、导出、记录修改与账号变更，按时间倒序。"
                               "每条记录通过哈希与上一条相链接。"},
    "audit.user": {"en": "User", "zh-CN": "用户"},
    "audit.action": {"en": "Action", "zh-CN": "操作"},
    "audit.text": {"en": "Text (target or detail)", "zh-CN": "关键字（对象或详情）"},
    "audit.any": {"en": "(any)", "zh-CN": "（全部）"},
    "audit.limit": {"en": "Entries", "zh-CN": "条数"},
    "audit.count": {"en": "{n} entries", "zh-CN": "共 {n} 条"},
    "audit.none": {"en": "No entries match.", "zh-CN": "没有符合条件的记录。"},
    "audit.col.id": {"en": "#", "zh-CN": "序号"},
    "audit.col.ts": {"en": "Time (UTC)", "zh-CN": "时间（UTC）"},
    "audit.col.target": {"en": "Target", "zh-CN": "对象"},
    "audit.col.detail": {"en": "Detail", "zh-CN": "详情"},
    "audit.verify": {"en": "Verify chain", "zh-CN": "校验哈希链"},
    "audit.verify_ok": {"en": "The audit log is intact: {n} entries verified.",
                        "zh-CN": "审计日志完整：已校验 {n} 条记录。"},
    "audit.verify_bad": {"en": "The audit log was tampered with ({n} entries): {problems}",
                         "zh-CN": "审计日志已被篡改（共 {n} 条）：{problems}"},
})

# ------------------------------------------------------------------ area reports page
MESSAGES.update({
    "nav.reports": {"en": "Area reports", "zh-CN": "区域报告"},
    "reports.title": {"en": "Area reports", "zh-CN": "区域报告"},
    "reports.intro": {"en": "A region's picture for a period as PDF, Excel or GIS layers — the "
                               "same file `gcrm report` writes.",
                      "zh-CN": "按区域和时段导出 PDF、Excel 或 GIS 图层，"
                               "与 `gcrm report` 生成的文件相同。"},
    "reports.no_regions": {"en": "No region within your scope.",
                           "zh-CN": "您的数据范围内没有区域。"},
    "reports.region": {"en": "Region", "zh-CN": "区域"},
    "reports.period": {"en": "Period", "zh-CN": "时段"},
    "reports.period_help": {"en": "YYYY, YYYY-Qn, YYYY-MM or YYYY-MM..YYYY-MM",
                            "zh-CN": "YYYY、YYYY-Qn、YYYY-MM 或 YYYY-MM..YYYY-MM"},
    "reports.format": {"en": "Format", "zh-CN": "格式"},
    "reports.crs": {"en": "Coordinates", "zh-CN": "坐标系"},
    "reports.generate": {"en": "Generate report", "zh-CN": "生成报告"},
    "reports.working": {"en": "Building the report…", "zh-CN": "正在生成报告…"},
    "reports.ready": {"en": "{name} is ready ({size} KB).",
                      "zh-CN": "{name} 已生成（{size} KB）。"},
    "reports.download": {"en": "Download", "zh-CN": "下载"},
})

# ------------------------------------------------------------------ trade-area page
MESSAGES.update({
})

# ------------------------------------------------------------------ regional overview page
MESSAGES.update({
})

# ------------------------------------------------------------------ customer segments, risk, merge
MESSAGES.update({
})

# ------------------------------------------------------------------ outage drill, drawn-area notice
MESSAGES.update({
})

# ------------------------------------------------------------------ password change, sessions
MESSAGES.update({
})
