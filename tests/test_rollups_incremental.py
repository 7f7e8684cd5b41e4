"""Incremental rollups (issue #22): a load rebuilds only the months it touched, and the result
equals a full rebuild (`gcrm rollup`) of the same warehouse."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from etl.pipeline import load
from gcrm.cube import percustomer, rollups
from gcrm.cube.rollups import ACTIVITY, BITS_TABLE, ROLLUPS, build_rollups
from gcrm.storage import warehouse

#: the tests load one warehouse step by step, in order: under pytest-xdist they stay on one
#: worker (a step on another worker would find no warehouse)
pytestmark = pytest.mark.xdist_group("rollups_incremental")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "minimal"
TABLES = [r.name for r in (*ROLLUPS, *ACTIVITY)] + [BITS_TABLE, *percustomer.TABLES.values()]


def _write(folder: Path, name: str, lines: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _rollups(db: Path) -> dict[str, pd.DataFrame | str | None]:
    con = warehouse.connect(db, read_only=True)
    try:
        out: dict[str, pd.DataFrame | str | None] = {
            t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").df() for t in TABLES}
        for key in ("rollup_sizes", "activity_months", percustomer.MONTHS_KEY):
            out[key] = warehouse.get_meta(con, key)
    finally:
        con.close()
    return out


def _assert_equals_full_rebuild(db: Path, tmp: Path) -> None:
    """The warehouse's rollups equal those a full rebuild makes from its facts."""
    copy = tmp / f"full-{db.stat().st_mtime_ns}.duckdb"
    shutil.copy(db, copy)
    con = warehouse.connect(copy)
    build_rollups(con)  # months=None: everything from the facts
    percustomer.build(con)
    con.close()
    got, want = _rollups(db), _rollups(copy)
    for key, value in want.items():
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(got[key], value, obj=key)
        else:
            assert got[key] == value, key


