"""Masking of personal data (PII) for display and export.

>>> mask_phone("13812345678")
'138****5678'
>>> mask_id_number("220502199001011234")
'2205**********1234'
>>> mask_name("王伟")
'王*'
"""

from __future__ import annotations

import pandas as pd

from gcrm.vocab import PII_COLUMNS


def _s(v: object) -> str | None:
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
        return None
    return str(v)


def mask_phone(v: object) -> str | None:
    s = _s(v)
    if s is None or len(s) < 7:
        return None if s is None else "*" * len(s)
    return s[:3] + "*" * (len(s) - 7) + s[-4:]


def mask_id_number(v: object) -> str | None:
    s = _s(v)
    if s is None or len(s) < 8:
        return None if s is None else "*" * len(s)
    return s[:4] + "*" * (len(s) - 8) + s[-4:]


#: words that mark an organisation's name (not personal data, not masked)
ORGANISATION_WORDS = ("公司", "厂", "委会", "合作社", "学校", "小学", "中学", "大学", "学院",
                      "幼儿园", "医院", "卫生院", "局", "中心", "银行", "政府", "酒店", "宾馆",
                      "超市", "商店", "商行", "店", "馆", "站", "所", "院", "场", "社", "队")


def mask_name(v: object) -> str | None:
    s = _s(v)
    if not s:
        return s
    if any(w in s for w in ORGANISATION_WORDS):
        return s  # organisations are not personal data
    return s[0] + "*" * (len(s) - 1)


def mask_address(v: object) -> str | None:
    s = _s(v)
    if not s:
        return s
    keep = min(6, max(1, len(s) // 2))
    return s[:keep] + "****"


MASKERS = {"name": mask_name, "phone": mask_phone, "id_number": mask_id_number,
           "address": mask_address}


def mask_frame(df: pd.DataFrame, columns: tuple[str, ...] = PII_COLUMNS) -> pd.DataFrame:
    """A copy of ``df`` with the PII columns present masked."""
    out = df.copy()
    for c in columns:
        if c in out.columns:
            out[c] = out[c].map(MASKERS[c])
    return out
