"""Login, region scope, permissions and the audit log in a real browser (headless Chromium).

Accounts are created in the demo warehouse's operational store (``<warehouse>.ops.sqlite``)
with names unique to this module; the app runs as a subprocess on that warehouse.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dashboards.components.auth import cookie_name
from gcrm import cube
from gcrm.security import audit
from gcrm.security.accounts import (
    add_user,
    authenticate,
    close_session,
    open_session,
    resume_session,
)
from gcrm.storage import warehouse
from gcrm.storage.store import connect_store
from tests.browser import (
    add_account,
    artifact,
    login,
    read_kpis,
    streamlit_app,
    wait_for_app,
)

pytestmark = pytest.mark.browser

HOME = '.gcrm-page-done[data-page="home"][data-lang="en"]'
LOGIN = '.gcrm-page-done[data-page="login"]'
ADMIN, ADMIN_PW = "sec_admin", "Sec-Admin-2026!"
MANAGER, MANAGER_PW = "sec_wang", "Dongchang-Mgr-77"
ANALYST, ANALYST_PW = "sec_li", "Analyst-Pass-88"
OTP, OTP_PW = "sec_otp", "One-Time-Pass-42"  # flagged must-change, like gcrm demo's accounts
OTP_NEW = "Chosen-By-Me-2026"
PASSWORD_FORM = '.gcrm-page-done[data-page="password"]'


@pytest.fixture(scope="module")
def app_url(demo_db: Path) -> Iterator[str]:
    add_account(demo_db, ADMIN, "admin", ADMIN_PW)
    add_account(demo_db, MANAGER, "regional_manager", MANAGER_PW, ("220502",))
    add_account(demo_db, ANALYST, "analyst", ANALYST_PW)
    con = connect_store(demo_db)
    try:  # tests/browser.py's add_account never sets the flag: an admin-chosen password
        if not con.execute("SELECT 1 FROM users WHERE name = ?", (OTP,)).fetchone():
            add_user(con, OTP, "planner", OTP_PW, regions=("220502",), must_change=True)
    finally:
        con.close()
    with streamlit_app(demo_db) as url:
        yield url


@pytest.fixture
def page(new_page):
    return new_page(width=1400, height=1100, downloads=True)


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
    shown = read_kpis(page)  # whichever tiles the home page shows: all cube measures
    assert {"customers", "kwh"} <= set(shown), shown
    con = warehouse.connect(demo_db, read_only=True)
    try:
        months = cube.month_range(con, 12)
        row = cube.query(con, sorted(shown), months=months, scope=["220502"]).iloc[0]
        everywhere = cube.query(con, ["customers"], months=months).iloc[0]
    finally:
        con.close()
    assert shown == pytest.approx({m: float(row[m]) for m in shown}, rel=1e-9)  # scope totals
    assert shown["customers"] < float(everywhere["customers"])

    rows = _table_rows(page)
    assert [r[1] for r in rows] == ["东昌区 Dongchang District"], rows  # name + pinyin (en)
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


# --------------------------------------------------------------------------- must change password
def _session_cookies(page, db: Path) -> list[dict]:
    return [c for c in page.context.cookies() if c["name"] == cookie_name(db)]


def _wait_cookie(page, db: Path, present: bool) -> list[dict]:
    """Wait until the session cookie is written (or cleared) by the page's script."""
    for _ in range(100):
        cookies = _session_cookies(page, db)
        if bool(cookies) == present:
            return cookies
        page.wait_for_timeout(100)
    raise AssertionError(f"session cookie {'not written' if present else 'not cleared'}: "
                         f"{page.context.cookies()}")


def _fill_password_form(page, current: str, new: str, repeat: str) -> None:
    form = page.locator('[data-testid="stForm"]')
    pw = form.locator('input[type="password"]')
    pw.nth(0).fill(current)
    pw.nth(1).fill(new)
    pw.nth(2).fill(repeat)
    form.locator('[data-testid="stFormSubmitButton"] button').click()


def _store_row(db: Path, sql: str, *args) -> tuple:
    con = connect_store(db)
    try:
        return tuple(con.execute(sql, args).fetchone() or ())
    finally:
        con.close()


