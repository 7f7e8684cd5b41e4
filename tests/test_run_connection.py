"""One read-only warehouse connection per page run (``dashboards.components.data``)."""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import pytest

from dashboards.components import data
from gcrm.storage import warehouse


def test_a_run_shares_one_connection_and_closes_it(tmp_path: Path) -> None:
    path = tmp_path / "gcrm.duckdb"
    warehouse.connect(path).close()  # an empty warehouse of our own: we open it for writing
    db = str(path)
    with data.run_connection(db):
        with data.connection(db) as a, data.connection(db) as b:
            assert a is b
            assert a.execute("SELECT count(*) FROM dim_region").fetchone()[0] == 0
        with data.connection(db) as c:  # still open after a `with connection` block ends
            assert c is a
            c.execute("SELECT 1").fetchone()
    with pytest.raises(duckdb.ConnectionException):
        a.execute("SELECT 1")  # closed with the run
    # nothing holds the file between runs: a writer can open it
    warehouse.connect(path).close()


def test_outside_a_run_each_connection_is_its_own(demo_db: Path) -> None:
    db = str(demo_db)
    with data.connection(db) as a:
        pass
    with data.connection(db) as b:
        b.execute("SELECT 1").fetchone()
    assert a is not b
    with pytest.raises(duckdb.ConnectionException):
        a.execute("SELECT 1")


def test_a_run_is_per_thread_and_per_database(demo_db: Path, tmp_path: Path) -> None:
    db = str(demo_db)
    other = tmp_path / "other.duckdb"
    warehouse.connect(other).close()
    seen = {}
    with data.run_connection(db):
        with data.connection(db) as mine:
            pass
        with data.connection(str(other)) as elsewhere:
            assert elsewhere is not mine

        def other_thread() -> None:  # another user's session runs in another thread
            with data.connection(db) as c:
                seen["con"] = c

        t = threading.Thread(target=other_thread)
        t.start()
        t.join()
        assert seen["con"] is not mine
        mine.execute("SELECT 1").fetchone()


def test_a_connection_with_its_own_thread_count(demo_db: Path, monkeypatch) -> None:
    """``threads=1`` (the pages' background work, at its thread's low priority) holds for
    that connection only; without it the ``threads`` setting, else DuckDB's default."""
    monkeypatch.delenv("GCRM_THREADS", raising=False)
    one = warehouse.connect(demo_db, read_only=True, threads=1)
    other = warehouse.connect(demo_db, read_only=True)
    try:
        assert one.execute("SELECT current_setting('threads')").fetchone()[0] == 1
        assert other.execute("SELECT current_setting('threads')").fetchone()[0] == \
            duckdb.connect().execute("SELECT current_setting('threads')").fetchone()[0]
    finally:
        one.close()
        other.close()
