"""A tariff scenario in the area report (issue #20 follow-up): the report's section holds the
numbers of ``gcrm tariff simulate --where district=ID`` (one code path), in the XLSX and the
PDF, under the same disclosure control as the rest of the report; bad input exits 2."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from gcrm import cube
from gcrm.cli import cli
from gcrm.i18n import t
from gcrm.reports import build, parse_period
from gcrm.reports.data import TARIFF_COLUMNS
from gcrm.reports.labels import column_label
from gcrm.security.accounts import Principal
from gcrm.storage import warehouse
from gcrm.tariff import queries
from gcrm.tariff.scenario import load

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "tariffs"
SCENARIO = EXAMPLES / "ndrc-1093-4to1.toml"
DISTRICT = "220502"  # 东昌区
PW = "Tariff-report-2026"


def run(*args: str, password: str | None = None):
    env = {"GCRM_PASSWORD": password} if password else {}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@pytest.fixture(scope="module")
def period(demo_db: Path) -> str:
    """The last six months with data (two seasons of the scenario)."""
    con = warehouse.connect(demo_db, read_only=True)
    first, last = cube.month_range(con, 6)
    con.close()
    return f"{first}..{last}"


def test_xlsx_section_equals_tariff_simulate(demo_db: Path, period: str,
                                             tmp_path: Path) -> None:
    first, last = period.split("..")
    sim = run("tariff", "simulate", "--db", str(demo_db), "--scenario", str(SCENARIO),
              "--by", "customer_class", "--where", f"district={DISTRICT}", "--from", first,
              "--to", last, "--format", "json")
    assert sim.exit_code == 0, sim.output
    expected = pd.DataFrame(json.loads(sim.stdout)).set_index("customer_class")
    out = tmp_path / "r.xlsx"
    res = run("report", "--db", str(demo_db), "--region", DISTRICT, "--period", period,
              "--format", "xlsx", "--out", str(out), "--tariff-scenario", str(SCENARIO))
    assert res.exit_code == 0, res.output
    ws = openpyxl.load_workbook(out)[t("report.tariff.title", "en")]
    rows = list(ws.iter_rows(values_only=True))
    headers = list(rows[0])
    assert rows[-1][0] == "Total"
    body = pd.DataFrame(rows[1:-1], columns=headers)
    assert len(body) == len(expected)
    classes = [t(f"report.class.{c}", "en") for c in expected.index]
    body = body.set_index(headers[0]).loc[classes]
    for col in ("customers", "covered", "bill_before", "bill_static", "bill_after",
                "revenue_change", "peak_change_kwh", "peak_kwh_before"):
        got = body[column_label(col, "en")].to_numpy(float)
        assert got == pytest.approx(expected[col].to_numpy(float)), col
        total = rows[-1][headers.index(column_label(col, "en"))]
        assert total == pytest.approx(expected[col].sum()), col
    assert expected.loc["commercial", "covered"] > 0
    assert expected.loc["residential", "revenue_change"] == 0  # not covered: bill kept
    about = {r[0]: r[1] for r in openpyxl.load_workbook(out).worksheets[0]
             .iter_rows(min_row=2, values_only=True)}
    assert "ndrc-1093-4to1" in about[t("report.tariff.title", "en")]


def test_pdf_section_and_analyst_disclosure(demo_db: Path, period: str,
                                            monkeypatch) -> None:
    from gcrm.reports import fonts
    from gcrm.reports.pdf import TARIFF_PDF_COLUMNS, _model_texts, story

    s = load(SCENARIO)
    p = parse_period(period)
    con = warehouse.connect(demo_db, read_only=True)
    try:  # min_cell just above the district's smallest class: that class must be hidden
        classes = cube.query(con, ["customers"], by=["customer_class"], months=p.months,
                             scope=[DISTRICT])
        min_cell = int(classes["customers"].min()) + 1
        monkeypatch.setenv("GCRM_MIN_CELL", str(min_cell))
        model = build(con, DISTRICT, p, Principal("ana-tariff", "analyst"), scenario=s)
        direct = queries.simulate(con, s, ["customer_class"], (p.first, p.last),
                                  where={"district": [DISTRICT]}, min_cell=min_cell)
    finally:
        con.close()
    assert "tariff" in model.tables()
    table = model.tariff.table
    want = direct.table[["customer_class", *TARIFF_COLUMNS]]
    pd.testing.assert_frame_equal(table.reset_index(drop=True), want.reset_index(drop=True))
    small = table["customers"].isna().to_numpy()
    assert small.sum() >= 2  # the small class and its complement
    hidden = model.hidden("tariff")
    assert hidden.loc[small, "bill_after"].all() and not hidden.loc[~small, "bill_after"].any()
    assert not hidden["customer_class"].any()
    assert np.isfinite(model.tariff.total["revenue_change"].iloc[0])  # totals stay true
    # the PDF story holds the section with "<5" in the hidden cells
    f = fonts.register(fonts.charset(_model_texts(model)))
    flow = story(model, f)
    tables = [x for x in flow if getattr(x, "_cellvalues", None) is not None
              and len(x._cellvalues[0]) == len(TARIFF_PDF_COLUMNS)]
    assert tables and any(f"<{min_cell}" in row for row in tables[-1]._cellvalues)


def test_bad_scenario_input_exits_2(demo_db: Path, period: str, tmp_path: Path) -> None:
    out = tmp_path / "r.gpkg"
    res = run("report", "--db", str(demo_db), "--region", DISTRICT, "--period", period,
              "--format", "gpkg", "--out", str(out), "--tariff-scenario", str(SCENARIO))
    assert res.exit_code == 2 and "pdf or xlsx" in res.output and not out.exists()
    out = tmp_path / "r.pdf"
    res = run("report", "--db", str(demo_db), "--region", DISTRICT, "--period", period,
              "--out", str(out), "--tariff-scenario", f"no-such-{uuid.uuid4().hex[:6]}")
    assert res.exit_code == 2 and "--tariff-scenario" in res.output and not out.exists()
