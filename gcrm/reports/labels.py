"""Labels and number formats shared by the report writers (one place, both languages)."""

from __future__ import annotations

import math

import pandas as pd

from gcrm.cube.model import MEASURES
from gcrm.i18n import MESSAGES, t, unit_label

#: columns that hold ratios (shown as percent) besides the ratio measures
RATIO_COLUMNS = {"kwh_share", "paid_share", "asai_pct"}
#: formats of non-measure numeric columns (Python format spec)
COLUMN_FMT = {
    "kwh_prev": ",.0f", "kwh_share": ".1%", "paid_share": ".1%",
    "customers_served": ",.0f", "saifi": ",.3f", "saidi": ",.1f", "caidi": ",.1f",
    "asai": ".5%", "maifi": ",.3f", "aihc_hours": ",.2f", "rs_pct": ",.3f",
    "lon": ".6f", "lat": ".6f",
    "supplied_kwh": ",.0f", "billed_kwh": ",.0f", "loss_kwh": ",.0f", "loss_rate": ".2%",
    "loss_yuan": ",.0f",
    # a tariff scenario's effect (docs/tariff.md)
    "covered": ",.0f", "kwh_before": ",.0f", "kwh_after": ",.0f", "peak_kwh_before": ",.0f",
    "peak_kwh_after": ",.0f", "valley_kwh_before": ",.0f", "valley_kwh_after": ",.0f",
    "bill_before": ",.0f", "bill_static": ",.0f", "bill_after": ",.0f",
    "peak_change_kwh": "+,.0f", "peak_change_share": "+.2%", "bill_change_static": "+,.0f",
    "revenue_change": "+,.0f", "revenue_change_share": "+.2%",
}
#: categorical columns whose values are translated
VALUE_KEYS = {"customer_class": "report.class", "channel": "report.channel",
              "kind": "report.kind", "basis": "report.rel", "status": "revenue.status"}


def column_label(col: str, lang: str, with_unit: bool = True) -> str:
    """Header of ``col``: a measure's label (with unit) or a ``report.col.*`` message."""
    if col in MEASURES:
        m = MEASURES[col]
        u = unit_label(m.unit, lang)
        return f"{m.label(lang)} ({u})" if with_unit and u and m.unit != "%" else m.label(lang)
    key = f"report.col.{col}"
    if key in MESSAGES:
        return t(key, lang)
    if col.endswith("_share"):
        return t("report.col.share", lang)
    return col


def value_label(col: str, value: object, lang: str) -> object:
    """A categorical value in ``lang`` (customer classes, channels, kinds); others unchanged."""
    prefix = VALUE_KEYS.get(col)
    if prefix and isinstance(value, str) and f"{prefix}.{value}" in MESSAGES:
        return t(f"{prefix}.{value}", lang)
    return value


def fmt_spec(col: str) -> str | None:
    if col in MEASURES:
        return MEASURES[col].fmt
    return COLUMN_FMT.get(col)


def is_missing(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def fmt_value(col: str, v: object, lang: str = "en") -> str:
    """A cell as the PDF shows it: measures with their model format, '–' for missing."""
    if is_missing(v):
        return "–"
    spec = fmt_spec(col)
    if spec and isinstance(v, int | float):
        return format(float(v), spec)
    return str(value_label(col, v, lang))


def fmt_measure(measure: str, v: float) -> str:
    """A KPI value exactly as the report prints it (the measure's format in the model)."""
    return "–" if is_missing(v) else format(float(v), MEASURES[measure].fmt)


def fmt_change(measure: str, v: float) -> str:
    """A change: percent for amounts, percentage points for ratios."""
    if is_missing(v):
        return "–"
    if MEASURES[measure].unit == "%":
        return f"{v * 100:+.1f} pp"
    return f"{v:+.1%}"


def excel_format(col: str) -> str | None:
    """An Excel number format for ``col`` (from the same format specs)."""
    spec = fmt_spec(col)
    if spec is None:
        return None
    if spec.endswith("%"):
        digits = int(spec.split(".")[1][0]) if "." in spec else 0
        return "0" + ("." + "0" * digits if digits else "") + "%"
    digits = int(spec.split(".")[1][0]) if "." in spec else 0
    base = "#,##0" if "," in spec else "0"
    return base + ("." + "0" * digits if digits else "")


def fmt_trade(key: str, v: float) -> str:
    """A trading-area figure: counts whole, ratios with two decimals."""
    if is_missing(v):
        return "–"
    return f"{v:,.2f}" if key.startswith(("customers_per", "penetration")) else f"{v:,.0f}"
