"""The regional overview in a real browser (headless Chromium): KPIs, map, drill, URL, language.

The app runs as a subprocess on the session's demo warehouse (``demo_db`` in conftest.py).
KPI values are read from the hidden ``span.gcrm-kpi[data-value]`` elements (exact floats, see
tests/browser.py) and compared with (1) ``gcrm query`` / ``gcrm.cube`` on the same warehouse
and (2) raw SQL over the fact tables written here, independent of the cube.
"""

from __future__ import annotations

import io
import json
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from dashboards.components import maps
from gcrm import cube
from gcrm.cli import cli
from gcrm.cube.comparison_words import comparison_words
from gcrm.i18n import format_number
from gcrm.storage import warehouse
from tests.browser import (
    add_account,
    artifact,
    login,
    metric_texts,
    point_inside,
    read_kpis,
    streamlit_app,
    track_external,
    wait_for_app,
)

pytestmark = pytest.mark.browser

KPIS = ["customers", "kwh", "amount", "arrears", "online_share"]
DONE_EN = '.gcrm-page-done[data-page="home"][data-lang="en"]'
DONE_ZH = '.gcrm-page-done[data-page="home"][data-lang="zh-CN"]'
ADMIN, PASSWORD = "home_admin", "Home-Admin-2026!"  # sees everything: numbers unchanged
ANALYST, ANALYST_PW = "home_analyst", "Home-Analyst-2026!"  # no read_pii: min_cell 5
MAP = ".gcrm-svgmap svg"
AREA = ".gcrm-svgmap g.areas path.pick"
TIP = ".gcrm-svgmap .tip"


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


def _months(db: Path) -> tuple[str, str]:
    con = warehouse.connect(db, read_only=True)
    try:
        return cube.month_range(con, 12)
    finally:
        con.close()


def _gcrm_query(db: Path, months: tuple[str, str], *where: str) -> dict[str, float]:
    """The KPIs as ``gcrm query --format json`` prints them (one row, no grouping)."""
    args = ["query", "--db", str(db), "--from", months[0], "--to", months[1],
            "--format", "json"]
    for m in KPIS:
        args += ["--measure", m]
    for w in where:
        args += ["--where", w]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    row = json.loads(result.output)[0]
    return {m: float(row[m]) for m in KPIS}


def _expected_by_sql(db: Path) -> dict[str, float]:
    """The same KPIs straight from the fact tables (no cube, no rollups)."""
    con = warehouse.connect(db, read_only=True)
    try:
        last = con.execute("SELECT max(month) FROM fact_consumption").fetchone()[0]
        y, m = int(last[:4]), int(last[5:])
        first_idx = y * 12 + m - 1 - 11
        first = f"{first_idx // 12:04d}-{first_idx % 12 + 1:02d}"
        customers, kwh, amount = con.execute(
            "SELECT count(DISTINCT customer_key), sum(kwh), sum(amount) FROM fact_consumption "
            "WHERE month BETWEEN ? AND ?", [first, last]).fetchone()
        paid, online, n = con.execute(
            "SELECT sum(amount), count(*) FILTER (WHERE channel IN ('online', 'app')), count(*) "
            "FROM fact_payment WHERE month BETWEEN ? AND ?", [first, last]).fetchone()
    finally:
        con.close()
    return {"customers": float(customers), "kwh": float(kwh), "amount": float(amount),
            "paid": float(paid), "arrears": float(amount) - float(paid),
            "online_share": online / n}


def _distinct_colours(pixels: np.ndarray) -> int:
    return len(np.unique(pixels.reshape(-1, 3), axis=0))


def _map_image(page) -> tuple[bytes, np.ndarray]:
    """PNG screenshot of the SVG map once it has drawn its shapes, and its RGB pixels."""
    from PIL import Image

    chart = page.locator(MAP).first
    chart.wait_for(state="visible", timeout=30_000)
    page.locator(f"{MAP} path").first.wait_for(state="attached", timeout=30_000)
    png = chart.screenshot()
    return png, np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _query(page) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlparse(page.url).query))


def _kpi_changes(page) -> dict[str, tuple[float, float]]:
    out = {}
    for span in page.locator("span.gcrm-kpi").all():
        out[span.get_attribute("data-kpi")] = (float(span.get_attribute("data-prev-change")),
                                               float(span.get_attribute("data-yoy-change")))
    return out


