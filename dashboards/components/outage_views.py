"""Pieces of the outage page: the index map with event points, the daily SAIDI chart, exports.

The map reuses the home page's choropleth (:func:`dashboards.components.maps.choropleth`, no
basemap) and adds one scatter layer of outage events at their feeder's substation.
"""

from __future__ import annotations

import hashlib
import io
import math

import altair as alt
import pandas as pd
import pydeck as pdk
from pydeck.types import String

#: colour per outage cause (Okabe-Ito, colour-blind safe); unknown causes are grey
CAUSE_COLORS: dict[str, tuple[int, int, int]] = {
    "weather": (0, 114, 178),
    "equipment": (213, 94, 0),
    "external_damage": (204, 121, 167),
    "maintenance": (0, 158, 115),
    "other": (230, 159, 0),
}
OTHER_COLOR = (120, 120, 120)


def cause_color(cause: object) -> tuple[int, int, int]:
    return CAUSE_COLORS.get(str(cause), OTHER_COLOR)


def _jitter(key: str, spread: float = 0.012) -> tuple[float, float]:
    """A small fixed offset per event, so events at one substation do not hide each other."""
    h = hashlib.sha1(key.encode()).digest()
    angle = h[0] / 255 * 2 * math.pi
    r = spread * (0.3 + 0.7 * h[1] / 255)
    return r * math.cos(angle), r * math.sin(angle)


def event_points(events: pd.DataFrame, feeders: pd.DataFrame, cause_label,
                 customers_label: str) -> list[dict]:
    """Map points for the events whose substation has a location."""
    loc = feeders.set_index("feeder_id")[["lon", "lat"]]
    pts = []
    for e in events.itertuples(index=False):
        if e.feeder_id not in loc.index:
            continue
        lon, lat = loc.at[e.feeder_id, "lon"], loc.at[e.feeder_id, "lat"]
        if pd.isna(lon) or pd.isna(lat):
            continue
        dx, dy = _jitter(str(e.outage_id))
        n = int(e.customers_affected)
        pts.append({
            "position": [float(lon) + dx, float(lat) + dy],
            "color": [*cause_color(e.cause), 200],
            "radius": 3 + 0.9 * math.sqrt(n),
            "name": f"{e.outage_id} · {e.substation_name or e.feeder_id}",
            "value_text": f"{cause_label(e.cause)}, {customers_label}: {n:,}",
            "rank_text": f"{pd.Timestamp(e.start_at):%Y-%m-%d %H:%M}",
        })
    return pts


def add_event_layer(deck: pdk.Deck, points: list[dict]) -> pdk.Deck:
    deck.layers.append(pdk.Layer(
        "ScatterplotLayer", points, id="events", pickable=True, stroked=True, filled=True,
        get_position="position", get_fill_color="color", get_radius="radius",
        radius_units=String("pixels"), get_line_color=[40, 40, 40, 220], line_width_min_pixels=1))
    return deck


def daily_chart(daily: pd.Series, threshold: float | None, day_label: str,
                saidi_label: str, threshold_label: str) -> alt.LayerChart | alt.Chart:
    """Daily system SAIDI as bars with the major-event-day threshold as a dashed rule."""
    df = pd.DataFrame({"day": pd.to_datetime(daily.index), "saidi": daily.to_numpy(float)})
    if threshold is not None:
        df["med"] = df["saidi"] > threshold
    else:
        df["med"] = False
    bars = alt.Chart(df).mark_bar(size=3).encode(
        x=alt.X("day:T", title=day_label),
        y=alt.Y("saidi:Q", title=saidi_label),
        color=alt.condition("datum.med", alt.value("#d55e00"), alt.value("#0072b2")),
        tooltip=[alt.Tooltip("day:T", title=day_label, format="%Y-%m-%d"),
                 alt.Tooltip("saidi:Q", title=saidi_label, format=",.2f")])
    if threshold is None:
        return bars
    rule_df = pd.DataFrame({"t": [threshold], "label": [threshold_label]})
    rule = alt.Chart(rule_df).mark_rule(color="#d55e00", strokeDash=[6, 4], size=2).encode(
        y="t:Q", tooltip=[alt.Tooltip("t:Q", title=threshold_label, format=",.2f")])
    text = alt.Chart(rule_df).mark_text(align="left", dx=4, dy=-6, color="#d55e00").encode(
        y="t:Q", x=alt.value(0), text="label:N")
    return bars + rule + text


def xlsx_bytes(df: pd.DataFrame, sheet: str = "notice") -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        df.to_excel(xw, sheet_name=sheet, index=False)
    return buf.getvalue()


def csv_bytes(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False).encode("utf-8-sig")  # BOM: Excel opens Chinese text right
