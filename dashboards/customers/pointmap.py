"""The offline point map of the Customers page (search results, the card's mini map)."""

from __future__ import annotations

import pandas as pd
import pydeck as pdk
from pydeck.types import String

from dashboards.components import maps

POINT = [214, 39, 40, 230]
HIGHLIGHT = [255, 140, 0, 255]


def points_map(regions: dict, points: pd.DataFrame, tooltip_html: str,
               selected: str | None = None, height: int = 320) -> pdk.Deck:
    """District outlines plus ``points`` (columns lon, lat, customer_id, name, ...).

    Same rule as :mod:`dashboards.components.maps`: no basemap unless ``basemap_url`` is set,
    so the map works with no network (district outlines are the basemap)."""
    pts = points.dropna(subset=["lon", "lat"]).copy()
    pts["color"] = [HIGHLIGHT if cid == selected else POINT for cid in pts["customer_id"]]
    pts = pts.astype({c: str for c in pts.columns if c not in ("lon", "lat", "color")})
    layers = [
        pdk.Layer("GeoJsonLayer", regions, id="districts", pickable=False, stroked=True,
                  filled=True, get_fill_color=[235, 238, 242, 255],
                  get_line_color=[120, 120, 120, 255], line_width_min_pixels=1),
        pdk.Layer("ScatterplotLayer", pts.to_dict("records"), id="customers", pickable=True,
                  get_position=["lon", "lat"], get_fill_color="color", get_radius=6,
                  radius_units=String("pixels"), stroked=True, get_line_color=[255, 255, 255, 255],
                  line_width_min_pixels=1),
    ]
    if len(pts):
        x0, x1 = float(pts["lon"].min()), float(pts["lon"].max())
        y0, y1 = float(pts["lat"].min()), float(pts["lat"].max())
        pad = 0.02  # a lone point: show its neighbourhood, not the whole world
        view = maps.fit_view((x0 - pad, y0 - pad, x1 + pad, y1 + pad), height=height)
    else:
        b = maps.bounds_of(regions)
        view = maps.fit_view(b, height=height) if b else pdk.ViewState(
            longitude=125.9, latitude=41.7, zoom=7)
    return maps.deck(layers, view, tooltip_html)
