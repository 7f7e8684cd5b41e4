"""Login, region scope, permissions and the audit log in a real browser (headless Chromium).

Accounts are created in the demo warehouse's operational store (``<warehouse>.ops.sqlite``)
with names unique to this module; the app runs as a subprocess on that warehouse.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from gcrm import cube, warehouse
from gcrm.security import audit
from gcrm.store import connect_store
from tests.browser import (
    add_account,
    artifact,
    login,
    read_kpis,
    streamlit_app,
    wait_for_app,
)

pytestmark = pytest.mark.browser

KPIS = ["customers", "kwh", "amount", "paid", "arrears"]
HOME = '.gcrm-page-done[data-page="home"][data-lang="en"]'
LOGIN = '.gcrm-page-done[data-page="login"]'
ADMIN, ADMIN_PW = "sec_admin", "Sec-Admin-2026!"
MANAGER, MANAGER_PW = "sec_wang", "Dongchang-Mgr-77"
ANALYST, ANALYST_PW = "sec_li", "Analyst-Pass-88"


@pytest.fixture(scope="module")
def app_url(demo_db: Path) -> Iterator[str]:
    add_account(demo_db, ADMIN, "admin", ADMIN_PW)
    add_account(demo_db, MANAGER, "regional_manager", MANAGER_PW, ("220502",))
    add_account(demo_db, ANALYST, "analyst", ANALYST_PW)
    with streamlit_app(demo_db) as url:
        yield url


@pytest.fixture
def page(browser) -> Iterator:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1100}, locale="en-US",
                              accept_downloads=True)
    yield ctx.new_page()
    ctx.close()


def _audit(db: Path, **filters) -> list[dict]:
    con = connect_store(db)
    try:
        return audit.search(con, **filters)
    finally:
        con.close()


def _sidebar(page) -> str:
    return page.locator('[data-testid="stSidebar"]').inner_text()


def _table_rows(page) -> list[list[str]]:
    """Body rows of the first st.dataframe (its accessible HTML table)."""
    table = page.locator('[data-testid="stDataFrame"] table').first
    table.wait_for(state="attached", timeout=30_000)
    rows = table.locator("tbody tr")
    return [[c.strip() for c in rows.nth(i).locator("td").all_inner_texts()]
            for i in range(rows.count())]


def test_wrong_password_shows_the_error_and_no_data(page, app_url: str,
                                                    demo_db: Path) -> None:
    page.goto(app_url)
    page.wait_for_selector(LOGIN, state="attached", timeout=60_000)
    wait_for_app(page)
    page.screenshot(path=str(artifact("login.png")))
    form = page.locator('[data-testid="stForm"]')
    form.locator("input").nth(0).fill(ANALYST)
    form.locator('input[type="password"]').fill("Wrong-Password-1")
    form.locator('[data-testid="stFormSubmitButton"] button').click()
    page.locator('[data-testid="stAlert"]').wait_for(timeout=30_000)
    wait_for_app(page)
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "invalid user name or password" in text
    assert page.locator("span.gcrm-kpi").count() == 0
    assert page.locator(HOME).count() == 0
    assert page.locator('[data-testid="stDataFrame"]').count() == 0
    assert "Sign out" not in _sidebar(page)
    assert "Cube Explorer" not in _sidebar(page)  # no navigation before login
    page.screenshot(path=str(artifact("login_failed.png")))
    failed = _audit(demo_db, user=ANALYST, action="login.failed")
    assert failed and json.loads(failed[0]["detail"])["reason"] == "bad password"


def test_regional_manager_sees_only_dongchang(page, app_url: str, demo_db: Path) -> None:
    login(page, app_url, MANAGER, MANAGER_PW, HOME)
    con = warehouse.connect(demo_db, read_only=True)
    try:
        months = cube.month_range(con, 12)
        row = cube.query(con, KPIS, months=months, scope=["220502"]).iloc[0]
        everywhere = cube.query(con, ["customers"], months=months).iloc[0]
    finally:
        con.close()
    shown = read_kpis(page)
    assert shown == {m: float(row[m]) for m in KPIS}  # the scope's own totals
    assert shown["customers"] < float(everywhere["customers"])

    rows = _table_rows(page)
    assert [r[1] for r in rows] == ["东昌区"], rows
    side = _sidebar(page)
    assert "Regional manager" in side and "东昌区" in side and MANAGER in side
    page.screenshot(path=str(artifact("login_manager.png")), full_page=True)

    # the explorer: filters offer only the scope's districts; no export for this role
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Cube Explorer").click()
    page.wait_for_selector('.gcrm-page-done[data-page="explorer"]', state="attached",
                           timeout=60_000)
    wait_for_app(page)
    assert page.locator('[data-testid="stDownloadButton"]').count() == 0
    assert page.get_by_text("Your role may not export data.").count() == 1


def test_manager_explorer_by_district_is_scoped(page, app_url: str, demo_db: Path) -> None:
    login(page, f"{app_url}/explorer?measures=customers&rows=district", MANAGER, MANAGER_PW,
          '.gcrm-page-done[data-page="explorer"]')
    csv = page.locator("div.gcrm-result").get_attribute("data-csv")
    lines = csv.strip().splitlines()
    assert lines[0] == "district,customers"
    assert [ln.split(",")[0] for ln in lines[1:]] == ["220502"], lines


def test_analyst_cannot_open_the_audit_page(page, app_url: str) -> None:
    login(page, f"{app_url}/audit", ANALYST, ANALYST_PW)
    assert "Audit log" not in _sidebar(page)
    assert page.locator('.gcrm-page-done[data-page="audit"]').count() == 0
    assert "Audit log" not in page.locator('[data-testid="stMain"]').inner_text()


def test_admin_audit_page_lists_logins_and_verifies(page, app_url: str,
                                                     demo_db: Path) -> None:
    login(page, app_url, MANAGER, MANAGER_PW, HOME)  # a login to find in the log
    login(page, app_url, ADMIN, ADMIN_PW, HOME)
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_text("Audit log").click()
    page.wait_for_selector('.gcrm-page-done[data-page="audit"]', state="attached",
                           timeout=60_000)
    wait_for_app(page)
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "entries" in text
    cells = " ".join(" ".join(r) for r in _table_rows(page))
    assert "login.ok" in cells and MANAGER in cells and ADMIN in cells

    page.locator('[data-testid="stMain"]').get_by_role("button", name="Verify chain").click()
    page.get_by_text("The audit log is intact").wait_for(timeout=30_000)
    page.screenshot(path=str(artifact("login_audit.png")), full_page=True)


def test_export_is_audited(page, app_url: str, demo_db: Path) -> None:
    login(page, f"{app_url}/explorer?measures=kwh&rows=district", ANALYST, ANALYST_PW,
          '.gcrm-page-done[data-page="explorer"]')
    before = len(_audit(demo_db, user=ANALYST, action="export"))
    with page.expect_download():
        page.locator('[data-testid="stDownloadButton"] button', has_text="CSV").click()
    wait_for_app(page)
    for _ in range(40):
        entries = _audit(demo_db, user=ANALYST, action="export")
        if len(entries) > before:
            break
        page.wait_for_timeout(250)
    assert len(entries) == before + 1
    assert entries[0]["target"] == "explorer.csv"
    assert json.loads(entries[0]["detail"])["rows"] > 0


def test_logout_returns_to_the_login_page(page, app_url: str, demo_db: Path) -> None:
    login(page, app_url, ADMIN, ADMIN_PW, HOME)
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Sign out").click()
    page.wait_for_selector(LOGIN, state="attached", timeout=30_000)
    wait_for_app(page)
    assert page.locator("span.gcrm-kpi").count() == 0
    assert page.locator('[data-testid="stForm"]').count() == 1
    page.screenshot(path=str(artifact("login_logout.png")))
    assert _audit(demo_db, user=ADMIN, action="logout")
