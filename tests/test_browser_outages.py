"""The outage page in a real browser: index numbers, chart, map, planned-outage notice export.

The index table's exact values are read from hidden ``span.gcrm-rel[data-value]`` elements
(``repr(float)``, see dashboards/outages/views.py) and compared with
:func:`gcrm.outages.queries.indices` on the same warehouse; the notice CSV downloaded through
the page is compared with :func:`gcrm.outages.queries.notice_list`, and its audit entry is checked.

The second test clicks into the SVG maps (:mod:`dashboards.components.svgmap`) at a point
where the district's or H3 cell's own shape is the topmost element
(:func:`tests.browser.point_inside`: not an event dot or a feeder line above it), so a click
lands on the district or cell meant. It drills into the planner's district (cell values from
hidden ``span.gcrm-cell`` = ``indices(by="h3")``), goes
back up with the breadcrumb, opens one event (``span.gcrm-event-class`` =
``outages.affected_by_class``), picks a cell for a notice, and uploads GeoJSON areas: a broken
one (a message, no download, no audit entry) and a GCJ-02 one (converted; the CSV is
``outages.notice_list_area`` and the audit entry describes the area).

Both tests use one signed-in page (fixture ``planner``): signing in renders the whole page,
the slowest step. The map, the event view and the notice are fragments, so the clicks of the
second test rerun only their part of the page.
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

from gcrm.outages import queries as outages
from gcrm.outages import queries as reliability
from gcrm.spatial import crs
from gcrm.storage import warehouse
from tests.browser import (
    add_account,
    artifact,
    audit_entries,
    login,
    point_inside,
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


@pytest.fixture(scope="module")
def planner(browser, app_url: str) -> Iterator[tuple]:
    """One signed-in browser page for the module's tests, which run in order on it (signing
    in renders the whole page, the slowest step): (page, external requests seen)."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1300}, locale="en-US",
                              accept_downloads=True)
    page = ctx.new_page()
    external = track_external(page)
    try:
        login(page, f"{app_url}/outages", PLANNER, PASSWORD, DONE)
        yield page, external
    finally:
        ctx.close()


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


def _cluster_spans(page) -> dict[str, tuple[str, int, int]]:
    """substation -> (district, events, customers affected) of the map's event clusters."""
    spans = page.locator("span.gcrm-cluster")
    return {spans.nth(i).get_attribute("data-substation"): (
        spans.nth(i).get_attribute("data-district"),
        int(spans.nth(i).get_attribute("data-events")),
        int(spans.nth(i).get_attribute("data-customers"))) for i in range(spans.count())}


def _expected_clusters(db: Path) -> dict[str, tuple[str, int, int]]:
    """The planner's events of the latest year at located substations, counted per substation
    straight from :func:`gcrm.outages.queries.events` (known answer of the clusters)."""
    con = warehouse.connect(db, read_only=True)
    try:
        evs = outages.events(con, max(reliability.years(con)), scope=[DISTRICT])
        fd = outages.feeders(con, scope=[DISTRICT])
    finally:
        con.close()
    located = set(fd.loc[fd["lon"].notna() & fd["lat"].notna(), "feeder_id"])
    out: dict[str, tuple[str, int, int]] = {}
    for r in evs.to_dict("records"):
        if r["feeder_id"] in located:
            sub = str(r["substation_id"] or r["feeder_id"])
            _, n, c = out.get(sub, (DISTRICT, 0, 0))
            out[sub] = (DISTRICT, n + 1, c + int(r["customers_affected"]))
    assert sum(n for _, n, _ in out.values()) > 0
    return out


def _check_cemi_csv(page, db: Path) -> None:
    """The CEMI-3 CSV is :func:`gcrm.outages.queries.most_interrupted` (all of them, phone
    masked for the planner), and its download is audited."""
    con = warehouse.connect(db, read_only=True)
    try:
        expected = outages.most_interrupted(con, max(reliability.years(con)), 3,
                                            scope=[DISTRICT])["customer_id"].tolist()
    finally:
        con.close()
    assert expected
    before = len(audit_entries(db, "export"))
    button = page.locator('[data-testid="stDownloadButton"]').filter(
        has_text=f"All {len(expected):,} customers (CSV)")
    button.scroll_into_view_if_needed()
    with page.expect_download() as dl:
        button.locator("button").click()
    rows = list(csv.DictReader(io.StringIO(
        Path(dl.value.path()).read_text(encoding="utf-8-sig"))))
    assert [r["customer_id"] for r in rows] == expected
    assert all("*" in r["phone"] for r in rows if r["phone"])
    deadline = time.monotonic() + 15
    while len(audit_entries(db, "export")) == before and time.monotonic() < deadline:
        page.wait_for_timeout(300)
    entry = audit_entries(db, "export")[-1]
    assert entry["target"] == "outages.cemi" and entry["user"] == PLANNER
    assert json.loads(entry["detail"])["rows"] == len(expected)
    wait_for_app(page, DONE)


