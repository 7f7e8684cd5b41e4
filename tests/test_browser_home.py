"""The home page in a real browser: KPI numbers, map, language switch (headless Chromium).

The app runs as a subprocess on the session's demo warehouse (``demo_db`` in conftest.py).
KPI values are read from the hidden ``span.gcrm-kpi[data-value]`` elements (exact floats, see
tests/browser.py) and compared with (1) ``gcrm.cube.query`` on the same warehouse and (2) a
raw SQL over the fact tables written here, independent of the cube.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from dashboards.components import maps
from gcrm import cube, warehouse
from gcrm.i18n import format_number
from tests.browser import (
    add_account,
    artifact,
    login,
    metric_texts,
    read_kpis,
    streamlit_app,
    track_external,
    wait_for_app,
)

pytestmark = pytest.mark.browser

KPIS = ["customers", "kwh", "amount", "paid", "arrears"]
DONE_EN = '.gcrm-page-done[data-page="home"][data-lang="en"]'
DONE_ZH = '.gcrm-page-done[data-page="home"][data-lang="zh-CN"]'
ADMIN, PASSWORD = "home_admin", "Home-Admin-2026!"  # sees everything: numbers unchanged


@pytest.fixture(scope="module")
def app_url(demo_db: Path) -> Iterator[str]:
    add_account(demo_db, ADMIN, "admin", PASSWORD)
    with streamlit_app(demo_db) as url:
        yield url


@pytest.fixture
def page(browser) -> Iterator:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1300}, locale="en-US")
    pg = ctx.new_page()
    pg.external_requests = track_external(pg)
    yield pg
    ctx.close()


def _expected_by_cube(db: Path) -> dict[str, float]:
    con = warehouse.connect(db, read_only=True)
    try:
        months = cube.month_range(con, 12)
        row = cube.query(con, KPIS, months=months).iloc[0]
        return {m: float(row[m]) for m in KPIS}
    finally:
        con.close()


def _expected_by_sql(db: Path) -> dict[str, float]:
    """The same KPIs straight from the fact tables (no cube, no rollups)."""
    con = warehouse.connect(db, read_only=True)
    try:
        last = con.execute("SELECT max(month) FROM fact_consumption").fetchone()[0]
        y, m = int(last[:4]), int(last[5:])
        first_idx = y * 12 + m - 1 - 11
        first = f"{first_idx // 12:04d}-{first_idx % 12 + 1:02d}"
        customers, kwh, amount = con.execute(
            "SELECT count(DISTINCT customer_id), sum(kwh), sum(amount) FROM fact_consumption "
            "WHERE month BETWEEN ? AND ?", [first, last]).fetchone()
        (paid,) = con.execute("SELECT sum(amount) FROM fact_payment WHERE month BETWEEN ? AND ?",
                              [first, last]).fetchone()
    finally:
        con.close()
    return {"customers": float(customers), "kwh": float(kwh), "amount": float(amount),
            "paid": float(paid), "arrears": float(amount) - float(paid)}


def _distinct_colours(pixels: np.ndarray) -> int:
    return len(np.unique(pixels.reshape(-1, 3), axis=0))


def _map_image(page, timeout_s: float = 30.0) -> tuple[bytes, np.ndarray]:
    """PNG screenshot of the deck.gl map once it has drawn something, and its RGB pixels."""
    from PIL import Image

    chart = page.locator('[data-testid="stDeckGlJsonChart"]').first
    chart.wait_for(state="visible", timeout=30_000)
    for _ in range(int(timeout_s * 2)):
        png = chart.screenshot()
        pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
        if _distinct_colours(pixels) > 20:
            break
        page.wait_for_timeout(500)
    return png, pixels


def test_home_kpis_map_and_table(page, app_url: str, demo_db: Path) -> None:
    login(page, app_url, ADMIN, PASSWORD, DONE_EN)

    shown = read_kpis(page)
    by_cube = _expected_by_cube(demo_db)
    by_sql = _expected_by_sql(demo_db)
    assert set(shown) == set(KPIS)
    assert shown == by_cube  # the page shows exactly what the cube returns
    for m in KPIS:
        assert shown[m] == pytest.approx(by_sql[m], rel=1e-9), m
    assert shown["customers"] > 0 and shown["kwh"] > 0

    # the visible tiles are the same numbers, rounded for people
    tiles = metric_texts(page)
    assert tiles["Customers"] == format_number(shown["customers"], "en", whole=True)
    assert tiles["Consumption (kWh)"] == format_number(shown["kwh"], "en")
    assert tiles["Billed (yuan)"] == format_number(shown["amount"], "en")
    assert tiles["Paid (yuan)"] == format_number(shown["paid"], "en")
    assert tiles["Arrears (yuan)"] == format_number(shown["arrears"], "en")

    # the map: a WebGL canvas that has drawn districts (not blank), no basemap requests
    assert page.locator('[data-testid="stDeckGlJsonChart"] canvas').count() >= 1
    png, pixels = _map_image(page)
    artifact("home_map.png").write_bytes(png)
    colours = _distinct_colours(pixels)
    assert colours > 20, f"map looks blank ({colours} colours)"
    grey = pixels.mean(axis=2)
    assert grey.var() > 100, f"map has almost no contrast (variance {grey.var():.0f})"
    # the ramp's colours are on the map (districts filled, not only outlines)
    ramp = np.array(maps.RAMP)
    near = np.abs(pixels[:, :, None, :].astype(int) - ramp[None, None]).sum(axis=3).min(axis=2)
    assert (near < 60).mean() > 0.05, "district fills (colour ramp) not visible on the map"

    # hovering a district shows its Chinese name, value and rank
    box = page.locator('[data-testid="stDeckGlJsonChart"]').first.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for dx in (0, 3, 6):
        page.mouse.move(cx + dx, cy + dx)
        page.wait_for_timeout(400)
    tip = page.locator(".deck-tooltip").first
    tip.wait_for(state="visible", timeout=10_000)
    assert re.search(r"[\u4e00-\u9fff]+.*\nCustomers: [\d,]+\nRank \d+ of \d+",
                     tip.inner_text(), re.S), tip.inner_text()

    # the ranked table lists the districts by their Chinese names
    table = page.locator('[data-testid="stDataFrame"]').first
    table.wait_for(state="visible")
    assert page.get_by_text("Districts ranked by customers").count() == 1

    page.screenshot(path=str(artifact("home.png")), full_page=True)
    assert page.external_requests == [], "the page must work offline (no basemap by default)"
    assert page.locator('[data-testid="stException"]').count() == 0


def test_language_switch_to_chinese(page, app_url: str) -> None:
    login(page, app_url, ADMIN, PASSWORD, DONE_EN)
    assert page.get_by_text("Overview").first.is_visible()

    page.locator('[data-testid="stSidebar"]').get_by_text("简体中文").click()
    wait_for_app(page, DONE_ZH)
    tiles = metric_texts(page)
    assert "客户数 (户)" in tiles, tiles
    assert any(label.startswith("用电量") for label in tiles), tiles
    assert page.get_by_text("各区县客户分布").count() == 1
    assert re.search(r"[?&]lang=zh-CN\b", page.url), page.url
    page.screenshot(path=str(artifact("home_zh.png")), full_page=True)

    # the URL carries the language: a fresh visit with ?lang=zh-CN opens in Chinese
    fresh = page.context.new_page()
    login(fresh, f"{app_url}/?lang=zh-CN", ADMIN, PASSWORD, DONE_ZH)
    assert "客户数 (户)" in metric_texts(fresh)
    fresh.close()


def test_missing_warehouse_gives_a_clear_message(browser, tmp_path: Path) -> None:
    missing = tmp_path / "nope.duckdb"
    with streamlit_app(missing) as url:
        page = browser.new_page()
        page.goto(url)
        page.get_by_text("No warehouse yet").wait_for(timeout=60_000)
        text = page.locator('[data-testid="stMain"]').inner_text()
        assert "gcrm demo" in text and str(missing) in text
        assert page.locator('[data-testid="stException"]').count() == 0
        page.close()
    assert not missing.exists(), "the dashboard must not create a warehouse"
