"""Masking of personal data (PII) for display and export.

Whether a name is a person's is decided from data, not from its characters: a residential
customer's name is always masked, a non-residential customer's (a company, a school, a
hospital) is not. Only when a frame carries no ``customer_class`` (nor an explicit
``organisation`` flag) does the name itself decide, and then only unmistakable legal-entity
words count (有限公司, 学校, 医院, ...), never a single character such as 社 or 场 that ends
many personal names (王建社, 李场).

>>> mask_phone("13812345678")
'138****5678'
>>> mask_id_number("220502199001011234")
'2205**********1234'
>>> mask_name("王伟")
'王*'
>>> mask_name("王建社"), mask_name("王建社医院", organisation=False)
('王**', '王****')
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


#: legal-entity words that mark an organisation's name when no customer class is known
#: (two characters or more: single characters such as 社 场 所 院 站 队 店 馆 局 end many
#: personal names)
ORGANISATION_WORDS = ("公司", "工厂", "委会", "合作社", "学校", "小学", "中学", "大学", "学院",
                      "幼儿园", "医院", "卫生院", "管理局", "中心", "银行", "政府", "酒店",
                      "宾馆", "超市", "商店", "商行")


def is_organisation(name: object, customer_class: object = None) -> bool:
    """Whether ``name`` belongs to an organisation: from the customer class when known
    (everything but residential), else from unmistakable legal-entity words in the name."""
    cls = _s(customer_class)
    if cls:
        return cls != "residential"
    s = _s(name) or ""
    return any(w in s for w in ORGANISATION_WORDS)


def mask_name(v: object, organisation: bool | None = None) -> str | None:
    """A person's name masked but for its first character (an organisation's kept);
    ``organisation`` None: decided by :func:`is_organisation` from the name alone."""
    s = _s(v)
    if not s:
        return s
    if organisation is None:
        organisation = is_organisation(s)
    if organisation:
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


def _organisations(df: pd.DataFrame) -> pd.Series | None:
    """Per row: is this an organisation (explicit flag, else the customer class)? None when
    the frame says neither."""
    if "organisation" in df.columns:
        return df["organisation"].fillna(False).astype(bool)
    if "customer_class" in df.columns:
        return df["customer_class"].map(
            lambda c: None if _s(c) is None else _s(c) != "residential")
    return None


def mask_frame(df: pd.DataFrame, columns: tuple[str, ...] = PII_COLUMNS) -> pd.DataFrame:
    """A copy of ``df`` with the PII columns present masked (names by customer class when the
    frame has ``customer_class`` or ``organisation``)."""
    out = df.copy()
    orgs = _organisations(df)
    for c in columns:
        if c not in out.columns:
            continue
        if c == "name" and orgs is not None:
            out[c] = [mask_name(v, None if pd.isna(o) else bool(o))
                      for v, o in zip(out[c], orgs, strict=True)]
        else:
            out[c] = out[c].map(MASKERS[c])
    return out