def _event_class_rows(page, oid: str) -> list[dict]:
    spans = page.locator(f'span.gcrm-event-class[data-outage="{oid}"]')
    return [{"customer_class": spans.nth(i).get_attribute("data-class"),
             "customers": int(spans.nth(i).get_attribute("data-customers")),
             "big_customers": int(spans.nth(i).get_attribute("data-big")),
             "sensitive_customers": int(spans.nth(i).get_attribute("data-sensitive"))}
            for i in range(spans.count())]


def _open_by_id(page, oid: str, by_class) -> None:
    """Type an outage id into the event view's id box: that event opens."""
    box = page.locator('[data-testid="stTextInput"]').filter(has_text="or an outage id")
    box.locator("input").fill(oid)
    box.locator("input").press("Enter")
    page.wait_for_selector(f'span.gcrm-event-class[data-outage="{oid}"]',
                           state="attached", timeout=30_000)
    wait_for_app(page, DONE)
    assert _event_class_rows(page, oid) == by_class.to_dict("records")


def _notice_audits(db: Path) -> list[dict]:
    return audit_entries(db, "notice.prepare")


def _drawn(locator) -> bool:
    """The element shows a drawing: many colours, and no single colour covers 90 % of it."""
    from PIL import Image

    png = locator.screenshot()
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3)
    packed = pixels.astype(np.uint32) @ np.array([1 << 16, 1 << 8, 1], dtype=np.uint32)
    _, counts = np.unique(packed, return_counts=True)
    return len(counts) > 20 and counts.max() < 0.9 * len(pixels)


def test_outage_page(planner, demo_db: Path) -> None:
    _, saidi, label, ids = _expected(demo_db)
    feeder = label.split(" · ")[0]
    page, external = planner
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
    svg = _drawn_map(page, MAP)
    svg.screenshot(path=str(artifact("outages_map.png")))
    assert _drawn(svg), "the map looks blank"
    # the planner's district is on the map, clickable, with its name; the events in scope
    # are drawn as points that open them
    assert page.locator(f'{MAP} g.areas path.pick[data-id="{DISTRICT}"]').count() == 1
    assert page.locator(f"{MAP} g.labels text").count() >= 1
    # the city level shows the events clustered per substation (a drill shows the dots): one
    # circle per cluster, and the clusters' counts are exactly the located events in scope
    clusters = _cluster_spans(page)
    assert page.locator(f'{MAP} g[data-layer="event_clusters"] circle.pick').count() == len(
        clusters)
    assert page.locator(f'{MAP} g[data-layer="events"] circle').count() == 0
    assert clusters == _expected_clusters(demo_db)
    assert all(d == DISTRICT for d, _, _ in clusters.values())

    # the most-interrupted customers: the whole list as CSV (masked, audited), the grid shows
    # the first of them
    _check_cemi_csv(page, demo_db)

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
    button = page.locator('[data-testid="stDownloadButton"]').filter(has_text="Download CSV")
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


# ---------------------------------------------------------------- drill, event, area notice
MAP = '[class*="st-key-out_map_"] .gcrm-svgmap'
PICKER = '[class*="st-key-out_area_cells_"] .gcrm-svgmap'


def _drawn_map(page, container: str):
    """The SVG map in ``container``, scrolled into view, once it has drawn its shapes."""
    svg = page.locator(f"{container} svg").first
    svg.scroll_into_view_if_needed()
    svg.wait_for(state="visible", timeout=30_000)
    for _ in range(60):
        if _drawn(svg):
            break
        page.wait_for_timeout(500)
    return svg


def _click_shape(page, container: str, shape_selector: str) -> None:
    """Click where the shape is the topmost element of the map in ``container``, after the
    map has drawn (hover first, then click, as a user does)."""
    _drawn_map(page, container)
    found = point_inside(page, shape_selector)
    assert found is not None, f"{shape_selector} is not on the map"
    x, y = found[:2]
    page.mouse.move(x - 3, y - 3)
    page.wait_for_timeout(200)
    page.mouse.move(x, y)
    page.wait_for_timeout(300)
    page.mouse.click(x, y)


