"""The demand-side page in a real browser (issue #20): a planner limited to one district sees
the profiles map, the what-if totals of the first example scenario exactly as
:func:`gcrm.tariff.queries.simulate` computes them in that scope (hidden
``span.gcrm-kpi[data-value]``), a masked campaign list whose download is audited, and a
scenario edited into an invalid one is refused with a message naming the field.

Both tests share one signed-in page (signing in renders the whole page, the slowest step).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboards.tariff.data import scenarios
from gcrm.storage import warehouse
from gcrm.tariff import queries
from gcrm.tariff.scenario import parse
from tests.browser import (
    add_account,
    artifact,
    audit_entries,
    busiest_district,
    login,
    read_kpis,
    streamlit_app,
    track_external,
    wait_for_app,
)

pytestmark = pytest.mark.browser

DONE = '.gcrm-page-done[data-page="tariff"][data-lang="en"]'
PLANNER, PASSWORD = "tariff_planner", "Valley-Heron-2026!"


@pytest.fixture(scope="module")
def district(demo_db: Path) -> str:
    return busiest_district(demo_db)


@pytest.fixture(scope="module")
def planner(browser, demo_db: Path, district: str) -> Iterator[tuple]:
    add_account(demo_db, PLANNER, "planner", PASSWORD, regions=(district,))
    with streamlit_app(demo_db) as url:
        ctx = browser.new_context(viewport={"width": 1400, "height": 1300}, locale="en-US",
                                  accept_downloads=True)
        page = ctx.new_page()
        external = track_external(page)
        try:
            login(page, f"{url}/tariff", PLANNER, PASSWORD, DONE)
            yield page, external
        finally:
            ctx.close()


def _expected(db: Path, district: str):
    name, text = next(iter(scenarios(str(db)).items()))
    con = warehouse.connect(db, read_only=True)
    try:
        r = queries.simulate(con, parse(text), (), queries.period(con), [district],
                             min_cell=5)
    finally:
        con.close()
    return name, r.total.iloc[0]


def test_whatif_totals_and_audited_masked_targets(planner, demo_db: Path, district) -> None:
    page, external = planner
    assert page.locator('[data-testid="stException"]').count() == 0
    name, total = _expected(demo_db, district)
    assert page.get_by_text(f"What-if: {name}").count() == 1
    kpis = read_kpis(page)
    for k in ("revenue_change", "peak_change_kwh", "covered"):
        assert kpis[k] == pytest.approx(float(total[k]), rel=1e-9), k
    assert kpis["covered"] > 0
    page.locator(".gcrm-svgmap svg").first.wait_for(timeout=30_000)  # the SVG map
    assert page.locator(".gcrm-svgmap g.areas path").count() >= 1  # the planner's district
    targets = page.locator("div.gcrm-tf-targets")
    assert targets.get_attribute("data-kind") == "invite"
    assert page.get_by_text("Contact fields are masked for your role.").count() == 1
    with page.expect_download() as dl:
        page.locator(".st-key-tf_targets_csv button").click()
    text = Path(dl.value.path()).read_text(encoding="utf-8-sig")
    assert text.count("\n") == int(targets.get_attribute("data-rows")) + 1
    for _ in range(40):  # the click's callback records the download on the next run
        entries = audit_entries(demo_db, "export", "tariff.targets:invite")
        if entries:
            break
        page.wait_for_timeout(250)
    assert entries and entries[-1]["user"] == PLANNER and '"masked": true' in entries[-1][
        "detail"]
    page.screenshot(path=str(artifact("tariff_page.png")), full_page=True)
    shown = audit_entries(demo_db, "tariff.targets", name)  # the list shown, once
    assert len(shown) == 1 and shown[0]["user"] == PLANNER
    assert not external  # nothing fetched from outside this machine


def test_an_invalid_scenario_is_refused_naming_the_field(planner) -> None:
    page, _ = planner
    area = page.locator('[data-testid="stTextArea"] textarea').first
    area.fill('name = "broken"\n[[seasons]]\nmonths = [1]\npeak = 1\nflat = 1\nvalley = 1\n')
    area.press("Control+Enter")
    wait_for_app(page, DONE)
    page.get_by_text("in no season", exact=False).first.wait_for(timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text("What-if: broken").count() == 0
