"""The customer analytics in words: risk factors and load-profile segments in a language.

The kernels return structured data: :func:`gcrm.customers.risk.score` the top factors of each
score with their points (``<model>_factors``), :func:`gcrm.customers.segments.segment` each
segment's phrases (message keys with fields, ``Segmentation.phrases``). This module puts them
into words with :mod:`gcrm.i18n`; :mod:`gcrm.customers.queries` (page and CLI) calls it.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from gcrm.customers import risk, segments
from gcrm.customers.segments import Segmentation
from gcrm.i18n import format_quantity, t, tn

#: columns of a named ``Segmentation.segments``: the kernel's, with ``name`` and ``words``
NAMED_SEGMENT_COLUMNS = (*segments.SEGMENT_COLUMNS[:3], "name", "words",
                         *segments.SEGMENT_COLUMNS[3:])


# ------------------------------------------------------------------------------ risk
#: factors whose message has plural forms -> the field that counts
_COUNTED_BY = {"days_overdue": "days", "zero_months": "n"}


def _fmt_pct(v: float) -> str:
    return f"{v * 100:.0f}"


def _fields(factor: str, f: dict | pd.Series, lang: str) -> dict[str, object]:
    if factor == "days_overdue":
        return {"days": int(f["days_overdue"])}
    if factor == "late_share":
        return {"pct": _fmt_pct(f["late_share"]), "late": int(f["late_bills_12m"]),
                "bills": int(f["bills_due_12m"])}
    if factor == "overdue_months":
        return {"amount": format_quantity(float(f["overdue_amount"]), "yuan", lang),
                "months": f"{f['overdue_months']:.1f}"}
    if factor == "arrears_growth":
        return {"amount": format_quantity(float(f["overdue_amount"] - f["overdue_90d_ago"]),
                                          "yuan", lang)}
    if factor in ("decline_12", "decline_3"):
        return {"pct": _fmt_pct(f[factor])}
    if factor in ("zero_months", "complaints"):
        return {"n": int(f[factor])}
    raise ValueError(f"unknown factor {factor!r}")


def phrase(factor: str, f: dict | pd.Series, lang: str = "en") -> str:
    """One factor's value in words (message ``cust.risk.f.<factor>``); ``f`` holds the
    customer's features (:func:`gcrm.customers.risk.features`)."""
    fields, key = _fields(factor, f, lang), f"cust.risk.f.{factor}"
    if factor in _COUNTED_BY:  # a message with plural forms: the form for its count
        return tn(key, fields[_COUNTED_BY[factor]], lang, **fields)
    return t(key, lang, **fields)


def explain(f: dict | pd.Series, factors: list[str], points: list[float], lang: str = "en") -> str:
    """"95 days overdue (+1.6); 3 of 12 bills paid late (+0.5)" — or "no warning signs"."""
    if not factors:
        return t("cust.risk.none", lang)
    return t("cust.seg.sep", lang).join(f"{phrase(name, f, lang)} (+{p:.1f})"
                                        for name, p in zip(factors, points, strict=True))


def explain_scores(scores: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """``scores`` (:func:`gcrm.customers.risk.score`) with each ``<model>_factors`` column
    replaced, in place, by ``<model>_why``: the top factors in words."""
    out = scores.copy()
    cols = [f"{name}_factors" for name in risk.MODELS]
    rows = [i for i, fs in enumerate(zip(*(out[c] for c in cols), strict=True)) if any(fs)]
    feats = dict(zip(rows, out.iloc[rows].to_dict("records"), strict=True))
    none = t("cust.risk.none", lang)
    for name, col in zip(risk.MODELS, cols, strict=True):
        whys = [none] * len(out)
        for i in rows:
            if picked := out[col].iat[i]:
                whys[i] = explain(feats[i], [f for f, _ in picked], [p for _, p in picked],
                                  lang)
        out[col] = whys
        out = out.rename(columns={col: f"{name}_why"})
    return out


def risk_scores(consumption: pd.DataFrame, payments: pd.DataFrame,
                complaints: pd.DataFrame | None = None, as_of: pd.Timestamp | None = None,
                lang: str = "en", top: int = 3) -> pd.DataFrame:
    """:func:`gcrm.customers.risk.risk_scores` with the factors in words (``<model>_why``)."""
    return explain_scores(risk.risk_scores(consumption, payments, complaints, as_of, top), lang)


# ------------------------------------------------------------------------------ segments
def render(phrases: list[tuple[str, dict]], lang: str = "en") -> tuple[str, str]:
    """(name, sentence) in ``lang``. Field values that are message keys are translated."""
    def one(key: str, fields: dict) -> str:
        return t(key, lang, **{k: (t(v, lang) if isinstance(v, str) and v.startswith("cust.")
                                   else v) for k, v in fields.items()})

    parts = [one(k, f) for k, f in phrases]
    name = parts[0]
    sep = t("cust.seg.sep", lang)
    return name, sep.join(parts)


def name_segments(seg: Segmentation, lang: str = "en") -> Segmentation:
    """``seg`` with ``name`` and ``words`` in ``lang`` for every segment (from its phrases)."""
    texts = [render(seg.phrases[s], lang) for s in seg.segments["segment"]]
    index, kind = seg.segments.index, seg.segments["pattern"].dtype  # text, as ``pattern``
    named = seg.segments.assign(name=pd.Series([n for n, _ in texts], index, dtype=kind),
                                words=pd.Series([w for _, w in texts], index, dtype=kind))
    return dataclasses.replace(seg, segments=named[list(NAMED_SEGMENT_COLUMNS)])


def segment(consumption: pd.DataFrame, classes: pd.Series | None = None, k: int = 6,
            seed: int = 0, n_init: int = 4, lang: str = "en") -> Segmentation:
    """:func:`gcrm.customers.segments.segment` with each segment's ``name`` and ``words`` in
    ``lang``."""
    return name_segments(segments.segment(consumption, classes, k, seed, n_init), lang)
