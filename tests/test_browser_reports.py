"""The area reports page: a planner downloads a district's XLSX with a saved tariff scenario's
section; its totals equal the cube's and the page offers only the planner's regions. A manager
(no export permission) is refused."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from gcrm import cube
from gcrm.security import audit
from gcrm.storage import warehouse
from gcrm.storage.store import connect_store
from tests.browser import add_account, artifact, chromium, login, streamlit_app

DONE = '.gcrm-page-done[data-page="reports"][data-lang="en"]'
PLANNER, MANAGER, PASSWORD = "rep_planner", "rep_manager", "Report-pass-2026"
DISTRICT = "220502"
SCENARIO = Path(__file__).resolve().parent.parent / "examples" / "tariffs" / "ndrc-1093-4to1.toml"


@pytest.fixture(scope="module")
def app_url(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    add_account(demo_db, PLANNER, "planner", PASSWORD, regions=(DISTRICT,))
    add_account(demo_db, MANAGER, "regional_manager", PASSWORD, regions=(DISTRICT,))
    saved = tmp_path_factory.mktemp("report-tariffs")  # a saved scenario to pick
    shutil.copy(SCENARIO, saved / SCENARIO.name)
    with streamlit_app(demo_db, env={"GCRM_TARIFF_DIR": str(saved)}) as url:
        yield url


@pytest.mark.browser
def test_planner_downloads_a_district_report(app_url: str, demo_db: Path,
                                             tmp_path: Path) -> None:
    con = warehouse.connect(demo_db, read_only=True)
    year = cube.months(con)[-1][:4]
    kwh = cube.query(con, ["kwh"], months=(f"{year}-01", f"{year}-12"),
                     scope=[DISTRICT])["kwh"].iloc[0]
    con.close()
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        login(page, f"{app_url}/reports", PLANNER, PASSWORD, done=DONE)
        main = page.locator('[data-testid="stMain"]')
        region_box = main.locator('[data-testid="stSelectbox"]').first
        region_box.click()
        options = page.locator('[role="option"]').all_inner_texts()
        assert options and all(o.startswith(DISTRICT) for o in options)  # scope only
        page.keyboard.press("Escape")
        main.locator('[data-testid="stSelectbox"]').nth(1).click()
        page.locator('[role="option"]', has_text="xlsx").click()
        main.locator('[data-testid="stSelectbox"]').nth(2).click()  # the tariff scenario
        page.locator('[role="option"]', has_text=SCENARIO.stem).click()
        main.get_by_role("button", name="Generate report").click()
        button = main.get_by_role("button", name="Download")
        button.wait_for(timeout=120_000)
        with page.expect_download() as dl:
            button.click()
        out = tmp_path / dl.value.suggested_filename
        dl.value.save_as(out)
        page.screenshot(path=artifact("reports.png"), full_page=True)
    assert out.name.startswith(f"{DISTRICT}_") and out.suffix == ".xlsx"
    wb = openpyxl.load_workbook(out, data_only=True)
    numbers = [c for ws in wb for row in ws.iter_rows(values_only=True) for c in row
               if isinstance(c, int | float)]
    assert any(abs(v - kwh) < 0.5 for v in numbers), "the cube's kWh total is in the workbook"
    assert "Tariff scenario" in wb.sheetnames
    rows = audit.search(connect_store(demo_db), user=PLANNER, action="export")
    assert rows and DISTRICT in rows[0]["detail"] and SCENARIO.stem in rows[0]["detail"]


@pytest.mark.browser
def test_manager_may_not_export(app_url: str) -> None:
    with chromium() as browser:
        page = browser.new_page()
        login(page, f"{app_url}/reports", MANAGER, PASSWORD, done='[data-testid="stAlert"]')
        alert = page.locator('[data-testid="stAlert"]').first
        alert.wait_for(timeout=60_000)
        assert "may not" in alert.inner_text()
        assert page.get_by_role("button", name="Generate report").count() == 0
