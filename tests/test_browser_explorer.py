"""The Cube Explorer in a real browser: URL state, drill-down, roll-up, export (Chromium).

Numbers are read from the page's invisible ``div.gcrm-result`` (``data-csv``: the exported CSV
of the cube result; ``data-view``: the view's URL parameters as JSON) and from the KPI spans
(``span.gcrm-kpi``, see tests/browser.py), and compared with ``gcrm.cube`` and with
``gcrm query`` run through click's CliRunner on the same warehouse.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from dashboards.explorer.state import View
from gcrm import cube
from gcrm.cli import cli
from gcrm.storage import warehouse
from tests.browser import (
    add_account,
    artifact,
    busiest_district,
    login,
    metric_texts,
    read_kpis,
    streamlit_app,
    track_external,
    wait_for_app,
)

DONE_EN = '.gcrm-page-done[data-page="explorer"][data-lang="en"]'
DONE_ZH = '.gcrm-page-done[data-page="explorer"][data-lang="zh-CN"]'
ADMIN, PASSWORD = "explorer_admin", "Explorer-Admin-2026!"  # everywhere: numbers unchanged
ANALYST, ANALYST_PW = "explorer_analyst", "Explorer-Analyst-2026!"  # no read_pii: min_cell 5


@pytest.fixture(scope="module")
def app_url(demo_db: Path, browser) -> Iterator[str]:
    add_account(demo_db, ADMIN, "admin", PASSWORD)
    with streamlit_app(demo_db) as url:
        yield url


@pytest.fixture
def page(browser) -> Iterator:
    ctx = browser.new_context(viewport={"width": 1500, "height": 1300}, locale="en-US",
                              accept_downloads=True)
    pg = ctx.new_page()
    pg.external_requests = track_external(pg)
    yield pg
    ctx.close()


# --------------------------------------------------------------------------- helpers
def _open(page, url: str, done: str = DONE_EN) -> None:
    """Open a (deep) link: the login form first, then the linked view."""
    login(page, url, ADMIN, PASSWORD, done)


def _result(page) -> tuple[dict, str]:
    el = page.locator("div.gcrm-result")
    return json.loads(el.get_attribute("data-view")), el.get_attribute("data-csv")


def _wait_view(page, key: str, value: str) -> None:
    sel = f"div.gcrm-result[data-view*='{json.dumps(key)}: {json.dumps(value)}']"
    page.wait_for_selector(sel, state="attached", timeout=30_000)
    wait_for_app(page)


def _cube(db: Path, fn=cube.query, *args, **kwargs):
    con = warehouse.connect(db, read_only=True)
    try:
        return fn(con, *args, **kwargs)
    finally:
        con.close()


def _cli_csv(db: Path, args: list[str]) -> str:
    result = CliRunner().invoke(cli, ["query", "--db", str(db), *args, "--format", "csv"])
    assert result.exit_code == 0, result.output
    return result.output


def _click_row(page, i: int) -> None:
    """Click the selection checkbox of row ``i`` of the (canvas) result table."""
    table = page.locator('[data-testid="stDataFrame"]').first
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    x, y = box["x"] + 14, box["y"] + 35 + 35 * i + 17  # header and rows are 35 px high
    page.mouse.move(x, y)
    page.wait_for_timeout(300)
    page.mouse.click(x, y)


def _no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0


# --------------------------------------------------------------------------- tests
@pytest.mark.browser
def test_url_view_matches_the_cube_then_drill_down_and_up(page, app_url: str,
                                                           demo_db: Path) -> None:
    _open(page, f"{app_url}/explorer?measures=kwh,customers&rows=district")
    view, csv = _result(page)
    assert view == {"measures": "kwh,customers", "rows": "district"}
    expected = _cube(demo_db, cube.query, ["kwh", "customers"], by=["district"])
    assert csv == expected.to_csv(index=False)  # every value, exactly
    assert read_kpis(page) == {m: float(_cube(demo_db, cube.query, [m]).iloc[0][m])
                               for m in ("kwh", "customers")}
    # district names next to ids; unlocated customers as their own row
    main = page.locator('[data-testid="stMain"]')
    assert main.get_by_text("Result: 8 rows").count() == 1
    assert expected["district"].isna().any()
    page.screenshot(path=str(artifact("explorer.png")), full_page=True)

    # click the first district: it becomes a filter and the rows go one level down (grid)
    first = expected["district"].iloc[0]
    _click_row(page, 0)
    _wait_view(page, "rows", "grid")
    view, csv = _result(page)
    assert view["f.district"] == first
    assert "rows=grid" in page.url and f"f.district={first}" in page.url
    by_grid = _cube(demo_db, cube.query, ["kwh", "customers"], by=["grid"],
                    where={"district": [first]})
    assert csv == by_grid.to_csv(index=False)
    totals = _cube(demo_db, cube.query, ["kwh", "customers"], where={"district": [first]})
    assert read_kpis(page) == {m: float(totals.iloc[0][m]) for m in ("kwh", "customers")}
    assert read_kpis(page)["customers"] == float(expected.iloc[0]["customers"])
    crumbs = page.locator('[data-testid="stMain"] button', has_text="东昌区")
    assert crumbs.count() == 1, "breadcrumb shows the district by its Chinese name"
    page.screenshot(path=str(artifact("explorer_drilled.png")), full_page=True)

    # roll back up with the breadcrumb's first button
    page.locator('[data-testid="stMain"] button', has_text="All").first.click()
    _wait_view(page, "rows", "district")
    view, csv = _result(page)
    assert view == {"measures": "kwh,customers", "rows": "district"}
    assert csv == expected.to_csv(index=False)
    _no_exception(page)
    assert page.external_requests == []


@pytest.mark.browser
def test_csv_and_xlsx_downloads_equal_gcrm_query(page, app_url: str, demo_db: Path) -> None:
    params = {"measures": "kwh,amount", "rows": "district,customer_class",
              "f.customer_class": "industrial,commercial", "from": "2026-01", "to": "2026-06",
              "sort": "-kwh", "top": "6"}
    _open(page, f"{app_url}/explorer?{urllib.parse.urlencode(params)}")
    _no_exception(page)
    with page.expect_download() as info:
        page.locator('[data-testid="stDownloadButton"] button', has_text="CSV").click()
    downloaded = Path(info.value.path()).read_text(encoding="utf-8")
    cli_out = _cli_csv(demo_db, [
        "--measure", "kwh", "--measure", "amount", "--by", "district",
        "--by", "customer_class", "--where", "customer_class=industrial",
        "--where", "customer_class=commercial", "--from", "2026-01", "--to", "2026-06",
        "--order", "-kwh", "--limit", "6"])
    assert downloaded == cli_out
    assert len(downloaded.splitlines()) == 7
    assert downloaded.splitlines()[0] == "district,customer_class,kwh,amount"
    # the page shows the same command line
    page.get_by_text("The same query on the command line").click()
    code = page.locator('[data-testid="stCode"]').first.inner_text()
    assert "--order -kwh --limit 6" in code and "--where customer_class=industrial" in code

    from openpyxl import load_workbook

    with page.expect_download() as info:
        page.locator('[data-testid="stDownloadButton"] button', has_text="Excel").click()
    assert info.value.suggested_filename == "gcrm_cube.xlsx"
    with open(info.value.path(), "rb") as fh:  # the download has no file extension
        wb = load_workbook(fh)
    ws = wb["cube"]
    header = [c.value for c in ws[1]]
    assert header == ["district", "district_name", "customer_class", "kwh", "amount"]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.cell(row=2, column=4).number_format == "#,##0"
    assert ws.cell(row=2, column=5).number_format == "#,##0.00"
    expected = _cube(demo_db, cube.query, ["kwh", "amount"], by=["district", "customer_class"],
                     where={"customer_class": ["industrial", "commercial"]},
                     months=("2026-01", "2026-06"), order_by="-kwh", limit=6)
    # (an XLSX cell keeps 15 significant digits)
    assert [r[3].value for r in ws.iter_rows(min_row=2)] == \
        pytest.approx(expected["kwh"].tolist(), rel=1e-13)
    assert "query" in wb.sheetnames


@pytest.mark.browser
def test_full_state_url_restores_the_controls(page, app_url: str, demo_db: Path) -> None:
    params = {"measures": "kwh,customers", "rows": "month",
              "f.district": "220502,220581", "f.customer_class": "residential",
              "from": "2026-01", "to": "2026-10", "compare": "yoy", "sort": "-kwh_growth",
              "top": "5"}
    _open(page, f"{app_url}/explorer?{urllib.parse.urlencode(params)}")
    _no_exception(page)
    view, csv = _result(page)
    assert view == params
    assert View.from_params(view).compare == "yoy"

    main = page.locator('[data-testid="stMain"]')
    chips = [c.get_attribute("title") for c in main.locator("[data-tag] span[title]").all()]
    for chip in ("Consumption (kWh)", "Customers", "Month", "220502 东昌区", "220581 梅河口市",
                 "residential"):
        assert chip in chips, chips
    assert main.get_by_text("Filters (2)").count() == 1
    slider = main.locator('[data-testid="stSlider"]').first.inner_text()
    assert "2026-01" in slider and "2026-10" in slider
    assert main.locator('[data-testid="stRadioOption"][data-selected="true"]').inner_text() \
        == "Year over year"
    # like for like (issue #23): the demo starts in 2025-09, so only Sep-Oct compare
    assert main.get_by_text("Compared like for like: Sep-Oct 2026 vs Sep-Oct 2025").count() == 1
    number = main.locator('[data-testid="stNumberInput"] input').input_value()
    assert number == "5"

    # the table: the comparison, sorted by growth and cut in the page (as the CSV shows)
    full = _cube(demo_db, cube.compare, ["kwh", "customers"], by=["month"],
                 where={"district": ["220502", "220581"], "customer_class": ["residential"]},
                 months=("2026-01", "2026-10"), kind="yoy")
    top = full.sort_values("kwh_growth", ascending=False, na_position="last",
                           kind="stable").head(5)
    assert csv == top.to_csv(index=False)
    assert main.locator('[data-testid="stVegaLiteChart"]').count() == 1  # line chart
    page.screenshot(path=str(artifact("explorer_state.png")), full_page=True)


@pytest.mark.browser
def test_pivot_totals_and_chinese(page, app_url: str, demo_db: Path) -> None:
    params = {"measures": "kwh", "rows": "district", "col": "customer_class", "totals": "1",
              "lang": "zh-CN"}
    _open(page, f"{app_url}/explorer?{urllib.parse.urlencode(params)}", DONE_ZH)
    _no_exception(page)
    view, csv = _result(page)
    assert view["col"] == "customer_class" and view["totals"] == "1"
    expected = _cube(demo_db, cube.with_totals, ["kwh"], ["district", "customer_class"])
    assert csv == expected.to_csv(index=False)
    main = page.locator('[data-testid="stMain"]')
    assert main.get_by_text("多维分析").count() >= 1
    assert main.get_by_text("列维度（透视）").count() == 1
    page.screenshot(path=str(artifact("explorer_zh.png")), full_page=True)


@pytest.mark.browser
def test_bad_combination_shows_the_cube_error(page, app_url: str) -> None:
    _open(page, f"{app_url}/explorer?measures=kwh&rows=channel")
    alert = page.locator('[data-testid="stAlert"]').first
    alert.wait_for(state="visible")
    assert "applies only to payment measures" in alert.inner_text()
    _no_exception(page)


@pytest.mark.browser
def test_deep_link_on_a_fresh_server(browser, demo_db: Path) -> None:
    add_account(demo_db, ADMIN, "admin", PASSWORD)
    with streamlit_app(demo_db) as url:
        page = browser.new_page()
        try:
            login(page, f"{url}/explorer?measures=kwh&rows=district", ADMIN, PASSWORD,
                  f"{DONE_EN}, [data-testid='stException']")
            _no_exception(page)
        finally:
            page.close()


# --------------------------------------------------------------------------- disclosure control
def _table_cells(page) -> list[str]:
    """The texts of the result table's visible cells (its accessible grid)."""
    return page.locator('[data-testid="stDataFrame"] table td').all_inner_texts()


