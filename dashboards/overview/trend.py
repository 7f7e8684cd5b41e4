"""The overview's trend: this period against the same months last year, as a Vega-Lite spec.

Written as a plain spec for ``st.vega_lite_chart`` rather than ``st.line_chart``: building the
chart through Altair cost 0.1-0.25 s of server time on every run of the overview (half of a
warm drill step); the spec below is the same chart for nothing.
"""

from __future__ import annotations

import pandas as pd


def trend_data(months: list[str], this: list[float], last: list[float], this_label: str,
               last_label: str) -> pd.DataFrame:
    """Long format (month, series, value): one row per month and series."""
    n = len(months)
    return pd.DataFrame({"month": list(months) * 2,
                         "series": [this_label] * n + [last_label] * n,
                         "value": list(this) + list(last)})


def trend_spec(y_title: str, this_label: str, last_label: str, value_format: str = ",.0f",
               height: int = 260) -> dict:
    """Two lines over the months: this period solid with points, last year dashed."""
    return {
        "height": height,
        "mark": {"type": "line", "point": True, "tooltip": True},
        "encoding": {
            "x": {"field": "month", "type": "ordinal", "title": None,
                  "axis": {"labelAngle": 0, "labelOverlap": True}},
            "y": {"field": "value", "type": "quantitative", "title": y_title,
                  "axis": {"format": ".0%" if value_format.endswith("%") else "~s"},
                  "scale": {"zero": False}},
            "color": {"field": "series", "type": "nominal", "title": None,
                      "scale": {"domain": [this_label, last_label],
                                "range": ["#1f77b4", "#9e9e9e"]},
                      "legend": {"orient": "top"}},
            "strokeDash": {"field": "series", "type": "nominal", "legend": None,
                           "scale": {"domain": [this_label, last_label],
                                     "range": [[1, 0], [5, 4]]}},
            "tooltip": [{"field": "series", "type": "nominal", "title": " "},
                        {"field": "month", "type": "ordinal", "title": " "},
                        {"field": "value", "type": "quantitative", "title": y_title,
                         "format": value_format}],
        },
    }
