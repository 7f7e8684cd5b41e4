"""The Forecast page in a real browser: the numbers it shows are the library's, the map and
the drivers table are drawn, the target-market link opens the trading-area page on the growing
district's business hall, a scoped manager sees only their district, zh works.

Exact values come from hidden ``span.gcrm-kpi`` elements (``repr(float)``) and are compared
with :func:`gcrm.forecast.queries.compute` on the same warehouse.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from gcrm.forecast import queries
from gcrm.storage import warehouse
from tests.browser import add_account, login, read_kpis, streamlit_app, wait_for_app
from tests.forecast_data import known_db_fixture  # noqa: F401 (the known_db fixture)

pytestmark = pytest.mark.browser

DONE = '.gcrm-page-done[data-page="forecast"][data-lang="{lang}"]'
ADMIN, MANAGER, PASSWORD = "fc_admin", "fc_manager", "Forecast-Page-2026!"


@pytest.fixture(scope="module")
def app_url(known_db: Path) -> Iterator[str]:
    add_account(known_db, ADMIN, "admin", PASSWORD)
    add_account(known_db, MANAGER, "regional_manager", PASSWORD, regions=("D2",))
    with streamlit_app(known_db) as url:
        yield url


def _expected(db: Path, scope=None) -> tuple[float, float]:
    con = warehouse.connect(db, read_only=True)
    try:
        r = queries.compute(con, "kwh", ["district", "customer_class"], scope=scope)
        total = queries.table(r, [])
        hist = r.history[r.history["unique_id"] == total["unique_id"].iloc[0]]
        return float(hist["y"].tail(12).sum()), float(total["forecast"].head(12).sum())
    finally:
        con.close()


def _no_errors(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0


def test_forecast_page_numbers_map_and_scope(browser, app_url: str,
                                             known_db: Path) -> None:
    last, nxt = _expected(known_db)
    page = browser.new_context(viewport={"width": 1400, "height": 1300},
                               locale="en-US").new_page()
    login(page, f"{app_url}/forecast", ADMIN, PASSWORD, DONE.format(lang="en"))
    _no_errors(page)
    kpis = read_kpis(page)
    np.testing.assert_allclose([kpis["last_12"], kpis["next_12"]], [last, nxt], rtol=1e-9)
    assert "about" in page.locator("p.gcrm-forecast-quality").inner_text()
    assert page.locator('[data-testid="stDeckGlJsonChart"]').count() == 1
    table = page.locator('[data-testid="stDataFrame"]').first
    table.wait_for(state="visible", timeout=30_000)
    assert page.get_by_text("Study its trading area").count() == 2
    # target markets: both districts grow, D2 most (tests/forecast_data.truth: +3.8 % and
    # +0.7 %); D2's link opens the trading-area page centred on its business hall (not its
    # self-service point), D1's on its only service point
    links = page.locator("a.gcrm-fc-target")
    assert [links.nth(i).get_attribute("data-district") for i in range(2)] == ["D2", "D1"]
    assert links.nth(1).get_attribute("href") == "./tradearea?sp=SP-D1-bank"
    link = links.first
    assert link.get_attribute("href") == "./tradearea?sp=SP-D2-hall"
    link.click()
    page.wait_for_url("**/tradearea?sp=SP-D2-hall*", timeout=30_000)
    page.locator('.gcrm-page-done[data-page="tradearea"]').wait_for(state="attached",
                                                                    timeout=60_000)
    _no_errors(page)
    assert page.get_by_text("SP-D2-hall").count() >= 1

    page = browser.new_context(viewport={"width": 1400, "height": 1300},
                               locale="zh-CN").new_page()
    login(page, f"{app_url}/forecast?lang=zh-CN", MANAGER, PASSWORD, DONE.format(lang="zh-CN"))
    _no_errors(page)
    last, nxt = _expected(known_db, ["D2"])
    kpis = read_kpis(page)
    np.testing.assert_allclose([kpis["last_12"], kpis["next_12"]], [last, nxt], rtol=1e-9)
    assert page.get_by_text("电力市场预测").count() == 1
    box = page.locator('[data-testid="stSelectbox"]').nth(1)
    box.locator("input").click()
    wait_for_app(page)
    options = page.get_by_role("option").all_inner_texts()
    assert "东区" in options and "西区" not in options
