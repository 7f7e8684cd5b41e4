"""Outage analysis functions on the hand-made example warehouse."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest
import shapely

from gcrm.i18n import LANGS, t
from gcrm.outages import queries as outages
from gcrm.spatial import crs


@pytest.fixture(scope="module")
def con(mini_db_shared: Path):
    c = duckdb.connect(str(mini_db_shared), read_only=True)
    yield c
    c.close()


def test_events_with_affected_customers(con) -> None:
    ev = outages.events(con, 2025).set_index("outage_id")
    assert list(ev.index) == ["O1", "O2", "O3", "O4"]
    # O1 on F1: A001, A002 (D1) and A006 (unlocated, still a customer on the feeder)
    assert ev.loc["O1", "customers_affected"] == 3
    assert ev.loc["O2", "big_customers_affected"] == 1  # A003 on F2 is a big customer
    assert bool(ev.loc["O3", "momentary"]) and bool(ev.loc["O4", "planned"])
    assert ev.loc["O2", "duration_min"] == 90  # spans midnight
    # customer minutes: the duration once per customer interrupted (none: no minutes)
    assert (ev["customer_minutes"] == ev["duration_min"] * ev["customers_affected"]).all()
    assert ev.loc["O1", "districts"] == "D1"  # the unlocated customer has no district


def test_events_in_scope(con) -> None:
    ev = outages.events(con, 2025, scope=["D2"]).set_index("outage_id")
    assert list(ev.index) == ["O2", "O4"]
    assert ev.loc["O2", "customers_affected"] == 1  # A004 on F2 is unlocated: not in D2
    assert ev.loc["O2", "customer_minutes"] == 90 and ev.loc["O2", "districts"] == "D2"


def test_affected_customers_and_classes(con) -> None:
    df = outages.affected_customers(con, "O2")
    assert df["customer_id"].tolist() == ["A003", "A005", "A004"]  # big first, then class
    by_class = outages.affected_by_class(con, "O2").set_index("customer_class")
    assert by_class.loc["industrial", "big_customers"] == 1


def test_notice_list(con) -> None:
    df = outages.notice_list(con, ["F2"], scope=["D2"])
    assert df["customer_id"].tolist() == ["A003"]
    assert "phone" in df.columns
    with pytest.raises(ValueError, match="unknown feeder"):
        outages.notice_list(con, ["F99"])
    with pytest.raises(ValueError, match="at least one feeder"):
        outages.notice_list(con, [])


def test_worst_feeders_and_most_interrupted(con) -> None:
    wf = outages.worst_feeders(con, 2025)
    # F3: 1 customer x 480 planned minutes; F2: 3 customers x 90; F1: 3 x 120
    assert wf["feeder"].tolist() == ["F3", "F1", "F2"]
    assert outages.worst_feeders(con, 2025, exclude_planned=True)["feeder"].tolist() == [
        "F1", "F2"]
    everyone = outages.most_interrupted(con, 2025, more_than=0)
    assert everyone["customer_id"].tolist()[:1]
    assert outages.most_interrupted(con, 2025, more_than=1).empty
    # the page shows the first rows and counts all of them: the same rows, the same order
    assert outages.count_interrupted(con, 2025, more_than=0) == len(everyone) > 2
    assert outages.count_interrupted(con, 2025, more_than=1) == 0
    first = outages.most_interrupted(con, 2025, more_than=0, limit=2)
    assert first.equals(everyone.head(2))
    assert outages.count_interrupted(con, 2025, more_than=0, scope=["D2"]) == len(
        outages.most_interrupted(con, 2025, more_than=0, scope=["D2"]))
    assert outages.worst_of(outages.indices(con, 2025, "feeder"), 2).equals(
        outages.worst_feeders(con, 2025, n=2))


def test_feeders_with_location(con) -> None:
    fd = outages.feeders(con).set_index("feeder_id")
    assert list(fd.index) == ["F1", "F2", "F3"]
    assert (fd.loc["F2", "lon"], fd.loc["F2", "lat"]) == (126.5, 42.2)
    assert fd.loc["F2", "substation_id"] == "S2"
    assert outages.feeders(con, scope=["D2"])["feeder_id"].tolist() == ["F2", "F3"]


# ---------------------------------------------------------------- sensitive customers, cells
def test_event_classes_cells_and_sensitive_customers(mini_db: Path) -> None:
    w = duckdb.connect(str(mini_db))
    w.execute("UPDATE dim_customer SET segment = 'hospital' WHERE customer_id = 'A005'")
    w.close()
    con = duckdb.connect(str(mini_db), read_only=True)
    try:
        by_class = outages.affected_by_class(con, "O2").set_index("customer_class")
        assert by_class["sensitive_customers"].to_dict() == {
            "agricultural": 1, "industrial": 0, "residential": 0}
        df = outages.affected_customers(con, "O2").set_index("customer_id")
        assert df["sensitive"].to_dict() == {"A003": False, "A005": True, "A004": False}
        ev = outages.events(con, 2025).set_index("outage_id")
        assert ev.loc["O2", "sensitive_customers_affected"] == 1
        assert ev.loc["O1", "sensitive_customers_affected"] == 0
        # the area of O2: located customers only (A003; A004 has no location, A005 no cell)
        cells = outages.affected_cells(con, "O2")
        assert cells.to_dict("records") == [
            {"cell": "8731554e6ffffff", "customers": 1, "big_customers": 1}]
        assert outages.affected_cells(con, "O2", scope=["D1"]).empty
    finally:
        con.close()


def test_feeder_reach_and_customer_cells(con) -> None:
    reach = outages.feeder_reach(con, "district")
    assert reach[["feeder_id", "group", "customers"]].values.tolist() == [
        ["F1", "D1", 2], ["F2", "D2", 1], ["F3", "D2", 1]]
    f1 = reach.iloc[0]
    assert (f1["lon"], f1["lat"]) == pytest.approx((125.55, 42.05))
    cells = outages.feeder_reach(con, "h3", within="D1")
    assert cells["group"].tolist() == ["873150d1effffff", "8731546d6ffffff"]
    assert set(cells["district_id"]) == {"D1"}
    assert outages.customer_cells(con)["customers"].sum() == 4  # the located customers
    assert outages.customer_cells(con, scope=["D2"], within="D1").empty
    with pytest.raises(ValueError, match="unknown grouping"):
        outages.feeder_reach(con, "feeder")


# ---------------------------------------------------------------- notice for an area
D1_BOX = "POLYGON((125.4 41.9, 125.7 41.9, 125.7 42.2, 125.4 42.2, 125.4 41.9))"


def _fc(*rings, crs: str | None = None) -> str:
    doc: dict = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": f"part {i}"},
         "geometry": {"type": "Polygon", "coordinates": [ring]}} for i, ring in enumerate(rings)]}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(doc)


def _box(x0: float, y0: float, x1: float, y1: float) -> list[list[float]]:
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


def test_notice_for_a_polygon(con) -> None:
    df = outages.notice_list_area(con, D1_BOX)
    assert df["customer_id"].tolist() == ["A001", "A002"]
    # the same columns as the feeder notice, so the exports look alike
    assert list(df.columns) == list(outages.notice_list(con, ["F1"]).columns)
    # GeoJSON: two features are joined; a customer on the boundary is inside
    two = _fc(_box(125.45, 41.95, 125.5, 42.05), _box(125.55, 42.05, 125.65, 42.15))
    assert outages.notice_list_area(con, two)["customer_id"].tolist() == ["A001", "A002"]
    # located customers outside every region are found too (A005 at 128.5, 42.0)
    assert outages.notice_list_area(
        con, _fc(_box(128.4, 41.9, 128.6, 42.1)))["customer_id"].tolist() == ["A005"]
    # an area in the user's regions holding nobody is an empty list, not an error
    assert outages.notice_list_area(con, _fc(_box(126.01, 41.01, 126.02, 41.02)),
                                    scope=["D2"]).empty


def test_notice_for_a_polygon_in_scope(con) -> None:
    east = _fc(_box(125.4, 41.4, 126.6, 42.1))  # crosses both districts
    assert outages.notice_list_area(con, east, scope=["D2"])["customer_id"].tolist() == [
        "A003", "A007"]  # big customer first
    assert outages.notice_list_area(con, east, scope=["C1"])["customer_id"].tolist() == [
        "A003", "A001", "A002", "A007"]
    with pytest.raises(outages.NoticeError, match="outside your regions") as err:
        outages.notice_list_area(con, D1_BOX, scope=["D2"])
    assert err.value.code == "outside_scope"
    with pytest.raises(outages.NoticeError) as err:
        outages.notice_list_area(con, D1_BOX, scope=[])
    assert err.value.code == "outside_scope"


def test_notice_for_a_gcj02_polygon(con) -> None:
    # a 200 m box around A003 (126.5, 42.0) drawn on a GCJ-02 map (AMap): read as WGS-84 it
    # misses A003 by the ~500 m datum shift; flagged (or declared in the file) it finds A003
    gx, gy = crs.wgs84_to_gcj02(126.5, 42.0)
    gx, gy = float(gx), float(gy)
    ring = _box(gx - 0.001, gy - 0.001, gx + 0.001, gy + 0.001)
    assert outages.notice_list_area(con, _fc(ring), scope=["D2"]).empty
    assert outages.notice_list_area(con, _fc(ring), scope=["D2"], datum="gcj02")[
        "customer_id"].tolist() == ["A003"]
    area = outages.area_from_geojson(_fc(ring, crs="GCJ-02"))
    assert area.datum == "gcj02"
    assert outages.notice_list_area(con, area)["customer_id"].tolist() == ["A003"]
    assert outages.area_from_geojson(_fc(ring, crs="urn:ogc:def:crs:OGC:1.3:CRS84")).datum == \
        "wgs84"
    assert outages.area_from_geojson(_fc(ring, crs="GCJ-02"), datum="wgs84").datum == "wgs84"
    bd = outages.area_from_wkt(D1_BOX, datum="bd09")
    assert bd.datum == "bd09" and bd.geometry.bounds[0] < 125.4  # shifted back west


def test_notice_for_h3_cells(con) -> None:
    area = outages.area_from_cells(["873150d1effffff", " 873150d1effffff"])
    assert area.kind == "cells" and area.cells == ("873150d1effffff",)
    assert outages.notice_list_area(con, area)["customer_id"].tolist() == ["A001"]
    with pytest.raises(outages.NoticeError) as err:
        outages.notice_list_area(con, area, scope=["D2"])
    assert err.value.code == "outside_scope"
    both = outages.area_from_cells(["873150d1effffff", "8731554e6ffffff"])
    assert outages.notice_list_area(con, both, scope=["D2"])["customer_id"].tolist() == ["A003"]


def test_notice_audit_describes_the_area() -> None:
    target, detail = outages.notice_audit(feeders=["F1", "F2"])
    assert (target, detail) == ("F1,F2", {"feeders": ["F1", "F2"]})
    area = outages.area_from_wkt(D1_BOX)
    target, detail = outages.notice_audit(area=area)
    assert target.startswith("area: polygon ") and target.endswith(" km²")
    d = detail["area"]
    assert d["kind"] == "polygon" and d["datum"] == "wgs84"
    assert d["bbox"] == [125.4, 41.9, 125.7, 42.2]
    assert shapely.from_wkt(d["wkt"]).equals(area.geometry)
    assert 700 < d["area_km2"] < 900  # 0.3 x 0.3 degrees at 42° N
    assert len(d["sha256"]) == 64
    cells = outages.notice_audit(area=outages.area_from_cells(["873150d1effffff"]))
    assert cells[0] == "area: 1 H3 cells" and cells[1]["area"]["cells"] == ["873150d1effffff"]
    json.dumps(detail)  # the audit log stores it as JSON


POINT = '{"type": "Point", "coordinates": [125.5, 42.0]}'
LINE_FEATURE = ('{"type": "Feature", "properties": {}, "geometry": {"type": "LineString", '
                '"coordinates": [[125.5, 42.0], [125.6, 42.1]]}}')


@pytest.mark.parametrize(("area", "code"), [
    ("{", "not_json"),
    (b"\xff\xfe{", "not_json"),
    ("[1, 2]", "not_geojson"),
    ('{"type": "FeatureCollection"}', "not_geojson"),
    ('{"type": "Polygon", "coordinates": [[1, 2]]}', "not_geojson"),
    (POINT, "geometry_type"),
    (LINE_FEATURE, "geometry_type"),
    ('{"type": "FeatureCollection", "features": []}', "empty"),
    ('{"type": "Feature", "properties": {}, "geometry": null}', "empty"),
    ("POLYGON((125 41, 126 42, 126 41, 125 42, 125 41))", "invalid"),  # a bow tie
    ("POLYGON((42 125.4, 42 125.7, 42.2 125.7, 42 125.4))", "out_of_range"),  # lat, lon
    ("POLYGON((125 41, 126 41, 127 41, 125 41))", "invalid"),  # no area
    ("POLYGON EMPTY", "empty"),
    ("POLYGON((125 41, 126 41", "bad_wkt"),
    ("LINESTRING(125 41, 126 42)", "geometry_type"),
    ('{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]], '
     '"crs": {"type": "name", "properties": {"name": "EPSG:3857"}}}', "crs"),
    ("POLYGON((100 10, 101 10, 101 11, 100 10))", "outside_regions"),
])
def test_bad_areas_are_refused_with_a_reason(con, area, code) -> None:
    with pytest.raises(outages.NoticeError) as err:
        outages.notice_list_area(con, area)
    assert err.value.code == code, str(err.value)
    # every code has a message in both languages, filled from the error's parameters
    for lang in LANGS:
        assert t(f"outages.err.{code}", lang, **err.value.params)


def test_bad_window_cells_and_datum(con) -> None:
    start = datetime(2026, 5, 1, 12, 0)
    with pytest.raises(outages.NoticeError) as err:  # checked first: nothing else is read
        outages.notice_list_area(con, "{", (start, start - timedelta(hours=1)))
    assert err.value.code == "window"
    assert outages.notice_list_area(con, D1_BOX, (start, start + timedelta(hours=4))).shape[0]
    for cells, code in (([], "no_cells"), (["nonsense"], "bad_cell"),
                        (["873150d1effffff", "863150d1fffffff"], "cell_resolution")):
        with pytest.raises(outages.NoticeError) as err:
            outages.area_from_cells(cells)
        assert err.value.code == code
    with pytest.raises(outages.NoticeError) as err:
        outages.area_from_cells(["873150d1effffff"], resolution=8)
    assert err.value.code == "cell_resolution"
    with pytest.raises(outages.NoticeError) as err:
        outages.area_from_wkt(D1_BOX, datum="mars")
    assert err.value.code == "crs"
    with pytest.raises(outages.NoticeError) as err:
        outages.area_from_geojson(b" " * (outages.MAX_AREA_BYTES + 1))
    assert err.value.code == "too_large"
    assert t("outages.err.too_large", "en", **err.value.params) == \
        "The file is larger than 5 MB."


# --------------------------------------------------------------------------- gcrm notice
def _cli(*args: str):
    from click.testing import CliRunner

    from gcrm.cli import cli

    return CliRunner().invoke(cli, ["notice", *args], env={"GCRM_PASSWORD": "Plan-Notice-2026!"})


def test_cli_notice_equals_the_page_functions_and_is_audited(mini_db: Path) -> None:
    import pandas as pd

    from gcrm.security.accounts import add_user
    from gcrm.storage.store import connect_store

    window = ["--start", "2026-12-01 08:00", "--end", "2026-12-01 12:00"]
    res = _cli("--db", str(mini_db), "--feeder", "F1", *window, "--format", "json")
    assert res.exit_code == 0, res.output
    c = duckdb.connect(str(mini_db), read_only=True)
    try:
        want = outages.notice_list(c, ["F1"])
        cells = c.execute("SELECT DISTINCT grid_id FROM dim_customer WHERE grid_id IS NOT NULL "
                          "ORDER BY 1 LIMIT 1").fetchone()[0]
        in_cell = outages.notice_list_area(c, outages.area_from_cells([cells]))
    finally:
        c.close()
    got = pd.DataFrame(json.loads(res.output))
    assert got["customer_id"].tolist() == want["customer_id"].tolist()
    assert got["phone"].tolist() == want["phone"].tolist()  # the local operator sees contacts
    res = _cli("--db", str(mini_db), "--cell", cells, *window, "--format", "json")
    assert res.exit_code == 0, res.output
    assert [r["customer_id"] for r in json.loads(res.output)] == \
        in_cell["customer_id"].tolist()

    # a planner (no read_pii) gets masked contacts; every list is in the audit log
    store = connect_store(mini_db)
    add_user(store, "notice_planner", "planner", "Plan-Notice-2026!", regions=("D1",))
    res = _cli("--db", str(mini_db), "--user", "notice_planner", "--feeder", "F1", *window,
               "--format", "json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert rows and all("*" in (r["phone"] or "*") for r in rows)
    logged = store.execute("SELECT user, target FROM audit_log WHERE action = "
                           "'notice.prepare' ORDER BY id").fetchall()
    store.close()
    assert [a for a, _ in logged][-1] == "notice_planner" and len(logged) == 3


@pytest.mark.parametrize(("args", "message"), [
    (["--feeder", "F1", "--cell", "x"], "exactly one of"),
    (["--feeder", "NOPE"], "unknown feeder"),
    (["--feeder", "F1", "--start", "2026-12-02 08:00"], "must end after it starts"),
    (["--feeder", "F1", "--end", "tomorrow"], "malformed --end"),
])
def test_cli_notice_bad_input_exit_2(mini_db: Path, args, message) -> None:
    base = {"--start": "2026-12-01 08:00", "--end": "2026-12-01 12:00"}
    for k in ("--start", "--end"):
        if k not in args:
            args = [*args, k, base[k]]
    res = _cli("--db", str(mini_db), *args)
    assert res.exit_code == 2 and message in res.output, res.output
