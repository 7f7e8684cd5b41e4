"""Key-account alerts in words (the only accounts module with translated text)."""

from __future__ import annotations

import pandas as pd

from gcrm.i18n import format_quantity, t


def _reason(row: pd.Series, lang: str) -> str:
    kind = row["kind"]
    key = f"accounts.alert.{kind}"
    if kind in ("consumption_drop", "consumption_jump"):
        last_year = str(pd.Period(row["month"], "M") - 12)
        return t(key, lang, pct=f"{abs(row['value']):.1f}", month=row["month"],
                 last_year=last_year, threshold=f"{abs(row['threshold']):g}")
    if kind == "arrears_age":
        return t(key, lang, days=int(row["value"]), threshold=int(row["threshold"]),
                 amount=format_quantity(float(row.get("amount") or 0), "yuan", lang))
    if kind == "outage_hit":
        planned = t("accounts.outage.planned" if row.get("planned") else
                    "accounts.outage.unplanned", lang)
        return t(key, lang, minutes=f"{row['value']:.0f}", start=row["date"], planned=planned)
    if kind == "complaint_open":
        return t(key, lang, days=int(row["value"]), since=row["date"],
                 threshold=int(row["threshold"]))
    if kind == "anniversary":
        return t(key, lang, years=int(row.get("years") or 0), on=row["date"],
                 days=int(row["value"]))
    raise ValueError(f"unknown alert kind {kind!r}")


def explain(alerts: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """``alerts`` with a ``reason`` column in ``lang``."""
    out = alerts.copy()
    out["reason"] = [_reason(r, lang) for _, r in out.iterrows()] if len(out) else []
    return out


def kind_label(kind: str, lang: str = "en") -> str:
    return t(f"accounts.kind.{kind}", lang)
