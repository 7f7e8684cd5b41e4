"""Drawing an area on the SVG map: the projection's inverse (what ``svgmap.js`` computes for
a drawn polygon), the scene's draw fields, and a polygon drawn in pixels around customers
selecting exactly the customers drawn around (the Assign tab's path)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shapely
from shapely.geometry import Polygon

from dashboards.components import svgmap
from gcrm.accounts import queries as Q
from gcrm.storage import warehouse

TONGHUA = (125.3, 41.2, 126.6, 42.4)


def test_lonlat_inverts_xy() -> None:
    frame = svgmap.Frame.fit(TONGHUA, 900, 480)
    for lon, lat in [(125.3, 41.2), (125.94, 41.73), (126.6, 42.4), (0.0, 0.0)]:
        x, y = frame.xy(lon, lat)
        back = frame.lonlat(x, y)
        assert back == pytest.approx((lon, lat), abs=1e-9)
    # the view's centre is the bounds' centre in mercator: its longitude is the mean
    assert frame.lonlat(450, 240)[0] == pytest.approx((125.3 + 126.6) / 2, abs=1e-9)


def test_scene_carries_the_projection_only_when_drawing() -> None:
    frame = svgmap.Frame.fit(TONGHUA, 900, 480)
    plain = svgmap.scene(frame, [], "v", {})
    assert "draw" not in plain and "proj" not in plain
    drawn = svgmap.scene(frame, [], "v", {}, draw=True)
    assert drawn["draw"] is True
    assert drawn["proj"] == {"x0": frame.x0, "y0": frame.y0, "scale": frame.scale,
                             "world": svgmap.WORLD}


def test_triangle_drawn_in_pixels_selects_the_customers_inside(demo_db: Path) -> None:
    viewer = Q.Viewer("ka", ("220502",), show_pii=False)
    con = warehouse.connect(demo_db, read_only=True)
    try:
        pts = Q.customer_points(con, None, viewer)
        assert len(pts) and pts.columns.tolist() == ["customer_id", "lon", "lat",
                                                      "big_customer"]
        district = {r[0] for r in con.execute(
            "SELECT customer_id FROM dim_customer WHERE district_id = '220502'").fetchall()}
        assert set(pts["customer_id"]) == district  # scoped: that district only
        frame = svgmap.Frame.fit((pts["lon"].min(), pts["lat"].min(), pts["lon"].max(),
                                  pts["lat"].max()), 900, 480)
        cx, cy = frame.xy(*pts[["lon", "lat"]].iloc[len(pts) // 2])
        tri_px = [(cx - 60, cy + 40), (cx + 60, cy + 40), (cx, cy - 60)]
        ring = [list(frame.lonlat(x, y)) for x, y in tri_px]
        text = json.dumps({"type": "Polygon", "coordinates": [ring + ring[:1]]})
        got = Q.customers_in_area(con, None, viewer, Q.area_of(text))
    finally:
        con.close()
    xy = [frame.xy(lon, lat) for lon, lat in zip(pts["lon"], pts["lat"], strict=True)]
    inside = shapely.contains_xy(Polygon(tri_px), [p[0] for p in xy], [p[1] for p in xy])
    expected = sorted(pts.loc[inside, "customer_id"])
    assert got == expected and len(expected) >= 1
