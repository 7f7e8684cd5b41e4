"""Shared fixtures: warehouses are built from code (fixed seeds), never downloaded."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.sparkstore import engines  # noqa: F401 (one Spark-built store per session)

ROOT = Path(__file__).resolve().parent.parent


#: The browser test modules in two xdist groups of about the same length (seconds measured
#: on 2 cores): each group runs its modules one after another on one worker, so at most two
#: Streamlit servers + Chromiums run at once, and neither worker idles while the other still
#: has half the browser tests to run (one group of all of them was the suite's critical path).
BROWSER_GROUPS = {
    "test_browser_security": "browser-a", "test_browser_home": "browser-a",
    "test_browser_customers": "browser-a", "test_browser_revenue": "browser-a",
    "test_browser_reports": "browser-a",
    "test_browser_explorer": "browser-b", "test_browser_outages": "browser-b",
    "test_browser_tradearea": "browser-b", "test_browser_forecast": "browser-b",
    "test_browser_tariff": "browser-b", "test_browser_accounts": "browser-b",
}


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's, which reads the groups into the ids
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (``make test``: ``-n 2 --dist loadgroup``) the browser tests of a
    module stay on one worker (they share its server), grouped by :data:`BROWSER_GROUPS`
    (a new module joins ``browser-b`` until measured) while the workers share the rest. The
    Spark tests (the browser test on a Spark-built store among them) form one group: the
    session's Spark-built store (``engines``, :mod:`tests.sparkstore`) and Spark session are
    built once, on one worker, instead of once on each worker that picks up one of them."""
    for item in items:
        if item.get_closest_marker("spark") is not None:  # a browser test on Spark too
            item.add_marker(pytest.mark.xdist_group("spark"))
        elif item.get_closest_marker("browser") is not None:
            module = Path(str(item.fspath)).stem
            item.add_marker(pytest.mark.xdist_group(BROWSER_GROUPS.get(module, "browser-b")))


EXAMPLE = ROOT / "examples" / "minimal"


@pytest.fixture
def example_dir(tmp_path: Path) -> Path:
    """A writable copy of examples/minimal (the documented example input folder)."""
    dst = tmp_path / "input"
    shutil.copytree(EXAMPLE, dst)
    return dst


@pytest.fixture
def mini_db(tmp_path: Path, example_dir: Path) -> Path:
    from etl.pipeline import load

    db = tmp_path / "mini.duckdb"
    load(example_dir, db, quiet=True, report_dir=tmp_path / "report")
    return db


@pytest.fixture(scope="session")
def mini_db_shared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example warehouse built once per session: for read-only tests only."""
    from etl.pipeline import load

    base = tmp_path_factory.mktemp("mini")
    shutil.copytree(EXAMPLE, base / "input")
    load(base / "input", base / "mini.duckdb", quiet=True, report_dir=base / "report")
    return base / "mini.duckdb"


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small Tonghua demo warehouse (3,000 customers, 14 months), built once per session."""
    from etl.demo import generate
    from etl.pipeline import load

    base = tmp_path_factory.mktemp("demo")
    generate(base / "input", customers=3000, months=14, seed=7, progress=False)
    db = base / "gcrm.duckdb"
    load(base / "input", db, quiet=True, report_dir=base / "report")
    return db


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium (Playwright), one per test module."""
    from tests.browser import chromium

    with chromium() as b:
        yield b


@pytest.fixture
def new_page(browser):
    """Make pages in fresh browser contexts (``tests.browser.new_context_page`` arguments);
    every context is closed after the test."""
    from tests.browser import new_context_page

    pages = []

    def make(**kwargs):
        pages.append(new_context_page(browser, **kwargs))
        return pages[-1]

    yield make
    for pg in pages:
        pg.context.close()
