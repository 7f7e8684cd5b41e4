"""Disclosure control on the pages: whom it applies to and how a hidden value reads.

A role without the ``read_pii`` permission sees aggregates only (DESIGN.md, "Disclosure
rule"): the pages pass :func:`min_cell_for` of the signed-in user to every cube query (the
cached wrappers take ``min_cell``, part of their cache key), and a value hidden by it reads
"<5" (the actual ``min_cell``) in tables, KPI tiles and map tooltips, with one note saying
why. Downloads keep machine-readable empty cells (see :mod:`gcrm.cube.disclosure`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
import streamlit as st

from gcrm.cube.disclosure import min_cell_for  # noqa: F401  (the pages' entry)
from gcrm.i18n import tn


def below(min_cell: int) -> str:
    """How a hidden value reads: ``"<5"``."""
    return f"<{min_cell}"


def note(n: int, min_cell: int, lang: str) -> str:
    """The one line under a table with ``n`` hidden cells."""
    return tn("disclosure.note", n, lang, min=min_cell)


def hidden_rows(df: pd.DataFrame, columns) -> np.ndarray:
    """Rows of a cube result computed with ``min_cell`` whose values were hidden: the cube
    hides every measure of such a row, so all of ``columns`` are missing (and the cube says it
    hid rows: ``attrs["suppressed"]``)."""
    cols = [c for c in columns if c in df.columns]
    if not cols or not len(df) or not df.attrs.get("suppressed"):
        return np.zeros(len(df), dtype=bool)
    return df[cols].isna().all(axis=1).to_numpy()


def as_text(table: pd.DataFrame, formats: Mapping[str, str | Callable[[float], str]],
            hidden: Mapping[str, np.ndarray], text: str) -> pd.DataFrame:
    """``table`` with its number columns in ``formats`` (column -> Python format spec, or a
    function) as text for ``st.dataframe``: the cells marked in ``hidden`` (column -> boolean
    rows) read ``text`` ("<5"), missing values are blank, the others formatted.

    Text, not numbers with a styler: ``st.dataframe`` draws a missing number as "None" over
    any styler text. Show these columns with :func:`text_column`.
    """
    out = table.copy()
    for col, spec in formats.items():
        show = spec if callable(spec) else (lambda v, spec=spec: format(v, spec))
        secret = hidden.get(col, np.zeros(len(table), dtype=bool))
        out[col] = [text if h else "" if pd.isna(v) else show(float(v))
                    for v, h in zip(table[col], secret, strict=True)]
    return out


def text_column(help: str | None = None):
    """The column config of a column made text by :func:`as_text` (right-aligned)."""
    return st.column_config.TextColumn(help=help, alignment="right")
