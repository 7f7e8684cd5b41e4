"""Key-account alerts in words (the only accounts module with translated text)."""

from __future__ import annotations

import pandas as pd

from gcrm.i18n import format_quantity, t

#: the message of each alert kind (literal keys: tests/test_i18n.py finds them)
REASON_KEYS = {
    "consumption_drop": "accounts.alert.consumption_drop",
    "consumption_jump": "accounts.alert.consumption_jump",
    "arrears_age": "accounts.alert.arrears_age",
    "outage_hit": "accounts.alert.outage_hit",
    "complaint_open": "accounts.alert.complaint_open",
    "anniversary": "accounts.alert.anniversary",
    "contract_end": "accounts.alert.contract_end",
}
#: the short label of each alert kind
KIND_KEYS = {
    "consumption_drop": "accounts.kind.consumption_drop",
    "consumption_jump": "accounts.kind.consumption_jump",
    "arrears_age": "accounts.kind.arrears_age",
    "outage_hit": "accounts.kind.outage_hit",
    "complaint_open": "accounts.kind.complaint_open",
    "anniversary": "accounts.kind.anniversary",
    "contract_end": "accounts.kind.contract_end",
}


def _reason(row: pd.Series, lang: str) -> str:
    kind = row["kind"]
    if kind not in REASON_KEYS:
        raise ValueError(f"unknown alert kind {kind!r}")
    key = REASON_KEYS[kind]
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
    if kind == "contract_end":
        return t(key, lang, on=row["date"], days=int(row["value"]))
    return t(key, lang, years=int(row.get("years") or 0), on=row["date"],
             days=int(row["value"]))


def explain(alerts: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """``alerts`` with a ``reason`` column in ``lang``."""
    out = alerts.copy()
    out["reason"] = [_reason(r, lang) for _, r in out.iterrows()] if len(out) else []
    return out


def kind_label(kind: str, lang: str = "en") -> str:
    return t(KIND_KEYS[kind], lang)
