"""Overview page speed in headless Chromium: first render and drill steps on the 1M warehouse.

    python -m bench page_render [--db PATH] [--repeat 3]

Runs the real dashboard (``dashboards/app.py``) twice on the benchmark warehouse (default: the
one ``python -m bench etl_load --keep`` leaves, 1M customers x 36 months): once as shipped
(simplified boundaries, ``GCRM_MAP_GEOMETRY=simplified``) and once with the full-resolution
boundaries (``full``) as the peer. Each server is fresh, so the first sign-in is a cold start
(empty Streamlit caches); later sessions are warm.

Timed steps (wall clock in the browser, until the page's end marker is rendered, the script
has finished and the map canvas is present):

* first render, cold: sign-in submitted -> overview drawn (first session on a fresh server);
* first render, warm: the same in a new session (Streamlit's data cache is shared);
* drill city -> district: choosing a district -> its H3 cells drawn;
* drill district -> cell: choosing a cell -> its customers drawn as points;
* roll up to the city: breadcrumb -> districts drawn again.

Targets (issue #6): first render under 3 s, a drill step under 1 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

DEFAULT_DB = Path("/tmp/gcrm-bench/c1000000_m36/gcrm.duckdb")
USER, PASSWORD = "bench_pages", "Bench-Pages-2026!"
DONE = '.gcrm-page-done[data-page="home"][data-lang="en"]'
MAP = '[data-testid="stDeckGlJsonChart"] canvas'


def _drawn(page, url_test: str | None = None, timeout_s: float = 120) -> None:
    from tests.browser import wait_for_app

    if url_test:
        page.wait_for_function(url_test, timeout=timeout_s * 1000)
    wait_for_app(page, DONE, timeout_ms=int(timeout_s * 1000))
    page.wait_for_selector(MAP, state="attached", timeout=timeout_s * 1000)


def _sign_in(page, url: str) -> float:
    page.goto(url)
    page.wait_for_selector('.gcrm-page-done[data-page="login"]', state="attached",
                           timeout=120_000)
    form = page.locator('[data-testid="stForm"]')
    form.locator("input").nth(0).fill(USER)
    form.locator('input[type="password"]').fill(PASSWORD)
    t = time.perf_counter()
    form.locator('[data-testid="stFormSubmitButton"] button').click()
    _drawn(page)
    return time.perf_counter() - t


def _choose(page, label: str, option: str, url_test: str) -> float:
    """Pick ``option`` in the selectbox labelled ``label``; seconds until the page is drawn."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).last
    box.click()
    t = time.perf_counter()
    page.get_by_role("option", name=option, exact=True).click()
    _drawn(page, url_test)
    return time.perf_counter() - t


def _session(browser, url: str, district_name: str, cell: str) -> dict[str, float]:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1100}, locale="en-US")
    page = ctx.new_page()
    try:
        out = {"first render": _sign_in(page, url)}
        out["drill city -> district"] = _choose(
            page, "Drill into", district_name,
            "() => new URL(location.href).searchParams.get('d')")
        out["drill district -> cell"] = _choose(
            page, "Drill into", cell, "() => new URL(location.href).searchParams.get('g')")
        crumb = page.locator('[data-testid="stMain"] [data-testid="stButton"] button').first
        t = time.perf_counter()
        crumb.click()
        _drawn(page, "() => !new URL(location.href).searchParams.get('d')")
        out["roll up to the city"] = time.perf_counter() - t
        return out
    finally:
        ctx.close()


def _targets(db: Path) -> tuple[str, str, str]:
    """The district with most customers, its busiest cell, and the district's name."""
    from gcrm import warehouse

    con = warehouse.connect(db, read_only=True)
    try:
        district, name = con.execute(
            "SELECT c.district_id, r.name FROM dim_customer c JOIN dim_region r "
            "ON r.region_id = c.district_id GROUP BY ALL ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
        cell = con.execute(
            "SELECT grid_id FROM dim_customer WHERE district_id = ? AND grid_id IS NOT NULL "
            "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1", [district]).fetchone()[0]
    finally:
        con.close()
    return district, name, cell


def _payload(db: Path) -> dict[str, int]:
    """Bytes of the district boundaries sent to the browser, simplified vs full."""
    from gcrm import regions, warehouse

    con = warehouse.connect(db, read_only=True)
    try:
        return {kind: len(json.dumps(regions.regions_geojson(con, "district",
                                                             simplified=kind == "simplified")))
                for kind in ("simplified", "full")}
    finally:
        con.close()


def run(db: Path, repeat: int, geometry: str, district: str, name: str,
        cell: str) -> dict[str, list[float]]:
    from tests.browser import chromium, streamlit_app

    times: dict[str, list[float]] = {}
    with streamlit_app(db, timeout=180, env={"GCRM_MAP_GEOMETRY": geometry}) as url, \
            chromium() as browser:
        for i in range(repeat + 1):  # session 0 is the cold start
            got = _session(browser, url, name, cell)
            for step, secs in got.items():
                times.setdefault(f"{step}, cold" if i == 0 else step, []).append(secs)
            print(f"  [{geometry}] session {i}: "
                  + ", ".join(f"{k} {v:.2f} s" for k, v in got.items()), flush=True)
    return times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench page_render")
    ap.add_argument("--db", type=Path, default=DEFAULT_DB)
    ap.add_argument("--repeat", type=int, default=3, help="warm sessions per server")
    args = ap.parse_args(argv)
    if not args.db.exists():
        print(f"no benchmark warehouse at {args.db}: run `python -m bench etl_load --keep` "
              "first (or pass --db)", file=sys.stderr)
        return 2
    from tests.browser import add_account

    add_account(args.db, USER, "admin", PASSWORD)
    district, name, cell = _targets(args.db)
    print(f"warehouse {args.db}; drill into {district} {name}, then cell {cell}", flush=True)
    ours = run(args.db, args.repeat, "simplified", district, name, cell)
    peer = run(args.db, args.repeat, "full", district, name, cell)

    print(f"\n{'step':34} {'simplified s':>13} {'full s':>9} {'full/simpl.':>12}")
    for step in ours:
        a, b = statistics.median(ours[step]), statistics.median(peer.get(step, [float("nan")]))
        print(f"{step:34} {a:13.2f} {b:9.2f} {b / a:11.2f}x")
    sizes = _payload(args.db)
    print(f"{'district boundaries (bytes)':34} {sizes['simplified']:13,} {sizes['full']:9,} "
          f"{sizes['full'] / sizes['simplified']:11.2f}x")
    warm = statistics.median(ours["first render"])
    cold = ours["first render, cold"][0]
    drills = [statistics.median(v) for k, v in ours.items()
              if not k.startswith("first") and not k.endswith("cold")]
    print(f"\ntargets: first render < 3 s (warm {warm:.2f} s, cold {cold:.2f} s); "
          f"drill step < 1 s (worst warm median {max(drills):.2f} s)")
    return 0
