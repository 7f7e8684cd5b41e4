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
    "report.section.reliability": {"en": "Supply reliability ({period})",
                                   "zh-CN": "供电可靠性（{period}）"},
    "report.rel.all": {"en": "All interruptions (RS-1)", "zh-CN": "全部停电（RS-1）"},
    "report.rel.excluding_planned": {"en": "Excluding planned outages",
                                     "zh-CN": "不计计划停电"},
    "report.rel.none": {"en": "No outage data for {period}.", "zh-CN": "{period} 无停电数据。"},
    "report.rel.note": {
        "en": "Indices over {period} (IEEE 1366: customers served at the period's end; "
              "sustained > 5 min, MAIFI counts momentary). DL/T 836: AIHC = SAIDI / 60, "
              "RS-1 = 1 - AIHC / hours of the period.",
        "zh-CN": "{period} 期间指标（IEEE 1366：以期末用户数为准；持续停电 > 5 分钟，MAIFI "
                 "统计瞬时停电）。DL/T 836：户均停电时间 AIHC = SAIDI / 60，"
                 "RS-1 = 1 - AIHC / 统计期小时数。"},
    "report.chart.outage_map": {"en": "SAIDI by {area} (minutes, {period})",
                                "zh-CN": "各{area}户均停电时间 SAIDI（分钟，{period}）"},
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
# --- outage page (dashboards/outages/page.py)
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
    "nav.tradearea": {"en": "Trading areas", "zh-CN": "商圈分析"},
    "ta.title": {"en": "Trading-area analysis", "zh-CN": "商圈分析"},
    "ta.caption": {
        "en": "Who lives and pays around a service point or any point, where nobody is "
              "served, where to open the next hall, and whom to call. The same numbers as "
              "`gcrm tradearea`.",
        "zh-CN": "营业网点或任意地点周边有哪些居民和缴费客户、哪里服务空白、下一个营业厅开在哪里、"
                 "营销联系谁。数字与 `gcrm tradearea` 命令一致。"},
    "ta.error": {"en": "Cannot show this: {error}", "zh-CN": "无法显示：{error}"},
    "ta.no_regions": {"en": "No district boundaries within your regions.",
                      "zh-CN": "您的数据范围内没有区县边界。"},
    "ta.no_service_points": {
        "en": "No service points to analyse ({error}). You can still study the area around "
              "a point: enter its coordinates or click the map.",
        "zh-CN": "没有可分析的营业网点（{error}）。仍可分析任意地点周边：输入坐标或点击地图。"},
    "ta.no_service_points_kind": {"en": "No service point of these kinds in your regions.",
                                  "zh-CN": "您的数据范围内没有这些类型的营业网点。"},
    "ta.needs_service_points": {
        "en": "This needs service points: the service-point table is empty (load "
              "service_points.csv).",
        "zh-CN": "此功能需要营业网点数据：营业网点表为空（请加载 service_points.csv）。"},
    "ta.needs_service_point": {
        "en": "Customer-derived areas belong to a service point: pick one above.",
        "zh-CN": "客户分布商圈属于某个营业网点：请在上方选择网点。"},
    "ta.center": {"en": "Centre", "zh-CN": "中心"},
    "ta.center.service_point": {"en": "Service point", "zh-CN": "营业网点"},
    "ta.center.point": {"en": "Point on the map", "zh-CN": "地图上的点"},
    "ta.kinds": {"en": "Service-point kinds", "zh-CN": "网点类型"},
    "ta.kinds_help": {
        "en": "Which service points to pick from and which compete in proximity areas, Huff, "
              "gaps, overlaps and site selection.",
        "zh-CN": "可选择的网点类型，以及参与邻近区、Huff 模型、空白区、重叠区和选址计算的网点。"},
    "ta.service_point": {"en": "Service point", "zh-CN": "营业网点"},
    "ta.lon": {"en": "Longitude (WGS-84)", "zh-CN": "经度（WGS-84）"},
    "ta.lat": {"en": "Latitude (WGS-84)", "zh-CN": "纬度（WGS-84）"},
    "ta.click_hint": {
        "en": "Click a population cell (turn on the population grid below), gap or proposed "
              "site on the map to move the point; click a service point to analyse it.",
        "zh-CN": "点击地图上的人口网格（在下方打开人口网格）、空白点或建议网点可移动分析点；"
                 "点击营业网点则分析该网点。"},
    "ta.outside_scope": {
        "en": "This point lies outside your regions: customer numbers count only customers in "
              "your regions.",
        "zh-CN": "该点位于您的数据范围之外：客户相关数字仅统计您范围内的客户。"},
    "ta.area_type": {"en": "Trade area", "zh-CN": "商圈类型"},
    "ta.type.rings": {"en": "Rings", "zh-CN": "同心圆"},
    "ta.type.drivetime": {"en": "Drive time", "zh-CN": "驾车时间"},
    "ta.type.voronoi": {"en": "Proximity (Voronoi)", "zh-CN": "就近服务区（泰森多边形）"},
    "ta.type.customers": {"en": "Customer-derived", "zh-CN": "客户分布商圈"},
    "ta.type.huff": {"en": "Huff model", "zh-CN": "Huff 概率模型"},
    "ta.months": {"en": "Months", "zh-CN": "统计月份"},
    "ta.household_size": {"en": "Persons per household", "zh-CN": "户均人口"},
    "ta.household_help": {
        "en": "Potential customers = residents / persons per household − residential "
              "accounts (China's 2020 census: 2.62; Jilin 2.45).",
        "zh-CN": "潜在客户 = 常住人口 / 户均人口 − 居民户数（2020 年人口普查：全国 2.62，"
                 "吉林 2.45）。"},
    "ta.radii": {"en": "Radii (km)", "zh-CN": "半径（公里）"},
    "ta.radii_help": {"en": "Comma-separated, e.g. 1,3,5", "zh-CN": "用逗号分隔，例如 1,3,5"},
    "ta.bands": {"en": "Bands (annuli)", "zh-CN": "环带"},
    "ta.bad_numbers": {"en": "not a positive number: {text!r}",
                       "zh-CN": "不是正数：{text!r}"},
    "ta.summary_of": {"en": "Summarise", "zh-CN": "统计范围"},
    "ta.within_km": {"en": "within {km} km", "zh-CN": "{km} 公里内"},
    "ta.within_min": {"en": "within {min} min", "zh-CN": "{min} 分钟内"},
    "ta.share_of_payers": {"en": "{share} of its payers", "zh-CN": "{share} 的缴费客户"},
    "ta.minutes": {"en": "Drive times (minutes)", "zh-CN": "驾车时间（分钟）"},
    "ta.pbf_upload": {"en": "Road network (.osm.pbf)", "zh-CN": "路网文件（.osm.pbf）"},
    "ta.pbf_help": {
        "en": "An OpenStreetMap extract, read offline. Without one, $GCRM_ROADS_PBF is used "
              "when set.",
        "zh-CN": "OpenStreetMap 路网提取文件，离线读取。"
                 "未上传时使用 $GCRM_ROADS_PBF（如已设置）。"},
    "ta.no_roads": {
        "en": "No road network is loaded, so drive times are shown as straight-line distance "
              "bands at 30 km/h (5 min = 2.5 km). Upload an .osm.pbf here or set "
              "$GCRM_ROADS_PBF for areas along the roads.",
        "zh-CN": "未加载路网，驾车时间按 30 公里/小时的直线距离圈显示（5 分钟 = 2.5 公里）。"
                 "在此上传 .osm.pbf 文件或设置 $GCRM_ROADS_PBF，即可按道路计算。"},
    "ta.roads": {"en": "Road network: `{path}`", "zh-CN": "路网：`{path}`"},
    "ta.fallback_note": {
        "en": "Distance bands (no road network loaded), not drive times.",
        "zh-CN": "此为直线距离圈（未加载路网），并非驾车时间。"},
    "ta.working_roads": {"en": "Reading the roads and computing drive times…",
                         "zh-CN": "正在读取路网并计算驾车时间…"},
    "ta.working": {"en": "Computing…", "zh-CN": "正在计算…"},
    "ta.voronoi_help": {
        "en": "Each place belongs to its nearest service point (of the chosen kinds), "
              "clipped to the districts.",
        "zh-CN": "每个地点归属最近的营业网点（所选类型），并按区县边界裁剪。"},
    "ta.no_area_here": {"en": "No proximity area here within your regions.",
                        "zh-CN": "您的数据范围内此处没有就近服务区。"},
    "ta.shares": {"en": "Shares of the paying customers", "zh-CN": "缴费客户占比"},
    "ta.hull": {"en": "Outline", "zh-CN": "边界"},
    "ta.hull.convex": {"en": "Convex", "zh-CN": "凸包"},
    "ta.hull.concave": {"en": "Concave", "zh-CN": "凹包"},
    "ta.customers_help": {
        "en": "The hull of the hall and the nearest 50/70/90 % of the customers who paid there "
              "in the months.",
        "zh-CN": "由网点与统计月份内在该网点缴费的最近 50%/70%/90% 客户围成的区域。"},
    "ta.alpha": {"en": "α (attractiveness)", "zh-CN": "α（吸引力指数）"},
    "ta.alpha_help": {"en": "Attractiveness exponent: 0 ignores size.",
                      "zh-CN": "吸引力指数：0 表示不考虑网点规模。"},
    "ta.beta": {"en": "β (distance decay)", "zh-CN": "β（距离衰减）"},
    "ta.beta_help": {"en": "Distance-decay exponent: larger = people go to nearer points.",
                     "zh-CN": "距离衰减指数：越大，居民越倾向于就近网点。"},
    "ta.demand": {"en": "Demand per cell", "zh-CN": "网格需求"},
    "ta.demand.households": {"en": "Households", "zh-CN": "户数"},
    "ta.demand.resident": {"en": "Residents", "zh-CN": "常住人口"},
    "ta.demand.customers": {"en": "Customers", "zh-CN": "客户数"},
    "ta.max_km": {"en": "Max. distance (km, 0 = none)", "zh-CN": "最大距离（公里，0 = 不限）"},
    "ta.max_km_help": {"en": "Ignore service points farther than this.",
                       "zh-CN": "忽略超过该距离的网点。"},
    "ta.no_huff_area": {
        "en": "This service point is the most likely choice of no population cell.",
        "zh-CN": "该网点不是任何人口网格的首选网点。"},
    "ta.label.voronoi": {"en": "{sp} {name}: proximity area", "zh-CN": "{sp} {name}：就近服务区"},
    "ta.label.huff": {"en": "{sp} {name}: Huff dominant area",
                      "zh-CN": "{sp} {name}：Huff 主导商圈"},
    "ta.show_cells": {"en": "Population grid", "zh-CN": "人口网格"},
    "ta.show_cells_help": {"en": "Show the population cells; click one to analyse the area "
                                 "around it.",
                           "zh-CN": "显示人口网格；点击网格即可分析其周边区域。"},
    "ta.show_gaps": {"en": "Gaps", "zh-CN": "服务空白"},
    "ta.show_overlaps": {"en": "Overlaps", "zh-CN": "服务重叠"},
    "ta.cover_km": {"en": "Service distance (km)", "zh-CN": "服务距离（公里）"},
    "ta.map.title": {"en": "Map", "zh-CN": "地图"},
    "ta.map.area_detail": {"en": "Customers {customers}, residents {resident}, {km2} km²",
                           "zh-CN": "客户 {customers} 户，常住人口 {resident}，{km2} 平方公里"},
    "ta.map.payers_detail": {"en": "{customers} paying customers, farthest {km} km, {km2} km²",
                             "zh-CN": "缴费客户 {customers} 户，最远 {km} 公里，{km2} 平方公里"},
    "ta.map.huff_detail": {"en": "Expected demand {demand}, {cells} cells, {km2} km²",
                           "zh-CN": "预期需求 {demand}，{cells} 个网格，{km2} 平方公里"},
    "ta.map.cell_detail": {"en": "Residents {resident}, floating {floating}",
                           "zh-CN": "常住人口 {resident}，流动人口 {floating}"},
    "ta.map.gap_detail": {"en": "Residents {resident}, nearest service point {km} km",
                          "zh-CN": "常住人口 {resident}，最近网点 {km} 公里"},
    "ta.map.site": {"en": "Proposed site {rank}", "zh-CN": "建议网点 {rank}"},
    "ta.map.site_detail": {"en": "Adds {gain} covered; cell {cell}",
                           "zh-CN": "新增覆盖 {gain}；网格 {cell}"},
    "ta.legend.title": {"en": "Legend", "zh-CN": "图例"},
    "ta.legend.cells": {"en": "Population cell (darker = more residents)",
                        "zh-CN": "人口网格（颜色越深人口越多）"},
    "ta.legend.gaps": {"en": "Gap: no service point within {km} km",
                       "zh-CN": "空白：{km} 公里内无网点"},
    "ta.legend.overlaps": {"en": "Overlap: 2+ service points within {km} km",
                           "zh-CN": "重叠：{km} 公里内有 2 个以上网点"},
    "ta.legend.sites": {"en": "Proposed site and its reach", "zh-CN": "建议网点及覆盖范围"},
    "ta.gaps.caption": {"en": "{n} cells without a service point within {km} km: {resident} "
                              "residents.",
                        "zh-CN": "{n} 个网格 {km} 公里内无营业网点，常住人口 {resident}。"},
    "ta.overlaps.caption": {"en": "{n} cells within {km} km of two or more service points.",
                            "zh-CN": "{n} 个网格 {km} 公里内有两个以上营业网点。"},
    "ta.inside.title": {"en": "Inside the area", "zh-CN": "商圈内概况"},
    "ta.inside.none": {"en": "Choose a centre and an area to see what lies inside.",
                       "zh-CN": "请选择中心和商圈，查看商圈内情况。"},
    "ta.inside.caption": {
        "en": "Months {start} to {end}. Grey below each tile: the same number for {district}, "
              "the district holding most of the area's residents (counts are the district's "
              "totals).",
        "zh-CN": "统计月份 {start} 至 {end}。各指标下方灰字为{district}（商圈内居民最多的区县）"
                 "的同一指标（数量类为区县合计）。"},
    "ta.inside.all": {"en": "All indicators beside the district",
                      "zh-CN": "全部指标与所在区县对比"},
    "ta.inside.note": {
        "en": "Index = area ÷ district × 100, for ratios. Potential customers: residents / "
              "{size} − residential accounts, per population cell.",
        "zh-CN": "指数 = 商圈 ÷ 区县 × 100（仅比率类指标）。潜在客户：按人口网格计算常住人口 / "
                 "{size} − 居民户数。"},
    "ta.vs_district": {"en": "district", "zh-CN": "所在区县"},
    "ta.exact": {"en": "Exact value: {value}", "zh-CN": "精确值：{value}"},
    "ta.by_class": {"en": "Customers by class and tariff", "zh-CN": "按用电类别与电价的客户"},
    "ta.by_channel": {"en": "Payments by channel", "zh-CN": "按缴费渠道的缴费"},
    "ta.no_payments": {"en": "No payments in these months.", "zh-CN": "统计月份内无缴费记录。"},
    "ta.cells.title": {"en": "Population cells inside ({n})", "zh-CN": "商圈内人口网格（{n} 个）"},
    "ta.huff.title": {"en": "Huff model: expected customers per service point",
                      "zh-CN": "Huff 模型：各网点预期客户"},
    "ta.huff.caption": {
        "en": "Expected demand from every population cell in your regions, split by "
              "P = A^α·d^−β / Σ A^α·d^−β; beside it the actual home customers and payers.",
        "zh-CN": "按 P = A^α·d^−β / Σ A^α·d^−β 分配您范围内各人口网格的需求；"
                 "右侧为实际归属客户与实际缴费客户。"},
    "ta.huff.expected_caption": {
        "en": "Huff: {expected} expected ({share} of the demand); actual home customers "
              "{home}, payers {payers}.",
        "zh-CN": "Huff 模型：预期 {expected}（占需求 {share}）；实际归属客户 {home}，"
                 "实际缴费客户 {payers}。"},
    "ta.sites.title": {"en": "Site selection", "zh-CN": "新网点选址"},
    "ta.sites.k": {"en": "New sites (K)", "zh-CN": "新增网点数（K）"},
    "ta.sites.km": {"en": "Coverage radius (km)", "zh-CN": "覆盖半径（公里）"},
    "ta.sites.weight": {"en": "Maximise", "zh-CN": "最大化"},
    "ta.sites.run": {"en": "Propose sites", "zh-CN": "计算建议网点"},
    "ta.sites.working": {"en": "Choosing sites…", "zh-CN": "正在选址…"},
    "ta.sites.caption": {
        "en": "Greedy maximal covering among the population cells: each step adds the cell "
              "covering most uncovered demand (at least 63 % of the best possible gain).",
        "zh-CN": "在人口网格中用贪心最大覆盖法选址：每步选择新增覆盖需求最多的网格"
                 "（至少达到最优增益的 63%）。"},
    "ta.weight.resident": {"en": "Residents", "zh-CN": "常住人口"},
    "ta.weight.floating": {"en": "Floating population", "zh-CN": "流动人口"},
    "ta.weight.population": {"en": "Residents + floating", "zh-CN": "常住 + 流动人口"},
    "ta.weight.customers": {"en": "Customers", "zh-CN": "客户数"},
    "ta.targets.title": {"en": "Campaign target list", "zh-CN": "营销目标客户清单"},
    "ta.targets.not_allowed": {"en": "Your role may not see individual customers.",
                               "zh-CN": "您的角色无权查看客户明细。"},
    "ta.segment": {"en": "Segment", "zh-CN": "客户群"},
    "ta.segment.counter_payers": {"en": "Counter payers", "zh-CN": "柜台缴费客户"},
    "ta.segment.big_unvisited": {"en": "Big customers not visited", "zh-CN": "未走访大客户"},
    "ta.segment.counter_payers.help": {
        "en": "Customers inside the area who paid mostly at a counter: candidates for the app.",
        "zh-CN": "商圈内主要在柜台缴费的客户：可推广手机 App 缴费。"},
    "ta.segment.big_unvisited.help": {
        "en": "Big customers inside the area with no visit in the last months.",
        "zh-CN": "商圈内近几个月未走访的大客户。"},
    "ta.min_counter_share": {"en": "Counter share of payments above",
                             "zh-CN": "柜台缴费占比高于"},
    "ta.visit_months": {"en": "No visit in the last N months", "zh-CN": "最近 N 个月未走访"},
    "ta.targets.count": {"en": "{n} customers.", "zh-CN": "共 {n} 户。"},
    "ta.targets.masked": {"en": "Contact fields are masked for your role.",
                          "zh-CN": "根据您的角色，联系信息已脱敏。"},
    "ta.no_export": {"en": "Your role may not download lists or layers.",
                     "zh-CN": "您的角色无权下载清单或图层。"},
    "ta.download_csv": {"en": "Download CSV", "zh-CN": "下载 CSV"},
    "ta.download_xlsx": {"en": "Download Excel", "zh-CN": "下载 Excel"},
    "ta.audit_failed": {"en": "The download was not recorded in the audit log: {error}",
                        "zh-CN": "下载未能写入审计日志：{error}"},
    "ta.export.title": {"en": "Download layers", "zh-CN": "下载图层"},
    "ta.export.none": {"en": "No layer on the map yet.", "zh-CN": "地图上尚无图层。"},
    "ta.export.layer": {"en": "Layer", "zh-CN": "图层"},
    "ta.export.format": {"en": "Format", "zh-CN": "格式"},
    "ta.export.datum": {"en": "Coordinates", "zh-CN": "坐标系"},
    "ta.export.datum_help": {
        "en": "GCJ-02 for AMap/Tencent base maps (the file still says EPSG:4326).",
        "zh-CN": "GCJ-02 用于高德/腾讯底图（文件仍标注为 EPSG:4326）。"},
    "ta.export.download": {"en": "Download layer", "zh-CN": "下载图层"},
    "ta.layer.rings": {"en": "Rings", "zh-CN": "同心圆"},
    "ta.layer.drivetime": {"en": "Drive-time areas", "zh-CN": "驾车时间圈"},
    "ta.layer.voronoi": {"en": "Proximity areas", "zh-CN": "就近服务区"},
    "ta.layer.customers": {"en": "Customer-derived areas", "zh-CN": "客户分布商圈"},
    "ta.layer.huff_areas": {"en": "Huff dominant areas", "zh-CN": "Huff 主导商圈"},
    "ta.layer.huff": {"en": "Huff cells (most likely service point)",
                      "zh-CN": "Huff 网格（首选网点）"},
    "ta.layer.gaps": {"en": "Gaps (cells)", "zh-CN": "服务空白（网格）"},
    "ta.layer.overlaps": {"en": "Overlaps (cells)", "zh-CN": "服务重叠（网格）"},
    "ta.layer.sites": {"en": "Proposed sites", "zh-CN": "建议网点"},
    "ta.col.indicator": {"en": "Indicator", "zh-CN": "指标"},
    "ta.col.unit": {"en": "Unit", "zh-CN": "单位"},
    "ta.col.area": {"en": "Area", "zh-CN": "商圈"},
    "ta.col.district": {"en": "District", "zh-CN": "区县"},
    "ta.col.index": {"en": "Index (district = 100)", "zh-CN": "指数（区县 = 100）"},
    "ta.col.class": {"en": "Class", "zh-CN": "用电类别"},
    "ta.col.tariff": {"en": "Tariff", "zh-CN": "电价"},
    "ta.col.customers": {"en": "Customers", "zh-CN": "客户数"},
    "ta.col.kwh": {"en": "kWh", "zh-CN": "用电量（kWh）"},
    "ta.col.amount": {"en": "Billed (yuan)", "zh-CN": "应收（元）"},
    "ta.col.paid": {"en": "Paid (yuan)", "zh-CN": "实收（元）"},
    "ta.col.arrears": {"en": "Arrears (yuan)", "zh-CN": "欠费（元）"},
    "ta.col.channel": {"en": "Channel", "zh-CN": "渠道"},
    "ta.col.payments": {"en": "Payments", "zh-CN": "缴费笔数"},
    "ta.col.share": {"en": "Share (%)", "zh-CN": "占比（%）"},
    "ta.col.cell": {"en": "Cell", "zh-CN": "网格"},
    "ta.col.resident": {"en": "Residents", "zh-CN": "常住人口"},
    "ta.col.floating": {"en": "Floating", "zh-CN": "流动人口"},
    "ta.col.residential_customers": {"en": "Residential accounts", "zh-CN": "居民户数"},
    "ta.col.potential": {"en": "Potential customers", "zh-CN": "潜在客户"},
    "ta.col.service_point": {"en": "Service point", "zh-CN": "营业网点"},
    "ta.col.name": {"en": "Name", "zh-CN": "名称"},
    "ta.col.kind": {"en": "Kind", "zh-CN": "类型"},
    "ta.col.attractiveness": {"en": "Attractiveness", "zh-CN": "吸引力"},
    "ta.col.expected": {"en": "Expected", "zh-CN": "预期需求"},
    "ta.col.home": {"en": "Home customers", "zh-CN": "归属客户"},
    "ta.col.payers": {"en": "Payers", "zh-CN": "缴费客户"},
    "ta.col.rank": {"en": "Rank", "zh-CN": "序号"},
    "ta.col.gain": {"en": "Added coverage", "zh-CN": "新增覆盖"},
    "ta.col.outer_km": {"en": "Radius (km)", "zh-CN": "半径（公里）"},
    "ta.col.inner_km": {"en": "Inner radius (km)", "zh-CN": "内半径（公里）"},
    "ta.col.minutes": {"en": "Minutes", "zh-CN": "分钟"},
    "ta.col.nodes": {"en": "Road nodes", "zh-CN": "路网节点"},
    "ta.col.area_km2": {"en": "Area (km²)", "zh-CN": "面积（平方公里）"},
    "ta.col.radius_km": {"en": "Farthest (km)", "zh-CN": "最远距离（公里）"},
    "ta.col.paying_customers": {"en": "Paying customers", "zh-CN": "缴费客户"},
    "ta.col.cells": {"en": "Cells", "zh-CN": "网格数"},
    "ta.col.demand": {"en": "Demand", "zh-CN": "需求"},
    "ta.col.mean_probability": {"en": "Mean probability", "zh-CN": "平均概率"},
    "ta.col.method": {"en": "Method", "zh-CN": "方法"},
    "ta.unit.accounts": {"en": "accounts", "zh-CN": "户"},
    "ta.unit.kwh": {"en": "kWh", "zh-CN": "kWh"},
    "ta.unit.yuan": {"en": "yuan", "zh-CN": "元"},
    "ta.unit.payments": {"en": "payments", "zh-CN": "笔"},
    "ta.unit.share": {"en": "share", "zh-CN": "占比"},
    "ta.unit.events": {"en": "events", "zh-CN": "次"},
    "ta.unit.minutes": {"en": "minutes", "zh-CN": "分钟"},
    "ta.unit.persons": {"en": "persons", "zh-CN": "人"},
    "ta.unit.per_1000": {"en": "per 1,000 residents", "zh-CN": "每千人"},
    "ta.unit.households": {"en": "households", "zh-CN": "户"},
    "ta.metric.customers": {"en": "Customers", "zh-CN": "客户数"},
    "ta.metric.residential_customers": {"en": "Residential customers", "zh-CN": "居民客户"},
    "ta.metric.kwh": {"en": "Consumption", "zh-CN": "用电量"},
    "ta.metric.amount": {"en": "Billed", "zh-CN": "应收电费"},
    "ta.metric.paid": {"en": "Paid", "zh-CN": "实收电费"},
    "ta.metric.arrears": {"en": "Arrears", "zh-CN": "欠费"},
    "ta.metric.kwh_per_customer": {"en": "kWh per customer", "zh-CN": "户均用电量"},
    "ta.metric.arrears_per_customer": {"en": "Arrears per customer", "zh-CN": "户均欠费"},
    "ta.metric.payments": {"en": "Payments", "zh-CN": "缴费笔数"},
    "ta.metric.online_share": {"en": "Online/app share", "zh-CN": "线上缴费占比"},
    "ta.metric.counter_share": {"en": "Counter share", "zh-CN": "柜台缴费占比"},
    "ta.metric.customer_interruptions": {"en": "Customer interruptions",
                                         "zh-CN": "停电户次"},
    "ta.metric.interruptions_per_customer": {"en": "Outages per customer",
                                             "zh-CN": "户均停电次数"},
    "ta.metric.outage_minutes_per_customer": {"en": "Outage minutes per customer",
                                              "zh-CN": "户均停电时间"},
    "ta.metric.resident": {"en": "Residents", "zh-CN": "常住人口"},
    "ta.metric.floating": {"en": "Floating population", "zh-CN": "流动人口"},
    "ta.metric.penetration": {"en": "Penetration", "zh-CN": "渗透率"},
    "ta.metric.potential_customers": {"en": "Potential customers", "zh-CN": "潜在客户"},
    "ta.metric.potential_per_1000_residents": {"en": "Potential per 1,000 residents",
                                               "zh-CN": "每千人潜在客户"},
    "ta.metric.before": {"en": "Covered now", "zh-CN": "现有覆盖"},
    "ta.metric.after": {"en": "Covered with new sites", "zh-CN": "新增网点后覆盖"},
    "ta.metric.total": {"en": "Total", "zh-CN": "总量"},
    "ta.metric.before_share": {"en": "Coverage now", "zh-CN": "现有覆盖率"},
    "ta.metric.after_share": {"en": "Coverage after", "zh-CN": "新增后覆盖率"},
})

