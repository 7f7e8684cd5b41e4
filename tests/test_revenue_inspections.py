"""Inspection orders: create, assign, route, outcome, hit rate; scoped, masked, audited."""

from __future__ import annotations

import io
import os
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from gcrm.cli import cli
from gcrm.revenue import inspections
from gcrm.revenue.inspections import InspectionError, Target
from gcrm.revenue.route import route
from gcrm.storage.store import connect_store

PASSWORD = "Quiet-river-2026"


@pytest.fixture(scope="module")
def db(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from gcrm.security.accounts import add_user

    out = tmp_path_factory.mktemp("inspect") / "gcrm.duckdb"
    shutil.copy(demo_db, out)
    store = connect_store(out)
    add_user(store, "agent", "service_agent", PASSWORD, regions=("220502",))
    add_user(store, "mgr", "regional_manager", PASSWORD, regions=("220502",))
    store.close()
    return out


def _test_pbf() -> str:
    """pyrosm's small test extract (a town far from Tonghua)."""
    return pytest.importorskip("pyrosm").get_data("test_pbf")


def _gcrm(*args: str, user: str | None = None):
    env = {**os.environ, "GCRM_PASSWORD": PASSWORD}
    return CliRunner(env=env).invoke(cli, [*args, *(["--user", user] if user else [])])


def test_order_lifecycle_in_the_store() -> None:
    import sqlite3

    from gcrm.storage.store import SCHEMA

    con = sqlite3.connect(":memory:", isolation_level=None)
    con.row_factory = sqlite3.Row
    con.executescript(SCHEMA)
    from gcrm.security import audit

    audit.start(con)
    oid = inspections.create(con, Target("C1", "T1", "2205", "220502", 125.9, 41.7), "u",
                             score=88.0, reason="drop")
    with pytest.raises(InspectionError, match="already has open"):
        inspections.create(con, Target("C1"), "u")
    inspections.assign(con, oid, "张三", date(2026, 11, 3), "u")
    with pytest.raises(InspectionError, match="recovered"):
        inspections.record_outcome(con, oid, "normal", "u", recovered_kwh=5)
    inspections.record_outcome(con, oid, "theft", "u", 1200, 900)
    with pytest.raises(InspectionError, match="outcome already"):
        inspections.record_outcome(con, oid, "normal", "u")
    o2 = inspections.create(con, Target("C2", district_id="220581"), "u", method="naive")
    inspections.record_outcome(con, o2, "normal", "u")
    hr = inspections.hit_rate(inspections.orders(con)).set_index("method")
    assert hr.loc["score", "hit_rate"] == 1.0 and hr.loc["naive", "hit_rate"] == 0.0
    assert hr.loc["score", "recovered_yuan"] == 900
    assert list(inspections.orders(con, scope=("220581",))["customer_id"]) == ["C2"]
    actions = [r[0] for r in con.execute("SELECT action FROM audit_log ORDER BY id")]
    assert actions == ["inspection.create", "inspection.assign", "inspection.outcome",
                       "inspection.create", "inspection.outcome"]
    with pytest.raises(sqlite3.DatabaseError, match="never deleted"):
        con.execute("DELETE FROM inspection_orders")


def test_route_visits_in_the_shortest_straight_line_order() -> None:
    stops = [(125.95, 41.70), (125.90, 41.70), (125.93, 41.70), (125.91, 41.70)]
    r = route(stops, seconds=0.1)
    assert r.order == [0, 2, 3, 1] and r.metres < r.naive_metres
    assert route(stops, start=(125.96, 41.70), seconds=0.1).order == [0, 2, 3, 1]


def test_cli_from_suspects_to_hit_rate_scoped_and_masked(db: Path) -> None:
    made = _gcrm("inspect", "create", "--db", str(db), "--from-suspects", "3", user="agent")
    assert made.exit_code == 0, made.output
    ids = [line.split("\t")[0] for line in made.stdout.splitlines()]
    assert len(ids) >= 1
    for oid in ids:
        done = _gcrm("inspect", "assign", "--db", str(db), oid, "--inspector", "张三",
                     "--date", "2026-11-03", user="agent")
        assert done.exit_code == 0, done.output
        assert done.stdout == f"order {oid}: assigned to 张三 on 2026-11-03\n"  # said, not silent
    r = _gcrm("inspect", "route", "--db", str(db), "--inspector", "张三", "--date",
              "2026-11-03", user="agent")
    stops = pd.read_csv(io.StringIO(r.stdout), dtype=str)
    assert list(stops["stop"]) == [str(i) for i in range(1, len(ids) + 1)]
    assert set(stops["district_id"]) == {"220502"}
    assert "km straight-line" in r.stderr
    # with a road network: a missing file or one of another town is refused, naming why
    for pbf, why in ((db.parent / "none.osm.pbf", "does not exist"),
                     (_test_pbf(), "from the nearest road")):
        bad = _gcrm("inspect", "route", "--db", str(db), "--inspector", "张三", "--date",
                    "2026-11-03", "--pbf", str(pbf), user="agent")
        assert bad.exit_code == 2 and why in bad.output, bad.output
    done = _gcrm("inspect", "outcome", "--db", str(db), ids[0], "--result", "theft", "--kwh",
                 "800", "--yuan", "600", user="agent")
    assert done.exit_code == 0, done.output
    assert done.stdout == f"order {ids[0]}: theft recorded, recovered 800 kWh, 600 yuan\n"
    hr = pd.read_csv(io.StringIO(_gcrm("inspect", "hitrate", "--db", str(db),
                                       user="agent").stdout))
    assert hr.loc[0, "method"] == "score" and hr.loc[0, "theft"] == 1
    # a manager sees the list with people's names masked
    lst = pd.read_csv(io.StringIO(_gcrm("inspect", "list", "--db", str(db),
                                        user="mgr").stdout), dtype=str)
    res = lst[lst["customer_class"] == "residential"]
    assert res.empty or res["name"].str.contains(r"\*").all()
    # outside the agent's regions: refused
    other = _gcrm("inspect", "create", "--db", str(db), "--customer", "2205810000313",
                  user="agent")
    assert other.exit_code == 2 and "outside your regions" in other.output