def _analyst_grid_view(page, url: str, db: Path, district: str) -> str:
    """An analyst's grid cells of ``district``: "<5" in the table, empty in the CSV, one
    note; returns a hidden cell."""
    login(page, url, ANALYST, ANALYST_PW, DONE_EN)
    _no_exception(page)
    _, csv = _result(page)
    safe = _cube(db, cube.query, ["kwh", "customers"], by=["grid"],
                 where={"district": [district]}, min_cell=5)
    hidden = safe["kwh"].isna()
    assert hidden.any(), "the demo district has grid cells of fewer than 5 customers"
    assert csv == safe.to_csv(index=False)  # hidden cells are empty, as `gcrm query --user`
    n = int(hidden.sum())
    assert page.locator("div.gcrm-result").get_attribute("data-hidden") == str(n)
    main = page.locator('[data-testid="stMain"]')
    note = f"{n} cells are hidden: they describe fewer than 5 customers"
    assert main.get_by_text(note, exact=False).count() == 1
    cells = _table_cells(page)
    small = safe.loc[hidden, "grid"].iloc[0]
    assert small in cells, "the first hidden cell is among the visible rows"
    i = cells.index(small)
    assert cells[i + 1:i + 3] == ["<5", "<5"], cells[i:i + 3]
    page.screenshot(path=str(artifact("explorer_analyst.png")), full_page=True)
    return small


