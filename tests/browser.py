"""Helpers for browser tests: run the real Streamlit app, drive it with headless Chromium.

Usage (see tests/test_browser_home.py)::

    with streamlit_app(db_path) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(url)
        wait_for_app(page)
        kpis = read_kpis(page)       # {"kwh": 123.0, ...} exact values
        page.screenshot(path=artifact("home.png"))

How tests read numbers: every KPI tile is an ``st.metric`` (rounded for people) plus an
invisible ``<span class="gcrm-kpi" data-kpi="NAME" data-value="REPR">`` written by
``dashboards/components/kpi.py``; ``data-value`` is ``repr(float)``, so it round-trips exactly.

Chromium is Debian's (``/usr/bin/chromium``, override with ``$GCRM_CHROMIUM``); Playwright's
own browser download is never used. WebGL (pydeck) renders on the CPU through SwiftShader:
``--disable-gpu`` plus ``--use-angle=swiftshader --enable-unsafe-swiftshader`` (without the
last flag Chromium >= 130 refuses software WebGL and the map canvas stays empty).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dashboards" / "app.py"
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = os.environ.get("GCRM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
]
START_TIMEOUT_S = 60.0


def artifact(name: str) -> Path:
    """Path for a test artifact (screenshots) under ``artifacts/`` at the repo root."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def streamlit_app(db: str | os.PathLike, timeout: float = START_TIMEOUT_S,
                  env: dict[str, str] | None = None) -> Iterator[str]:
    """Run ``dashboards/app.py`` on a free localhost port with ``GCRM_DB=db``; yield its URL.

    Runs from ``dashboards/`` so ``dashboards/.streamlit/config.toml`` applies (as with
    ``gcrm dashboard``). Fails with the server's output if it is not healthy in ``timeout``.
    The server is stopped (terminate, then kill) when the block exits.
    """
    port = free_port()
    url = f"http://localhost:{port}"
    run_env = {k: v for k, v in os.environ.items() if k != "GCRM_LANG"}  # English default
    run_env.update({"GCRM_DB": str(Path(db).resolve()), **(env or {})})
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP),
           "--server.headless", "true", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    with tempfile.TemporaryFile(mode="w+b") as log:
        proc = subprocess.Popen(cmd, cwd=APP.parent, env=run_env, stdout=log,
                                stderr=subprocess.STDOUT)
        yield from _serve(proc, log, url, timeout)


def _serve(proc: subprocess.Popen, log, url: str, timeout: float) -> Iterator[str]:
    try:
        deadline = time.monotonic() + timeout
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                out = log.read().decode("utf-8", "replace")
                state = f"exited with {proc.returncode}" if proc.poll() is not None \
                    else f"not healthy after {timeout:.0f} s"
                pytest.fail(f"Streamlit server {state}; output:\n{out}")
            time.sleep(0.25)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@contextlib.contextmanager
