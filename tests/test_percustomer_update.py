"""Stored per-customer facts on a month's append (issue #22): the load moves the 12-month
period by taking the month left behind off the stored sums and adding the new one, instead of
summing twelve months again; the tables equal a rebuild from the facts, row for row and to the
last bit, edge cases included (a customer whose months all fall out, a billed amount that no
month keeps, a last service point paid in the month left behind)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest

from etl.demo import generate
from etl.pipeline import load
from gcrm.cube import percustomer
from gcrm.storage import warehouse


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *rows])


def _tables(db: Path) -> dict[str, pd.DataFrame]:
    with warehouse.connect(db, read_only=True) as con:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").df()
                for t in percustomer.TABLES.values()}


@pytest.fixture(scope="module")
def slid(tmp_path_factory: pytest.TempPathFactory
         ) -> tuple[Path, list[str], list[tuple], tuple[str, str]]:
    """A 400-customer demo of 14 months loaded as 13 months, then its last month appended
    (the period moves from months 2-13 to 3-14); with five customers made for the edges.
    Returns the warehouse, the months, the calls of the update and two service points."""
    base = tmp_path_factory.mktemp("slide")
    full, first, append = base / "full", base / "first", base / "append"
    generate(full, customers=400, months=14, seed=11, progress=False)
    shutil.copytree(full, first)
    head, cons = _read(full / "consumption.csv")
    months = sorted({r[1] for r in cons})
    assert len(months) == 14
    m2, m6, m14 = months[1], months[5], months[13]
    ch, customers = _read(full / "customers.csv")
    _, points = _read(full / "service_points.csv")
    sp1, sp2 = points[0][0], points[1][0]
    made = []
    for cid in ("X1", "X2", "X3", "X4", "X5"):
        made.append([cid, *customers[0][1:]])
    _write(first / "customers.csv", ch, [*customers, *made])
    edges = [["X1", m2, "10", "", "", "", "5"]]  # X1: consumption in m2 only
    edges += [["X2", m, "20", "", "", "", "9" if m == m2 else ""] for m in months[1:13]]
    _write(first / "consumption.csv", head,
           [*(r for r in cons if r[1] != m14), *edges])
    _write(append / "consumption.csv", head,
           [r for r in cons if r[1] == m14] + [["X5", m14, "30", "", "", "", "12"]])
    ph, pays = _read(full / "payments.csv")
    p_edges = [["XP1", "X3", f"{m2}-05T10:00:00", "5", "counter", sp1],
               ["XP2", "X3", f"{m6}-05T10:00:00", "6", "counter", ""],
               ["XP3", "X4", f"{m2}-06T10:00:00", "7", "counter", sp1],
               ["XP4", "X5", f"{m2}-07T10:00:00", "8", "counter", sp1]]
    _write(first / "payments.csv", ph,
           [*(r for r in pays if not r[2].startswith(m14)), *p_edges])
    _write(append / "payments.csv", ph,
           [r for r in pays if r[2].startswith(m14)]
           + [["XP5", "X5", f"{m14}-08T10:00:00", "9", "counter", sp2]])
    db = base / "gcrm.duckdb"
    load(first, db, quiet=True, report_dir=base / "r1")
    with warehouse.connect(db, read_only=True) as con:
        assert percustomer.stored_months(con) == (m2, months[12])
    calls: list[tuple] = []
    real = percustomer._update
    with pytest.MonkeyPatch.context() as mp:  # a spy: the real update runs
        mp.setattr(percustomer, "_update", lambda con, s, m: (calls.append((s, m)),
                                                              real(con, s, m)))
        load(append, db, quiet=True, report_dir=base / "r2")
    return db, months, calls, (sp1, sp2)


def test_the_append_updates_the_stored_facts(slid) -> None:
    db, months, calls, _ = slid
    assert calls == [((months[1], months[12]), (months[2], months[13]))]
    with warehouse.connect(db, read_only=True) as con:
        assert percustomer.stored_months(con) == (months[2], months[13])


def test_the_update_equals_a_rebuild(slid, tmp_path: Path) -> None:
    db, _, _, _ = slid
    copy = tmp_path / "rebuilt.duckdb"
    shutil.copy(db, copy)
    with warehouse.connect(copy) as con:
        assert set(percustomer.build(con)) == set(percustomer.TABLES.values())  # None: rebuild
    got, want = _tables(db), _tables(copy)
    for table, frame in want.items():
        assert len(frame) > 300
        pd.testing.assert_frame_equal(got[table], frame, check_exact=True, obj=table)


def test_the_edges_of_an_update(slid) -> None:
    db, _, _, (_, sp2) = slid
    cons, pays = (_tables(db)[t].set_index(k) for t, k in (
        ("rollup_customer_consumption", "customer_id"),
        ("rollup_customer_payment", ["customer_id", "channel"])))
    assert "X1" not in cons.index  # its only month left the period
    x2 = cons.loc["X2"]
    assert x2["months"] == 11 and x2["billed_months"] == 0 and pd.isna(x2["amount"])
    x3 = pays.loc[("X3", "counter")]  # its service point was paid in the month left behind
    assert x3["payments"] == 1 and x3["last_point"] is None and pd.isna(x3["last_at"])
    assert ("X4", "counter") not in pays.index
    x5 = pays.loc[("X5", "counter")]
    assert x5["payments"] == 1 and float(x5["paid"]) == 9.0 and x5["last_point"] == sp2
    assert cons.loc["X5", "kwh"] == 30
