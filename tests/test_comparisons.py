"""Like-for-like comparisons (issue #23): the same months on both sides, said in words.

The warehouse here is the demo generator's (250 customers, 24 months ending 2026-10) with
March 2025 removed from the input: its last months (Nov-Dec 2026) are missing, like any
warehouse loaded during a year, and a month is missing in the middle of last year. Known
answers are sums over the fact table in plain SQL, apart from the cube.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from gcrm import cube
from gcrm.cli import cli
from gcrm.cube.comparison import match, runs
from gcrm.cube.comparison_words import comparison_words, span_words
from gcrm.reports import build, parse_period
from gcrm.storage import warehouse

DISTRICT = "220502"
DROPPED = "2025-03"


def _months(first: str, last: str) -> list[str]:
    y0, m0, y1, m1 = int(first[:4]), int(first[5:]), int(last[:4]), int(last[5:])
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(y0 * 12 + m0 - 1, y1 * 12 + m1)]


# --------------------------------------------------------------------------- the kernel
def test_year_to_date_against_the_same_months_last_year() -> None:
    m = match(_months("2026-01", "2026-10"), _months("2025-01", "2025-12"), 12)
    assert m.current == tuple(_months("2026-01", "2026-10"))
    assert m.earlier == tuple(_months("2025-01", "2025-10"))
    assert m.complete
    assert comparison_words(m, "en") == "Jan-Oct 2026 vs Jan-Oct 2025"
    assert comparison_words(m, "zh-CN") == "2026年1-10月 与 2025年1-10月 相比"


def test_partial_quarter_previous_quarter_and_whole_years() -> None:
    q = match(["2026-10"], _months("2026-07", "2026-09"), 3)  # Q4 so far against Q3
    assert (q.current, q.earlier) == (("2026-10",), ("2026-07",))
    assert comparison_words(q, "en") == "Oct 2026 vs Jul 2026"
    y = match(_months("2025-01", "2025-12"), _months("2024-01", "2024-12"), 12)
    assert comparison_words(y, "en") == "2025 vs 2024"
    assert comparison_words(y, "zh-CN") == "2025年 与 2024年 相比"


def test_last_12_months_reaching_before_the_first_loaded_month() -> None:
    present = _months("2025-11", "2026-10")
    m = match(present, _months("2025-09", "2025-10"), 12)  # data start in 2025-09
    assert (m.current, m.earlier) == (("2026-09", "2026-10"), ("2025-09", "2025-10"))
    assert not m.complete
    assert comparison_words(m, "en") == "Sep-Oct 2026 vs Sep-Oct 2025"
    nothing = match(present, [], 12)
    assert nothing.empty and comparison_words(nothing, "en") == "no months to compare with"


def test_a_month_missing_in_the_middle_is_left_out_on_both_sides() -> None:
    last_year = [m for m in _months("2024-11", "2025-10") if m != DROPPED]
    m = match(_months("2025-11", "2026-10"), last_year, 12)
    assert "2026-03" not in m.current and DROPPED not in m.earlier
    assert len(m.current) == len(m.earlier) == 11
    assert comparison_words(m, "en") == \
        "Nov 2025-Feb 2026, Apr-Oct 2026 vs Nov 2024-Feb 2025, Apr-Oct 2025"
    assert span_words(["2026-01", "2026-02", "2026-04"], "en") == "Jan-Feb, Apr 2026"
    assert span_words(["2026-01", "2026-02", "2026-04"], "zh-CN") == "2026年1-2、4月"
    assert runs(["2026-03", "2026-01", "2026-02"]) == [("2026-01", "2026-03")]
    with pytest.raises(ValueError):
        match(["2026-01"], ["2026-01"], 0)


# --------------------------------------------------------------------------- a warehouse
@pytest.fixture(scope="module")
def gap_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """24 demo months ending 2026-10, without March 2025."""
    from etl.demo import generate
    from etl.pipeline import load

    base = tmp_path_factory.mktemp("gap")
    generate(base / "input", customers=250, months=24, seed=11, progress=False)
    path = base / "input" / "consumption.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(r for r in rows if r[1] != DROPPED)
    db = base / "gcrm.duckdb"
    load(base / "input", db, quiet=True, report_dir=base / "report")
    return db


@pytest.fixture(scope="module")
def con(gap_db: Path):
    c = warehouse.connect(gap_db, read_only=True)
    yield c
    c.close()


def _kwh(con: duckdb.DuckDBPyConnection, months: list[str]) -> float:
    """kWh of the district over ``months``, in plain SQL over the facts."""
    return con.execute(
        "SELECT sum(f.kwh) FROM fact_consumption f JOIN dim_customer c USING (customer_key) "
        "WHERE c.district_id = ? AND f.month IN (SELECT unnest(?))",
        [DISTRICT, months]).fetchone()[0]


def test_report_year_to_date_compares_the_same_months(con) -> None:
    """The defect of the issue: 2026 (data to October) against all of 2025 said -15 %."""
    model = build(con, DISTRICT, parse_period("2026-04..2026-12"), lang="en")
    kpis = model.kpis.set_index("measure")
    ytd, last = _months("2026-04", "2026-10"), _months("2025-04", "2025-10")
    assert kpis.at["kwh", "yoy"] == pytest.approx(_kwh(con, last), rel=1e-9)
    assert kpis.at["kwh", "yoy_change"] == pytest.approx(
        _kwh(con, ytd) / _kwh(con, last) - 1, rel=1e-9)
    whole = _kwh(con, ytd) / _kwh(con, _months("2025-04", "2025-12")) - 1
    assert kpis.at["kwh", "yoy_change"] - whole > 0.1  # what the old comparison said
    assert model.compared_words("last_year") == "Apr-Oct 2026 vs Apr-Oct 2025"
    assert model.earlier_words("last_year") == "Apr-Oct 2025"
    assert model.last_year_complete


def test_report_cli_and_query_agree_when_a_month_is_missing(con, gap_db: Path,
                                                            tmp_path: Path) -> None:
    cur = [m for m in _months("2026-01", "2026-10") if m != "2026-03"]
    last = [m for m in _months("2025-01", "2025-10") if m != DROPPED]
    want = _kwh(con, cur) / _kwh(con, last) - 1
    words = "Jan-Feb, Apr-Oct 2026 vs Jan-Feb, Apr-Oct 2025"

    model = build(con, DISTRICT, parse_period("2026"), lang="en")
    kpis = model.kpis.set_index("measure")
    assert kpis.at["kwh", "value"] == pytest.approx(_kwh(con, _months("2026-01", "2026-10")))
    assert kpis.at["kwh", "yoy_change"] == pytest.approx(want, rel=1e-9)
    assert model.compared_words("last_year") == words
    assert not model.last_year_complete
    assert comparison_words(model.match("last_year"), "zh-CN") == \
        "2026年1-2、4-10月 与 2025年1-2、4-10月 相比"

    runner = CliRunner()
    out = tmp_path / "r.xlsx"
    res = runner.invoke(cli, ["report", "--db", str(gap_db), "--region", DISTRICT,
                              "--period", "2026", "--format", "xlsx", "--out", str(out),
                              "--quiet"])
    assert res.exit_code == 0, res.output
    cells = [c for row in load_workbook(out).worksheets[0].iter_rows(values_only=True)
             for c in row]
    assert words in cells

    res = runner.invoke(cli, ["query", "--db", str(gap_db), "--measure", "kwh", "--by",
                              "district", "--where", f"district={DISTRICT}", "--from",
                              "2026-01", "--to", "2026-12", "--compare", "yoy",
                              "--format", "csv"])
    assert res.exit_code == 0, res.output
    row = next(csv.DictReader(res.stdout.splitlines()))
    assert float(row["kwh_growth"]) == pytest.approx(want, rel=1e-9)
    assert f"compare {words}" in res.stderr


def test_overview_kpis_and_month_by_month_trend(con) -> None:
    months = ("2025-11", "2026-10")
    k = cube.period_kpis(con, ["kwh", "collection_rate"], months, scope=[DISTRICT])
    mt = k.attrs["last_year_match"]
    assert comparison_words(mt, "en") == \
        "Nov 2025-Feb 2026, Apr-Oct 2026 vs Nov 2024-Feb 2025, Apr-Oct 2025"
    kwh = k.set_index("measure").at["kwh", "yoy_change"]
    assert kwh == pytest.approx(_kwh(con, list(mt.current)) / _kwh(con, list(mt.earlier)) - 1)
    rate = k.set_index("measure").at["collection_rate", "yoy_change"]
    assert not math.isnan(rate) and abs(rate) < 1  # a rate changes in points
    trend = cube.compare(con, ["kwh"], by=["month"], months=months, scope=[DISTRICT])
    march = trend.set_index("month").loc["2026-03"]
    assert math.isnan(march["kwh_prev"])  # nothing to compare that month with
