"""Charts and maps of a report, drawn server-side with matplotlib (Agg, no network).

Each function takes the :class:`~gcrm.reports.data.ReportModel` and returns PNG bytes. No
pyplot: figures are created directly, so concurrent reports do not share state. Every text
artist is drawn with the report's CJK font file, so district names render in Chinese.
"""

from __future__ import annotations

import io

import geopandas as gpd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator

from gcrm.i18n import t
from gcrm.reports.data import ReportModel
from gcrm.reports.labels import value_label

DPI = 160
ACCENT = "#1f5fa8"
LIGHT = "#9dbbe0"
GREY = "#e6e6e6"


def _png(fig: Figure, font_file: str | None) -> bytes:
    if font_file:
        for txt in fig.findobj(Text):
            txt.set_fontproperties(FontProperties(fname=font_file, size=txt.get_fontsize()))
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", facecolor="white")
    return buf.getvalue()


def _tidy_map(ax) -> None:
    ax.set_axis_off()
    ax.set_aspect("equal")


def _label_regions(ax, gdf: gpd.GeoDataFrame, highlight: str | None, size: float) -> None:
    for _, row in gdf.iterrows():
        pt = row.geometry.representative_point()
        strong = row["region_id"] == highlight
        ax.annotate(row["name"], (pt.x, pt.y), ha="center", va="center",
                    fontsize=size + (1.5 if strong else 0),
                    color="#102a43" if strong else "#555555", zorder=4)


def cover_map(m: ReportModel, font_file: str | None) -> bytes:
    """A district: a locator map of the city plus the district itself with its grid cells
    shaded by consumption and its service points. A city: its districts, named."""
    ctx = m.context
    if m.region_level == "city" or not len(ctx):
        fig = Figure(figsize=(7.0, 4.4))
        ax = fig.add_subplot()
        shapes = m.area_shapes.merge(m.areas[["area", "kwh"]], on="area", how="left")
        gpd.GeoDataFrame(shapes, crs=m.area_shapes.crs).plot(
            ax=ax, column="kwh", cmap="Blues", edgecolor="white", linewidth=0.8,
            missing_kwds={"color": GREY})
        m.boundary.boundary.plot(ax=ax, color=ACCENT, linewidth=1.2)
        _label_regions(ax, ctx, None, 8)
        _tidy_map(ax)
        return _png(fig, font_file)
    fig = Figure(figsize=(7.2, 3.9))
    gs = fig.add_gridspec(1, 2, width_ratios=[1, 1.9], wspace=0.05)
    loc, ax = fig.add_subplot(gs[0]), fig.add_subplot(gs[1])
    ctx.plot(ax=loc, color=GREY, edgecolor="white", linewidth=0.6)
    m.boundary.plot(ax=loc, color=ACCENT, edgecolor=ACCENT, linewidth=0.8)
    for _, row in ctx.iterrows():
        if row["region_id"] != m.region_id:
            pt = row.geometry.representative_point()
            loc.annotate(row["name"], (pt.x, pt.y), ha="center", va="center", fontsize=6.5,
                         color="#555555")
    _tidy_map(loc)
    m.boundary.plot(ax=ax, color="#f7f9fc", edgecolor=ACCENT, linewidth=1.4)
    shapes = m.area_shapes.merge(m.areas[["area", "kwh"]], on="area", how="inner")
    if len(shapes):
        gpd.GeoDataFrame(shapes, crs=m.area_shapes.crs).plot(
            ax=ax, column="kwh", cmap="Blues", edgecolor="white", linewidth=0.3, alpha=0.85,
            missing_kwds={"color": GREY})  # cells hidden by disclosure control
    sp = m.service_points.dropna(subset=["lon", "lat"])
    if len(sp):
        ax.scatter(sp["lon"], sp["lat"], s=14, color="#e07b00", edgecolor="white",
                   linewidth=0.5, zorder=3)
    ax.set_title(m.region_name, fontsize=12, color="#102a43")
    _tidy_map(ax)
    return _png(fig, font_file)


