"""A warehouse with known series for the forecast tests: two districts x two classes, four
years of exact trend x season (built from code with :mod:`etl.aggregates`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

MONTHS = pd.period_range("2022-01", "2025-12", freq="M").strftime("%Y-%m")
#: district -> class -> (level in kWh, monthly growth)
LEVELS = {"D1": {"residential": (60_000, 0.010), "industrial": (240_000, -0.004)},
          "D2": {"residential": (30_000, 0.006), "industrial": (90_000, 0.002)}}


def truth(district: str, klass: str, t: np.ndarray) -> np.ndarray:
    """The known series: level x (1 + growth)^t x a winter-peaking season."""
    level, growth = LEVELS[district][klass]
    month = t % 12
    return level * (1 + growth) ** t * (1 + 0.25 * np.cos(2 * np.pi * month / 12))


@pytest.fixture(scope="session", name="known_db")
def known_db_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two districts x two classes, 48 months of exact trend x season, 6 customers each."""
    from etl.aggregates import write_input
    from etl.pipeline import load

    base = tmp_path_factory.mktemp("forecast")
    t = np.arange(len(MONTHS))
    series = pd.concat(pd.DataFrame({"district": d, "customer_class": c, "month": MONTHS,
                                     "kwh": truth(d, c, t)})
                       for d in LEVELS for c in LEVELS[d])
    write_input(base / "input", ("C1", "示例市"), [("D1", "西区"), ("D2", "东区")], series,
                customers_per_series=6)
    # the trading-area link's entry points: D2 has a hall and a self-service point, D1 only a
    # bank agent (the districts are 1-degree boxes from 120E 40N, D1 first)
    pd.DataFrame([
        {"service_point_id": "SP-D1-bank", "name": "西区代收点", "kind": "bank_agent",
         "lon": 120.5, "lat": 40.5},
        {"service_point_id": "SP-D2-self", "name": "东区自助", "kind": "self_service",
         "lon": 121.4, "lat": 40.5},
        {"service_point_id": "SP-D2-hall", "name": "东区营业厅", "kind": "business_hall",
         "lon": 121.5, "lat": 40.5},
    ]).to_csv(base / "input" / "service_points.csv", index=False)
    load(base / "input", base / "known.duckdb", quiet=True, report_dir=base / "report")
    return base / "known.duckdb"