def _geojson_area(db: Path) -> bytes:
    """A box around the middle of the planner's customers, in GCJ-02 (as drawn on AMap)."""
    con = warehouse.connect(db, read_only=True)
    try:
        lon, lat = con.execute("SELECT median(lon), median(lat) FROM dim_customer "
                               "WHERE district_id = ?", [DISTRICT]).fetchone()
    finally:
        con.close()
    gx, gy = crs.wgs84_to_gcj02([lon - 0.03, lon + 0.03], [lat - 0.02, lat + 0.02])
    ring = [[gx[0], gy[0]], [gx[1], gy[0]], [gx[1], gy[1]], [gx[0], gy[1]], [gx[0], gy[0]]]
    return json.dumps({"type": "FeatureCollection",
                       "crs": {"type": "name", "properties": {"name": "GCJ-02"}},
                       "features": [{"type": "Feature", "properties": {},
                                     "geometry": {"type": "Polygon",
                                                  "coordinates": [[[float(x), float(y)]
                                                                   for x, y in ring]]}}]}
                      ).encode()


def test_drill_event_view_and_area_notice(planner, demo_db: Path) -> None:
    con = warehouse.connect(demo_db, read_only=True)
    try:
        year = max(reliability.years(con))
        cells_expected = reliability.indices(con, year, "h3", scope=[DISTRICT],
                                             within=DISTRICT)
        district_saidi = reliability.indices(con, year, "district", scope=[DISTRICT]).set_index(
            "district").loc[DISTRICT, "saidi"]
        evs = outages.events(con, year, scope=[DISTRICT])
        ranked = evs.sort_values(["customer_minutes", "outage_id"], ascending=[False, True])
        # an event other than the default (largest) one, with several classes affected
        classes = {o: len(outages.affected_by_class(con, o, scope=[DISTRICT]))
                   for o in ranked["outage_id"].iloc[1:12]}
        oid = max(classes, key=lambda o: (classes[o], o))
        by_class = outages.affected_by_class(con, oid, scope=[DISTRICT])
        hit = outages.affected_customers(con, oid, scope=[DISTRICT])
        flagged = hit[hit["big_customer"] | hit["sensitive"]]["customer_id"].tolist()
        last = ranked["outage_id"].iloc[-1]  # the smallest event: opened by its id
        last_by_class = outages.affected_by_class(con, last, scope=[DISTRICT])
        pick_cells = outages.customer_cells(con, scope=[DISTRICT])
        cell = pick_cells.sort_values(["customers", "cell"], ascending=False).iloc[0]["cell"]
        cell_rows = len(outages.notice_list_area(con, outages.area_from_cells([cell]),
                                                 scope=[DISTRICT]))
        area_file = _geojson_area(demo_db)
        area_ids = outages.notice_list_area(con, area_file, scope=[DISTRICT])[
            "customer_id"].tolist()
    finally:
        con.close()
    assert len(by_class) >= 2 and len(area_ids) > 0 and cell_rows > 0

    page, _ = planner  # signed in, as test_outage_page left it (or fresh)
    page.set_viewport_size({"width": 1400, "height": 1300})
    # click inside the district (where no event dot or feeder line lies above it): drill
    _click_shape(page, MAP, f'.gcrm-svgmap g.areas path.pick[data-id="{DISTRICT}"]')
    page.wait_for_selector(f'.gcrm-drill[data-district="{DISTRICT}"]', state="attached",
                           timeout=30_000)
    wait_for_app(page, DONE)
    assert "out_drill=" in page.url  # the drill is in the URL
    spans = page.locator('span.gcrm-cell[data-index="saidi"]')
    shown = {spans.nth(i).get_attribute("data-cell"):
             float(spans.nth(i).get_attribute("data-value")) for i in range(spans.count())}
    assert shown == dict(zip(cells_expected["h3"], cells_expected["saidi"], strict=True))
    w = cells_expected["customers_served"]
    assert float((cells_expected["saidi"] * w).sum() / w.sum()) == pytest.approx(
        district_saidi)
    page.locator(MAP).first.screenshot(path=str(artifact("outages_drill.png")))
    # in the district every event is a dot that opens it (no clusters): only its events
    here = {f"ev:{o}" for o, ds in zip(evs["outage_id"], evs["districts"].fillna(""),
                                       strict=True) if DISTRICT in ds.split(",")}
    dots = page.locator(f'{MAP} g[data-layer="events"] circle.pick')
    shown_dots = {dots.nth(i).get_attribute("data-id") for i in range(dots.count())}
    assert shown_dots and shown_dots <= here
    assert page.locator(f'{MAP} g[data-layer="event_clusters"] circle').count() == 0
    page.get_by_role("button", name="All districts").click()
    page.wait_for_selector(".gcrm-drill", state="detached", timeout=30_000)
    wait_for_app(page, DONE)

    # one event: affected customers by class are exactly outages.affected_by_class
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Event (largest first)")
    box.scroll_into_view_if_needed()
    box.click()
    page.keyboard.type(oid)
    page.get_by_role("option").filter(has_text=oid).first.click()
    page.wait_for_selector(f'span.gcrm-event-class[data-outage="{oid}"]',
                           state="attached", timeout=30_000)
    wait_for_app(page, DONE)
    spans = page.locator(f'span.gcrm-event-class[data-outage="{oid}"]')
    rows = [{"customer_class": spans.nth(i).get_attribute("data-class"),
             "customers": int(spans.nth(i).get_attribute("data-customers")),
             "big_customers": int(spans.nth(i).get_attribute("data-big")),
             "sensitive_customers": int(spans.nth(i).get_attribute("data-sensitive"))}
            for i in range(spans.count())]
    assert rows == by_class.to_dict("records")
    assert page.get_by_text("black dot: the feeder's substation").count() == 1  # its map
    # its big and sensitive customers: a plain table of exactly them (a short list)
    assert 0 < len(flagged) <= 40
    table = page.locator('[data-testid="stTable"]').filter(has_text=flagged[0])
    assert table.locator("tbody tr").count() == len(flagged)
    assert all(table.get_by_text(c, exact=True).count() == 1 for c in flagged)
    _open_by_id(page, last, last_by_class)
    # every event of the year in scope as CSV, largest first (the select lists the largest)
    button = page.locator('[data-testid="stDownloadButton"]').filter(
        has_text=f"All {len(ranked):,} events (CSV)")
    with page.expect_download() as dl:
        button.locator("button").click()
    got = list(csv.DictReader(io.StringIO(
        Path(dl.value.path()).read_text(encoding="utf-8-sig"))))
    assert [r["outage_id"] for r in got] == ranked["outage_id"].tolist()

    # a planned-outage notice for a cell picked on the map
    page.get_by_text("in cells picked on the map").click()
    wait_for_app(page, DONE)
    assert page.locator(f"{PICKER} g.areas path.pick").count() == len(pick_cells)
    _click_shape(page, PICKER, f'.gcrm-svgmap g.areas path.pick[data-id="{cell}"]')
    page.wait_for_selector(f'.gcrm-picked[data-cells="{cell}"]', state="attached",
                           timeout=30_000)
    wait_for_app(page, DONE)
    assert page.get_by_text(f"{cell_rows} customers to notify").count() == 1
    # the picked cell is outlined in orange on the picker
    assert page.locator(f'{PICKER} g[data-layer="picked"] path').count() == 1

    # a broken GeoJSON file: a clear message, nothing to download, nothing recorded
    before = len(_notice_audits(demo_db))
    page.get_by_text("in a GeoJSON area").click()
    wait_for_app(page, DONE)
    upload = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    upload.set_input_files(files=[{"name": "bad.geojson", "mimeType": "application/json",
                                   "buffer": b'{"type": "Feature", '}])
    page.get_by_text("The file is not valid JSON").wait_for(timeout=30_000)
    wait_for_app(page, DONE)
    # (the notice's downloads; the CEMI list's CSV above the notice stays)
    assert page.locator('[data-testid="stDownloadButton"]').filter(
        has_text="Download").count() == 0

    # a GCJ-02 polygon (declared in the file): converted, listed, exported, audited
    upload.set_input_files(files=[{"name": "area.geojson", "mimeType": "application/json",
                                   "buffer": area_file}])
    page.get_by_text("Converted from GCJ-02").wait_for(timeout=30_000)
    wait_for_app(page, DONE)
    assert len(_notice_audits(demo_db)) == before
    button = page.locator('[data-testid="stDownloadButton"]').filter(has_text="Download CSV")
    with page.expect_download() as dl:
        button.locator("button").click()
    text = Path(dl.value.path()).read_text(encoding="utf-8-sig")
    assert [r["customer_id"] for r in csv.DictReader(io.StringIO(text))] == area_ids
    deadline = time.monotonic() + 15
    while len(_notice_audits(demo_db)) == before and time.monotonic() < deadline:
        page.wait_for_timeout(300)
    entry = _notice_audits(demo_db)[-1]
    detail = json.loads(entry["detail"])
    assert entry["user"] == PLANNER and entry["target"].startswith("area: polygon")
    assert detail["area"]["kind"] == "polygon" and detail["area"]["datum"] == "gcj02"
    assert detail["rows"] == len(area_ids) and detail["format"] == "csv"
    wait_for_app(page, DONE)
    page.screenshot(path=str(artifact("outages_area_notice.png")))
    assert page.locator('[data-testid="stException"]').count() == 0
