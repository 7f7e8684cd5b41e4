"""Customers are located a chunk at a time (bounded memory at any size): the same answer as
locating them all at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import locate
from gcrm.storage import warehouse

COLS = "customer_id, city_id, district_id, grid_id, locate_status"


def test_chunked_location_equals_one_pass(mini_db: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    con = warehouse.connect(mini_db)
    try:
        before = con.execute(f"SELECT {COLS} FROM dim_customer ORDER BY 1").df()
        counts = con.execute("SELECT locate_status, count(*) FROM dim_customer "
                             "GROUP BY 1").fetchall()
        assert len(before) == 7 and before["district_id"].notna().any()
        con.execute("UPDATE dim_customer SET city_id = NULL, district_id = NULL, "
                    "grid_id = NULL, locate_status = 'missing'")
        monkeypatch.setattr(locate, "CHUNK", 3)  # chunks of 3, 3 and 1 customers
        got = locate.assign_all(con)
        after = con.execute(f"SELECT {COLS} FROM dim_customer ORDER BY 1").df()
    finally:
        con.close()
    assert after.equals(before)
    assert {k: v for k, v in got.items() if v} == dict(counts)


def test_a_load_of_facts_only_keeps_the_assignment(mini_db: Path, example_dir: Path,
                                                   tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Assignment depends on the regions and the located rows only: a load of neither (a
    month of consumption) does not assign again, and reports the customers as they are; a
    load with customers assigns again."""
    from etl import pipeline

    calls: list[int] = []

    def counted(con):
        calls.append(1)
        return locate.assign_all(con)

    monkeypatch.setattr(pipeline, "assign_all", counted)
    with warehouse.connect(mini_db, read_only=True) as con:
        before = con.execute(f"SELECT {COLS} FROM dim_customer ORDER BY 1").df()
        counts = locate.located_counts(con)
    assert counts["ok"] > 0 and sum(counts.values()) == len(before)
    facts = tmp_path / "facts"
    facts.mkdir()
    (facts / "consumption.csv").write_text(
        (example_dir / "consumption.csv").read_text("utf-8"), encoding="utf-8")
    report = pipeline.load(facts, mini_db, quiet=True, report_dir=tmp_path / "r1")
    assert calls == [] and report.locate == counts
    assert "assign regions" in [s[0] for s in report.steps]
    with warehouse.connect(mini_db, read_only=True) as con:
        assert con.execute(f"SELECT {COLS} FROM dim_customer ORDER BY 1").df().equals(before)
    report = pipeline.load(example_dir, mini_db, quiet=True, report_dir=tmp_path / "r2")
    assert calls == [1] and report.locate == counts
