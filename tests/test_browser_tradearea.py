"""The trading-area page in a real browser: a hall's trade area on the map, its numbers, the
campaign list download, a scoped user, and a warehouse without service points.

The summary's exact values are read from hidden elements (``span.gcrm-kpi`` of the tiles and
``span.gcrm-ta-metric`` of every indicator, ``repr(float)``) and compared with the Python calls
``gcrm tradearea summary --service-point ID --km 3`` makes (``area_from`` + ``area_summary``)
on the same warehouse; the campaign CSV downloaded through the page is compared with
:func:`gcrm.tradearea.queries.targets`, and its audit entry is checked.
"""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pytest

from gcrm import cube
from gcrm.storage import warehouse
from gcrm.tradearea import queries as tradearea
from tests.browser import (
    add_account,
    artifact,
    audit_entries,
    login,
    point_inside,
    read_kpis,
    streamlit_app,
    track_external,
    wait_for_app,
)

pytestmark = pytest.mark.browser

DONE = '.gcrm-page-done[data-page="tradearea"][data-lang="en"]'
ADMIN, MANAGER, PASSWORD = "ta_admin", "ta_manager", "Trade-Area-2026!"
DISTRICT = "220502"  # 东昌区
HALL, HALL_LABEL = "SP-220502-H02", "东昌区江南营业厅 · SP-220502-H02"


@pytest.fixture(scope="module")
def app_url(demo_db: Path) -> Iterator[str]:
    add_account(demo_db, ADMIN, "admin", PASSWORD)
    add_account(demo_db, MANAGER, "regional_manager", PASSWORD, regions=(DISTRICT,))
    with streamlit_app(demo_db) as url:
        yield url


def _summary(db: Path, km: float, hall: str, scope=None):
    """What ``gcrm tradearea summary --service-point HALL --km KM`` computes."""
    con = warehouse.connect(db, read_only=True)
    try:
        months = cube.month_range(con, 12)
        area, label = tradearea.area_from(con, service_point=hall, km=km, months=months)
        s = tradearea.area_summary(con, area, label, months, scope)
        masked = scope is not None
        targets = tradearea.targets(con, area, "counter_payers", months, scope, mask=masked)
    finally:
        con.close()
    return s, targets


def _shown_metrics(page) -> dict[str, tuple[float, float]]:
    spans = page.locator("span.gcrm-ta-metric")
    return {spans.nth(i).get_attribute("data-metric"):
            (float(spans.nth(i).get_attribute("data-area")),
             float(spans.nth(i).get_attribute("data-district")))
            for i in range(spans.count())}


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def _check_numbers(page, s) -> None:
    expected = {r.metric: (float(r.area), float(r.district))
                for r in s.metrics.itertuples(index=False)}
    shown = _shown_metrics(page)
    assert set(shown) == set(expected)
    bad = {k: (shown[k], expected[k]) for k in expected
           if not (_same(shown[k][0], expected[k][0]) and _same(shown[k][1], expected[k][1]))}
    assert not bad, bad
    tiles = read_kpis(page)
    assert {"customers", "kwh", "paid", "arrears", "penetration",
            "potential_customers"} <= set(tiles)
    assert all(_same(v, expected[k][0]) for k, v in tiles.items()), tiles


def _drawn(locator) -> bool:
    """The element shows a drawing: many colours, no single colour covers 90 % of it."""
    from PIL import Image

    png = locator.screenshot()
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3)
    _, counts = np.unique(pixels, axis=0, return_counts=True)
    return len(counts) > 20 and counts.max() < 0.9 * len(pixels)


def _click_service_point(page, exclude: str) -> str:
    """Click a service point on the map other than ``exclude`` (where its dot is the topmost
    element); its id."""
    page.locator(".st-key-ta_map .gcrm-svgmap svg").first.scroll_into_view_if_needed()
    ids = page.locator('.st-key-ta_map g[data-layer="service_points"] circle.pick').evaluate_all(
        "(els) => els.map((e) => e.dataset.id)")
    for sp_id in ids:
        if sp_id == f"sp:{exclude}":
            continue
        found = point_inside(page, f'g[data-layer="service_points"] circle[data-id="{sp_id}"]')
        if found is not None:
            page.mouse.click(*found[:2])
            return sp_id.removeprefix("sp:")
    raise AssertionError(f"no other service point to click among {ids}")


def _export_audits(db: Path) -> list[dict]:
    return audit_entries(db, "export", target_prefix="tradearea.")


