"""The overview in a real browser on a Parquet store built by Spark (docs/scale.md).

A small demo input is loaded with ``gcrm etl --engine spark``; the app serves the warehouse of
views over the store, and its KPI tiles equal the DuckDB load of the same input. (The demo, not
examples/minimal: the overview's default period is the last 12 months.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gcrm import cube
from gcrm.storage import sparkenv, warehouse
from tests.browser import add_account, login, read_kpis, streamlit_app

pytestmark = [pytest.mark.browser, pytest.mark.spark]

ADMIN, PASSWORD = "scale_admin", "Scale-Admin-2026!"
DONE = '.gcrm-page-done[data-page="home"][data-lang="en"]'


@pytest.fixture(scope="module")
def spark_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    if reason := sparkenv.missing():
        pytest.skip(reason)
    from click.testing import CliRunner

    from etl.demo import generate
    from etl.pipeline import load
    from gcrm.cli import cli

    base = tmp_path_factory.mktemp("scale")
    generate(base / "input", customers=400, months=13, seed=5, progress=False)
    load(base / "input", base / "duck.duckdb", quiet=True, report_dir=base / "r1")
    result = CliRunner().invoke(cli, [
        "etl", "--engine", "spark", "--input", str(base / "input"), "--store",
        str(base / "store"), "--db", str(base / "gcrm.duckdb"), "--quiet",
        "--report-dir", str(base / "report")], env={"GCRM_SPARK_SHUFFLE_PARTITIONS": "2"})
    sparkenv.stop()
    assert result.exit_code == 0, result.output
    yield base / "gcrm.duckdb"


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
