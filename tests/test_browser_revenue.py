"""The revenue-protection page in a real browser: open a high-loss 台区 from a link, check its
loss against :func:`gcrm.revenue.queries.losses`, and create an inspection order from one of
its suspects, then assign it to an inspector and see the day's route (the order is in the
store, audited). A second test: an analyst (aggregates
only) sees the map and the worst areas but no suspects.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gcrm.revenue import queries
from gcrm.storage import warehouse
from gcrm.storage.store import connect_store
from tests.browser import (
    add_account,
    artifact,
    audit_entries,
    login,
    read_kpis,
    streamlit_app,
)

pytestmark = pytest.mark.browser

DONE = '.gcrm-page-done[data-page="revenue"][data-lang="en"]'
AGENT, ANALYST, PASSWORD, DISTRICT = "rev_agent", "rev_analyst", "Meter-Heron-2026!", "220502"


@pytest.fixture(scope="module")
def app_url(demo_db: Path) -> Iterator[str]:
    add_account(demo_db, AGENT, "service_agent", PASSWORD, regions=(DISTRICT,))
    add_account(demo_db, ANALYST, "analyst", PASSWORD)
    with streamlit_app(demo_db) as url:
        yield url


def _high_area_with_suspect(db: Path) -> tuple[str, float, str]:
    """(a high-loss 台区 of the latest month in the district, its loss kWh, a suspect)."""
    with warehouse.connect(db, read_only=True) as con:
        last = queries.months(con)[-1]
        areas = queries.losses(con, "transformer", last, last, scope=[DISTRICT])
        sus = queries.suspects(con, last, limit=500, scope=[DISTRICT])
    high = areas[areas["status"] == "high"]
    both = high[high["transformer"].isin(sus["transformer_id"])]
    assert len(both), "the demo should hold a high-loss 台区 with a suspect"
    row = both.iloc[0]
    first = sus[sus["transformer_id"] == row["transformer"]].iloc[0]
    return row["transformer"], float(row["loss_kwh"]), first["customer_id"]


def test_open_high_loss_area_and_create_an_order(browser, app_url: str,
                                                 demo_db: Path) -> None:
    area, loss, customer = _high_area_with_suspect(demo_db)
    ctx = browser.new_context(viewport={"width": 1400, "height": 1400}, locale="en-US")
    page = ctx.new_page()
    try:
        login(page, f"{app_url}/revenue?rev_t={area}", AGENT, PASSWORD, DONE)
        assert page.locator('[data-testid="stException"]').count() == 0
        page.wait_for_selector(f'.gcrm-rev-area[data-area="{area}"][data-status="high"]',
                               state="attached")
        assert read_kpis(page)["loss"] == pytest.approx(loss, abs=0.5)
        assert page.locator("svg path").count() > 10  # the 台区 cells are drawn
        assert page.get_by_text(customer).count() >= 1
        page.get_by_role("button", name="Create inspection order").first.click()
        marker = page.wait_for_selector(".gcrm-rev-order", state="attached", timeout=30_000)
        order = int(marker.get_attribute("data-order"))
        assert marker.get_attribute("data-customer") == customer
        # assign it (the newest order is the form's first) and see the day's route
        form = page.locator('[data-testid="stForm"]').filter(has_text="Inspector").first
        form.get_by_label("Inspector").fill("张三")
        form.get_by_role("button", name="Assign").click()
        try:
            page.get_by_text("A day's route").wait_for(timeout=30_000)
        except Exception:
            page.screenshot(path=str(artifact("revenue_route.png")), full_page=True)
            raise
        page.wait_for_selector(DONE, state="attached")
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        ctx.close()
    store = connect_store(demo_db)
    try:
        row = store.execute("SELECT customer_id, created_by, status, transformer_id FROM "
                            "inspection_orders WHERE order_id = ?", (order,)).fetchone()
    finally:
        store.close()
    assert tuple(row) == (customer, AGENT, "assigned", area)
    assert any(e["target"] == customer for e in audit_entries(demo_db, "inspection.create"))
    assert any(e["target"] == customer for e in audit_entries(demo_db, "inspection.assign"))


def test_analyst_sees_aggregates_only(browser, app_url: str) -> None:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1200}, locale="en-US")
    page = ctx.new_page()
    try:
        login(page, f"{app_url}/revenue", ANALYST, PASSWORD, DONE)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.get_by_text("Areas losing the most").count() == 1
        assert page.get_by_text("Your role sees aggregates only").count() == 1
        assert page.get_by_role("button", name="Create inspection order").count() == 0
    finally:
        ctx.close()
