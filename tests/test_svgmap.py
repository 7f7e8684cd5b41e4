"""The SVG map's server side: projection, path strings, layers and basemap tiles.

The browser side (drawing, tooltips, zoom, clicks) is tested in tests/test_browser_home.py.
"""

from __future__ import annotations

import math
import re

import pytest

from dashboards.components import svgmap

TONGHUA = (125.3, 40.8, 126.9, 42.9)  # lon/lat box around 通化市


def test_fit_keeps_the_whole_box_in_view_and_centred() -> None:
    f = svgmap.Frame.fit(TONGHUA, 800, 640, padding=0.05)
    corners = [f.xy(lon, lat) for lon in TONGHUA[::2] for lat in TONGHUA[1::2]]
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    assert min(xs) >= 0 and max(xs) <= 800 and min(ys) >= 0 and max(ys) <= 640
    # the limiting axis (Tonghua is taller than wide here) fills the view less the padding
    assert max(ys) - min(ys) == pytest.approx(640 * 0.9)
    assert (min(xs) + max(xs)) / 2 == pytest.approx(400)
    assert (min(ys) + max(ys)) / 2 == pytest.approx(320)
    # north is up
    assert f.xy(126, 42.5)[1] < f.xy(126, 41.0)[1]


def test_known_answers_of_the_whole_world_at_zoom_zero() -> None:
    f = svgmap.Frame.fit((-180, -85.05, 180, 85.05), 512, 512, padding=0)
    assert f.scale == pytest.approx(1, rel=1e-3)
    assert f.xy(0, 0) == pytest.approx((256, 256), abs=0.5)
    assert f.xy(-180, 85.05) == pytest.approx((0, 0), abs=0.5)
    assert f.metres_per_px(0) == pytest.approx(40_075_016.686 / 512 / f.scale)
    assert f.centre_lat == pytest.approx(0, abs=1e-6)


def test_path_of_a_polygon_with_a_hole_and_of_a_line() -> None:
    f = svgmap.Frame.fit((0, 0, 1, 1), 100, 100, padding=0)
    poly = {"type": "Polygon", "coordinates": [
        [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]],
        [[0.4, 0.4], [0.6, 0.4], [0.6, 0.6], [0.4, 0.4]]]}
    d = svgmap.path_d(poly, f)
    assert d.count("M") == 2 and d.count("Z") == 2
    assert d.startswith("M0 100L100 100L100 0L0 0")  # web mercator, y down
    line = svgmap.path_d({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, f)
    assert line == "M0 100L100 0"
    multi = {"type": "MultiPolygon", "coordinates": [poly["coordinates"][:1]] * 2}
    assert svgmap.path_d(multi, f).count("M") == 2
    assert svgmap.path_d({"type": "Point", "coordinates": [0, 0]}, f) == ""
    assert svgmap.path_d(None, f) == ""


def test_points_closer_than_a_tenth_of_a_pixel_are_dropped() -> None:
    f = svgmap.Frame.fit((0, 0, 1, 1), 100, 100, padding=0)
    ring = [[0, 0], [1e-6, 1e-6], [2e-6, 0], [1, 0], [1, 1], [0, 0]]
    d = svgmap.path_d({"type": "Polygon", "coordinates": [ring]}, f)
    assert d.count("L") == 3, d  # 0,0 collapsed: 0,0 - 1,0 - 1,1 - 0,0


def test_areas_carry_id_fill_and_a_plain_text_tooltip() -> None:
    f = svgmap.Frame.fit((0, 0, 1, 1), 100, 100)
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Polygon",
                                         "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},
         "properties": {"region_id": "220502", "fill": [255, 0, 16],
                        "title": "东昌区", "line1": "<b>x</b>", "line2": ""}},
        {"type": "Feature", "geometry": None, "properties": {"region_id": "nowhere"}},
    ]}
    layer = svgmap.areas(fc, f)
    assert layer["kind"] == "areas" and layer["pick"] is True
    assert [it["id"] for it in layer["items"]] == ["220502"]
    item = layer["items"][0]
    assert item["fill"] == "#ff0010"
    assert item["tip"] == ["东昌区", "<b>x</b>", ""]  # the browser inserts it as text


def test_point_radius_is_metres_at_this_view_clamped_to_pixels() -> None:
    f = svgmap.Frame.fit((125.9, 41.7, 126.0, 41.8), 800, 640)
    m_per_px = f.metres_per_px(f.centre_lat)
    recs = [{"lon": 125.95, "lat": 41.75, "r": m_per_px * 5, "c": [10, 20, 30, 128],
             "title": "a"},
            {"lon": 125.95, "lat": 41.75, "r": 1e9, "c": [0, 0, 0], "title": "b"},
            {"lon": 125.95, "lat": 41.75, "r": 0, "c": [0, 0, 0], "title": "c"}]
    layer = svgmap.points(recs, f, "p", "c", radius_m="r", min_px=2, max_px=30)
    assert [it["r"] for it in layer["items"]] == [5.0, 30.0, 2.0]
    assert layer["items"][0]["fill"] == "#0a141e"
    assert layer["items"][0]["op"] == pytest.approx(128 / 255, abs=1e-3)
    assert layer["items"][1]["op"] == 0.85  # no alpha: the default
    assert layer["items"][0]["x"] == pytest.approx(400, abs=0.1)


