"""The Outages and Trading-area maps as SVG scenes (:mod:`dashboards.components.svgmap`): what a
click on each kind of item reports, and what the picker and the event map draw. Small frames
built here; the browser tests click them on the demo warehouse."""

from __future__ import annotations

import geopandas as gpd
import h3
import pandas as pd
from shapely.geometry import Point

from dashboards.components import maps as cmaps
from dashboards.outages import maps as om
from dashboards.tradearea import maps as tm

DISTRICTS = {"type": "FeatureCollection", "features": [
    {"type": "Feature",
     "geometry": {"type": "Polygon", "coordinates": [[[125.8, 41.6], [126.1, 41.6],
                                                      [126.1, 41.9], [125.8, 41.6]]]},
     "properties": {"region_id": "220502", "name": "东昌区", "centroid_lon": 126.0,
                    "centroid_lat": 41.7}}]}


def _layer(scene: dict, layer_id: str) -> dict:
    return next(la for la in scene["layers"] if la["id"] == layer_id)


def test_outage_events_lines_and_picked_cells() -> None:
    feeders = pd.DataFrame({"feeder_id": ["F1", "F2"], "name": ["一线", "二线"],
                            "lon": [125.95, None], "lat": [41.7, None]})
    events = pd.DataFrame({"outage_id": ["O1", "O2"], "feeder_id": ["F1", "F2"],
                           "cause": ["weather", "equipment"], "customers_affected": [100, 5],
                           "substation_name": ["东站", "西站"],
                           "start_at": pd.to_datetime(["2025-03-01 08:00",
                                                       "2025-03-02 09:00"])})
    pts = om.event_points(events, feeders, str, "customers")
    assert [p["id"] for p in pts] == ["ev:O1"]  # F2's substation has no location
    assert pts[0]["r"] == 3 + 12 and pts[0]["line2"] == "2025-03-01 08:00"
    reach = pd.DataFrame({"feeder_id": ["F1"], "district_id": ["220502"], "lon": [126.0],
                          "lat": [41.8], "customers": [400]})
    lines, _ = om.feeder_lines(reach, feeders, {"F1": 2.0}, 1000.0, lambda f, m, s: f"{m}")
    assert lines[0]["id"] == "fd:220502" and lines[0]["width"] == 1.5 + 6.0  # capped
    fc, _ = cmaps.fill_regions(DISTRICTS, {"220502": 1.0}, str, "–")
    clusters, _ = om.event_clusters(events.assign(substation_id=["S1", "S2"],
                                                  districts=["220502", "220502"]),
                                    feeders, str, lambda s, n, c: (s, str(n), ""))
    scene = om.district_scene(fc, lines, clusters, "districts", {})
    assert _layer(scene, "regions")["pick"] and _layer(scene, "event_clusters")["pick"]
    assert [it["id"] for it in _layer(scene, "event_clusters")["items"]] == ["sb:220502"]
    # a drilled district draws every event as a dot that opens it
    drilled = om.cell_scene(DISTRICTS, {"type": "FeatureCollection", "features": []}, lines,
                            pts, "220502", {})
    assert [it["id"] for it in _layer(drilled, "events")["items"]] == ["ev:O1"]
    assert [it["id"] for it in _layer(scene, "feeders")["items"]] == ["fd:220502"]
    # the picker: every cell clickable (its H3 id), the picked ones outlined
    cells = [h3.latlng_to_cell(41.7, 125.95, 8), h3.latlng_to_cell(41.75, 126.0, 8)]
    cfc = om.cell_features(cells, {cells[0]: 3.0, cells[1]: 9.0},
                           cmaps.classify([3.0, 9.0]), str)
    picker = om.picker_scene(DISTRICTS, cfc, [cells[1]], "all", {})
    assert [it["id"] for it in _layer(picker, "cells")["items"]] == cells
    assert len(_layer(picker, "picked")["items"]) == 1
    assert _layer(picker, "picked")["items"][0]["d"] == _layer(picker, "cells")["items"][1]["d"]
    # one event: the affected cells and the substation, nothing to click
    ev = om.event_scene(DISTRICTS, cfc, (125.95, 41.7), "event/O1", {})
    assert not any(la.get("pick") for la in ev["layers"] if la["id"] != "regions")
    assert len(_layer(ev, "substation")["items"]) == 1


