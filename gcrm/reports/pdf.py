"""The PDF writer (ReportLab, A4): renders a :class:`~gcrm.reports.data.ReportModel`."""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from gcrm.cube.model import DIMENSIONS, MEASURES
from gcrm.i18n import MESSAGES, t, tn
from gcrm.reports import charts, fonts
from gcrm.reports.data import RELIABILITY_COLUMNS, ReportModel
from gcrm.reports.labels import column_label, fmt_change, fmt_measure, fmt_trade, fmt_value

MARGIN = 16 * mm
WIDTH = A4[0] - 2 * MARGIN
HEAD_BG = colors.HexColor("#1f5fa8")
ZEBRA = colors.HexColor("#f2f6fb")
PDF_AREA_ROWS = 12  # sub-area rows in the PDF (the XLSX and GIS files have all)


def _model_texts(m: ReportModel) -> list[str]:
    """Every string the PDF may draw: for the font subset."""
    lang = m.lang
    texts = [v[lang if lang in v else "en"] for k, v in MESSAGES.items()
             if k.startswith(("report.", "unit."))]
    texts += [x.label(lang) for x in (*MEASURES.values(), *DIMENSIONS.values())]
    texts += [m.region_name, m.region_id, m.user or "", m.loaded_at or "", m.filters,
              "万 kWh 10,000 kWh pp"]
    texts += m.context["name"].astype(str).tolist() if len(m.context) else []
    if m.tariff is not None:
        texts += [m.tariff.scenario.name, m.tariff.scenario.description or ""]
    for df in m.tables().values():
        for col in df.columns:
            if not pd.api.types.is_numeric_dtype(df[col]):
                texts += df[col].dropna().astype(str).tolist()
    return texts


class _Styles:
    def __init__(self, f: fonts.Fonts, lang: str) -> None:
        wrap = "CJK" if lang.startswith("zh") else None
        base = {"fontName": f.regular, "wordWrap": wrap}
        self.title = ParagraphStyle("title", fontSize=22, leading=28, fontName=f.bold,
                                    textColor=colors.HexColor("#102a43"))
        self.h1 = ParagraphStyle("h1", fontSize=14, leading=19, spaceBefore=6, spaceAfter=4,
                                 fontName=f.bold, textColor=colors.HexColor("#102a43"))
        self.h2 = ParagraphStyle("h2", fontSize=11, leading=15, spaceBefore=4, spaceAfter=2,
                                 fontName=f.bold)
        self.body = ParagraphStyle("body", fontSize=9.5, leading=13.5, **base)
        self.small = ParagraphStyle("small", fontSize=8, leading=11,
                                    textColor=colors.HexColor("#444444"), **base)
        self.cell = ParagraphStyle("cell", fontSize=8, leading=10, **base)
        self.head = ParagraphStyle("head", fontSize=8, leading=10, fontName=f.bold,
                                   textColor=colors.white, wordWrap=wrap)
        self.head_right = ParagraphStyle("head_right", parent=self.head, alignment=TA_RIGHT)
        self.caption = ParagraphStyle("caption", fontSize=8, leading=10, alignment=TA_CENTER,
                                      **base)


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _table(rows: list[list], header: list[str], st: _Styles, f: fonts.Fonts,
           numeric: list[bool], widths: list[float] | None = None,
           total_row: bool = False) -> Table:
    data = [[_p(h, st.head_right if num else st.head)
             for h, num in zip(header, numeric, strict=True)]]
    for r in rows:
        data.append([c if not isinstance(c, str) or num else _p(c, st.cell)
                     for c, num in zip(r, numeric, strict=True)])
    tbl = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    style = [
        ("FONTNAME", (0, 0), (-1, -1), f.regular),
        ("FONTSIZE", (0, 1), (-1, -1), 8),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#c8d3e0")),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    for i, num in enumerate(numeric):
        if num:
            style.append(("ALIGN", (i, 1), (i, -1), "RIGHT"))
    for r in range(1, len(data)):
        if r % 2 == 0:
            style.append(("BACKGROUND", (0, r), (-1, r), ZEBRA))
    if total_row:
        style += [("FONTNAME", (0, -1), (-1, -1), f.bold),
                  ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black)]
    tbl.setStyle(TableStyle(style))
    return tbl


