"""The Assign tab's map: the customers the user may see, over their district outlines, on the
SVG map with its draw button. The polygon drawn comes back as GeoJSON (WGS-84) and takes the
same path as an uploaded GeoJSON file (:func:`dashboards.accounts.data.customers_in_area`)."""

from __future__ import annotations

import html
import json

import streamlit as st

from dashboards.accounts import data as ad
from dashboards.components import data as cdata
from dashboards.components import svgmap
from gcrm.i18n import t

AREA = "acct_area"  # session key of the drawn polygon (GeoJSON text)
OTHER = (31, 119, 180, 200)
BIG = (214, 39, 40, 235)
WIDTH = 900
HEIGHT = 480


def _keep(geojson: str) -> None:
    st.session_state[AREA] = geojson


def _scene(v, geojson: str | None) -> dict:
    regions = cdata.regions_geojson(v.db, v.version, "district", scope=v.who.scope)
    pts = ad.customer_points(v.db, v.version, v.who, ad.stamp(v.db))
    if len(pts):
        bounds = (pts["lon"].min(), pts["lat"].min(), pts["lon"].max(), pts["lat"].max())
    else:
        bounds = (125.3, 41.2, 126.6, 42.4)  # the demo city
    frame = svgmap.Frame.fit(bounds, WIDTH, HEIGHT)
    recs = pts.assign(title=pts["customer_id"]).to_dict("records")
    layers = [svgmap.areas(regions, frame, "districts", pickable=False, opacity=0.35),
              svgmap.points([r for r in recs if not r["big_customer"]], frame, "customers",
                            OTHER, radius_m=40, min_px=2, max_px=5),
              svgmap.points([r for r in recs if r["big_customer"]], frame, "big", BIG,
                            radius_m=80, min_px=4, max_px=8)]
    if geojson:
        fc = {"features": [{"geometry": json.loads(geojson)}]}
        layers.append(svgmap.outline(fc, frame, "area", (255, 140, 0, 255), 2.5))
    ui = {**svgmap.buttons(v.lang), "draw": t("acct.map.draw", v.lang)}
    return svgmap.scene(frame, layers, f"acct-assign/{v.version}", ui, draw=True)


def section(v) -> str | None:
    """Draw the map and what the drawn area holds; the area's GeoJSON text, or None."""
    st.caption(t("acct.draw.help", v.lang))
    geojson = st.session_state.get(AREA)
    svgmap.draw(_scene(v, geojson), "acct_draw_map", _keep)
    if not geojson:
        return None
    try:
        everyone = ad.customers_in_area(v.db, v.who, geojson, False)
        big = ad.customers_in_area(v.db, v.who, geojson, True)
    except ValueError as exc:
        st.error(str(exc))
        return None
    st.info(t("acct.draw.count", v.lang, n=len(everyone), big=len(big)))
    st.markdown(_hidden("area_customers", everyone) + _hidden("area_big", big),
                unsafe_allow_html=True)
    if st.button(t("acct.draw.clear", v.lang), key="acct_area_clear"):
        st.session_state.pop(AREA, None)
        st.rerun()
    return geojson


def _hidden(name: str, value: object) -> str:
    """Exact values for the browser test (like ``views.hidden``)."""
    return (f'<span class="gcrm-acct" data-field="{html.escape(name)}" '
            f'data-value="{html.escape(repr(value))}" style="display:none"></span>')