# ------------------------------------------------------------------ regional overview page
MESSAGES.update({
    "unit.min": {"en": "min", "zh-CN": "分钟"},
    "unit.times": {"en": "times", "zh-CN": "次"},
    "unit.per_1000": {"en": "per 1,000", "zh-CN": "每千户"},
    "kpi.online_share": {"en": "Online payments", "zh-CN": "线上缴费占比"},
    "kpi.points": {"en": "{value} pts", "zh-CN": "{value} 个百分点"},
    "kpi.vs_prev": {"en": "{change} vs previous period", "zh-CN": "较上期 {change}"},
    "kpi.vs_ly": {"en": "{change} vs last year", "zh-CN": "同比 {change}"},
    "kpi.no_ly": {"en": "no full period last year to compare",
                  "zh-CN": "去年同期数据不完整，不作同比"},
    "ov.measure": {"en": "Map measure", "zh-CN": "地图指标"},
    "ov.method": {"en": "Class breaks", "zh-CN": "分级方法"},
    "ov.method.quantile": {"en": "Quantile", "zh-CN": "分位数"},
    "ov.method.natural": {"en": "Natural breaks (Jenks)", "zh-CN": "自然断点（Jenks）"},
    "ov.method.equal_interval": {"en": "Equal interval", "zh-CN": "等间距"},
    "ov.method_help": {
        "en": "Quantile: each class holds about as many regions. Natural breaks: classes "
              "where the values cluster (Fisher-Jenks optimum). Equal interval: classes of "
              "equal width.",
        "zh-CN": "分位数：每级区域数大致相同。自然断点：按数据自然聚集分级（Fisher-Jenks 最优解）。"
                 "等间距：每级宽度相同。"},
    "ov.classes": {"en": "Classes", "zh-CN": "级数"},
    "ov.months": {"en": "Months", "zh-CN": "月份范围"},
    "ov.filters": {"en": "Filters ({n} active)", "zh-CN": "筛选（{n} 项生效）"},
    "ov.filter.customer_class": {"en": "Customer class", "zh-CN": "用电类别"},
    "ov.filter.tariff": {"en": "Tariff", "zh-CN": "电价"},
    "ov.filter.big_customer": {"en": "Big customers", "zh-CN": "大客户"},
    "ov.member.customer_class.residential": {"en": "Residential", "zh-CN": "居民"},
    "ov.member.customer_class.commercial": {"en": "Commercial", "zh-CN": "商业"},
    "ov.member.customer_class.industrial": {"en": "Industrial", "zh-CN": "工业"},
    "ov.member.customer_class.agricultural": {"en": "Agricultural", "zh-CN": "农业"},
    "ov.member.customer_class.public": {"en": "Public", "zh-CN": "公共事业"},
    "ov.member.big_customer.true": {"en": "Big customers only", "zh-CN": "仅大客户"},
    "ov.member.big_customer.false": {"en": "Other customers", "zh-CN": "非大客户"},
    "ov.all": {"en": "All", "zh-CN": "全部"},
    "ov.layers": {"en": "Layers", "zh-CN": "图层"},
    "ov.layers_none": {"en": "Add a layer", "zh-CN": "添加图层"},
    "ov.layer.service_points": {"en": "Service points", "zh-CN": "营业网点"},
    "ov.layer.feeders": {"en": "Feeders and substations", "zh-CN": "馈线与变电站"},
    "ov.layer.outages": {"en": "Outages in the period", "zh-CN": "时段内停电"},
    "ov.layer.population": {"en": "Population density", "zh-CN": "人口密度"},
    "ov.all_regions": {"en": "All regions", "zh-CN": "全部区域"},
    "ov.cell": {"en": "Cell {cell}", "zh-CN": "网格 {cell}"},
    "ov.period": {"en": "{start} to {end}", "zh-CN": "{start} 至 {end}"},
    "ov.filtered": {"en": "filtered", "zh-CN": "已筛选"},
    "ov.working": {"en": "Computing…", "zh-CN": "正在计算…"},
    "ov.kpi_note": {"en": "Changes against the previous period ({prev}) and the same months "
                          "last year ({ly}); rates change in percentage points.",
                    "zh-CN": "变化对比上期（{prev}）与去年同期（{ly}）；比率类指标以百分点计。"},
    "ov.pop_tip": {"en": "{resident} residents, {floating} floating",
                   "zh-CN": "常住 {resident} 人，流动 {floating} 人"},
    "ov.feeder_tip": {"en": "{n} customers (line: substation to their centre, schematic)",
                      "zh-CN": "{n} 户（连线：变电站至用户中心，示意）"},
    "ov.substation": {"en": "Substation", "zh-CN": "变电站"},
    "ov.kind.business_hall": {"en": "Business hall", "zh-CN": "营业厅"},
    "ov.kind.bank_agent": {"en": "Bank agent", "zh-CN": "银行代收点"},
    "ov.kind.self_service": {"en": "Self-service terminal", "zh-CN": "自助终端"},
    "ov.outage_tip": {"en": "{minutes} min · {cause} · {n} customers on the feeder",
                      "zh-CN": "{minutes} 分钟 · {cause} · 馈线用户 {n} 户"},
    "ov.outage_unplanned": {"en": "Unplanned outage", "zh-CN": "故障停电"},
    "ov.outage_planned": {"en": "Planned outage", "zh-CN": "计划停电"},
    "ov.big_customer": {"en": "Big customer", "zh-CN": "大客户"},
    "ov.points_capped": {"en": "Showing {shown:,} of {total:,} customers (big customers first).",
                         "zh-CN": "显示 {total:,} 户中的 {shown:,} 户（大客户优先）。"},
    "ov.points_note": {"en": "{n:,} located customers in this cell, coloured by class. No "
                             "names or contacts are shown on the map.",
                       "zh-CN": "本网格已定位用户 {n:,} 户，按用电类别着色；"
                                "地图不显示姓名和联系方式。"},
    "ov.bin_tip": {"en": "{n} customers", "zh-CN": "{n} 户"},
    "ov.bin_big": {"en": "{n} big customers", "zh-CN": "大客户 {n} 户"},
    "ov.bin_legend": {"en": "Customers per hexagon", "zh-CN": "每六边形用户数"},
    "ov.bin_note": {"en": "{n:,} located customers in this cell, counted in {bins:,} hexagons "
                          "of about 65 m (too many to draw one by one). No names or contacts "
                          "are shown on the map.",
                    "zh-CN": "本网格已定位用户 {n:,} 户，按约65米的六边形（{bins:,} 个）计数显示"
                             "（数量过多，不逐户绘制）；地图不显示姓名和联系方式。"},
    "ov.error": {"en": "This measure cannot be shown: {error}", "zh-CN": "无法显示该指标：{error}"},
    "ov.animate": {"en": "Month by month", "zh-CN": "逐月显示"},
    "ov.animate_help": {"en": "Colour the map by each month's value (classes shared by all "
                              "months) and play the months in order.",
                        "zh-CN": "按各月数值着色（各月共用分级），并可按月播放。"},
    "ov.frame": {"en": "Month shown", "zh-CN": "显示月份"},
    "ov.play": {"en": "Play", "zh-CN": "播放"},
    "ov.map.in": {"en": "Zoom in", "zh-CN": "放大"},
    "ov.map.out": {"en": "Zoom out", "zh-CN": "缩小"},
    "ov.map.reset": {"en": "Fit the whole area", "zh-CN": "显示全部范围"},
    "ov.click_hint": {"en": "Click a district to drill into its grid cells.",
                      "zh-CN": "点击区县可下钻到网格。"},
    "ov.click_hint_cell": {"en": "Click a cell to see its customers.",
                           "zh-CN": "点击网格可查看其中的用户。"},
    "ov.reliability_basis": {
        "en": "Reliability over {period} (IEEE 1366: customers served at the period's end, "
              "sustained interruptions over 5 min); the customer filters do not apply to it.",
        "zh-CN": "可靠性指标按 {period} 计算（IEEE 1366：以期末用户数为准，持续停电超过 5 分钟），"
                 "不受用户筛选影响。"},
    "ov.drill_into": {"en": "Drill into", "zh-CN": "下钻到"},
    "ov.choose": {"en": "Choose…", "zh-CN": "请选择…"},
    "ov.trend": {"en": "Trend: {place}", "zh-CN": "趋势：{place}"},
    "ov.this_period": {"en": "This period", "zh-CN": "本期"},
    "ov.last_year": {"en": "Same month last year", "zh-CN": "去年同月"},
    "ov.trend_kwh": {"en": "The trend shows consumption; the map measure is not a cube measure.",
                     "zh-CN": "趋势图显示用电量（地图指标不是多维立方体指标）。"},
    "ov.ranking": {"en": "Ranking by {level}", "zh-CN": "{level}排名"},
    "ov.level.district": {"en": "district", "zh-CN": "区县"},
    "ov.level.grid": {"en": "grid cell (top 30)", "zh-CN": "网格（前30）"},
    "ov.col.name": {"en": "Region", "zh-CN": "区域"},
    "ov.vs_avg": {"en": "vs. average (%)", "zh-CN": "较平均（%）"},
    "ov.vs_avg_help": {"en": "Difference from the average region (totals and counts) or from "
                             "the rate of the whole area (rates and ratios).",
                       "zh-CN": "与平均区域（总量、计数）或整个区域比率（比率类指标）的差异。"},
    "ov.share": {"en": "Share", "zh-CN": "占比"},
    "ov.sparkline": {"en": "Monthly trend", "zh-CN": "月度走势"},
    "ov.avg": {"en": "Whole area: {value}", "zh-CN": "整体：{value}"},
})

