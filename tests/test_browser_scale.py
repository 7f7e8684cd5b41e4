"""The overview in a real browser on a Parquet store built by Spark (docs/scale.md).

The demo input of the engine-equivalence suite (with a row for every rule) is loaded by Spark
into a Parquet store (``engines``, :mod:`tests.sparkstore`); the app serves the warehouse of
views over the store, and its KPI tiles equal the DuckDB load of the same input. (The demo, not
examples/minimal: the revenue-protection and key-account files are in it.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gcrm import cube
from gcrm.storage import warehouse
from tests.browser import add_account, login, read_kpis, streamlit_app

pytestmark = [pytest.mark.browser, pytest.mark.spark]

ADMIN, PASSWORD = "scale_admin", "Scale-Admin-2026!"
DONE = '.gcrm-page-done[data-page="home"][data-lang="en"]'


@pytest.fixture(scope="module")
def spark_db(engines) -> Path:
    """The session's Spark-built store (:mod:`tests.sparkstore`), attached as a warehouse."""
    _, _, store = engines
    return store.parent / "spark.duckdb"


def test_overview_on_a_spark_built_store(spark_db: Path, browser) -> None:
    add_account(spark_db, ADMIN, "admin", PASSWORD)
    ctx = browser.new_context(viewport={"width": 1400, "height": 1200}, locale="en-US")
    page = ctx.new_page()
    try:
        with streamlit_app(spark_db) as url:
            login(page, url, ADMIN, PASSWORD, DONE)
            shown = read_kpis(page)
            assert page.locator(".gcrm-svgmap svg path").count() > 0  # the boundaries drawn
            # the revenue-protection and key-account inputs are on the Spark store too
            for name in ("revenue", "accounts"):
                page.goto(f"{url}/{name}")
                page.wait_for_selector(f'.gcrm-page-done[data-page="{name}"]',
                                       state="attached", timeout=120_000)
                assert page.locator('[data-testid="stException"]').count() == 0
                if name == "revenue":  # not the "no supply data loaded" stop
                    assert read_kpis(page)["supplied"] > 0
    finally:
        ctx.close()
    con = warehouse.connect(spark_db.with_name("duck.duckdb"), read_only=True)
    try:
        months = cube.month_range(con, 12)
        expected = cube.query(con, list(shown), months=months).iloc[0].to_dict()
    finally:
        con.close()
    assert shown and shown == pytest.approx(expected, rel=1e-9, nan_ok=True)