def chromium() -> Iterator:
    """A headless Debian Chromium driven by Playwright (skips the test if unavailable)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def wait_for_app(page, done: str | None = None, timeout_ms: int = 60_000) -> None:
    """Wait until the app has rendered and finished running the script.

    ``done`` is a CSS selector the page renders last; GCRM pages end with
    ``<div class="gcrm-page-done" data-page="NAME" data-lang="LANG">`` (see
    ``dashboards/components/shell.py:page_done``), so ``done='.gcrm-page-done[data-lang="en"]'``
    waits for that run. Then wait until Streamlit shows no "Running..." status widget
    (``[data-testid="stStatusWidget"]``), no skeleton and no stale element, twice in a row
    (a rerun can start right after one ends, e.g. after a query-param update).
    """
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    if done:
        page.wait_for_selector(done, state="attached", timeout=timeout_ms)
    busy = ('[data-testid="stStatusWidget"], [data-testid="stAppSkeleton"], '
            '[data-testid="stSkeleton"], [data-stale="true"]')
    deadline = time.monotonic() + timeout_ms / 1000
    quiet = 0
    while quiet < 2:
        if time.monotonic() > deadline:
            raise TimeoutError(f"Streamlit app still running after {timeout_ms / 1000:.0f} s")
        quiet = 0 if page.locator(busy).count() else quiet + 1
        page.wait_for_timeout(300)


def point_inside(page, selector: str) -> tuple[float, float, str] | None:
    """A viewport point where the biggest element matching ``selector`` inside any shadow root
    (the SVG map is a Streamlit v2 component) is the topmost element, and its ``data-id``; the
    centre of a concave district can lie outside it. None when nothing matches."""
    found = page.evaluate(
        """(sel) => {
            const els = [...document.querySelectorAll('*')].flatMap(
                (e) => e.shadowRoot ? [...e.shadowRoot.querySelectorAll(sel)] : []);
            const area = (e) => { const r = e.getBoundingClientRect(); return r.width * r.height; };
            els.sort((a, b) => area(b) - area(a));
            for (const el of els) {
                const b = el.getBoundingClientRect(), root = el.getRootNode();
                for (let i = 1; i < 16; i++) for (let j = 1; j < 16; j++) {
                    const x = b.left + b.width * i / 16, y = b.top + b.height * j / 16;
                    if (root.elementFromPoint(x, y) === el) return [x, y, el.dataset.id];
                }
            }
            return null;
        }""", selector)
    return tuple(found) if found else None


def read_kpis(page) -> dict[str, float]:
    """Exact KPI values from the hidden ``span.gcrm-kpi`` elements (see module docstring)."""
    spans = page.locator("span.gcrm-kpi")
    out = {}
    for i in range(spans.count()):
        el = spans.nth(i)
        out[el.get_attribute("data-kpi")] = float(el.get_attribute("data-value"))
    return out


def metric_texts(page) -> dict[str, str]:
    """Visible ``st.metric`` tiles: label text -> value text."""
    out = {}
    metrics = page.locator('[data-testid="stMetric"]')
    for i in range(metrics.count()):
        m = metrics.nth(i)
        label = m.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        out[label] = m.locator('[data-testid="stMetricValue"]').inner_text().strip()
    return out


def login(page, url: str, user: str, password: str, done: str | None = None,
          timeout_ms: int = 60_000) -> None:
    """Open ``url`` (any page, with its query string), sign in on the login form, and wait.

    A signed-in session survives a reload through a ``gcrm_session_*`` cookie (see
    ``dashboards/components/auth.py``); this helper first drops those cookies from the page's
    browser context, so it always starts at the login form (and may sign in as another user).
    ``done`` is the page's end marker to wait for (see :func:`wait_for_app`); by default any
    page other than the login page.
    """
    page.context.clear_cookies(name=re.compile(r"^gcrm_session_"))
    page.goto(url)
    page.wait_for_selector('.gcrm-page-done[data-page="login"]', state="attached",
                           timeout=timeout_ms)
    form = page.locator('[data-testid="stForm"]')
    form.locator("input").nth(0).fill(user)
    form.locator('input[type="password"]').fill(password)
    form.locator('[data-testid="stFormSubmitButton"] button').click()
    wait_for_app(page, done or '.gcrm-page-done:not([data-page="login"])', timeout_ms)


def add_account(db: str | os.PathLike, name: str, role: str, password: str,
                regions: tuple[str, ...] = ()) -> None:
    """Create an account in the warehouse's operational store (if it does not exist yet)."""
    from gcrm.security.accounts import add_user
    from gcrm.storage.store import connect_store

    con = connect_store(db)
    try:
        if not con.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
            add_user(con, name, role, password, regions=regions)
    finally:
        con.close()


def busiest_district(db: str | os.PathLike) -> str:
    """The district with the most customers in the warehouse at ``db``."""
    from gcrm.storage import warehouse

    con = warehouse.connect(db, read_only=True)
    try:
        return con.execute("SELECT district_id FROM dim_customer WHERE district_id IS NOT NULL "
                           "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    finally:
        con.close()


def audit_entries(db: str | os.PathLike, action: str,
                  target_prefix: str | None = None) -> list[dict]:
    """The audit entries of ``action`` (oldest first; ``target_prefix``: only targets starting
    with it) as dicts of user, target and detail."""
    from gcrm.storage.store import connect_store

    sql = "SELECT user, target, detail FROM audit_log WHERE action = ?"
    params: list = [action]
    if target_prefix is not None:
        sql += " AND target LIKE ?"
        params.append(target_prefix.replace("%", r"\%") + "%")
    con = connect_store(db)
    try:
        return [dict(r) for r in con.execute(sql + " ORDER BY id", params)]
    finally:
        con.close()


def new_context_page(browser, width: int = 1400, height: int = 1300, downloads: bool = False,
                     track: bool = False):
    """A page in a new English browser context of the given viewport (``track``: the page's
    ``external_requests`` lists requests beyond this machine). Close it with
    ``page.context.close()``."""
    ctx = browser.new_context(viewport={"width": width, "height": height}, locale="en-US",
                              accept_downloads=downloads)
    page = ctx.new_page()
    if track:
        page.external_requests = track_external(page)
    return page


LOCAL = ("http://localhost", "data:", "blob:")


def track_external(page) -> list[str]:
    """Record every request ``page`` makes beyond this machine (the app must work offline)."""
    seen: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(LOCAL) else seen.append(r.url))
    return seen
