"""The Customers page in a real browser: search by phone, the card, record a visit.

The card's exact consumption total is read from the hidden ``span.gcrm-card[data-field=kwh]``
and compared with ``gcrm.cube.query`` on the same warehouse. The recorded visit must appear in
the service timeline (an ``st.table``, so its text is in the DOM) and in the store.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from gcrm import cube, warehouse
from tests import browser as tb
from tests.browser import artifact, chromium, streamlit_app, wait_for_app

pytestmark = pytest.mark.browser

DONE = '.gcrm-page-done[data-page="customers"][data-lang="en"]'


@pytest.fixture(scope="module")
def customer(demo_db: Path) -> dict:
    """A located customer in district 220502 with consumption, and its cube kWh total."""
    con = warehouse.connect(demo_db, read_only=True)
    try:
        cid, phone = con.execute(
            "SELECT customer_id, phone FROM dim_customer WHERE district_id = '220502' "
            "AND phone IS NOT NULL AND lon IS NOT NULL AND customer_id IN "
            "(SELECT customer_id FROM fact_consumption) ORDER BY customer_id LIMIT 1").fetchone()
        kwh = float(cube.query(con, ["kwh"], where={"customer": [cid]})["kwh"].iloc[0])
    finally:
        con.close()
    return {"id": cid, "phone": phone, "kwh": kwh}


AGENT, AGENT_PW = "cust_agent", "Agent-pass-2026"


@pytest.fixture(scope="module")
def store_file(demo_db: Path) -> Path:
    """The warehouse's operational store: accounts, records and audit entries."""
    from gcrm.store import store_path

    tb.add_account(demo_db, AGENT, "service_agent", AGENT_PW, regions=("220502",))
    return store_path(demo_db)


@pytest.fixture(scope="module")
def app_url(demo_db: Path, store_file: Path) -> Iterator[str]:
    with streamlit_app(demo_db) as url:
        yield url


def test_search_card_and_record_a_visit(app_url: str, customer: dict, store_file: Path) -> None:
    with chromium() as browser:
        ctx = browser.new_context(viewport={"width": 1400, "height": 1300}, locale="en-US")
        page = ctx.new_page()
        external = tb.track_external(page)
        tb.login(page, f"{app_url}/customers", AGENT, AGENT_PW, done=DONE)
        main = page.locator('[data-testid="stMain"]')

        # empty search: the SearchError message, no card
        assert main.get_by_text("enter a customer id, name, phone").count() == 1

        box = page.get_by_label("Search customers")
        box.fill(customer["phone"])
        box.press("Enter")
        page.locator(f'span.gcrm-card[data-field="customer_id"]'
                     f'[data-value="{customer["id"]!r}"]').wait_for(state="attached",
                                                                    timeout=30_000)
        wait_for_app(page, DONE)
        kwh = float(page.locator('span.gcrm-card[data-field="kwh"]').get_attribute("data-value"))
        assert kwh == pytest.approx(customer["kwh"], rel=1e-9)
        assert page.locator('[data-testid="stDeckGlJsonChart"]').count() >= 2  # results + mini
        assert main.get_by_text("Monthly consumption: peak, flat, valley (kWh)").count() == 1
        page.screenshot(path=str(artifact("customers_card.png")))

        # record a visit; it shows up in the timeline
        note = f"browser test visit {uuid.uuid4().hex[:8]}"
        form = page.locator('[data-testid="stForm"]')
        form.get_by_label("Note").fill(note)
        form.get_by_role("button", name="Save record").click()
        page.get_by_text("saved.").first.wait_for(timeout=30_000)
        wait_for_app(page, DONE)
        timeline = main.locator('[data-testid="stTable"]', has_text=note)
        assert timeline.count() == 1, "the new visit is not in the timeline"
        assert "visit" in timeline.inner_text()

        page.screenshot(path=str(artifact("customers.png")), full_page=True)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert external == [], "the page must work offline"
        ctx.close()

    con = sqlite3.connect(store_file)
    try:
        rows = con.execute("SELECT customer_id, kind FROM crm_records WHERE note = ?",
                           (note,)).fetchall()
        views = con.execute("SELECT count(*) FROM audit_log WHERE action = 'card.view' "
                            "AND target = ?", (customer["id"],)).fetchone()[0]
    finally:
        con.close()
    assert [tuple(r) for r in rows] == [(customer["id"], "visit")]
    assert views >= 1