# ------------------------------------------------------------------ customer segments, risk, merge
MESSAGES.update({
    # segment words (gcrm/customers/segments.py renders them from the centroid)
    "cust.seg.sep": {"en": "; ", "zh-CN": "；"},
    "cust.seg.name": {"en": "{pattern} {who}", "zh-CN": "{pattern}{who}"},
    "cust.seg.name.declining": {"en": "declining {pattern} {who}",
                                "zh-CN": "用电下降的{pattern}{who}"},
    "cust.seg.pattern.growing": {"en": "growing-season", "zh-CN": "生长季高峰型"},
    "cust.seg.pattern.holiday": {"en": "holiday-dip", "zh-CN": "假期低谷型"},
    "cust.seg.pattern.winter": {"en": "winter-peaking", "zh-CN": "冬季高峰型"},
    "cust.seg.pattern.summer": {"en": "summer-peaking", "zh-CN": "夏季高峰型"},
    "cust.seg.pattern.flat": {"en": "flat base-load", "zh-CN": "平稳基荷型"},
    "cust.seg.pattern.mild_winter": {"en": "mild winter-peak", "zh-CN": "冬季略高型"},
    "cust.seg.pattern.mixed": {"en": "mixed-season", "zh-CN": "混合季节型"},
    "cust.seg.class.residential": {"en": "residential", "zh-CN": "居民"},
    "cust.seg.class.commercial": {"en": "commercial", "zh-CN": "商业"},
    "cust.seg.class.industrial": {"en": "industrial", "zh-CN": "工业"},
    "cust.seg.class.agricultural": {"en": "agricultural", "zh-CN": "农业"},
    "cust.seg.class.public": {"en": "public-sector", "zh-CN": "公共事业"},
    "cust.seg.class.mixed": {"en": "mixed customers", "zh-CN": "混合客户"},
    "cust.seg.why.growing": {"en": "Apr–Aug at {x}x the Nov–Feb level (irrigation, growing "
                                   "season)",
                             "zh-CN": "4–8 月用电为 11–2 月的 {x} 倍（灌溉、生长季）"},
    "cust.seg.why.holiday": {"en": "Feb and Jul–Aug at {x}x the other months (holidays)",
                             "zh-CN": "2 月和 7–8 月仅为其他月份的 {x} 倍（假期）"},
    "cust.seg.why.heating": {"en": "{x}x heating-season ratio (Nov–Mar vs May–Sep)",
                             "zh-CN": "采暖季比 {x} 倍（11–3 月对 5–9 月）"},
    "cust.seg.why.summer": {"en": "Jun–Aug at {x}x the annual mean (cooling)",
                            "zh-CN": "6–8 月为全年月均的 {x} 倍（制冷）"},
    "cust.seg.why.flat": {"en": "months within ±{pct}% of the mean",
                          "zh-CN": "各月用电与月均相差约 ±{pct}%"},
    "cust.seg.why.mixed": {"en": "months vary ±{pct}% with no single season",
                           "zh-CN": "各月相差约 ±{pct}%，无单一高峰季"},
    "cust.seg.why.class": {"en": "{pct}% {cls}", "zh-CN": "{cls}占 {pct}%"},
    "cust.seg.why.declining": {"en": "down {pct}% vs a year earlier",
                               "zh-CN": "同比下降 {pct}%"},
    "cust.seg.why.growing_trend": {"en": "up {pct}% vs a year earlier",
                                   "zh-CN": "同比增长 {pct}%"},
    "cust.seg.why.valley": {"en": "valley-heavy ({pct}% of kWh in valley hours)",
                            "zh-CN": "谷段用电多（谷电占 {pct}%）"},
    "cust.seg.why.peak": {"en": "peak-heavy ({pct}% of kWh in peak hours)",
                          "zh-CN": "峰段用电多（峰电占 {pct}%）"},
    # risk factors in words (gcrm/customers/risk.py)
    "cust.risk.none": {"en": "no warning signs", "zh-CN": "无风险迹象"},
    "cust.risk.f.days_overdue": {"en": "{days} days overdue",
                                 "zh-CN": "最早一笔欠费已逾期 {days} 天"},
    "cust.risk.f.late_share": {"en": "{late} of {bills} bills paid late ({pct}%)",
                               "zh-CN": "{bills} 期账单中 {late} 期逾期（{pct}%）"},
    "cust.risk.f.overdue_months": {"en": "{amount} overdue ({months} months of bills)",
                                   "zh-CN": "逾期欠费 {amount}（约 {months} 个月电费）"},
    "cust.risk.f.arrears_growth": {"en": "overdue amount up {amount} in 90 days",
                                   "zh-CN": "90 天内逾期欠费增加 {amount}"},
    "cust.risk.f.decline_12": {"en": "use down {pct}% vs a year earlier",
                               "zh-CN": "用电量同比下降 {pct}%"},
    "cust.risk.f.decline_3": {"en": "last 3 months down {pct}% vs a year earlier",
                              "zh-CN": "近 3 个月用电同比下降 {pct}%"},
    "cust.risk.f.zero_months": {"en": "{n} months with zero use", "zh-CN": "{n} 个月零用电"},
    "cust.risk.f.complaints": {"en": "complaints in 12 months: {n}",
                               "zh-CN": "近 12 个月投诉 {n} 次"},
    # Customers page: tabs Segments, Risk, Duplicates (dashboards/customers/page.py)
    "cust.tab.segments": {"en": "Segments", "zh-CN": "负荷细分"},
    "cust.tab.risk": {"en": "Risk", "zh-CN": "风险"},
    "cust.tab.duplicates": {"en": "Duplicates", "zh-CN": "重复客户"},
    "cust.seg.k": {"en": "Clusters (at most)", "zh-CN": "聚类数（上限）"},
    "cust.seg.caption": {
        "en": "{customers} customers with 12 months of history ({start} to {end}) in {n} "
              "segments; {excluded} with less history are not segmented.",
        "zh-CN": "{customers} 个有完整 12 个月用电的客户（{start} 至 {end}）分为 {n} 类；"
                 "{excluded} 个历史不足 12 个月的客户未参与细分。"},
    "cust.seg.none": {"en": "No customer has 12 months of consumption yet.",
                      "zh-CN": "还没有客户具备 12 个月的用电记录。"},
    "cust.seg.method": {
        "en": "k-means on each customer's 12-month shape (kWh of a month / the mean month), "
              "peak and valley shares and the year-over-year trend; the words are generated "
              "from each segment's centre. Method and thresholds: docs/customers.md.",
        "zh-CN": "按每个客户 12 个月的用电形状（各月用电 / 月均）、峰谷占比和同比趋势做 k-means "
                 "聚类；文字说明由各类的中心自动生成。方法与阈值见 docs/customers.md。"},
    "cust.seg.col.segment": {"en": "Segment", "zh-CN": "类别"},
    "cust.seg.col.name": {"en": "Name", "zh-CN": "名称"},
    "cust.seg.col.words": {"en": "What it is", "zh-CN": "特征说明"},
    "cust.seg.col.customers": {"en": "Customers", "zh-CN": "客户数"},
    "cust.seg.col.share": {"en": "Share", "zh-CN": "占比"},
    "cust.seg.col.kwh": {"en": "Median kWh/month", "zh-CN": "月用电中位数（kWh）"},
    "cust.seg.col.distance": {"en": "Distance to the centre", "zh-CN": "与类中心的距离"},
    "cust.seg.chart": {"en": "Centre profiles: kWh of each month / the mean month",
                       "zh-CN": "各类中心的月度曲线：各月用电 / 月均"},
    "cust.seg.month": {"en": "Month", "zh-CN": "月份"},
    "cust.seg.profile": {"en": "Month / mean month", "zh-CN": "各月 / 月均"},
    "cust.seg.members": {"en": "Most typical customers of the segment",
                         "zh-CN": "该类中最典型的客户"},
    "cust.risk.by": {"en": "Rank by", "zh-CN": "排序依据"},
    "cust.risk.by.arrears": {"en": "Arrears risk", "zh-CN": "欠费风险"},
    "cust.risk.by.churn": {"en": "Churn / decline risk", "zh-CN": "流失/用电下降风险"},
    "cust.risk.caption": {
        "en": "Scores 0–100 as of {date}: points for each warning sign, summed on a logistic "
              "scale (1.8 = no sign). The factors with the most points explain each score. "
              "Factors and weights: docs/customers.md.",
        "zh-CN": "截至 {date} 的评分（0–100）：每个风险迹象计分，按逻辑函数换算（1.8 = 无迹象）。"
                 "得分最多的因素即为原因。因素与权重见 docs/customers.md。"},
    "cust.risk.top": {"en": "Act on first", "zh-CN": "优先处理"},
    "cust.risk.line": {"en": "**{rank}. {name}** · {id} — {label} **{score}**: {why}",
                       "zh-CN": "**{rank}. {name}** · {id} — {label} **{score}**：{why}"},
    "cust.risk.empty": {"en": "No customer to score.", "zh-CN": "没有可评分的客户。"},
    "cust.risk.col.rank": {"en": "#", "zh-CN": "序号"},
    "cust.risk.col.arrears": {"en": "Arrears risk", "zh-CN": "欠费风险"},
    "cust.risk.col.arrears_why": {"en": "Why (arrears)", "zh-CN": "欠费风险原因"},
    "cust.risk.col.churn": {"en": "Churn risk", "zh-CN": "流失风险"},
    "cust.risk.col.churn_why": {"en": "Why (churn)", "zh-CN": "流失风险原因"},
    "cust.risk.col.days": {"en": "Days overdue", "zh-CN": "逾期天数"},
    "cust.risk.col.overdue": {"en": "Overdue (yuan)", "zh-CN": "逾期欠费（元）"},
    "cust.risk.col.late": {"en": "Late share", "zh-CN": "逾期缴费比例"},
    "cust.risk.col.kwh_ratio": {"en": "kWh vs a year earlier", "zh-CN": "用电同比"},
    "cust.risk.col.complaints": {"en": "Complaints (12 months)", "zh-CN": "投诉（近 12 个月）"},
    "cust.risk.col.billed": {"en": "Billed, 12 months (yuan)", "zh-CN": "近 12 个月应收（元）"},
    "cust.dup.caption": {
        "en": "Suspected duplicates: the same name and phone, or the same normalised address. "
              "A merge keeps everything: the merged customer's service records move to the "
              "survivor with their history, warehouse data is never changed, and a merge can "
              "be undone.",
        "zh-CN": "疑似重复客户：户名和电话相同，或规范化后的地址相同。合并不会丢失任何数据："
                 "被合并客户的服务记录连同修改历史转到保留客户名下，数据仓库数据不变，合并可撤销。"},
    "cust.dup.none": {"en": "No suspected duplicates.", "zh-CN": "没有疑似重复客户。"},
    "cust.dup.col.group": {"en": "Group", "zh-CN": "组"},
    "cust.dup.col.rule": {"en": "Rule", "zh-CN": "规则"},
    "cust.dup.rule.name_phone_address": {"en": "same name, phone and address",
                                         "zh-CN": "户名、电话、地址均相同"},
    "cust.dup.rule.name_phone": {"en": "same name and phone", "zh-CN": "户名和电话相同"},
    "cust.dup.rule.address": {"en": "same address", "zh-CN": "地址相同"},
    "cust.merge.title": {"en": "Merge two customers", "zh-CN": "合并两个客户"},
    "cust.merge.group": {"en": "Fill in from a group", "zh-CN": "从疑似重复组填入"},
    "cust.merge.group_none": {"en": "— type the ids —", "zh-CN": "—— 手动输入编号 ——"},
    "cust.merge.survivor": {"en": "Surviving customer id", "zh-CN": "保留的客户编号"},
    "cust.merge.merged": {"en": "Customer id to merge into it", "zh-CN": "被合并的客户编号"},
    "cust.merge.reason": {"en": "Reason", "zh-CN": "合并原因"},
    "cust.merge.submit": {"en": "Merge", "zh-CN": "合并"},
    "cust.merge.done": {"en": "Merge #{id}: {merged} → {survivor}; records moved: {n}.",
                        "zh-CN": "合并 #{id}：{merged} → {survivor}，转移 {n} 条记录。"},
    "cust.merge.error": {"en": "Not merged: {error}", "zh-CN": "未合并：{error}"},
    "cust.merge.no_permission": {"en": "Your role may not merge customers.",
                                 "zh-CN": "您的角色无权合并客户。"},
    "cust.merge.list": {"en": "Merges", "zh-CN": "合并记录"},
    "cust.merge.none": {"en": "No merges yet.", "zh-CN": "尚无合并记录。"},
    "cust.merge.undo_title": {"en": "Undo a merge", "zh-CN": "撤销合并"},
    "cust.merge.undo_pick": {"en": "Merge to undo", "zh-CN": "要撤销的合并"},
    "cust.merge.undo_reason": {"en": "Reason for undoing", "zh-CN": "撤销原因"},
    "cust.merge.undo": {"en": "Undo merge", "zh-CN": "撤销合并"},
    "cust.merge.undone": {"en": "Merge #{id} undone; records back on {merged}: {n}.",
                          "zh-CN": "合并 #{id} 已撤销：{n} 条记录已退回 {merged}。"},
    "cust.merge.undo_error": {"en": "Not undone: {error}", "zh-CN": "未撤销：{error}"},
    "cust.merge.col.id": {"en": "Merge", "zh-CN": "合并号"},
    "cust.merge.col.survivor": {"en": "Survivor", "zh-CN": "保留客户"},
    "cust.merge.col.merged": {"en": "Merged", "zh-CN": "被合并客户"},
    "cust.merge.col.by": {"en": "By", "zh-CN": "操作人"},
    "cust.merge.col.at": {"en": "When", "zh-CN": "时间"},
    "cust.merge.col.reason": {"en": "Reason", "zh-CN": "原因"},
    "cust.merge.col.records": {"en": "Records moved", "zh-CN": "转移记录数"},
    "cust.merge.col.undone": {"en": "Undone", "zh-CN": "撤销时间"},
    "cust.card.merged_into": {
        "en": "Customer {id} was merged into {survivor}; its service records are on "
              "{survivor}'s card.",
        "zh-CN": "客户 {id} 已合并到 {survivor}，其服务记录显示在 {survivor} 的客户视图中。"},
    "cust.card.merged_ids": {
        "en": "Merged into this customer: {ids} (their service records are in the timeline).",
        "zh-CN": "已合并到本客户：{ids}（其服务记录已并入时间线）。"},
    "cust.col.merged_from": {"en": "Merged from", "zh-CN": "合并自"},
})

