"""The Key accounts page in a real browser: reassign a customer, find it in the manager's
portfolio and the handover on its customer card; the alerts and groups tabs agree with
:mod:`gcrm.accounts.queries`; the day's visits include the customer assigned; a triangle drawn
on the Assign tab's map around some customers assigns them (their handovers recorded).

One server and one signed-in page for the module (signing in renders the whole page).
Exact values are read from hidden ``span.gcrm-acct`` / ``span.gcrm-card`` elements.
"""

from __future__ import annotations

import ast
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from gcrm.accounts import queries as Q
from gcrm.storage import warehouse
from gcrm.storage.store import connect_store
from tests import browser as tb

pytestmark = pytest.mark.browser

DONE = '.gcrm-page-done[data-page="accounts"][data-lang="en"]'
CARD_DONE = '.gcrm-page-done[data-page="customers"][data-lang="en"]'
#: a regional manager of the demo's central district: may assign, sees data masked
BOSS, PASSWORD, DISTRICT = "ka_boss", "Key-Account-Otter-2026!", "220502"


@pytest.fixture(scope="module")
def big_customer(demo_db: Path) -> str:
    con = warehouse.connect(demo_db, read_only=True)
    try:
        return con.execute("SELECT customer_id FROM dim_customer WHERE big_customer AND "
                           "district_id = ? ORDER BY customer_id LIMIT 1",
                           [DISTRICT]).fetchone()[0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def signed_in(browser, demo_db: Path) -> Iterator[tuple]:
    tb.add_account(demo_db, BOSS, "regional_manager", PASSWORD, regions=(DISTRICT,))
    with tb.streamlit_app(demo_db) as url:
        ctx = browser.new_context(viewport={"width": 1400, "height": 1400}, locale="en-US")
        page = ctx.new_page()
        try:
            tb.login(page, f"{url}/accounts", BOSS, PASSWORD, DONE)
            yield page, url
        finally:
            ctx.close()


def _acct(page, field: str) -> float:
    return float(page.locator(f'span.gcrm-acct[data-field="{field}"]').first
                 .get_attribute("data-value"))


def test_reassign_then_the_handover_is_on_the_card(signed_in, demo_db: Path,
                                                   big_customer: str) -> None:
    page, url = signed_in
    main = page.locator('[data-testid="stMain"]')
    reason = f"browser test {uuid.uuid4().hex[:8]}"
    page.get_by_role("tab", name="Assign").click()
    form = page.locator('[data-testid="stForm"]', has_text="New manager")
    form.get_by_label("Customer ids").fill(big_customer)
    form.get_by_label("New manager").click()
    page.get_by_role("option", name=BOSS).click()
    form.get_by_label("Reason").fill(reason)
    form.get_by_role("button", name="Assign").click()
    main.get_by_text("1 handover recorded.").wait_for(timeout=60_000)
    store = connect_store(demo_db)
    try:
        assert store.execute("SELECT manager FROM acct_portfolio WHERE customer_id = ?",
                             (big_customer,)).fetchone()[0] == BOSS
    finally:
        store.close()

    page.get_by_role("tab", name="My portfolio").click()
    tb.wait_for_app(page, DONE)
    assert _acct(page, "portfolio_size") >= 1
    assert main.get_by_text(big_customer).count() >= 1 or page.locator(
        '[data-testid="stDataFrame"]').count() >= 1

    page.goto(f"{url}/customers")
    tb.wait_for_app(page, CARD_DONE)
    page.get_by_label("Search customers").fill(big_customer)
    page.keyboard.press("Enter")
    page.locator(f'span.gcrm-card[data-field="manager"][data-value="{BOSS!r}"]').wait_for(
        state="attached", timeout=60_000)
    handovers = main.locator('[data-testid="stTable"]', has_text=reason)
    handovers.wait_for(timeout=30_000)
    assert BOSS in handovers.inner_text()
    assert page.locator('[data-testid="stException"]').count() == 0


def test_alerts_groups_and_visits(signed_in, demo_db: Path, big_customer: str) -> None:
    page, url = signed_in
    page.goto(f"{url}/accounts")
    tb.wait_for_app(page, DONE)
    page.get_by_role("tab", name="Alerts").click()
    page.locator('span.gcrm-acct[data-field="alerts"]').wait_for(state="attached",
                                                                 timeout=60_000)
    con = warehouse.connect(demo_db, read_only=True)
    store = connect_store(demo_db)
    try:
        viewer = Q.Viewer(BOSS, (DISTRICT,), show_pii=False)
        expected = Q.alerts(con, store, viewer, Q.latest_month(con))
        groups = Q.groups_list(con, store, viewer)
        first = None if groups.empty else Q.group_view(con, store, viewer,
                                                       groups["group_id"].iloc[0])
    finally:
        store.close()
        con.close()
    assert _acct(page, "alerts") == len(expected)
    page.get_by_role("tab", name="Customer groups").click()
    if first is None:
        page.get_by_text("No customer group").wait_for(timeout=30_000)
    else:
        page.locator('span.gcrm-acct[data-field="group_kwh"]').wait_for(state="attached",
                                                                        timeout=60_000)
        total = first[first["customer_id"] == "TOTAL"]["kwh"].iloc[0]
        assert _acct(page, "group_kwh") == pytest.approx(total)
    # the day's visits: the customer assigned in the first test is in the portfolio
    page.get_by_role("tab", name="Visits").click()
    page.get_by_role("button", name="Plan the day").click()
    route = page.locator('span.gcrm-acct[data-field="route"]')
    route.wait_for(state="attached", timeout=60_000)
    assert big_customer in route.get_attribute("data-value")
    page.get_by_role("tab", name="Service evaluation").click()
    page.get_by_text("No opinion recorded yet.").wait_for(timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0


#: the big customer's circle nearest the map's centre, in page pixels
_CENTRE_CIRCLE = """(svg) => {
  const b = svg.getBoundingClientRect(), mx = b.x + b.width / 2, my = b.y + b.height / 2;
  let best = null, dist = Infinity;
  svg.querySelectorAll('g[data-layer="big"] circle').forEach((c) => {
    const r = c.getBoundingClientRect(), x = r.x + r.width / 2, y = r.y + r.height / 2;
    const d = Math.hypot(x - mx, y - my);
    if (d < dist) { dist = d; best = [x, y]; }
  });
  return best;
}"""


def test_draw_a_triangle_and_assign_the_customers_inside(signed_in, demo_db: Path) -> None:
    page, url = signed_in
    main = page.locator('[data-testid="stMain"]')
    page.goto(f"{url}/accounts")
    tb.wait_for_app(page, DONE)
    page.get_by_role("tab", name="Assign").click()
    svg = main.locator(".gcrm-svgmap svg").first
    svg.locator('g[data-layer="big"] circle').first.wait_for(timeout=60_000)
    cx, cy = svg.evaluate(_CENTRE_CIRCLE)
    draw = page.get_by_role("button", name="Draw an area")
    draw.click()
    page.mouse.click(cx - 80, cy)
    page.mouse.click(cx + 80, cy)
    assert svg.locator("g.draw circle").count() == 2
    page.keyboard.press("Escape")  # cancels: nothing drawn, draw mode off
    assert svg.locator("g.draw circle").count() == 0
    assert draw.get_attribute("aria-pressed") == "false"
    draw.click()
    corners = [(cx - 45, cy + 35), (cx + 45, cy + 35), (cx, cy - 50)]
    for x, y in corners:
        page.mouse.click(x, y)
    assert svg.locator("g.draw circle").count() == 3  # the polygon drawn as it goes
    page.mouse.click(*corners[0])  # the first corner closes it
    inside = page.locator('span.gcrm-acct[data-field="area_customers"]')
    inside.wait_for(state="attached", timeout=60_000)
    ids = ast.literal_eval(inside.get_attribute("data-value"))
    big = ast.literal_eval(page.locator('span.gcrm-acct[data-field="area_big"]')
                           .get_attribute("data-value"))
    assert big and set(big) <= set(ids)
    assert svg.locator('g[data-layer="area"] path').count() == 1  # the area shown
    store = connect_store(demo_db)
    try:
        already = {r[0] for r in store.execute(
            "SELECT customer_id FROM acct_portfolio WHERE manager = ?", (BOSS,))}
    finally:
        store.close()
    reason = f"drawn area {uuid.uuid4().hex[:8]}"
    form = page.locator('[data-testid="stForm"]', has_text="New manager")
    form.get_by_label("New manager").click()
    page.get_by_role("option", name=BOSS).click()
    form.get_by_text("In the area: big customers only").click()  # everyone in the area
    form.get_by_label("Reason").fill(reason)
    form.get_by_role("button", name="Assign").click()
    new = sorted(set(ids) - already)
    word = "handover" if len(new) == 1 else "handovers"
    main.get_by_text(f"{len(new)} {word} recorded.").wait_for(timeout=60_000)
    store = connect_store(demo_db)
    try:
        handed = sorted(r[0] for r in store.execute(
            "SELECT customer_id FROM acct_handovers WHERE reason = ? AND to_manager = ?",
            (reason, BOSS)))
        owners = {r[0] for r in store.execute(
            "SELECT DISTINCT manager FROM acct_portfolio WHERE customer_id IN "
            f"({','.join('?' * len(ids))})", ids)}
    finally:
        store.close()
    assert handed == new and len(new) >= 1
    assert owners == {BOSS}
    # the assigned area is cleared (the rerun may still show the stale element for a moment:
    # Streamlit replaces a run's elements as the run reaches them)
    page.locator('span.gcrm-acct[data-field="area_customers"]').wait_for(state="detached",
                                                                           timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