@pytest.mark.browser
def test_an_analyst_sees_less_than_min_cell_and_the_admin_sees_the_number(
        page, app_url: str, demo_db: Path) -> None:
    add_account(demo_db, ANALYST, "analyst", ANALYST_PW)
    d = busiest_district(demo_db)
    url = f"{app_url}/explorer?measures=kwh,customers&rows=grid&f.district={d}"
    small = _analyst_grid_view(page, url, demo_db, d)
    # the slice of one small cell: the KPI tiles read "<5"
    one = f"{app_url}/explorer?measures=kwh,customers&rows=month&f.grid={small}"
    login(page, one, ANALYST, ANALYST_PW, DONE_EN)
    assert set(metric_texts(page).values()) == {"<5"}
    assert all(np.isnan(v) for v in read_kpis(page).values())
    # the admin sees the numbers of the same views
    _open(page, url)
    _, csv = _result(page)
    assert csv == _cube(demo_db, cube.query, ["kwh", "customers"], by=["grid"],
                        where={"district": [d]}).to_csv(index=False)
    assert page.locator("div.gcrm-result").get_attribute("data-hidden") == "0"
    cells = _table_cells(page)
    i = cells.index(small)
    assert cells[i + 2] in {"1", "2", "3", "4"}, cells[i:i + 3]  # the customers, as a number
    _open(page, one)
    totals = _cube(demo_db, cube.query, ["kwh", "customers"], where={"grid": [small]})
    assert read_kpis(page) == {m: float(totals.iloc[0][m]) for m in ("kwh", "customers")}
    assert "<5" not in metric_texts(page).values()