# ------------------------------------------------------------------ outage drill, drawn-area notice
MESSAGES.update({
    # map: drill district -> H3 cells, feeder lines, events by day
    "outages.drill.area": {"en": "Area", "zh-CN": "区域"},
    "outages.drill.all": {"en": "All districts", "zh-CN": "全部区县"},
    "outages.drill.cells": {"en": "H3 cells (resolution 7, ~5 km²)",
                            "zh-CN": "H3 网格（7 级，约 5 平方公里）"},
    "outages.drill.caption": {"en": "Click a district to see its H3 cells; click an event dot "
                                    "to open it below.",
                              "zh-CN": "点击区县查看其 H3 网格；点击事件圆点在下方查看详情。"},
    "outages.drill.hint": {"en": "Click to drill down to cells", "zh-CN": "点击下钻到网格"},
    "outages.drill.served": {"en": "Customers served: {n}", "zh-CN": "服务客户数：{n}"},
    "outages.drill.no_cells": {"en": "No located customers in this district.",
                               "zh-CN": "该区县没有已定位的客户。"},
    "outages.drill.note": {
        "en": "{n} cells. A cell's customers served are its customers in this district; the "
              "cells weighted by customers served give the district's value (major event days "
              "are those of the whole system).",
        "zh-CN": "共 {n} 个网格。网格的服务客户数为其位于本区县的客户；各网格按服务客户数加权即得"
                 "本区县的指标（重大事件日按整个系统判定）。"},
    "outages.map.days": {"en": "Events from – to", "zh-CN": "事件日期范围"},
    "outages.map.lines": {"en": "Feeder lines", "zh-CN": "线路"},
    "outages.map.lines_legend": {"en": "Feeder: SAIDI contribution (min)",
                                 "zh-CN": "线路：对 SAIDI 的贡献（分）"},
    "outages.map.lines_note": {"en": "Schematic: substation to the customers it serves.",
                               "zh-CN": "示意：变电站至其供电客户。"},
    "outages.map.line_tip": {"en": "SAIDI contribution: {minutes} min ({share})",
                             "zh-CN": "SAIDI 贡献：{minutes} 分（{share}）"},
    # one event
    "outages.event.sensitive": {"en": "Sensitive customers affected",
                                "zh-CN": "受影响重要用户"},
    "outages.event.when": {"en": "{start} to {end} · feeder {feeder} · substation {substation}",
                           "zh-CN": "{start} 至 {end} · 线路 {feeder} · 变电站 {substation}"},
    "outages.event.by_class": {"en": "Customers affected by class",
                               "zh-CN": "受影响客户（按类别）"},
    "outages.event.col.class": {"en": "Class", "zh-CN": "类别"},
    "outages.event.col.customers": {"en": "Customers", "zh-CN": "客户数"},
    "outages.event.col.big": {"en": "Big", "zh-CN": "大客户"},
    "outages.event.col.sensitive": {"en": "Sensitive", "zh-CN": "重要用户"},
    "outages.event.area": {"en": "Area affected (customers per H3 cell)",
                           "zh-CN": "停电范围（每个 H3 网格的受影响客户）"},
    "outages.event.area_note": {"en": "{n} cells; black dot: the feeder's substation.",
                                "zh-CN": "共 {n} 个网格；黑点：线路所属变电站。"},
    "outages.event.no_cells": {"en": "No located customer in your regions was affected.",
                               "zh-CN": "您的数据范围内没有已定位的受影响客户。"},
    "outages.event.cell_big": {"en": "Big customers: {n}", "zh-CN": "大客户：{n}"},
    "outages.event.flagged": {
        "en": "Big or sensitive customers affected: {count} ({big} big, {sensitive} sensitive: "
              "hospitals, water supply, schools, government)",
        "zh-CN": "受影响的大客户或重要用户：{count} 户（大客户 {big}，重要用户 {sensitive}："
                 "医院、供水、学校、政府机关）"},
    # planned-outage notice by area
    "outages.area.mode": {"en": "Notify customers", "zh-CN": "通知对象"},
    "outages.area.mode.feeders": {"en": "on feeders", "zh-CN": "按线路"},
    "outages.area.mode.cells": {"en": "in cells picked on the map", "zh-CN": "按地图选取的网格"},
    "outages.area.mode.file": {"en": "in a GeoJSON area", "zh-CN": "按 GeoJSON 区域"},
    "outages.area.cells_help": {"en": "Click cells to add or remove them; click empty map to "
                                      "clear.",
                                "zh-CN": "点击网格可选中或取消；点击地图空白处清除全部。"},
    "outages.area.too_many": {"en": "{n} cells: choose one district first.",
                              "zh-CN": "共 {n} 个网格，请先选择一个区县。"},
    "outages.area.no_cells": {"en": "No located customers here.",
                              "zh-CN": "此处没有已定位的客户。"},
    "outages.area.picked": {"en": "{n} cells picked · {customers} customers",
                            "zh-CN": "已选 {n} 个网格 · {customers} 户"},
    "outages.area.clear": {"en": "Clear", "zh-CN": "清除"},
    "outages.area.file": {"en": "GeoJSON polygon", "zh-CN": "GeoJSON 多边形"},
    "outages.area.file_help": {
        "en": "A Polygon or MultiPolygon (or a FeatureCollection of them), longitude/latitude.",
        "zh-CN": "Polygon 或 MultiPolygon（或由其组成的 FeatureCollection），经度/纬度。"},
    "outages.area.datum": {"en": "Coordinates of the file", "zh-CN": "文件坐标系"},
    "outages.area.datum.auto": {"en": "as the file says (else WGS-84)",
                                "zh-CN": "按文件声明（否则 WGS-84）"},
    "outages.area.datum.wgs84": {"en": "WGS-84 (GPS)", "zh-CN": "WGS-84（GPS）"},
    "outages.area.datum.gcj02": {"en": "GCJ-02 (AMap, Tencent)", "zh-CN": "GCJ-02（高德、腾讯）"},
    "outages.area.datum.bd09": {"en": "BD-09 (Baidu)", "zh-CN": "BD-09（百度）"},
    "outages.area.converted": {"en": "Converted from {datum} to WGS-84.",
                               "zh-CN": "已由 {datum} 转换为 WGS-84。"},
    "outages.area.size": {"en": "Area: {km2} km²", "zh-CN": "面积：{km2} 平方公里"},
    "outages.area.pick.cells": {"en": "Pick one or more cells on the map.",
                                "zh-CN": "请在地图上选取一个或多个网格。"},
    "outages.area.pick.file": {"en": "Upload a GeoJSON polygon.",
                               "zh-CN": "请上传 GeoJSON 多边形。"},
    "outages.area.nobody": {"en": "No customer in your regions lies in this area: nothing to "
                                  "notify.",
                            "zh-CN": "该区域内没有您数据范围内的客户，无需通知。"},
    # bad input (gcrm.outages.NoticeError codes)
    "outages.err.window": {"en": "The maintenance window must end after it starts.",
                           "zh-CN": "检修结束时间必须晚于开始时间。"},
    "outages.err.not_json": {"en": "The file is not valid JSON: {detail}",
                             "zh-CN": "文件不是有效的 JSON：{detail}"},
    "outages.err.not_geojson": {"en": "The file is not GeoJSON (a Polygon, MultiPolygon, Feature "
                                      "or FeatureCollection).",
                                "zh-CN": "文件不是 GeoJSON（应为 Polygon、MultiPolygon、Feature "
                                         "或 FeatureCollection）。"},
    "outages.err.geometry_type": {"en": "The area must be a Polygon or MultiPolygon, not a "
                                        "{kind}.",
                                  "zh-CN": "区域必须是 Polygon 或 MultiPolygon，而不是 {kind}。"},
    "outages.err.empty": {"en": "The area is empty: it holds no polygon with an area.",
                          "zh-CN": "区域为空：不含有面积的多边形。"},
    "outages.err.too_large": {"en": "The file is larger than {limit} MB.",
                              "zh-CN": "文件大于 {limit} MB。"},
    "outages.err.too_many_vertices": {"en": "The area has more than {limit} vertices: "
                                            "simplify it.",
                                      "zh-CN": "区域顶点超过 {limit} 个，请先简化。"},
    "outages.err.out_of_range": {"en": "Coordinates out of range: the area must be longitude, "
                                       "latitude in degrees (longitude first).",
                                 "zh-CN": "坐标超出范围：区域须为以度表示的经度、纬度"
                                          "（经度在前）。"},
    "outages.err.invalid": {"en": "The polygon is not valid: {reason}",
                            "zh-CN": "多边形无效：{reason}"},
    "outages.err.crs": {"en": "Unsupported coordinate system {crs}: use WGS-84, GCJ-02 or BD-09 "
                              "longitude/latitude.",
                        "zh-CN": "不支持的坐标系 {crs}：请使用 WGS-84、GCJ-02 或 BD-09 经纬度。"},
    "outages.err.bad_wkt": {"en": "Not valid WKT: {detail}", "zh-CN": "无效的 WKT：{detail}"},
    "outages.err.no_cells": {"en": "Choose at least one cell.", "zh-CN": "请至少选择一个网格。"},
    "outages.err.too_many_cells": {"en": "Choose at most {limit} cells.",
                                   "zh-CN": "最多可选 {limit} 个网格。"},
    "outages.err.bad_cell": {"en": "Not an H3 cell: {cells}", "zh-CN": "不是 H3 网格：{cells}"},
    "outages.err.cell_resolution": {"en": "The cells must all have H3 resolution {resolution}.",
                                    "zh-CN": "网格须全部为 H3 {resolution} 级。"},
    "outages.err.outside_scope": {"en": "The area lies outside your regions.",
                                  "zh-CN": "该区域不在您的数据范围内。"},
    "outages.err.outside_regions": {"en": "The area lies outside every region of the warehouse "
                                          "and holds no customer. Are the coordinates right?",
                                    "zh-CN": "该区域不在任何已加载的区域内，也没有客户。"
                                             "请检查坐标。"},
})

