"""An input folder from aggregate series: areas as box regions, one or a few aggregate
customers per area x class, their monthly kWh.

Public statistics (consumption by state and sector, by district and class) have no customers;
this writes them as the input contract expects (regions.geojson, customers.csv,
consumption.csv, feeders.csv), so ``gcrm etl`` loads them like any other data. Used by the
forecast benchmark (bench/forecast_accuracy.py) and by tests that need a warehouse with known
series.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

#: tariff written for each class (any value is accepted by the loader)
TARIFF = {"residential": "居民阶梯", "commercial": "一般工商业", "industrial": "大工业两部制",
          "agricultural": "农业生产", "public": "一般工商业"}


def _box(x0: float, y0: float, x1: float, y1: float) -> dict:
    return {"type": "Polygon",
            "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def _regions(out: Path, cities) -> dict[str, tuple[float, float]]:
    """Write regions.geojson (a row of district boxes per city); the districts' centres."""
    feats, centre = [], {}
    for row, (city, districts) in enumerate(cities):
        x0, y0, n = 120.0, 40.0 + row, len(districts)
        feats.append({"type": "Feature", "geometry": _box(x0, y0, x0 + n, y0 + 1),
                      "properties": {"region_id": city[0], "name": city[1], "level": "city",
                                     "parent_id": None}})
        for i, (rid, name) in enumerate(districts):
            feats.append({"type": "Feature", "geometry": _box(x0 + i, y0, x0 + i + 1, y0 + 1),
                          "properties": {"region_id": rid, "name": name, "level": "district",
                                         "parent_id": city[0]}})
            centre[rid] = (x0 + i + 0.5, y0 + 0.5)
    (out / "regions.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False),
        "utf-8")
    return centre


def write_input(out: Path, city: tuple[str, str], districts: Sequence[tuple[str, str]],
                series: pd.DataFrame, customers_per_series: int = 1) -> Path:
    """Write an input folder to ``out`` with one city (:func:`write_cities`)."""
    return write_cities(out, [(city, districts)], series, customers_per_series)


def write_cities(out: Path, cities: Sequence[tuple[tuple[str, str], Sequence[tuple[str, str]]]],
                 series: pd.DataFrame, customers_per_series: int = 1) -> Path:
    """Write an input folder to ``out``.

    ``cities``: ((region_id, name), districts) each, districts (region_id, name) laid out as
    1-degree boxes side by side, one row of boxes per city; ``series``: ``district``,
    ``customer_class``, ``month`` (YYYY-MM), ``kwh``, split evenly between
    ``customers_per_series`` customers at the box's centre.
    """
    out.mkdir(parents=True, exist_ok=True)
    centre = _regions(out, cities)
    pairs = series[["district", "customer_class"]].drop_duplicates().to_numpy().tolist()
    rows, ids = [], {}
    for d, c in pairs:
        for k in range(customers_per_series):
            cid = f"{d}-{c[:3]}-{k + 1}"
            ids.setdefault((d, c), []).append(cid)
            lon, lat = centre[d]
            rows.append({"customer_id": cid, "name": f"{d} {c} {k + 1}", "customer_class": c,
                         "tariff": TARIFF.get(c, "一般工商业"), "lon": lon + k * 1e-4,
                         "lat": lat, "feeder_id": "F1"})
    pd.DataFrame(rows).to_csv(out / "customers.csv", index=False)
    pd.DataFrame([{"feeder_id": "F1", "substation_id": "S1"}]).to_csv(out / "feeders.csv",
                                                                      index=False)
    # no payments or outages: the files with their header only
    (out / "payments.csv").write_text("payment_id,customer_id,paid_at,amount,channel\n", "utf-8")
    (out / "outages.csv").write_text("outage_id,feeder_id,start,end,cause,planned\n", "utf-8")
    cons = []
    for (d, c), g in series.groupby(["district", "customer_class"]):
        for cid in ids[(d, c)]:
            cons.append(pd.DataFrame({"customer_id": cid, "month": g["month"],
                                      "kwh": (g["kwh"] / customers_per_series).round(1)}))
    pd.concat(cons).to_csv(out / "consumption.csv", index=False)
    return out