def trend_chart(m: ReportModel, font_file: str | None) -> bytes:
    lang = m.lang
    df = m.trend
    fig = Figure(figsize=(7.0, 3.0))
    ax = fig.add_subplot()
    x = range(len(df))
    ax.bar(x, df["kwh"] / 1e4, color=ACCENT, label=t("report.chart.current", lang))
    if df["kwh_prev"].notna().any():
        ax.plot(x, df["kwh_prev"] / 1e4, color="#e07b00", marker="o",
                label=t("report.chart.last_year", lang))
    ax.set_xticks(list(x), df["month"].tolist(), rotation=0 if len(df) <= 6 else 45,
                  fontsize=8)
    ax.set_ylabel("万 kWh" if lang.startswith("zh") else "10,000 kWh", fontsize=8)
    # the title on the left and the legend on the right, both above the bars: below the axes
    # the legend would sit on the (rotated) month labels
    ax.set_title(t("report.chart.trend", lang), fontsize=10, loc="left")
    ax.legend(fontsize=8, frameon=False, loc="lower right", bbox_to_anchor=(1.0, 1.0),
              ncols=2, borderaxespad=0.2)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig, font_file)


def _hbar(labels: list[str], values, shares, title: str, font_file: str | None,
          scale: float = 1.0) -> bytes:
    fig = Figure(figsize=(7.0, 0.45 * max(len(labels), 3) + 0.8))
    ax = fig.add_subplot()
    y = list(range(len(labels)))[::-1]
    ax.barh(y, [v / scale for v in values], color=ACCENT)
    ax.set_yticks(y, labels, fontsize=9)
    for yy, v, s in zip(y, values, shares, strict=True):
        if v == v and s == s:  # a bar hidden by disclosure control has no value (NaN)
            ax.annotate(f" {s:.1%}", (v / scale, yy), va="center", fontsize=8)
    ax.set_title(title, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    ax.xaxis.set_major_locator(MaxNLocator(4))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.tick_params(axis="x", labelsize=8)
    ax.margins(x=0.15)
    return _png(fig, font_file)


def class_mix_chart(m: ReportModel, font_file: str | None) -> bytes:
    df = m.class_mix
    labels = [str(value_label("customer_class", c, m.lang)) for c in df["customer_class"]]
    return _hbar(labels, df["kwh"].tolist(), df["kwh_share"].tolist(),
                 t("report.chart.class_mix", m.lang) + " (kWh)", font_file)


def channels_chart(m: ReportModel, font_file: str | None) -> bytes:
    df = m.channels
    labels = [str(value_label("channel", c, m.lang)) for c in df["channel"]]
    return _hbar(labels, df["paid"].tolist(), df["paid_share"].tolist(),
                 t("report.chart.channels", m.lang), font_file)


def outage_map(m: ReportModel, font_file: str | None) -> bytes:
    """SAIDI per sub-area (grid cells of a district, districts of a city)."""
    lang = m.lang
    fig = Figure(figsize=(7.0, 4.6))
    ax = fig.add_subplot()
    m.boundary.plot(ax=ax, color="#f4f4f4", edgecolor="#555555", linewidth=1.0)
    shapes = m.area_shapes.merge(m.outage_areas[["area", "saidi"]], on="area", how="inner")
    if len(shapes):
        gpd.GeoDataFrame(shapes, crs=m.area_shapes.crs).plot(
            ax=ax, column="saidi", cmap="OrRd", edgecolor="white", linewidth=0.3,
            legend=True, legend_kwds={"shrink": 0.7}, missing_kwds={"color": GREY})
    if m.area_level == "district":
        for _, row in m.context.iterrows():
            pt = row.geometry.representative_point()
            ax.annotate(row["name"], (pt.x, pt.y), ha="center", fontsize=8)
    area = t(f"report.area.{m.area_level}", lang)
    ax.set_title(t("report.chart.outage_map", lang, area=area, period=m.period.label),
                 fontsize=10)
    _tidy_map(ax)
    return _png(fig, font_file)
