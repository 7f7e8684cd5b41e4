"""Pieces of the trading-area page: labelled numbers, tiles with the district beside them,
hidden exact values for tests, tables and download bytes.

Tiles follow :func:`dashboards.components.kpi.kpi_tiles` (an ``st.metric`` for people plus an
invisible ``span.gcrm-kpi[data-kpi][data-value]`` with ``repr(float)``), for the indicators
that are not cube measures (shares, per-customer outages, population, penetration). Every
indicator of the summary is also written as ``span.gcrm-ta-metric`` with ``data-metric``,
``data-area`` and ``data-district`` (exact values, ``repr(float)``).
"""

from __future__ import annotations

import html
import io
import math
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from gcrm.i18n import format_number, t

SHARES = ("online_share", "counter_share", "share", "before_share", "after_share")
WHOLE = ("customers", "residential_customers", "payments", "customer_interruptions",
         "resident", "floating", "potential_customers", "before", "after", "total")
#: indicators that are ratios: compared with the district directly (area / district)
RATIOS = ("kwh_per_customer", "arrears_per_customer", "online_share", "counter_share",
          "interruptions_per_customer", "outage_minutes_per_customer", "penetration",
          "potential_per_1000_residents")
UNIT_KEYS = {"accounts": "ta.unit.accounts", "kWh": "ta.unit.kwh", "yuan": "ta.unit.yuan",
             "payments": "ta.unit.payments", "share": "ta.unit.share",
             "events": "ta.unit.events", "minutes": "ta.unit.minutes",
             "persons": "ta.unit.persons", "per 1,000 residents": "ta.unit.per_1000",
             "households": "ta.unit.households"}


def _nan(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def fmt(name: str, value: float | None, lang: str) -> str:
    """``value`` of indicator ``name`` for people (shares as %, counts whole, 万/K scaled)."""
    if _nan(value):
        return "–"
    if name in SHARES:
        return f"{float(value):.1%}"
    return format_number(float(value), lang, whole=name in WHOLE)


def unit(u: str, lang: str) -> str:
    key = UNIT_KEYS.get(u)
    return t(key, lang) if key else u


def label(name: str, lang: str) -> str:
    return t(f"ta.metric.{name}", lang)


def exact_spans(values: dict[str, float]) -> None:
    """Hidden ``span.gcrm-kpi`` elements (the format of :mod:`dashboards.components.kpi`)."""
    st.markdown('<div class="gcrm-kpis" style="display:none">' + "".join(
        f'<span class="gcrm-kpi" data-kpi="{html.escape(k)}" data-value="{float(v)!r}">'
        f"{float(v)!r}</span>" for k, v in values.items()) + "</div>", unsafe_allow_html=True)


def tiles(names: Sequence[str], area: dict[str, float], district: dict[str, float] | None,
          units: dict[str, str], lang: str) -> None:
    """One bordered ``st.metric`` per indicator, the district's value as a grey delta."""
    cols = st.columns(len(names))
    for col, name in zip(cols, names, strict=True):
        u = unit(units.get(name, ""), lang)
        text = f"{label(name, lang)} ({u})" if u and name not in SHARES else label(name, lang)
        dv = None if district is None else district.get(name)
        col.metric(text, fmt(name, area[name], lang),
                   delta=None if district is None else fmt(name, dv, lang),
                   delta_color="off", delta_arrow="off",
                   delta_description=None if district is None else t("ta.vs_district", lang),
                   help=t("ta.exact", lang, value=f"{area[name]!r}"), border=True)
    exact_spans({n: area[n] for n in names})


def metric_spans(metrics: pd.DataFrame) -> None:
    """Every indicator's exact area and district values (hidden)."""
    st.markdown("".join(
        f'<span class="gcrm-ta-metric" data-metric="{html.escape(str(r.metric))}" '
        f'data-area="{float(r.area)!r}" data-district="{float(r.district)!r}" '
        'style="display:none"></span>' for r in metrics.itertuples(index=False)),
        unsafe_allow_html=True)


def metrics_table(metrics: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The summary's indicators for people: label, unit, area, district, area / district."""
    rows = []
    for r in metrics.itertuples(index=False):
        ratio = (float(r.area) / float(r.district)
                 if r.metric in RATIOS and not _nan(r.district) and float(r.district) != 0
                 and not _nan(r.area) else None)
        rows.append({t("ta.col.indicator", lang): label(r.metric, lang),
                     t("ta.col.unit", lang): unit(r.unit, lang),
                     t("ta.col.area", lang): fmt(r.metric, r.area, lang),
                     t("ta.col.district", lang): fmt(r.metric, r.district, lang),
                     t("ta.col.index", lang): None if ratio is None else round(100 * ratio)})
    out = pd.DataFrame(rows)
    out[t("ta.col.index", lang)] = out[t("ta.col.index", lang)].astype("Int64")
    return out


def translate(value: object, prefix: str, lang: str) -> str:
    """``t(prefix + value)`` when the catalogue has it, else the value itself."""
    try:
        return t(f"{prefix}{value}", lang)
    except KeyError:
        return "" if value is None else str(value)


def csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 with BOM (Excel opens Chinese text right): the bytes ``gcrm tradearea targets
    --out list.csv`` writes."""
    return df.to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(df: pd.DataFrame, sheet: str) -> bytes:
    """The workbook ``gcrm tradearea targets --out list.xlsx`` writes (one sheet)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        df.to_excel(xw, index=False, sheet_name=sheet)
    return buf.getvalue()


def parse_numbers(text: str) -> list[float]:
    """``"1, 3,5"`` -> ``[1.0, 3.0, 5.0]`` (ValueError naming the bad part)."""
    out = []
    for part in (text or "").replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            v = float(part)
        except ValueError:
            raise ValueError(part) from None
        if not math.isfinite(v) or v <= 0:
            raise ValueError(part)
        out.append(v)
    if not out:
        raise ValueError(text or "")
    return sorted(set(out))