def _frame_table(df: pd.DataFrame, cols: list[str], m: ReportModel, st: _Styles,
                 f: fonts.Fonts, totals: dict[str, float] | None = None,
                 widths: list[float] | None = None, key: str = "") -> Table:
    """``cols`` of ``df`` (table ``key`` of the model) as a table; cells disclosure control
    hid read "<5"."""
    lang = m.lang
    numeric = [pd.api.types.is_numeric_dtype(df[c]) for c in cols]
    hidden = m.hidden(key, df)[cols].to_numpy()
    rows = [[f"<{m.min_cell}" if h else fmt_value(c, v, lang)
             for c, v, h in zip(cols, rec, secret, strict=True)]
            for rec, secret in zip(df[cols].itertuples(index=False), hidden, strict=True)]
    if totals is not None:
        rows.append([t("report.total", lang) if i == 0 else
                     (fmt_value(c, totals[c], lang) if c in totals else "")
                     for i, c in enumerate(cols)])
    return _table(rows, [column_label(c, lang) for c in cols], st, f, numeric, widths,
                  total_row=totals is not None)


def _image(png: bytes, width: float, max_height: float = 110 * mm) -> Image:
    img = Image(io.BytesIO(png))
    ratio = img.imageHeight / img.imageWidth
    if width * ratio > max_height:
        width = max_height / ratio
    img.drawWidth, img.drawHeight = width, width * ratio
    return img