@pytest.mark.browser
def test_an_analyst_cannot_group_by_customer_and_exports_carry_the_note(
        page, app_url: str, demo_db: Path) -> None:
    add_account(demo_db, ANALYST, "analyst", ANALYST_PW)
    login(page, f"{app_url}/explorer?measures=kwh&rows=customer&f.customer=C000001",
          ANALYST, ANALYST_PW, DONE_EN)
    _no_exception(page)
    alert = page.locator('[data-testid="stAlert"]', has_text="Removed from the view: customer")
    assert alert.count() == 1 and "read_pii" in alert.inner_text()
    view, _ = _result(page)
    assert "customer" not in view.get("rows", "") and "f.customer" not in view
    assert "customer" not in urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query).get(
        "rows", [""])[0]
    # the row picker does not offer the customer dimension
    page.locator('[data-testid="stMultiSelect"]').nth(1).click()
    options = page.locator('[role="option"]').all_inner_texts()
    assert "Grid cell (H3)" in options and "Customer" not in options
    page.keyboard.press("Escape")

    from openpyxl import load_workbook

    d = busiest_district(demo_db)
    login(page, f"{app_url}/explorer?measures=kwh&rows=grid&f.district={d}", ANALYST,
          ANALYST_PW, DONE_EN)
    with page.expect_download() as info:
        page.locator('[data-testid="stDownloadButton"] button', has_text="Excel").click()
    with open(info.value.path(), "rb") as fh:
        wb = load_workbook(fh)
    about = {r[0]: r[1] for r in wb["query"].iter_rows(min_row=2, values_only=True)}
    assert "cells are hidden" in about["hidden"]
    kwh = [r[2] for r in wb["cube"].iter_rows(min_row=2, values_only=True)]
    assert None in kwh and all(v is None or v > 0 for v in kwh)


# --------------------------------------------------------------------------- state (no browser)
@pytest.mark.parametrize("params", [
    {"measures": "kwh,customers", "rows": "district"},
    {"measures": "kwh", "rows": "district,month", "col": "customer_class",
     "f.district": ",220502", "from": "2025-10", "to": "2026-03", "top": "3", "sort": "-kwh",
     "totals": "1", "compare": "mom"},
])
def test_view_params_round_trip(params: dict) -> None:
    months = [f"2025-{m:02d}" for m in range(9, 13)] + [f"2026-{m:02d}" for m in range(1, 11)]
    view = View.from_params(params, months)
    assert view.to_params() == params
    assert View.from_params(view.to_params(), months) == view


def test_drill_down_and_roll_up_restore_filters() -> None:
    view = View.from_params({"measures": "kwh", "rows": "year",
                             "f.district": "220502,220503"})
    down = view.drill_into({"year": 2026})
    assert down.rows == ("quarter",) and down.where["year"] == ["2026"]
    deeper = down.drill_into({"quarter": "2026-Q1"})
    assert deeper.rows == ("month",)
    assert deeper.drill_into({"month": "2026-01"}) is None  # bottom of the hierarchy
    assert deeper.roll_up_to(1) == down
    assert deeper.roll_up_to(0) == view
    by_region = View.from_params({"measures": "kwh", "rows": "district",
                                  "f.district": "220502,220503"})
    into = by_region.drill_into({"district": float("nan")})  # the unlocated row
    assert into.where["district"] == [""] and into.rows == ("grid",)
    assert into.roll_up_to(0).where["district"] == ["220502", "220503"]