def test_event_clusters_and_feeder_bundles_known_answer() -> None:
    """City level: events per substation (counts, customers, causes, the district a click
    drills into) and one feeder line per substation and district (summed contributions)."""
    feeders = pd.DataFrame({"feeder_id": ["F1", "F2", "F3", "F4"],
                            "name": ["一线", "二线", "三线", "四线"],
                            "substation_id": ["S1", "S1", "S2", "S3"],
                            "substation_name": ["东站", "东站", "西站", "北站"],
                            "lon": [125.95, 125.95, 126.0, None],
                            "lat": [41.7, 41.7, 41.8, None]})
    events = pd.DataFrame({
        "outage_id": ["O1", "O2", "O3", "O4", "O5"],
        "feeder_id": ["F1", "F2", "F2", "F3", "F4"],
        "substation_id": ["S1", "S1", "S1", "S2", "S3"],
        "substation_name": ["东站", "东站", "东站", "西站", "北站"],
        "cause": ["weather", "equipment", "equipment", "other", "weather"],
        "customers_affected": [100, 5, 7, 40, 9],
        "districts": ["220502", "220502,220521", "220502,220521", "220521", "220502"]})
    pts, summary = om.event_clusters(events, feeders, lambda c: f"<{c}>",
                                     lambda s, n, c: (f"{s}:{n}", f"{c}", "hint"))
    # S3 has no location: its event is not drawn; S1 holds O1-O3, S2 holds O4
    assert summary[["substation", "district", "events", "customers_affected"]].to_dict(
        "records") == [{"substation": "S1", "district": "220502", "events": 3,
                        "customers_affected": 112},
                       {"substation": "S2", "district": "220521", "events": 1,
                        "customers_affected": 40}]
    assert summary["equipment"].tolist() == [2, 0] and summary["weather"].tolist() == [1, 0]
    assert [p["id"] for p in pts] == ["sb:220502", "sb:220521"]
    assert pts[0]["title"] == "东站:3" and pts[0]["line1"] == "112; <weather> 1 · <equipment> 2"
    assert pts[0]["fill"][:3] == list(om.CAUSE_COLORS["equipment"])  # the most frequent
    assert pts[0]["r"] == 3 + 12 and pts[1]["r"] == 3 + 12 * (1 / 3) ** 0.5
    # a drilled district's events: its id in the list (not a prefix of an id), none without
    with_none = pd.concat([events, events.head(1).assign(outage_id="O6", districts=None)])
    assert om.events_in(with_none, "220521")["outage_id"].tolist() == ["O2", "O3", "O4"]
    assert om.events_in(with_none, "220502")["outage_id"].tolist() == ["O1", "O2", "O3", "O5"]
    assert om.events_in(with_none, "2205").empty
    reach = pd.DataFrame({"feeder_id": ["F1", "F2", "F2", "F3", "F4"],
                          "district_id": ["220502", "220502", "220521", "220521", "220502"],
                          "lon": [126.0, 126.2, 126.4, 126.1, 126.0],
                          "lat": [41.8, 41.8, 41.9, 41.9, 41.8],
                          "customers": [100, 300, 50, 40, 9]})
    rows, classes = om.feeder_bundles(
        reach, feeders, {"F1": 1.0, "F2": 3.0, "F3": 0.5, "F4": 9.0},
        lambda s, d, n, m, w, wm: (f"{s}>{d}:{n}", f"{m}", f"{w}={wm}"))
    assert [(r["title"], r["line1"], r["line2"]) for r in rows] == [
        ("东站>220502:2", "4.0", "二线 (F2)=3.0"), ("东站>220521:1", "3.0", "二线 (F2)=3.0"),
        ("西站>220521:1", "0.5", "三线 (F3)=0.5")]
    assert rows[0]["lon"] == (126.0 * 100 + 126.2 * 300) / 400  # customers' mean location
    assert (rows[0]["from_lon"], rows[0]["from_lat"]) == (125.95, 41.7)
    assert [r["id"] for r in rows] == ["fd:220502", "fd:220521", "fd:220521"]
    assert classes.breaks[-1] == 4.0


def test_trade_area_clicks_report_service_point_band_or_point() -> None:
    ring = gpd.GeoDataFrame(
        {"name": ["3 km", "1 km"], "detail": ["a", "b"], "fill": [[37, 52, 148, 40]] * 2,
         "selected": [True, False], "band": ["3.0", "1.0"]},
        geometry=[Point(125.95, 41.7).buffer(0.03), Point(125.95, 41.7).buffer(0.01)],
        crs="EPSG:4326")
    sp = pd.DataFrame({"lon": [125.95], "lat": [41.7], "name": ["营业厅"], "detail": ["x"],
                       "kind": ["business_hall"], "selected": [True],
                       "service_point_id": ["SP-1"]})
    cells = pd.DataFrame({"lon": [125.96], "lat": [41.71], "name": ["c1"], "detail": ["d"],
                          "resident": [120.0]})
    scene = tm.build_scene(tm.MapLayers(districts=DISTRICTS, areas=ring, service_points=sp,
                                        cells=cells, center=None), {}, "v")
    assert [it["id"] for it in _layer(scene, "areas")["items"]] == ["band:3.0", "band:1.0"]
    assert len(_layer(scene, "area_selected")["items"]) == 1
    assert [it["id"] for it in _layer(scene, "service_points")["items"]] == ["sp:SP-1"]
    assert [it["r"] for it in _layer(scene, "sp_selected")["items"]] == [12.0]
    assert [it["id"] for it in _layer(scene, "cells")["items"]] == ["pt:125.96000,41.71000"]
    assert scene["layers"][0]["id"] == "districts"
    assert scene["layers"][-1]["id"] == "district_labels"