def _footer_canvas(m: ReportModel, f: fonts.Fonts):
    lang = m.lang
    user = m.user or t("report.operator", lang)

    class FooterCanvas(rl_canvas.Canvas):
        """Draws the footer with 'page n / N' once the page count is known."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                super().showPage()
            super().save()

        def _footer(self, total: int) -> None:
            text = t("report.footer", lang, loaded=m.loaded_at or "–", filters=m.filters,
                     user=user, page=f"{self._pageNumber} / {total}")
            self.setFont(f.regular, 7)
            self.setFillColor(colors.HexColor("#555555"))
            self.line(MARGIN, 12 * mm, A4[0] - MARGIN, 12 * mm)
            self.drawString(MARGIN, 8.5 * mm, text)

    return FooterCanvas


def _kpi_table(m: ReportModel, st: _Styles, f: fonts.Fonts) -> Table:
    lang = m.lang
    header = [t("report.col.measure", lang), t("report.col.value", lang),
              t("report.col.prev", lang, period=m.earlier_words("previous")),
              t("report.col.prev_change", lang),
              t("report.col.yoy", lang, period=m.earlier_words("last_year")),
              t("report.col.yoy_change", lang)]
    rows = []
    gone = m.kpis.attrs.get("hidden", ()) if m.min_cell is not None else ()

    def value(measure: str, col: str, v: float) -> str:
        return f"<{m.min_cell}" if col in gone else fmt_measure(measure, v)

    for r in m.kpis.itertuples(index=False):
        rows.append([column_label(r.measure, lang), value(r.measure, "value", r.value),
                     value(r.measure, "prev", r.prev), fmt_change(r.measure, r.prev_change),
                     value(r.measure, "yoy", r.yoy), fmt_change(r.measure, r.yoy_change)])
    w = WIDTH
    return _table(rows, header, st, f, [False, True, True, True, True, True],
                  [0.25 * w, 0.17 * w, 0.17 * w, 0.12 * w, 0.17 * w, 0.12 * w])


def _cover(m: ReportModel, st: _Styles, f: fonts.Fonts) -> list:
    """Title, period, coverage, the cover map and the KPI table."""
    lang = m.lang
    s: list = [_p(f"{m.region_name} · {t('report.title', lang)}", st.title),
               _p(t("report.period", lang, period=m.period.label, first=m.period.first,
                    last=m.period.last) + f"  ·  {m.region_id}", st.body)]
    if len(m.months_with_data) < m.period.n_months:
        s.append(_p(t("report.coverage", lang, n=len(m.months_with_data),
                      total=m.period.n_months, months=", ".join(m.months_with_data)),
                    st.small))
    s += [_p(t("report.generated", lang, when=m.generated_at,
               user=m.user or t("report.operator", lang), loaded=m.loaded_at or "–"),
             st.small),
          Spacer(1, 3 * mm),
          _image(charts.cover_map(m, f.ttf_regular), WIDTH * 0.82, 95 * mm),
          _p(t("report.cover.map", lang, region=m.region_name), st.caption),
          Spacer(1, 3 * mm),
          _p(t("report.section.kpi", lang), st.h1),
          _kpi_table(m, st, f),
          Spacer(1, 1.5 * mm),
          _p(t("report.cmp_note", lang, yoy=m.compared_words("last_year"),
                 prev=m.compared_words("previous")), st.small)]
    if m.min_cell is not None and (n := m.hidden_count()):
        s.append(_p(tn("report.suppressed", n, lang, min=m.min_cell), st.small))
    s.append(PageBreak())
    return s


def _consumption(m: ReportModel, st: _Styles, f: fonts.Fonts) -> list:
    """The monthly trend and the customer-class mix."""
    totals = m.totals()
    return [
        _p(t("report.section.consumption", m.lang), st.h1),
        _image(charts.trend_chart(m, f.ttf_regular), WIDTH),
        _frame_table(m.trend, ["month", "kwh", "kwh_prev", "amount", "paid", "customers"],
                     m, st, f, totals),
        Spacer(1, 3 * mm),
        KeepTogether([
            _image(charts.class_mix_chart(m, f.ttf_regular), WIDTH * 0.9),
            _frame_table(m.class_mix, ["customer_class", "customers", "kwh", "kwh_share",
                                       "amount", "peak_share", "valley_share"], m, st, f,
                         totals)]),
        PageBreak()]


def _payments(m: ReportModel, st: _Styles, f: fonts.Fonts) -> list:
    """Payment channels and arrears by customer class."""
    totals = m.totals()
    return [
        _p(t("report.section.payments", m.lang), st.h1),
        _image(charts.channels_chart(m, f.ttf_regular), WIDTH * 0.9),
        _frame_table(m.channels, ["channel", "payments", "paid", "paid_share"], m, st, f,
                     totals),
        Spacer(1, 3 * mm),
        _p(t("report.arrears.title", m.lang), st.h2),
        _frame_table(m.arrears, ["customer_class", "amount", "paid", "arrears",
                                 "collection_rate"], m, st, f, totals),
        PageBreak()]


def _reliability(m: ReportModel, st: _Styles, f: fonts.Fonts) -> list:
    """Reliability indices of the period and the outage map (or why there are none)."""
    lang = m.lang
    s: list = [_p(t("report.section.reliability", lang, period=m.period.label), st.h1)]
    if len(m.reliability):
        cols = ["basis", *RELIABILITY_COLUMNS]
        w = WIDTH / (len(cols) + 1)
        s += [_frame_table(m.reliability, cols, m, st, f,
                           widths=[2 * w] + [w] * (len(cols) - 1)),
              Spacer(1, 1.5 * mm),
              _p(t("report.rel.note", lang, period=m.period.label), st.small),
              _image(charts.outage_map(m, f.ttf_regular), WIDTH * 0.9)]
    else:
        s.append(_p(t("report.rel.none", lang, period=m.period.label), st.body))
    s.append(PageBreak())
    return s


def _losses(m: ReportModel, st: _Styles, f: fonts.Fonts) -> list:
    """The transformer areas losing the most (nothing without supply data)."""
    if not len(m.losses):
        return []
    cols = list(m.losses.columns)
    w = WIDTH / (len(cols) + 2)
    return [_p(t("revenue.report.losses", m.lang, period=m.period.label), st.h1),
            _frame_table(m.losses, cols, m, st, f, widths=[1.5 * w, 2.5 * w] + [w] * 6,
                         key="losses"),
            Spacer(1, 1.5 * mm), _p(t("revenue.report.note", m.lang), st.small),
            PageBreak()]


def _trade_and_areas(m: ReportModel, st: _Styles, f: fonts.Fonts) -> list:
    """Trading-area figures, the service points and the sub-areas."""
    lang = m.lang
    rows = [[t(f"report.trade.{k}", lang), fmt_trade(k, v)] for k, v in m.trade.items()]
    area = t(f"report.area.{m.area_level}", lang)
    cols = ["area", "name", "customers", "kwh", "amount", "arrears", "collection_rate"]
    if m.area_level == "grid":
        cols.remove("name")
    return [
        _p(t("report.section.trade", lang), st.h1),
        _table(rows, [t("report.col.item", lang), ""], st, f, [False, True],
               [0.6 * WIDTH, 0.25 * WIDTH]),
        Spacer(1, 3 * mm),
        _frame_table(m.service_points, ["service_point_id", "name", "kind", "customers",
                                        "kwh"], m, st, f),
        Spacer(1, 3 * mm),
        _p(f"{t('report.section.areas', lang)}: {area}", st.h2),
        _frame_table(m.areas.head(PDF_AREA_ROWS), cols, m, st, f),
        PageBreak()]


def _top_customers(m: ReportModel, st: _Styles, f: fonts.Fonts) -> list:
    """The top customers (hidden without read_customers, masked without read_pii)."""
    lang = m.lang
    s: list = [_p(t("report.section.top", lang, n=m.top_n), st.h1)]
    if m.top_customers is None:
        return [*s, _p(t("report.top.hidden", lang), st.body)]
    if m.masked:
        s.append(_p(t("report.top.masked", lang), st.small))
    cols = ["customer", "name", "customer_class", "kwh", "amount", "arrears"]
    w = WIDTH
    s.append(_frame_table(m.top_customers, cols, m, st, f,
                          widths=[0.17 * w, 0.31 * w, 0.12 * w, 0.14 * w, 0.13 * w,
                                  0.13 * w], key="top_customers"))
    return s


def _quality(m: ReportModel, st: _Styles, f: fonts.Fonts) -> list:
    """Data-quality figures of the region."""
    lang = m.lang
    q = m.quality
    items = [("customers_on_record", f"{q['customers_on_record']:,}"),
             ("customers_with_consumption", f"{q['customers_with_consumption']:,}"),
             ("months_with_data", f"{q['months_with_data']} / {q['months_in_period']}"),
             ("duplicate_groups", f"{q['duplicate_groups']:,}"),
             ("rejected_rows_last_load", f"{q['rejected_rows_last_load']:,}")]
    if "unlocated_warehouse" in q:
        items.append(("unlocated_warehouse", f"{q['unlocated_warehouse']:,}"))
    return [
        Spacer(1, 4 * mm),
        _p(t("report.section.quality", lang), st.h1),
        _table([[t(f"report.quality.{k}", lang), v] for k, v in items],
               [t("report.col.item", lang), ""], st, f, [False, True],
               [0.6 * WIDTH, 0.25 * WIDTH]),
        Spacer(1, 1.5 * mm),
        _p(t("report.quality.note", lang), st.small)]


def _forecast(m: ReportModel, st: _Styles, f: fonts.Fonts) -> list:
    """The next 12 months of kWh with the 80 % interval (gcrm.forecast)."""
    if m.forecast is None:
        return []
    return [
        _p(t("report.forecast.title", m.lang), st.h1),
        _frame_table(m.forecast, ["month", "kwh", "lo", "hi"], m, st, f, key="forecast"),
        Spacer(1, 1.5 * mm),
        _p(t("report.forecast.note", m.lang, model=m.forecast.attrs.get("model", ""),
             mase=f"{m.forecast.attrs.get('mase', float('nan')):.2f}"), st.small),
        PageBreak()]


#: columns of the tariff scenario table in the PDF (the XLSX sheet has every column)
TARIFF_PDF_COLUMNS = ["customer_class", "customers", "covered", "bill_before", "bill_after",
                      "revenue_change", "revenue_change_share", "peak_change_kwh",
                      "peak_change_share"]


def _tariff(m: ReportModel, st: _Styles, f: fonts.Fonts) -> list:
    """A tariff scenario's effect on the region by customer class (gcrm.tariff), when one
    was asked."""
    if m.tariff is None:
        return []
    lang, s, total = m.lang, m.tariff.scenario, m.tariff.total.iloc[0]
    totals = {c: total[c] for c in TARIFF_PDF_COLUMNS[1:]}
    w = WIDTH / (len(TARIFF_PDF_COLUMNS) + 0.5)
    return [
        _p(t("report.tariff.title", lang), st.h1),
        _p(t("report.tariff.about", lang, name=s.name, description=s.description or "",
             first=m.tariff.months[0], last=m.tariff.months[1]), st.body),
        _p(t("report.tariff.summary", lang,
             covered=fmt_value("covered", total["covered"], lang),
             customers=fmt_value("customers", total["customers"], lang),
             revenue=fmt_value("revenue_change", total["revenue_change"], lang),
             revenue_share=fmt_value("revenue_change_share", total["revenue_change_share"],
                                     lang),
             peak=fmt_value("peak_change_kwh", total["peak_change_kwh"], lang),
             peak_share=fmt_value("peak_change_share", total["peak_change_share"], lang)),
           st.body),
        _frame_table(m.tariff.table, TARIFF_PDF_COLUMNS, m, st, f, totals=totals,
                     widths=[1.5 * w] + [w] * (len(TARIFF_PDF_COLUMNS) - 1), key="tariff"),
        Spacer(1, 1.5 * mm), _p(t("report.tariff.note", lang), st.small),
        PageBreak()]


#: the report's sections, in order
SECTIONS = (_cover, _consumption, _payments, _reliability, _losses, _trade_and_areas,
            _top_customers, _forecast, _tariff, _quality)


def story(m: ReportModel, f: fonts.Fonts) -> list:
    """Every flowable of the PDF: the sections in order."""
    st = _Styles(f, m.lang)
    return [flowable for section in SECTIONS for flowable in section(m, st, f)]


def write_pdf(m: ReportModel, path: Path) -> None:
    f = fonts.register(fonts.charset(_model_texts(m)))
    doc = SimpleDocTemplate(
        str(path), pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=18 * mm, title=f"{m.region_name} {t('report.title', m.lang)} "
        f"{m.period.label}", author=m.user or "GCRM", subject=m.filters, creator="GCRM")
    doc.build(story(m, f), canvasmaker=_footer_canvas(m, f))
