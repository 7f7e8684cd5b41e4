"""The outage page in a real browser: index numbers, chart, map, planned-outage notice export.

The index table's exact values are read from hidden ``span.gcrm-rel[data-value]`` elements
(``repr(float)``, see dashboards/views/outages.py) and compared with
:func:`gcrm.reliability.indices` on the same warehouse; the notice CSV downloaded through the
page is compared with :func:`gcrm.outages.notice_list`, and its audit entry is checked.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from gcrm import outages, reliability, warehouse
from gcrm.store import connect_store
from tests.browser import (
    add_account,
    artifact,
    login,
    streamlit_app,
    track_external,
    wait_for_app,
)

pytestmark = pytest.mark.browser

DONE = '.gcrm-page-done[data-page="outages"][data-lang="en"]'
#: a planner: limited to one district, contact fields masked, may prepare notices
PLANNER, PASSWORD, DISTRICT = "outage_planner", "Feeder-Walrus-2026!", "220502"


@pytest.fixture(scope="module")
def app_url(demo_db: Path) -> Iterator[str]:
    add_account(demo_db, PLANNER, "planner", PASSWORD, regions=(DISTRICT,))
    with streamlit_app(demo_db) as url:
        yield url


def _expected(db: Path) -> tuple[int, dict[str, float], str, list[str]]:
    con = warehouse.connect(db, read_only=True)
    try:
        year = max(reliability.years(con))
        idx = reliability.indices(con, year, "district", scope=[DISTRICT])
        saidi = {str(d or ""): float(v) for d, v in zip(idx["district"], idx["saidi"],
                                                         strict=True)}
        fd = outages.feeders(con, scope=[DISTRICT]).iloc[0]
        feeder = f"{fd['feeder_id']} · {fd['name']}"
        ids = outages.notice_list(con, [fd["feeder_id"]], scope=[DISTRICT])[
            "customer_id"].tolist()
    finally:
        con.close()
    return year, saidi, feeder, ids


def _notice_audits(db: Path) -> list[dict]:
    con = connect_store(db)
    try:
        return [dict(r) for r in con.execute(
            "SELECT user, target, detail FROM audit_log WHERE action = 'notice.prepare' "
            "ORDER BY id")]
    finally:
        con.close()


def _drawn(locator) -> bool:
    """The element shows a drawing: many colours, and no single colour covers 90 % of it."""
    from PIL import Image

    png = locator.screenshot()
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3)
    _, counts = np.unique(pixels, axis=0, return_counts=True)
    return len(counts) > 20 and counts.max() < 0.9 * len(pixels)


def test_outage_page(browser, app_url: str, demo_db: Path) -> None:
    _, saidi, label, ids = _expected(demo_db)
    feeder = label.split(" · ")[0]
    ctx = browser.new_context(viewport={"width": 1400, "height": 1300}, locale="en-US",
                              accept_downloads=True)
    page = ctx.new_page()
    external = track_external(page)
    try:
        login(page, f"{app_url}/outages", PLANNER, PASSWORD, DONE)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.get_by_text("Reliability indices").count() == 1

        # the SAIDI of every district is exactly reliability.indices(...) in the planner's
        # scope (default year: the latest)
        spans = page.locator('span.gcrm-rel[data-by="district"][data-index="saidi"]')
        shown = {spans.nth(i).get_attribute("data-group"):
                 float(spans.nth(i).get_attribute("data-value")) for i in range(spans.count())}
        assert shown == saidi
        assert DISTRICT in shown and shown[DISTRICT] > 0

        # the daily SAIDI chart and the map render
        chart = page.locator('[data-testid="stVegaLiteChart"]').first
        chart.wait_for(state="visible", timeout=30_000)
        assert chart.locator("canvas, svg").count() >= 1
        deck = page.locator('[data-testid="stDeckGlJsonChart"]').first
        deck.scroll_into_view_if_needed()
        deck.wait_for(state="visible", timeout=30_000)
        for _ in range(60):
            if _drawn(deck):
                break
            page.wait_for_timeout(500)
        deck.screenshot(path=str(artifact("outages_map.png")))
        assert _drawn(deck), "the map looks blank"

        # pick one feeder in the notice form
        box = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Feeders")
        box.scroll_into_view_if_needed()
        box.locator("input").click()
        page.keyboard.type(feeder)
        page.get_by_role("option", name=label, exact=True).click()
        page.keyboard.press("Escape")
        wait_for_app(page, DONE)
        assert box.get_by_text(label).count() == 1
        before = len(_notice_audits(demo_db))

        # download the notice CSV for one feeder: the same customers as outages.notice_list
        button = page.locator('[data-testid="stDownloadButton"]').filter(has_text="CSV")
        button.wait_for(state="visible", timeout=30_000)
        with page.expect_download() as dl:
            button.locator("button").click()
        text = Path(dl.value.path()).read_text(encoding="utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert [r["customer_id"] for r in rows] == ids
        assert {r["feeder_id"] for r in rows} == {feeder}
        assert "phone" in rows[0] and "window_start" in rows[0]
        # a planner may not read PII: contact fields are masked
        assert all("*" in r["phone"] for r in rows if r["phone"])

        # the download is recorded in the audit log (feeders, window, rows)
        deadline = time.monotonic() + 15
        while len(_notice_audits(demo_db)) == before and time.monotonic() < deadline:
            page.wait_for_timeout(300)
        entry = _notice_audits(demo_db)[-1]
        detail = json.loads(entry["detail"])
        assert entry["target"] == feeder and entry["user"] == PLANNER
        assert detail["feeders"] == [feeder] and detail["rows"] == len(ids)
        assert detail["window_start"] < detail["window_end"]

        wait_for_app(page, DONE)
        page.screenshot(path=str(artifact("outages_notice.png")))
        # the whole page: Streamlit scrolls inside the app, so grow the viewport instead
        page.set_viewport_size({"width": 1400, "height": 3400})
        page.wait_for_timeout(1500)
        page.screenshot(path=str(artifact("outages.png")), full_page=True)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert external == [], "the page must work offline"
    finally:
        ctx.close()