def _same(a: float, b: float) -> bool:
    return (np.isnan(a) and np.isnan(b)) or a == pytest.approx(b, rel=1e-9)


def _click_a_region(page, param: str = "d") -> None:
    """Click inside the biggest clickable region of the map: the page drills into that one."""
    page.locator(AREA).first.wait_for(state="attached", timeout=30_000)
    x, y, region = point_inside(page, AREA)
    page.mouse.click(x, y)
    page.wait_for_function(f"() => new URL(location.href).searchParams.get('{param}')",
                           timeout=30_000)
    assert _query(page)[param] == region


def test_overview_kpis_map_and_table(page, app_url: str, demo_db: Path) -> None:
    login(page, app_url, ADMIN, PASSWORD, DONE_EN)
    months = _months(demo_db)

    shown = read_kpis(page)
    assert set(shown) == set(KPIS)
    assert shown == pytest.approx(_gcrm_query(demo_db, months), rel=1e-9)  # = `gcrm query`
    by_sql = _expected_by_sql(demo_db)
    for m in KPIS:
        assert shown[m] == pytest.approx(by_sql[m], rel=1e-9), m
    assert shown["customers"] > 0 and shown["kwh"] > 0

    # the changes against the previous period and last year are the cube's
    con = warehouse.connect(demo_db, read_only=True)
    try:
        expected = cube.period_kpis(con, KPIS, months).set_index("measure")
    finally:
        con.close()
    for m, (prev, yoy) in _kpi_changes(page).items():
        assert _same(prev, expected.at[m, "prev_change"]), m
        assert _same(yoy, expected.at[m, "yoy_change"]), m
    # like for like (issue #23): the demo's 14 months leave Sep-Oct as the months the last 12
    # months share with the 12 before, and the note under the tiles says so
    assert comparison_words(expected.attrs["last_year_match"], "en") == \
        "Sep-Oct 2026 vs Sep-Oct 2025"
    assert not np.isnan(expected.at["kwh", "yoy_change"])
    page.get_by_text("Sep-Oct 2026 vs Sep-Oct 2025 (last year)", exact=False).wait_for(
        timeout=30_000)

    # the visible tiles are the same numbers, rounded for people
    tiles = metric_texts(page)
    assert tiles["Customers"] == format_number(shown["customers"], "en", whole=True)
    assert tiles["Consumption (kWh)"] == format_number(shown["kwh"], "en")
    assert tiles["Arrears (yuan)"] == format_number(shown["arrears"], "en")
    assert tiles["Online payments (%)"] == f"{shown['online_share'] * 100:.1f}"

    # the map: one clickable shape per district, drawn (not blank), no basemap requests
    con = warehouse.connect(demo_db, read_only=True)
    try:
        districts = con.execute(
            "SELECT count(DISTINCT district_id) FROM dim_customer WHERE district_id IS NOT NULL"
        ).fetchone()[0]
    finally:
        con.close()
    assert page.locator(AREA).count() == districts
    png, pixels = _map_image(page)
    artifact("home_map.png").write_bytes(png)
    colours = _distinct_colours(pixels)
    assert colours > 20, f"map looks blank ({colours} colours)"
    grey = pixels.mean(axis=2)
    assert grey.var() > 100, f"map has almost no contrast (variance {grey.var():.0f})"
    ramp = np.array(maps.RAMP)
    near = np.abs(pixels[:, :, None, :].astype(int) - ramp[None, None]).sum(axis=3).min(axis=2)
    assert (near < 60).mean() > 0.05, "district fills (colour ramp) not visible on the map"

    # hovering a district shows its Chinese name, value and rank
    x, y, _ = point_inside(page, AREA)
    page.mouse.move(x, y)
    page.mouse.move(x + 1, y + 1)
    tip = page.locator(TIP).first
    tip.wait_for(state="visible", timeout=10_000)
    assert re.search(r"[\u4e00-\u9fff]+.*\nCustomers: [\d,.]+ ?\w*\nRank \d+ of \d+",
                     tip.inner_text(), re.S), tip.inner_text()

    # the ranked table, with a sparkline column
    page.locator('[data-testid="stDataFrame"]').first.wait_for(state="visible")
    assert page.get_by_text("Ranking by district").count() == 1

    page.screenshot(path=str(artifact("home.png")), full_page=True)
    assert page.external_requests == [], "the page must work offline (no basemap by default)"
    assert page.locator('[data-testid="stException"]').count() == 0


