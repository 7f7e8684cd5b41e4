"""The demand-side page's tables for people (dashboards/tariff/tables.py): headers and values
in the user's language, district names, shares in percent; the numbers themselves unchanged."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dashboards.tariff import tables

NAMES = {"220502": "东昌区"}


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "district": ["220502", None], "customer_class": ["agricultural", "industrial"],
        "segment": ["building_materials", "urban"], "season": ["all-year", "peak-summer"],
        "status": ["ok", "ratio_low+critical_low"], "kwh": [11712416.3, 971876370.4801],
        "peak_share": [0.459083, 0.4397], "ratio": [3.0, 4.0],
        "critical_uplift": [math.nan, 0.2]})


def test_values_read_in_the_language_and_districts_by_name() -> None:
    zh = tables.relabel(_frame(), "zh-CN", NAMES)
    assert zh["district"].tolist() == ["东昌区", "（未定位）"]
    assert zh["customer_class"].tolist() == ["农业", "工业"]
    assert zh["segment"].tolist() == ["建材", "城镇居民"]
    assert zh["season"].tolist() == ["全年", "peak-summer"]  # a scenario's own name stays
    en = tables.relabel(_frame(), "en", NAMES)
    assert en["district"].tolist() == ["东昌区", "(unlocated)"]  # place names stay Chinese
    assert en["status"].tolist() == ["OK", "Peak/valley ratio too low + "
                                     "Critical-peak uplift too low"]


def test_numbers_shown_whole_shares_in_percent_gaps_as_a_dash() -> None:
    df = _frame()
    shown = tables.relabel(df, "en", NAMES)
    assert shown["kwh"].tolist() == [11712416.0, 971876370.0]
    assert shown["peak_share"].tolist() == pytest.approx([45.9083, 43.97])
    assert shown["critical_uplift"].tolist() == ["–", "20.00%"]
    assert df["kwh"].iloc[0] == 11712416.3  # the frame (downloads) is left as it was
    cfg = tables.column_config(shown, "en")
    assert cfg["peak_share"]["label"] == "Peak share"
    assert cfg["peak_share"]["type_config"]["format"] == "%.2f%%"
    assert cfg["kwh"]["label"] == "Energy (kWh)"
    assert tables.header("not_a_column", "en") == "not_a_column"
