"""The Customers page in a real browser: search by phone, the card, record a visit; the Risk
tab's top row; a merge made in the UI shows the merged customer's record on the survivor.

The card's exact consumption total is read from the hidden ``span.gcrm-card[data-field=kwh]``
and compared with ``gcrm.cube.query`` on the same warehouse. The recorded visit must appear in
the service timeline (an ``st.table``, so its text is in the DOM) and in the store. The Risk
tab's first row (hidden ``span.gcrm-card[data-field=risk_top]`` and the "Act on first" list)
must be :func:`gcrm.customers.queries.ranked`'s first row for the same user.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from gcrm import cube
from gcrm.storage import warehouse
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
            "AND phone IS NOT NULL AND lon IS NOT NULL AND customer_key IN "
            "(SELECT customer_key FROM fact_consumption) ORDER BY customer_id LIMIT 1").fetchone()
        kwh = float(cube.query(con, ["kwh"], where={"customer": [cid]})["kwh"].iloc[0])
    finally:
        con.close()
    return {"id": cid, "phone": phone, "kwh": kwh}


AGENT, AGENT_PW = "cust_agent", "Agent-pass-2026"


@pytest.fixture(scope="module")
def store_file(demo_db: Path) -> Path:
    """The warehouse's operational store: accounts, records and audit entries."""
    from gcrm.storage.store import store_path

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


def test_risk_tab_and_a_merge_made_in_the_ui(app_url: str, demo_db: Path,
                                             store_file: Path) -> None:
    from gcrm.customers import merge, records
    from gcrm.customers import queries as crm_risk
    from gcrm.customers.queries import customer_exists
    from gcrm.storage.store import connect_store

    scope = ("220502",)
    con = warehouse.connect(demo_db, read_only=True)
    ops = connect_store(demo_db)
    try:
        survivor, merged = [r[0] for r in con.execute(
            "SELECT customer_id FROM dim_customer WHERE district_id = '220502' "
            "ORDER BY customer_id DESC LIMIT 2").fetchall()]
        note = f"before the merge {uuid.uuid4().hex[:8]}"
        records.create(ops, records.NewRecord(merged, "visit",
                                              datetime.now() - timedelta(hours=1), note=note),
                       AGENT, lambda cid: customer_exists(con, cid, scope))
        want = crm_risk.ranked(con, ops, scope, by="arrears", limit=1,
                               as_of=pd.Timestamp(date.today()))
    finally:
        con.close()
        ops.close()
    top_id = want.loc[0, "customer_id"]

    with chromium() as browser:
        ctx = browser.new_context(viewport={"width": 1400, "height": 1300}, locale="en-US")
        page = ctx.new_page()
        tb.login(page, f"{app_url}/customers", AGENT, AGENT_PW, done=DONE)
        main = page.locator('[data-testid="stMain"]')

        # Risk: the first row is the API's first row
        page.get_by_role("tab", name="Risk").click()
        span = page.locator('span.gcrm-card[data-field="risk_top"]')
        span.wait_for(state="attached", timeout=60_000)
        wait_for_app(page, DONE)
        assert span.get_attribute("data-value") == repr(top_id)
        first = main.locator("li").filter(has_text="Arrears risk").first
        assert first.inner_text().startswith(f"1. {want.loc[0, 'name']}")
        assert top_id in first.inner_text() and want.loc[0, "arrears_why"] in first.inner_text()
        page.screenshot(path=str(artifact("customers_risk.png")), full_page=True)

        # Duplicates: merge ``merged`` into ``survivor``
        page.get_by_role("tab", name="Duplicates").click()
        page.get_by_label("Surviving customer id").wait_for(timeout=60_000)
        wait_for_app(page, DONE)
        page.get_by_label("Surviving customer id").fill(survivor)
        page.get_by_label("Customer id to merge into it").fill(merged)
        page.get_by_label("Reason", exact=True).fill("browser test: same premises")
        page.get_by_role("button", name="Merge", exact=True).click()
        main.get_by_text(f"→ {survivor}; records moved: 1.").wait_for(timeout=60_000)
        wait_for_app(page, DONE)
        page.screenshot(path=str(artifact("customers_merge.png")), full_page=True)

        # the survivor's card shows the merged customer's record, marked as such
        page.get_by_role("tab", name="Search and card").click()
        box = page.get_by_label("Search customers")
        box.wait_for(timeout=60_000)
        box.fill(survivor)
        box.press("Enter")
        page.locator(f'span.gcrm-card[data-field="customer_id"][data-value="{survivor!r}"]'
                     ).wait_for(state="attached", timeout=60_000)
        wait_for_app(page, DONE)
        timeline = main.locator('[data-testid="stTable"]', has_text=note)
        assert timeline.count() == 1, "the merged record is not in the survivor's timeline"
        row = timeline.locator("tr", has_text=note)
        assert merged in row.inner_text()  # the "Merged from" column
        assert main.get_by_text(f"Merged into this customer: {merged}").count() == 1
        page.screenshot(path=str(artifact("customers_merged_card.png")), full_page=True)
        assert page.locator('[data-testid="stException"]').count() == 0
        ctx.close()

    ops = connect_store(demo_db)
    try:
        row = ops.execute("SELECT merge_id, merged_by FROM crm_merges WHERE survivor_id = ? "
                          "AND merged_id = ? AND undone_at IS NULL", (survivor, merged)
                          ).fetchone()
        assert row is not None and row["merged_by"] == AGENT
        assert ops.execute("SELECT count(*) FROM audit_log WHERE action = 'crm.merge' AND "
                           "target = ?", (survivor,)).fetchone()[0] == 1
        con = warehouse.connect(demo_db, read_only=True)
        try:  # leave the shared demo store as it was
            merge.unmerge(con, ops, row["merge_id"], user=AGENT, reason="end of the test")
        finally:
            con.close()
    finally:
        ops.close()
