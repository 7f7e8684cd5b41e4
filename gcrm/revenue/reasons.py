"""Theft suspicion in words: the reasons of each suspect in a language (gcrm.i18n).

The kernel (:mod:`gcrm.revenue.suspicion`) returns numbers and flags; this module says them,
e.g. "bills 62 % less than before since 2025-03, 58 % less than the same months last year;
the loss of 台区 T0012 rose by 1,840 kWh a month from that month".
"""

from __future__ import annotations

import math

import pandas as pd

from gcrm.i18n import format_quantity, t


def _pct(v: float) -> str:
    return f"{v * 100:.0f}"


def say(row: pd.Series | dict, lang: str = "en") -> str:
    """The reasons of one suspect (a row of :func:`gcrm.revenue.queries.suspects`)."""
    parts = [t("revenue.reason.drop", lang, pct=_pct(row["drop"]), month=row["change_month"])]
    yoy = row.get("yoy_drop")
    if yoy is not None and not math.isnan(yoy) and yoy > 0:
        parts.append(t("revenue.reason.yoy", lang, pct=_pct(yoy)))
    if int(row.get("zero_months") or 0) >= 1:
        parts.append(t("revenue.reason.zero", lang, n=int(row["zero_months"])))
    area = row.get("transformer_name") or row.get("transformer_id") or "?"
    rise = row.get("area_rise_kwh")
    kwh = format_quantity(abs(rise), "kWh", lang) if rise is not None and not math.isnan(
        rise) else None
    if kwh is None:
        parts.append(t("revenue.reason.no_supply", lang, area=area))
    elif rise > 0 and (row.get("z") or 0) > 2:
        parts.append(t("revenue.reason.balance", lang, area=area, kwh=kwh))
    else:
        parts.append(t("revenue.reason.no_balance", lang, area=area))
    zero_days, step = row.get("daily_zero_days"), row.get("daily_step")
    if zero_days is not None and not pd.isna(zero_days) and zero_days >= 3:
        parts.append(t("revenue.reason.daily_zero", lang, n=int(zero_days)))
    if step is not None and not pd.isna(step) and step >= 0.3:
        parts.append(t("revenue.reason.daily_step", lang, pct=_pct(step)))
    if row.get("vacancy"):
        parts.append(t("revenue.reason.vacancy", lang, month=row["vacancy_month"]))
    if row.get("seasonal"):
        parts.append(t("revenue.reason.seasonal", lang))
    if row.get("move_out"):
        parts.append(t("revenue.reason.move_out", lang))
    return t("revenue.reason.join", lang).join(parts)


def with_reasons(df: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """``df`` with a ``reasons`` column after ``score``."""
    out = df.copy()
    out["reasons"] = [say(r, lang) for _, r in df.iterrows()] if len(df) else []
    return out