def test_click_on_a_district_drills_down_and_filters_the_kpis(page, app_url: str,
                                                              demo_db: Path) -> None:
    login(page, app_url, ADMIN, PASSWORD, DONE_EN)
    before = read_kpis(page)
    _map_image(page)
    _click_a_region(page)
    wait_for_app(page, DONE_EN)
    district = _query(page)["d"]
    shown = read_kpis(page)
    assert shown == pytest.approx(_gcrm_query(demo_db, _months(demo_db),
                                              f"district={district}"), rel=1e-9)
    assert shown["customers"] < before["customers"]
    # the map now shows the district's grid cells; the breadcrumb leads back up
    png, pixels = _map_image(page)
    artifact("home_drill_district.png").write_bytes(png)
    assert _distinct_colours(pixels) > 20
    assert page.get_by_text("Ranking by grid cell").count() == 1
    assert "g" not in _query(page)  # the click that drilled does not drill again

    # zoom in with the button and back: the view box changes and returns
    full = page.locator(MAP).get_attribute("viewBox")
    page.get_by_role("button", name="Zoom in").click()
    zoomed = page.locator(MAP).get_attribute("viewBox")
    assert float(zoomed.split()[2]) < float(full.split()[2]), (zoomed, full)
    page.get_by_role("button", name="Fit the whole area").click()
    assert page.locator(MAP).get_attribute("viewBox") == full
    # dragging pans the map and does not drill into the cell it started on
    x, y, _ = point_inside(page, AREA)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 60, y + 30, steps=6)
    page.mouse.up()
    panned = page.locator(MAP).get_attribute("viewBox").split()
    assert float(panned[0]) < float(full.split()[0]), (panned, full)
    page.wait_for_timeout(500)
    assert "g" not in _query(page)
    page.get_by_role("button", name="Fit the whole area").click()

    # the keyboard drills too: Tab to a cell, Enter shows its customers
    first_cell = page.locator(AREA).first
    cell = first_cell.get_attribute("data-id")
    first_cell.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => new URL(location.href).searchParams.get('g')", timeout=30_000)
    wait_for_app(page, DONE_EN)
    assert _query(page)["g"] == cell
    assert read_kpis(page) == pytest.approx(_gcrm_query(
        demo_db, _months(demo_db), f"district={district}", f"grid={cell}"), rel=1e-9)
    assert "located customers in this cell" in page.locator('[data-testid="stMain"]').inner_text()
    page.get_by_role("button", name="通化市").click()
    page.wait_for_function("() => !new URL(location.href).searchParams.get('d')",
                           timeout=30_000)
    wait_for_app(page, DONE_EN)
    assert read_kpis(page) == before
    assert page.locator('[data-testid="stException"]').count() == 0


def test_url_restores_the_view(page, app_url: str, demo_db: Path) -> None:
    con = warehouse.connect(demo_db, read_only=True)
    try:
        district, cell, n_cell = con.execute(
            "SELECT district_id, grid_id, count(*) FROM dim_customer WHERE grid_id IS NOT NULL "
            "AND lon IS NOT NULL AND customer_class = 'residential' GROUP BY ALL "
            "ORDER BY 3 DESC LIMIT 1").fetchone()
        name = con.execute("SELECT name FROM dim_region WHERE region_id = ?",
                           [district]).fetchone()[0]
        months = cube.months(con)[-6], cube.months(con)[-1]
    finally:
        con.close()
    view = (f"m=kwh&cls=natural&k=7&from={months[0]}&to={months[1]}&d={district}"
            "&f.customer_class=residential&layers=service_points,outages")
    login(page, f"{app_url}/?{view}", ADMIN, PASSWORD, DONE_EN)
    q = _query(page)
    assert q["m"] == "kwh" and q["cls"] == "natural" and q["k"] == "7" and q["d"] == district
    assert q["layers"] == "service_points,outages"
    shown = read_kpis(page)
    assert shown == pytest.approx(_gcrm_query(demo_db, months, f"district={district}",
                                              "customer_class=residential"), rel=1e-9)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert name in main and "Natural breaks (Jenks)" in main
    assert "Ranking by grid cell" in main
    _map_image(page)

    # one level deeper: the customers of one cell, as points, counted exactly
    login(page, f"{app_url}/?{view}&g={cell}", ADMIN, PASSWORD, DONE_EN)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert f"{n_cell:,} located customers in this cell" in main, main
    png, pixels = _map_image(page)
    artifact("home_drill_cell.png").write_bytes(png)
    assert _distinct_colours(pixels) > 5
    assert page.locator('[data-testid="stException"]').count() == 0


