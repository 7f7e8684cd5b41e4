"""How the demand-side page shows its tables: headers and values in the user's language,
district names instead of codes, shares as percentages, amounts grouped with their unit.

Display only: the frames keep their columns and numbers (the downloads and the CLI are
unchanged); :func:`show` relabels a copy and gives ``st.dataframe`` its column formats.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from gcrm.i18n import MESSAGES, t

#: the page's own headers (literal keys: checked by tests/test_i18n.py); the others are the
#: reports' ``report.col.*`` headers
HEADER_KEYS = {
    "customer_class": "tf.dim.customer_class", "tariff": "tf.dim.tariff",
    "segment": "tf.dim.segment", "district": "tf.dim.district", "feeder": "tf.dim.feeder",
    "season": "tf.dim.season", "customers": "tf.h.customers", "kwh": "tf.h.kwh",
    "peak_kwh": "tf.h.peak_kwh", "flat_kwh": "tf.h.flat_kwh", "valley_kwh": "tf.h.valley_kwh",
    "peak_share": "tf.col.peak_share", "flat_share": "tf.h.flat_share",
    "valley_share": "tf.h.valley_share", "valley_headroom": "tf.col.valley_headroom",
    "seasonal_swing": "tf.col.seasonal_swing", "covered": "tf.col.covered",
    "scenario": "tf.h.scenario", "gap": "tf.h.gap", "required_ratio": "tf.h.required_ratio",
    "ratio": "tf.h.ratio", "critical_uplift": "tf.h.critical_uplift",
    "status": "report.col.status", "customer_id": "report.col.customer",
    "district_id": "tf.dim.district", "phone": "tf.h.phone", "bill_change": "tf.h.bill_change",
    "bill_change_share": "tf.h.bill_change_share", "month": "report.col.month",
}
#: value labels (the rest, e.g. tariff names, show as they are)
SEGMENT_KEYS = {
    "retail": "tf.seg.retail", "catering": "tf.seg.catering", "hotel": "tf.seg.hotel",
    "office": "tf.seg.office", "pharma": "tf.seg.pharma", "metallurgy": "tf.seg.metallurgy",
    "food": "tf.seg.food", "wood": "tf.seg.wood",
    "building_materials": "tf.seg.building_materials", "mining": "tf.seg.mining",
    "irrigation": "tf.seg.irrigation", "greenhouse": "tf.seg.greenhouse",
    "livestock": "tf.seg.livestock", "aquaculture": "tf.seg.aquaculture",
    "school": "tf.seg.school", "hospital": "tf.seg.hospital",
    "government": "tf.seg.government", "water_utility": "tf.seg.water_utility",
    "community": "tf.seg.community", "urban": "tf.seg.urban", "rural": "tf.seg.rural"}
SEASON_KEYS = {"all-year": "tf.season.all-year", "summer": "tf.season.summer",
               "winter": "tf.season.winter", "spring": "tf.season.spring",
               "autumn": "tf.season.autumn"}
STATUS_KEYS = {"ok": "tf.status.ok", "ratio_low": "tf.status.ratio_low",
               "critical_low": "tf.status.critical_low"}
#: column -> st.column_config number format
PERCENT = ("peak_share", "flat_share", "valley_share", "seasonal_swing", "peak_change_share",
           "revenue_change_share", "bill_change_share", "gap", "critical_uplift")
RATIO = ("required_ratio", "ratio")
REGION_COLS = ("district", "district_id")


def header(col: str, lang: str) -> str:
    """A column's header in ``lang`` (the raw name when nothing better is known)."""
    key = HEADER_KEYS.get(col) or f"report.col.{col}"
    return t(key, lang) if key in MESSAGES else col


def _value(keys: dict[str, str], lang: str):
    return lambda v: t(keys[v], lang) if isinstance(v, str) and v in keys else v


def _status(lang: str):
    one = _value(STATUS_KEYS, lang)
    return lambda v: " + ".join(one(p) for p in v.split("+")) if isinstance(v, str) else v


def _region(names: dict[str, str], lang: str):
    unlocated = t("home.unlocated", lang)
    return lambda v: (unlocated if v is None or v == "" or (isinstance(v, float) and pd.isna(v))
                      else names.get(str(v), str(v)))


def _text(col: str):
    """A number as text ("–" when missing): for a column with gaps, which a grid would show
    as "None"."""
    def fmt(v: float) -> str:
        if pd.isna(v):
            return "–"
        return (f"{v * 100:.2f}%" if col in PERCENT else f"{v:.2f}" if col in RATIO
                else f"{v:,.0f}")
    return fmt


def _number(out: pd.DataFrame, col: str) -> None:
    """Shares in percent, kWh and yuan whole, a column with gaps as text (in place)."""
    if not pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col]):
        return
    if out[col].isna().any():
        out[col] = out[col].map(_text(col))
    elif col in PERCENT:
        out[col] = out[col] * 100
    elif col not in RATIO:
        out[col] = out[col].round(0)


def relabel(df: pd.DataFrame, lang: str, names: dict[str, str]) -> pd.DataFrame:
    """A copy of ``df`` whose categorical values read in ``lang`` and whose districts read
    by their Chinese name (unlocated customers as "(unlocated)")."""
    out = df.copy()
    mappers = {"customer_class": lambda v: t(f"report.class.{v}", lang)
               if f"report.class.{v}" in MESSAGES else v,
               "segment": _value(SEGMENT_KEYS, lang), "season": _value(SEASON_KEYS, lang),
               "status": _status(lang)}
    for col in out.columns:
        _number(out, col)
        if col in REGION_COLS:
            out[col] = out[col].map(_region(names, lang))
        elif col in mappers:
            out[col] = out[col].map(mappers[col])
    return out


def column_config(df: pd.DataFrame, lang: str) -> dict:
    """Header and number format of every column of ``df`` (as :func:`relabel` gives it)."""
    cfg: dict = {}
    for col in df.columns:
        label = header(col, lang)
        if not pd.api.types.is_numeric_dtype(df[col]):
            cfg[col] = st.column_config.Column(label)
        elif col in PERCENT:
            cfg[col] = st.column_config.NumberColumn(label, format="%.2f%%")
        elif col in RATIO:
            cfg[col] = st.column_config.NumberColumn(label, format="%.2f")
        else:  # grouped; kWh and yuan rounded by relabel
            cfg[col] = st.column_config.NumberColumn(label, format="localized")
    return cfg


def show(df: pd.DataFrame, lang: str, names: dict[str, str], **kwargs) -> None:
    """``st.dataframe`` of ``df`` relabelled, formatted, without its index."""
    shown = relabel(df, lang, names)
    st.dataframe(shown, hide_index=True, width="stretch",
                 column_config=column_config(shown, lang), **kwargs)
