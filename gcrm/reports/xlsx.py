"""The XLSX writer (openpyxl): one sheet per section with the tables behind every chart."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from gcrm.i18n import t, tn
from gcrm.reports.data import ReportModel
from gcrm.reports.labels import column_label, excel_format, is_missing, value_label
from gcrm.security.exports import neutralise

HEAD_FILL = PatternFill("solid", fgColor="1F5FA8")
HEAD_FONT = Font(bold=True, color="FFFFFF")
BOLD = Font(bold=True)
TOP_LINE = Border(top=Side(style="thin"))
_BAD = str.maketrans({c: "_" for c in "[]:*?/\\"})

#: section key -> (title key, summable: gets a total row from the model's totals)
SECTIONS = {
    "kpi": ("report.section.kpi", False),
    "trend": ("report.section.consumption", True),
    "class_mix": ("report.chart.class_mix", True),
    "channels": ("report.chart.channels", True),
    "arrears": ("report.arrears.title", True),
    "reliability": ("report.section.reliability", False),
    "outage_areas": ("report.chart.outage_map", False),
    "areas": ("report.section.areas", True),
    "service_points": ("report.section.trade", False),
    "top_customers": ("report.section.top", False),
    "forecast": ("report.forecast.title", False),
    "losses": ("revenue.report.losses", False),
    "tariff": ("report.tariff.title", False),
}


def _width(v: object) -> int:
    s = "" if v is None else str(v)
    return sum(2 if ord(c) > 0x2E80 else 1 for c in s)


def _sheet_title(text: str, used: set[str]) -> str:
    base = text.translate(_BAD).strip()[:28] or "Sheet"
    name, i = base, 2
    while name.lower() in used:
        name, i = f"{base[:26]}_{i}", i + 1
    used.add(name.lower())
    return name


def _cell(v: object) -> object:
    if is_missing(v):
        return None
    if hasattr(v, "item"):  # numpy scalar
        return v.item()
    return v


def _write_table(ws, df: pd.DataFrame, lang: str, totals: dict[str, float] | None,
                 start_row: int = 1, headers: list[str] | None = None,
                 hidden: pd.DataFrame | None = None, hidden_text: str = "") -> None:
    """``df`` from ``start_row``; the cells marked in ``hidden`` (disclosure control) hold the
    text ``hidden_text`` ("<5")."""
    cols = list(df.columns)
    secret = (hidden.to_numpy() if hidden is not None
              else pd.DataFrame(False, index=df.index, columns=cols).to_numpy())
    headers = headers or [column_label(c, lang) for c in cols]
    for j, head in enumerate(headers, 1):
        cell = ws.cell(row=start_row, column=j, value=head)
        cell.fill, cell.font = HEAD_FILL, HEAD_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    widths = [_width(h) for h in headers]
    formats = [excel_format(c) for c in cols]
    r = start_row
    for r, rec in enumerate(df.itertuples(index=False), start_row + 1):
        for j, (c, v) in enumerate(zip(cols, rec, strict=True), 1):
            value = hidden_text if secret[r - start_row - 1, j - 1] else \
                _cell(value_label(c, v, lang))
            cell = ws.cell(row=r, column=j, value=value)
            if formats[j - 1] and isinstance(value, int | float):
                cell.number_format = formats[j - 1]
            widths[j - 1] = max(widths[j - 1], _width(value if not isinstance(value, float)
                                                      else f"{value:,.2f}"))
    if totals is not None:
        r += 1
        for j, c in enumerate(cols, 1):
            value = t("report.total", lang) if j == 1 else _cell(totals.get(c))
            cell = ws.cell(row=r, column=j, value=value)
            cell.font, cell.border = BOLD, TOP_LINE
            if formats[j - 1] and isinstance(value, int | float):
                cell.number_format = formats[j - 1]
    for j, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = min(max(w + 2, 8), 60)
    ws.freeze_panes = ws.cell(row=start_row + 1, column=1)


def _write_pairs(ws, rows: list[tuple[str, object]], lang: str, fmt: str | None = None) -> None:
    for j, head in enumerate((t("report.col.item", lang), ""), 1):
        cell = ws.cell(row=1, column=j, value=head)
        cell.fill, cell.font = HEAD_FILL, HEAD_FONT
    for i, (label, value) in enumerate(rows, 2):
        ws.cell(row=i, column=1, value=label)
        cell = ws.cell(row=i, column=2, value=_cell(value))
        if fmt and isinstance(value, int | float):
            cell.number_format = fmt
    ws.column_dimensions["A"].width = max(_width(r[0]) for r in rows) + 4 if rows else 20
    ws.column_dimensions["B"].width = 40
    ws.freeze_panes = "A2"


def write_xlsx(m: ReportModel, path: Path) -> None:
    """The report as a workbook: about, one sheet per table, trade-area KPIs, data quality;
    no cell is a live formula."""
    wb = Workbook()
    used: set[str] = set()
    _about_sheet(wb.active, m, used)
    _table_sheets(wb, m, used)
    _trade_and_quality_sheets(wb, m, used)
    neutralise(wb)  # names and labels are text, never live formulas
    wb.save(path)


def _about_sheet(about, m: ReportModel, used: set[str]) -> None:
    lang = m.lang
    about.title = _sheet_title(t("report.sheet.about", lang), used)
    yes, no = t("report.yes", lang), t("report.no", lang)
    _write_pairs(about, [
        (t("report.title", lang), f"{m.region_name} ({m.region_id})"),
        (t("report.about.period", lang), f"{m.period.label} ({m.period.first}..{m.period.last})"),
        (t("report.about.filters", lang), m.filters),
        (t("report.about.user", lang), m.user or t("report.operator", lang)),
        (t("report.about.loaded_at", lang), m.loaded_at or "–"),
        (t("report.about.generated_at", lang), m.generated_at),
        (t("report.about.masked", lang), yes if m.masked else no),
        (t("report.quality.months_with_data", lang),
         f"{len(m.months_with_data)} / {m.period.n_months}"),
        (t("report.col.yoy_change", lang), m.compared_words("last_year")),
        (t("report.col.prev_change", lang), m.compared_words("previous")),
        *([(t("report.tariff.title", lang), _scenario_words(m))] if m.tariff is not None
          else []),
        *([(t("report.about.suppressed", lang, min=m.min_cell),
            tn("report.suppressed", m.hidden_count(), lang, min=m.min_cell))]
          if m.min_cell is not None else []),
    ], lang)


def _scenario_words(m: ReportModel) -> str:
    """The scenario in one line: name, description, months simulated."""
    s = m.tariff.scenario
    return t("report.tariff.about", m.lang, name=s.name, description=s.description or "",
             first=m.tariff.months[0], last=m.tariff.months[1])


def _table_sheets(wb, m: ReportModel, used: set[str]) -> None:
    lang = m.lang
    tot = m.totals()
    area = t(f"report.area.{m.area_level}", lang)
    for key, df in m.tables().items():
        title_key, summable = SECTIONS[key]
        title = t(title_key, lang, period=m.period.label, area=area, n=m.top_n)
        ws = wb.create_sheet(_sheet_title(title, used))
        frame, headers = df, None
        if key == "kpi":
            frame = df.assign(measure=[column_label(x, lang) for x in df["measure"]])
            headers = [t("report.col.measure", lang), t("report.col.value", lang),
                       t("report.col.prev", lang, period=m.earlier_words("previous")),
                       t("report.col.prev_change", lang),
                       t("report.col.yoy", lang, period=m.earlier_words("last_year")),
                       t("report.col.yoy_change", lang)]
        totals = tot if summable else None
        if key == "tariff" and m.tariff is not None:  # the region's total of the scenario
            totals = m.tariff.total.iloc[0].to_dict()
        _write_table(ws, frame, lang, totals, headers=headers,
                     hidden=m.hidden(key), hidden_text=f"<{m.min_cell}")
        if key == "kpi":
            _kpi_formats(ws, df)


def _kpi_formats(ws, df) -> None:
    """Each KPI row keeps its measure's own format; growth in percent, ratios' change in
    points."""
    for i, measure in enumerate(df["measure"], 2):
        ratio = excel_format(measure) == "0.0%"
        for col in (2, 3, 5):
            ws.cell(row=i, column=col).number_format = excel_format(measure)
        for col in (4, 6):
            ws.cell(row=i, column=col).number_format = '+0.0" pp";-0.0" pp"' \
                if ratio else "+0.0%;-0.0%"
            if ratio and isinstance(ws.cell(row=i, column=col).value, float):
                ws.cell(row=i, column=col).value *= 100


def _trade_and_quality_sheets(wb, m: ReportModel, used: set[str]) -> None:
    lang = m.lang
    trade = wb.create_sheet(_sheet_title(t("report.section.trade", lang) + " KPI", used))
    _write_pairs(trade, [(t(f"report.trade.{k}", lang), v) for k, v in m.trade.items()], lang,
                 "#,##0.00")
    q = m.quality
    qs = wb.create_sheet(_sheet_title(t("report.section.quality", lang), used))
    rows = [(t(f"report.quality.{k}", lang), q[k]) for k in
            ("customers_on_record", "customers_with_consumption", "duplicate_groups",
             "rejected_rows_last_load", "unlocated_warehouse") if k in q]
    rows.append((t("report.quality.months_with_data", lang),
                 f"{q['months_with_data']} / {q['months_in_period']}"))
    rows.append((t("report.quality.note", lang), ""))
    _write_pairs(qs, rows, lang, "#,##0")
