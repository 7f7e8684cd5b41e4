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