def _suppressed_fills(page) -> dict[str, str]:
    """Map area id -> fill, of the areas drawn with the neutral "hidden" fill."""
    hidden = svgmap_hex(maps.SUPPRESSED)
    fills = page.locator(AREA).evaluate_all(
        "els => els.map((e) => [e.getAttribute('data-id'), e.getAttribute('fill')])")
    return {rid: f for rid, f in fills if f == hidden}


def svgmap_hex(c) -> str:
    return "#{:02x}{:02x}{:02x}".format(*c)


def test_an_analyst_sees_hidden_cells_and_the_admin_their_numbers(page, app_url: str,
                                                                   demo_db: Path) -> None:
    """Disclosure control (issue #17): a role without read_pii sees a grid cell of fewer than
    5 customers with a neutral fill and "<5", and its KPI tiles read "<5"; no customer points
    without read_customers. The admin sees the numbers."""
    from gcrm.overview import queries as overview

    add_account(demo_db, ANALYST, "analyst", ANALYST_PW)
    months = _months(demo_db)
    con = warehouse.connect(demo_db, read_only=True)
    try:
        district = con.execute("SELECT district_id FROM dim_customer WHERE district_id IS NOT "
                               "NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
        safe = overview.child_values(con, "customers", overview.Place(district), months,
                                     min_cell=5)
    finally:
        con.close()
    hidden = set(safe.loc[safe["suppressed"], "key"].dropna())
    assert hidden, "the demo district has grid cells of fewer than 5 customers"
    login(page, f"{app_url}/?d={district}", ANALYST, ANALYST_PW, DONE_EN)
    _map_image(page)
    assert set(_suppressed_fills(page)) == hidden
    main = page.locator('[data-testid="stMain"]')
    assert main.get_by_text("Hidden (fewer than 5 customers)").count() == 1  # the legend
    x, y, cell = point_inside(page, f'{AREA}[fill="{svgmap_hex(maps.SUPPRESSED)}"]')
    page.mouse.move(x - 1, y - 1)
    page.mouse.move(x, y)  # (a cell is small: end on the point found inside it)
    tip = page.locator(TIP).first
    tip.wait_for(state="visible", timeout=10_000)
    assert "Customers: <5" in tip.inner_text() and "Rank" not in tip.inner_text()
    page.screenshot(path=str(artifact("home_analyst.png")), full_page=True)
    # the cell itself: tiles "<5", no customer points for a role without read_customers
    login(page, f"{app_url}/?d={district}&g={cell}", ANALYST, ANALYST_PW, DONE_EN)
    assert set(metric_texts(page).values()) == {"<5"}
    assert "Customers are not drawn as points" in main.inner_text()
    assert page.locator(".gcrm-svgmap g[data-layer='customers']").count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0
    # the admin: numbers, colours and points
    login(page, f"{app_url}/?d={district}&g={cell}", ADMIN, PASSWORD, DONE_EN)
    assert read_kpis(page) == pytest.approx(_gcrm_query(
        demo_db, months, f"district={district}", f"grid={cell}"), rel=1e-9)
    assert "<5" not in metric_texts(page).values()
    login(page, f"{app_url}/?d={district}", ADMIN, PASSWORD, DONE_EN)
    _map_image(page)
    assert _suppressed_fills(page) == {}


def test_language_switch_and_month_by_month(page, app_url: str) -> None:
    login(page, app_url, ADMIN, PASSWORD, DONE_EN)
    assert page.get_by_text("Overview").first.is_visible()

    page.locator('[data-testid="stSidebar"]').get_by_text("简体中文").click()
    wait_for_app(page, DONE_ZH)
    tiles = metric_texts(page)
    assert "客户数 (户)" in tiles, tiles
    assert any(label.startswith("用电量") for label in tiles), tiles
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "地图指标" in main and "客户数" in main and "分位数" in main, main
    assert "Customers" not in main and "Quantile" not in main, "English left on screen"
    assert re.search(r"[?&]lang=zh-CN\b", page.url), page.url
    page.screenshot(path=str(artifact("home_zh.png")), full_page=True)

    # month by month: the map animates through the months without an error
    page.get_by_text("逐月显示").click()
    page.get_by_text("显示月份").wait_for(timeout=60_000)
    wait_for_app(page, DONE_ZH)
    fills = page.locator(AREA).evaluate_all("els => els.map((e) => e.getAttribute('fill'))")
    page.get_by_role("button", name=re.compile("播放")).click()
    wait_for_app(page, DONE_ZH, timeout_ms=90_000)
    label = page.locator(".gcrm-svgmap .frame-label")  # the browser plays the months
    label.wait_for(state="visible", timeout=30_000)
    assert re.fullmatch(r"\d{4}-\d{2}", label.inner_text()), label.inner_text()
    label.wait_for(state="hidden", timeout=60_000)  # ... and ends on the chosen month
    assert page.locator(AREA).evaluate_all(
        "els => els.map((e) => e.getAttribute('fill'))") == fills
    _map_image(page)
    assert page.locator('[data-testid="stException"]').count() == 0

    # the URL carries the language: a fresh visit with ?lang=zh-CN opens in Chinese
    fresh = page.context.new_page()
    login(fresh, f"{app_url}/?lang=zh-CN", ADMIN, PASSWORD, DONE_ZH)
    assert "客户数 (户)" in metric_texts(fresh)
    fresh.close()


def test_a_configured_tile_url_is_drawn_under_the_map(browser, demo_db: Path) -> None:
    """``GCRM_BASEMAP_URL`` (an XYZ template, e.g. an intranet tile server): the map places
    that server's tiles under the regions. Port 9 on this machine serves nothing: the tiles
    stay empty and the regions are still drawn."""
    template = "http://127.0.0.1:9/tiles/{z}/{x}/{y}.png"
    add_account(demo_db, ADMIN, "admin", PASSWORD)
    with streamlit_app(demo_db, env={"GCRM_BASEMAP_URL": template}) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1300})
        try:
            login(page, url, ADMIN, PASSWORD, DONE_EN)
            _map_image(page)
            hrefs = page.locator(".gcrm-svgmap g.tiles image").evaluate_all(
                "els => els.map((e) => e.getAttribute('href'))")
            assert hrefs, "no basemap tiles"
            zooms = set()
            for h in hrefs:
                m = re.fullmatch(r"http://127\.0\.0\.1:9/tiles/(\d+)/(\d+)/(\d+)\.png", h)
                assert m, h
                z, x, y = map(int, m.groups())
                assert 0 <= x < 2**z and 0 <= y < 2**z
                zooms.add(z)
            assert len(zooms) == 1  # one zoom level for the view
            # Tonghua (~126 E, ~42 N) lies inside the tiles drawn
            (z,) = zooms
            tx = int((126.0 + 180) / 360 * 2**z)
            assert any(f"/{z}/{tx}/" in h for h in hrefs)
            assert page.locator(AREA).count() > 0
        finally:
            page.close()


def test_missing_warehouse_gives_a_clear_message(browser, tmp_path: Path) -> None:
    missing = tmp_path / "nope.duckdb"
    with streamlit_app(missing) as url:
        page = browser.new_page()
        page.goto(url)
        main = page.locator('[data-testid="stMain"]')
        main.get_by_text("No warehouse yet").wait_for(timeout=60_000)
        # the whole message in the page itself (the sidebar also names the path): the info
        # box with the path, then the command to build the warehouse
        main.get_by_text(str(missing)).first.wait_for(timeout=30_000)
        main.get_by_text("gcrm demo").first.wait_for(timeout=30_000)
        text = main.inner_text()
        assert "gcrm demo" in text and str(missing) in text
        assert page.locator('[data-testid="stException"]').count() == 0
        page.close()
    assert not missing.exists(), "the dashboard must not create a warehouse"
