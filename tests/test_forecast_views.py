"""The Forecast page's chart: the year on every month label, month names in the page's
language (Vega-Lite's default time labels are English month names without the year)."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboards.forecast import data, views


@pytest.mark.parametrize(("lang", "fmt"), [("zh_CN", "%Y年%-m月"), ("en", "%b %Y")])
def test_chart_month_labels_carry_the_year_in_the_page_language(lang: str, fmt: str) -> None:
    months = pd.period_range("2024-01", periods=15, freq="M").strftime("%Y-%m")
    s = data.Series(history=pd.DataFrame({"month": months[:12], "actual": 1.0}),
                    forecast=pd.DataFrame({"month": months[12:], "forecast": 1.0, "lo": 0.5,
                                           "hi": 1.5}),
                    model="AutoETS", mase=1.0, wape=0.1, coverage=0.8, backtest_months=24,
                    hidden=False)
    ctx = views.Ctx(lang=lang, db="x", version="1", who=None, min_cell=None)
    spec = views._chart(ctx, s).to_dict()
    axes = [layer["encoding"]["x"]["axis"] for layer in spec["layer"]]
    assert all(a == {"format": fmt, "formatType": "time"} for a in axes)