# ------------------------------------------------------------------ password change, sessions
MESSAGES.update({
    "pw.menu": {"en": "Change password", "zh-CN": "修改密码"},
    "pw.title": {"en": "Choose a new password", "zh-CN": "设置新密码"},
    "pw.required": {"en": "Your password is a one-time password. Choose a new password before "
                          "you continue.",
                    "zh-CN": "您的密码是一次性密码，请先设置新密码再继续使用。"},
    "pw.intro": {"en": "New password for **{user}**. Your other sessions will be signed out.",
                 "zh-CN": "为 **{user}** 设置新密码。您在其他地方的登录将被注销。"},
    "pw.current": {"en": "Current password", "zh-CN": "当前密码"},
    "pw.new": {"en": "New password", "zh-CN": "新密码"},
    "pw.repeat": {"en": "Repeat the new password", "zh-CN": "再次输入新密码"},
    "pw.policy": {"en": "At least {n} characters mixing three of: lower case, upper case, "
                        "digits, symbols; not containing your user name; different from the "
                        "current password.",
                  "zh-CN": "至少 {n} 个字符，包含小写字母、大写字母、数字、符号中的至少三类；"
                           "不得包含用户名；不得与当前密码相同。"},
    "pw.submit": {"en": "Change password", "zh-CN": "修改密码"},
    "pw.cancel": {"en": "Cancel", "zh-CN": "取消"},
    "pw.mismatch": {"en": "The two new passwords do not match.",
                    "zh-CN": "两次输入的新密码不一致。"},
    "pw.wrong_current": {"en": "The current password is wrong.", "zh-CN": "当前密码不正确。"},
    "pw.rule.length": {"en": "The new password is too short: at least {n} characters.",
                       "zh-CN": "新密码太短：至少需要 {n} 个字符。"},
    "pw.rule.classes": {"en": "The new password must mix at least three of: lower case, upper "
                              "case, digits, symbols.",
                        "zh-CN": "新密码须包含小写字母、大写字母、数字、符号中的至少三类。"},
    "pw.rule.name": {"en": "The new password must not contain your user name.",
                     "zh-CN": "新密码不得包含用户名。"},
    "pw.rule.reuse": {"en": "The new password must differ from the current one.",
                      "zh-CN": "新密码不得与当前密码相同。"},
    "pw.failed": {"en": "The password could not be changed: {error}",
                  "zh-CN": "密码修改失败：{error}"},
    "pw.changed": {"en": "Password changed. Your other sessions were signed out.",
                   "zh-CN": "密码已修改，您在其他地方的登录已被注销。"},
})