@pytest.fixture(scope="module")
def loads(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("incremental")
    first = base / "first"
    shutil.copytree(EXAMPLE, first)
    cons = (EXAMPLE / "consumption.csv").read_text("utf-8").splitlines()
    pays = (EXAMPLE / "payments.csv").read_text("utf-8").splitlines()
    feb = [r for r in cons[1:] if ",2025-02," in r]
    _write(first, "consumption.csv", [cons[0], *(r for r in cons[1:] if r not in feb)])
    _write(first, "payments.csv", [pays[0], *(r for r in pays[1:] if not r.startswith("P2,"))])
    _write(base / "append", "consumption.csv", [cons[0], *feb])
    _write(base / "append", "payments.csv", [pays[0], *(r for r in pays if r.startswith("P2,"))])
    # a correction of old months: A001's January re-read, P2 re-dated from March to January
    _write(base / "fix", "consumption.csv", [cons[0], "A001,2025-01,250,70,120,60,131.25"])
    _write(base / "fix", "payments.csv",
           [pays[0], "P2,A001,2025-01-20T09:30:00,94.50,app,"])
    # a customer who changes class: its rows move between rollup rows in its months only
    cust = (EXAMPLE / "customers.csv").read_text("utf-8").splitlines()
    a005 = next(r for r in cust if r.startswith("A005,")).split(",")
    assert a005[2] == "agricultural"
    a005[2] = "commercial"
    _write(base / "reclass", "customers.csv", [cust[0], ",".join(a005)])
    return base, base / "w.duckdb"


def _step(loads: tuple[Path, Path], folder: str, tmp: Path) -> list[str] | None:
    """Load ``folder`` into the warehouse, check its rollups against a full rebuild, and
    return the months the load rebuilt (None: all)."""
    base, db = loads
    report = load(base / folder, db, quiet=True, report_dir=tmp / "r")
    _assert_equals_full_rebuild(db, tmp)
    return report.rollup_months


def _value(loads: tuple[Path, Path], sql: str) -> object:
    con = warehouse.connect(loads[1], read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def _customer(loads: tuple[Path, Path], customer: str) -> tuple:
    """(stored months, kWh, {channel: (payments, paid, last point)}) of ``customer`` in the
    per-customer tables the loads keep (:mod:`gcrm.cube.percustomer`)."""
    con = warehouse.connect(loads[1], read_only=True)
    try:
        kwh = con.execute("SELECT kwh FROM rollup_customer_consumption WHERE customer_id = ?",
                          [customer]).fetchone()
        pays = {r[0]: (r[1], float(r[2]), r[3]) for r in con.execute(
            "SELECT channel, payments, paid, last_point FROM rollup_customer_payment WHERE "
            "customer_id = ?", [customer]).fetchall()}
        return percustomer.stored_months(con), float(kwh[0]), pays
    finally:
        con.close()


def test_first_load_builds_everything(loads, tmp_path: Path) -> None:
    assert _step(loads, "first", tmp_path) is None
    # consumption runs to January here: the stored period is January alone
    assert _customer(loads, "A001") == (("2025-01", "2025-01"), 200.0, {})


def test_append_rebuilds_only_the_new_months(loads, tmp_path: Path) -> None:
    assert _step(loads, "append", tmp_path) == ["2025-02", "2025-03"]
    # February's consumption arrived in this load: A001 180 + A002 160 + A003 30000 (A007 -5
    # is rejected); March holds P2 only
    assert _value(loads, "SELECT sum(kwh) FROM rollup_consumption_month "
                         "WHERE month = '2025-02'") == 30340
    assert _value(loads, "SELECT sum(paid) FROM rollup_payment_month "
                         "WHERE month = '2025-03'") == pytest.approx(94.5)
    # the period grew to February (consumption's last month): P1 in, P2 (March) out
    assert _customer(loads, "A001") == (("2025-01", "2025-02"), 380.0,
                                        {"counter": (1, 105.0, "SP1")})


def test_correction_of_old_months(loads, tmp_path: Path) -> None:
    # P2 left March (its stored row) for January
    assert _step(loads, "fix", tmp_path) == ["2025-01", "2025-03"]
    assert _value(loads, "SELECT count(*) FROM rollup_payment_month "
                         "WHERE month = '2025-03'") == 0
    # January re-read (250) and P2 moved into the period
    assert _customer(loads, "A001") == (("2025-01", "2025-02"), 430.0,
                                        {"counter": (1, 105.0, "SP1"), "app": (1, 94.5, None)})


def test_changed_customer_attributes(loads, tmp_path: Path) -> None:
    # A005 has consumption in January only
    assert _step(loads, "reclass", tmp_path) == ["2025-01"]
    assert _value(loads, "SELECT sum(customers) FROM rollup_consumption_month WHERE month = "
                         "'2025-01' AND customer_class = 'commercial'") >= 1


def test_load_without_facts_rebuilds_nothing(loads, tmp_path: Path) -> None:
    base, _ = loads
    folder = base / "outages_only"
    folder.mkdir(exist_ok=True)
    shutil.copy(EXAMPLE / "outages.csv", folder / "outages.csv")
    assert _step(loads, "outages_only", tmp_path) == []


def test_per_customer_tables_kept_unless_their_months_change(loads, tmp_path: Path) -> None:
    """The stored per-customer facts are rebuilt by a load touching a month of their period,
    kept by one touching none (or only months before it)."""
    copy = tmp_path / "keep.duckdb"
    shutil.copy(loads[1], copy)
    con = warehouse.connect(copy)
    try:
        assert percustomer.build(con, set()) == {}
        assert percustomer.build(con, {"2024-12"}) == {}
        sizes = percustomer.build(con, {"2025-02"})
        assert set(sizes) == set(percustomer.TABLES.values()) and all(sizes.values())
        assert percustomer.build(con) == sizes  # None: always rebuilt
    finally:
        con.close()


def test_profiles_sharing_a_number_are_ranked(loads, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Profiles are numbered by their attributes' hash; should two share a number, they are
    ranked instead and the rollups are the same. Forced here: every profile first gets 0."""
    copy = tmp_path / "collide.duckdb"
    shutil.copy(loads[1], copy)
    con = warehouse.connect(copy)
    try:
        assert con.execute("SELECT count(DISTINCT (city_id, district_id, customer_class)) "
                           "FROM dim_customer").fetchone()[0] > 1, "one profile: no collision"
        monkeypatch.setattr(rollups, "PROFILE_NUMBERS", ("0", *rollups.PROFILE_NUMBERS[1:]))
        build_rollups(con)
    finally:
        con.close()
    got, want = _rollups(copy), _rollups(loads[1])
    for table in (r.name for r in ROLLUPS):
        pd.testing.assert_frame_equal(got[table], want[table], obj=table)