def _no_errors(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    errors = page.locator('[data-testid="stAlertContentError"]')
    assert errors.count() == 0, errors.first.inner_text()


def test_pick_a_hall_numbers_map_and_campaign_csv(browser, app_url: str,
                                                  demo_db: Path) -> None:
    s, targets = _summary(demo_db, 3.0, HALL)
    ctx = browser.new_context(viewport={"width": 1400, "height": 1300}, locale="en-US",
                              accept_downloads=True)
    page = ctx.new_page()
    external = track_external(page)
    try:
        login(page, f"{app_url}/tradearea", ADMIN, PASSWORD, DONE)
        _no_errors(page)
        # pick the hall by its Chinese name (rings 1/3/5 km, summary of the 3 km ring)
        box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Service point")
        box.locator("input").click()
        page.keyboard.type("江南营业厅")
        page.get_by_role("option", name=HALL_LABEL).click()
        wait_for_app(page, DONE)
        assert box.locator("input").input_value() == HALL_LABEL
        assert f"sp={HALL}" in page.url
        _no_errors(page)
        assert page.get_by_text(f"{HALL} 东昌区江南营业厅: within 3 km").count() == 1
        _check_numbers(page, s)

        # the trade area is on the map (an SVG map that has drawn something): the three rings
        # (the 3 km one, summarised, outlined), the chosen hall on its black ring
        svg = page.locator(".st-key-ta_map .gcrm-svgmap svg").first
        svg.wait_for(state="visible", timeout=30_000)
        assert svg.locator('g[data-layer="areas"] path.pick').count() == 3
        assert svg.locator('g[data-layer="area_selected"] path').count() == 1
        assert svg.locator('g[data-layer="sp_selected"] circle').count() == 1
        assert svg.locator(f'g[data-layer="service_points"] circle[data-id="sp:{HALL}"]'
                           ).count() == 1
        for _ in range(40):
            if _drawn(svg):
                break
            page.wait_for_timeout(500)
        svg.screenshot(path=str(artifact("tradearea_map.png")))
        assert _drawn(svg), "the map looks blank"

        # the campaign list (counter payers inside the 3 km ring): the CSV is targets(...)
        marker = page.locator(".gcrm-ta-targets")
        assert int(marker.get_attribute("data-rows")) == len(targets) > 0
        before = len(_export_audits(demo_db))
        button = page.locator('[data-testid="stDownloadButton"]').filter(
            has_text="Download CSV")
        button.scroll_into_view_if_needed()
        # the file is written on the click, in a rerun of the whole page: 30 s (Playwright's
        # default) was too short once on a machine at load 10
        with page.expect_download(timeout=90_000) as dl:
            button.locator("button").click()
        text = Path(dl.value.path()).read_text(encoding="utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert list(rows[0]) == list(targets.columns)
        assert [r["customer_id"] for r in rows] == targets["customer_id"].tolist()
        assert [r["phone"] for r in rows] == targets["phone"].fillna("").tolist()  # admin
        assert [float(r["counter_share"]) for r in rows] == targets["counter_share"].tolist()
        deadline = time.monotonic() + 15
        while len(_export_audits(demo_db)) == before and time.monotonic() < deadline:
            page.wait_for_timeout(300)
        entry = _export_audits(demo_db)[-1]
        assert entry["user"] == ADMIN and entry["target"] == "tradearea.targets:counter_payers"
        detail = json.loads(entry["detail"])
        assert detail["rows"] == len(targets) and detail["format"] == "csv"

        wait_for_app(page, DONE)
        page.screenshot(path=str(artifact("tradearea.png")))
        _no_errors(page)

        # a click on another service point on the map makes it the centre (and the URL's)
        other = _click_service_point(page, exclude=HALL)
        page.wait_for_function(
            f"() => new URL(location.href).searchParams.get('sp') === '{other}'",
            timeout=60_000)
        wait_for_app(page, DONE)
        assert box.locator("input").input_value().endswith(f" · {other}")
        assert svg.locator(f'g[data-layer="service_points"] circle[data-id="sp:{other}"]'
                           ).count() == 1
        _no_errors(page)
        assert external == [], "the page must work offline"
    finally:
        ctx.close()


def test_scoped_manager_sees_only_their_district(browser, app_url: str,
                                                 demo_db: Path) -> None:
    s, targets = _summary(demo_db, 10.0, "SP-220502-H01", scope=[DISTRICT])
    unscoped, _ = _summary(demo_db, 10.0, "SP-220502-H01")
    assert (s.metrics.set_index("metric").loc["customers", "area"]
            < unscoped.metrics.set_index("metric").loc["customers", "area"])
    ctx = browser.new_context(viewport={"width": 1400, "height": 1300}, locale="en-US")
    page = ctx.new_page()
    try:
        login(page, f"{app_url}/tradearea", MANAGER, PASSWORD, DONE)
        _no_errors(page)
        # only the district's service points to pick from; the first hall by default
        box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Service point")
        assert box.locator("input").input_value() == "东昌区营业厅 · SP-220502-H01"
        box.locator("input").click()
        options = page.get_by_role("option").all_inner_texts()
        assert options and all("SP-220502-" in o for o in options), options
        page.keyboard.press("Escape")
        # a 10 km ring reaches into 二道江区: the numbers count 东昌区's customers only
        radii = page.locator('[data-testid="stTextInput"]').filter(has_text="Radii")
        radii.locator("input").fill("10")
        radii.locator("input").press("Enter")
        wait_for_app(page, DONE)
        assert page.get_by_text("SP-220502-H01 东昌区营业厅: within 10 km").count() == 1
        _check_numbers(page, s)
        # customer rows are masked for a manager, and the list is the scope's
        assert int(page.locator(".gcrm-ta-targets").get_attribute("data-rows")) == len(targets)
        assert set(targets["district_id"]) == {DISTRICT}
        assert page.get_by_text("Contact fields are masked for your role.").count() == 1
        # a regional manager may not download
        assert page.locator('[data-testid="stDownloadButton"]').count() == 0
        assert page.get_by_text("Your role may not download lists or layers.").count() >= 1
        page.screenshot(path=str(artifact("tradearea_manager.png")), full_page=True)
    finally:
        ctx.close()


def test_no_service_points_gives_a_message(browser, demo_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "no_sp.duckdb"
    shutil.copy(demo_db, db)
    con = duckdb.connect(str(db))
    con.execute("DELETE FROM dim_service_point")
    con.close()
    add_account(db, ADMIN, "admin", PASSWORD)
    with streamlit_app(db) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1300})
        try:
            login(page, f"{url}/tradearea", ADMIN, PASSWORD, DONE)
            main = page.locator('[data-testid="stMain"]').inner_text()
            assert "No service points to analyse" in main
            assert "service-point table is empty" in main
            # the area around a point still works
            assert page.get_by_text("Point on the map").count() == 1
            assert read_kpis(page)["customers"] >= 0
            assert page.locator('[data-testid="stException"]').count() == 0
        finally:
            page.close()