def test_labels_lines_and_outline() -> None:
    f = svgmap.Frame.fit((0, 0, 1, 1), 100, 100, padding=0)
    fc = {"features": [
        {"geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},
         "properties": {"name": "集安市", "region_id": "220582", "centroid_lon": 0.5,
                        "centroid_lat": 0.5}},
        {"geometry": None, "properties": {"name": "unplaced", "centroid_lon": None}},
    ]}
    lab = svgmap.labels(fc, f)
    assert [(it["text"], it["id"]) for it in lab["items"]] == [("集安市", "220582")]
    assert lab["items"][0]["x"] == pytest.approx(50)
    out = svgmap.outline(fc, f, color=(40, 40, 40, 128))
    assert len(out["items"]) == 1 and out["items"][0]["d"].endswith("Z")
    assert out["opacity"] == pytest.approx(0.502, abs=1e-3)
    ln = svgmap.lines([{"from_lon": 0, "from_lat": 0, "lon": 1, "lat": 1, "title": "F1"}], f,
                      "feeders", (90, 90, 90))
    assert ln["items"][0]["d"] == "M0.0 100.0L100.0 0.0"
    assert ln["items"][0]["tip"] == ["F1", "", ""]


def test_pickable_points_and_lines_with_their_own_colour_width_and_radius() -> None:
    """What the outage and trading-area maps need: a click reports the item's id; each line
    its own colour and width; points sized in pixels; an RGBA area fill its own opacity."""
    f = svgmap.Frame.fit((0, 0, 1, 1), 100, 100, padding=0)
    pts = svgmap.points([{"lon": 0.5, "lat": 0.5, "id": "ev:O1", "px": 7.25, "c": [0, 0, 0]},
                         {"lon": 0.1, "lat": 0.1, "id": "ev:O2", "px": 3, "c": [0, 0, 0]}],
                        f, "events", "c", radius_px="px", pick=True)
    assert pts["pick"] is True
    assert [(it["id"], it["r"]) for it in pts["items"]] == [("ev:O1", 7.2), ("ev:O2", 3.0)]
    plain = svgmap.points([{"lon": 0.5, "lat": 0.5, "id": "x"}], f, "p", (0, 0, 0))
    assert plain["pick"] is False and "id" not in plain["items"][0]
    ln = svgmap.lines([{"from_lon": 0, "from_lat": 0, "lon": 1, "lat": 1, "id": "fd:220502",
                        "color": [215, 48, 31, 230], "width": 3.04}], f, "feeders", "color",
                      "width", pick=True)
    item = ln["items"][0]
    assert (item["id"], item["stroke"], item["w"]) == ("fd:220502", "#d7301f", 3.0)
    assert item["op"] == pytest.approx(230 / 255, abs=1e-3) and ln["pick"] is True
    fc = {"features": [{"geometry": {"type": "Polygon",
                                     "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},
                        "properties": {"region_id": "sp:SP-1", "fill": [37, 52, 148, 51]}}]}
    area = svgmap.areas(fc, f)["items"][0]
    assert area["id"] == "sp:SP-1" and area["op"] == pytest.approx(0.2)
    assert "op" not in svgmap.areas({"features": [{**fc["features"][0], "properties": {
        "region_id": "a", "fill": [1, 2, 3]}}]}, f)["items"][0]


def test_basemap_tiles_cover_the_view() -> None:
    f = svgmap.Frame.fit(TONGHUA, 800, 640)
    tiles = svgmap.tiles(f, "https://tiles.example/{z}/{x}/{y}.png")
    assert tiles
    z = {int(re.search(r"/(\d+)/\d+/\d+\.png$", t["href"]).group(1)) for t in tiles}
    assert len(z) == 1
    (zoom,) = z
    assert abs(zoom - (f.zoom + 1)) <= 0.5  # 256 px tiles: one level above deck's 512 px world
    size = tiles[0]["size"]
    assert 256 / math.sqrt(2) <= size <= 256 * math.sqrt(2)
    assert min(t["x"] for t in tiles) <= 0 and min(t["y"] for t in tiles) <= 0
    assert max(t["x"] + t["size"] for t in tiles) >= 800
    assert max(t["y"] + t["size"] for t in tiles) >= 640
    assert svgmap.tiles(f, "") == []
    assert svgmap.tiles(f, "https://style.example/style.json") == []


def test_scene_is_what_the_browser_gets() -> None:
    f = svgmap.Frame.fit(TONGHUA, 800, 640)
    sc = svgmap.scene(f, [svgmap.labels({"features": []}, f)], view_id="None/None",
                      ui={"in": "Zoom in"},
                      frames=[{"label": "2026-01", "fills": {"220502": "#ffffff"}}])
    assert (sc["w"], sc["h"], sc["view"]) == (800, 640, "None/None")
    assert sc["layers"][0]["kind"] == "labels" and sc["tiles"] == []
    assert sc["frames"][0]["label"] == "2026-01" and sc["ui"] == {"in": "Zoom in"}


def test_layers_leave_out_what_lies_far_outside_the_view() -> None:
    f = svgmap.Frame.fit((0, 0, 1, 1), 100, 100, padding=0)
    recs = [{"lon": 0.5, "lat": 0.5, "title": "in"},
            {"lon": 1.4, "lat": 0.5, "title": "within half a view"},
            {"lon": 3.0, "lat": 0.5, "title": "far"}]
    kept = svgmap.points(recs, f, "p", (0, 0, 0))
    assert [it["tip"][0] for it in kept["items"]] == ["in", "within half a view"]
    lines = [{"from_lon": -5, "from_lat": 0.5, "lon": 5, "lat": 0.5, "title": "across"},
             {"from_lon": 3, "from_lat": 3, "lon": 4, "lat": 4, "title": "far"}]
    assert [it["tip"][0] for it in svgmap.lines(lines, f, "l", (0, 0, 0))["items"]] == ["across"]
    assert f.near(-49, 149) and not f.near(-51, 50) and not f.near(50, 151)