def test_must_change_password_before_any_page(page, app_url: str, demo_db: Path) -> None:
    con = connect_store(demo_db)
    try:  # a session of the same user elsewhere: the change must end it
        elsewhere = open_session(con, authenticate(con, OTP, OTP_PW))
    finally:
        con.close()
    login(page, app_url, OTP, OTP_PW, PASSWORD_FORM)
    main = page.locator('[data-testid="stMain"]')
    assert "Choose a new password" in main.inner_text()
    assert page.locator(HOME).count() == 0 and page.locator("span.gcrm-kpi").count() == 0
    side = _sidebar(page)
    assert "Sign out" in side and OTP in side
    assert "Cube Explorer" not in side  # no navigation until the password is changed
    page.screenshot(path=str(artifact("password_required.png")))

    # a deep link (the session resumes from the cookie) still shows only the form
    _wait_cookie(page, demo_db, present=True)
    page.goto(f"{app_url}/explorer?measures=kwh&rows=district")
    wait_for_app(page, PASSWORD_FORM)
    assert page.locator('.gcrm-page-done[data-page="explorer"]').count() == 0
    assert page.locator("div.gcrm-result").count() == 0

    _fill_password_form(page, OTP_PW, OTP_NEW, OTP_NEW + "x")
    page.get_by_text("The two new passwords do not match.").wait_for(timeout=30_000)
    _fill_password_form(page, OTP_PW, "Short-1", "Short-1")
    page.get_by_text("too short: at least 10 characters").wait_for(timeout=30_000)
    _fill_password_form(page, "Wrong-Current-9", OTP_NEW, OTP_NEW)
    page.get_by_text("The current password is wrong.").wait_for(timeout=30_000)
    assert _store_row(demo_db, "SELECT must_change_password FROM users WHERE name = ?",
                      OTP) == (1,)

    _fill_password_form(page, OTP_PW, OTP_NEW, OTP_NEW)
    wait_for_app(page, '.gcrm-page-done[data-page="explorer"]')  # the linked page, at last
    assert "Cube Explorer" in _sidebar(page)
    assert _store_row(demo_db, "SELECT must_change_password FROM users WHERE name = ?",
                      OTP) == (0,)
    entry = _audit(demo_db, user=OTP, action="user.passwd")[0]
    assert json.loads(entry["detail"]) == {"self_service": True, "was_required": True,
                                           "sessions_ended": 1}
    assert _store_row(demo_db, "SELECT count(*) FROM sessions WHERE user = ?", OTP) == (1,)
    con = connect_store(demo_db)
    try:
        assert resume_session(con, elsewhere) is None
    finally:
        con.close()
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Overview").click()
    wait_for_app(page, HOME)
    assert page.locator("span.gcrm-kpi").count() > 0


def test_any_user_can_change_the_password_from_the_sidebar(page, app_url: str,
                                                           demo_db: Path) -> None:
    user, old, new = "sec_self", "Self-Service-31", "Self-Service-32"
    add_account(demo_db, user, "analyst", old)
    login(page, app_url, user, old, HOME)
    side = page.locator('[data-testid="stSidebar"]')
    side.get_by_role("button", name="Change password").click()
    wait_for_app(page, PASSWORD_FORM)
    assert "one-time password" not in page.locator('[data-testid="stMain"]').inner_text()
    page.locator('[data-testid="stMain"]').get_by_role("button", name="Cancel").click()
    wait_for_app(page, HOME)

    side.get_by_role("button", name="Change password").click()
    wait_for_app(page, PASSWORD_FORM)
    _fill_password_form(page, old, new, new)
    wait_for_app(page, HOME)
    page.screenshot(path=str(artifact("password_changed.png")))
    login(page, app_url, user, new, HOME)  # the new password works


# --------------------------------------------------------------------------- reload, cookie
def test_reload_keeps_the_session_and_sign_out_ends_it(page, app_url: str,
                                                       demo_db: Path) -> None:
    login(page, app_url, MANAGER, MANAGER_PW, HOME)
    (cookie,) = _wait_cookie(page, demo_db, present=True)
    assert cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert cookie["expires"] == -1  # a browser-session cookie: gone when the browser closes
    assert MANAGER_PW not in cookie["value"] and cookie["value"] not in page.url
    resumed = len(_audit(demo_db, user=MANAGER, action="session.resume"))

    page.reload()
    wait_for_app(page, HOME)
    assert page.locator('[data-testid="stForm"]').count() == 0
    who = page.locator("div.gcrm-user")
    assert who.get_attribute("data-user") == MANAGER
    assert who.get_attribute("data-role") == "regional_manager"
    assert "东昌区" in _sidebar(page)  # the same scope
    assert [r[1] for r in _table_rows(page)] == ["东昌区 Dongchang District"]
    assert "token" not in page.url and cookie["value"] not in page.url
    assert len(_audit(demo_db, user=MANAGER, action="session.resume")) == resumed + 1

    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Sign out").click()
    wait_for_app(page, LOGIN)
    _wait_cookie(page, demo_db, present=False)
    page.reload()
    wait_for_app(page, LOGIN)
    assert page.locator(HOME).count() == 0 and page.locator("span.gcrm-kpi").count() == 0
    assert "Sign out" not in _sidebar(page)


@pytest.mark.parametrize("kind", ["valid", "expired", "revoked", "disabled", "garbage"])
def test_session_cookie_is_checked_against_the_store(page, app_url: str, demo_db: Path,
                                                     kind: str) -> None:
    user = f"sec_cookie_{kind}"
    add_account(demo_db, user, "analyst", ANALYST_PW)
    con = connect_store(demo_db)
    try:
        who = authenticate(con, user, ANALYST_PW)
        now = datetime.now(UTC)
        token = open_session(con, who, now=now - timedelta(hours=9) if kind == "expired"
                             else now)
        if kind == "revoked":
            close_session(con, token)
        elif kind == "disabled":
            con.execute("UPDATE users SET disabled = 1 WHERE name = ?", (user,))
    finally:
        con.close()
    value = "not-a-token-<script>" if kind == "garbage" else token
    page.context.add_cookies([{"name": cookie_name(demo_db), "value": value, "url": app_url,
                               "sameSite": "Strict"}])
    page.goto(app_url)
    if kind == "valid":
        wait_for_app(page, HOME)
        assert page.locator("div.gcrm-user").get_attribute("data-user") == user
        return
    wait_for_app(page, LOGIN)
    assert page.locator(HOME).count() == 0 and page.locator("span.gcrm-kpi").count() == 0
    assert page.locator('[data-testid="stForm"]').count() == 1
    if kind != "garbage":  # a dead token is cleared from the browser
        _wait_cookie(page, demo_db, present=False)
