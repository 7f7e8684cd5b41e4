"""Tables shown to people: the columns a page chose, labelled in the page's language."""

from __future__ import annotations

import pandas as pd

from gcrm.i18n import t


def cols(df: pd.DataFrame, keys: dict[str, str], lang: str) -> pd.DataFrame:
    """``df`` limited to ``keys`` (column -> message key), columns renamed for people."""
    out = df[[c for c in keys if c in df.columns]]
    return out.rename(columns={c: t(k, lang) for c, k in keys.items()})
