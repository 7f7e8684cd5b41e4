"""Invariants of the synthetic Tonghua demo input (etl/demo.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import shape

from etl.demo import generate
from gcrm.config import GEODATA

CUSTOMERS, MONTHS, SEED = 2000, 14, 11

REQUIRED = {
    "customers.csv": ["customer_id", "name", "customer_class", "tariff", "lon", "lat",
                      "feeder_id", "phone", "id_number", "address", "opened_on", "big_customer",
                      "service_point_id", "segment"],
    "consumption.csv": ["customer_id", "month", "kwh", "peak_kwh", "flat_kwh", "valley_kwh",
                        "amount"],
    "payments.csv": ["payment_id", "customer_id", "paid_at", "amount", "channel",
                     "service_point_id"],
    "outages.csv": ["outage_id", "feeder_id", "start", "end", "cause", "planned"],
    "service_points.csv": ["service_point_id", "name", "kind", "lon", "lat"],
    "feeders.csv": ["feeder_id", "substation_id", "name", "substation_name", "lon", "lat"],
    "service_records.csv": ["service_id", "customer_id", "kind", "opened_at", "closed_at",
                            "status", "channel", "topic", "note"],
    "population.csv": ["cell_id", "lon", "lat", "resident", "floating"],
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("demo_gen") / "input"
    counts = generate(out, customers=CUSTOMERS, months=MONTHS, seed=SEED, progress=False)
    return out, counts


def _read(out: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(out / name, dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="module")
def customers(demo) -> pd.DataFrame:
    return _read(demo[0], "customers.csv")


@pytest.fixture(scope="module")
def consumption(demo) -> pd.DataFrame:
    df = _read(demo[0], "consumption.csv")
    for col in ("kwh", "peak_kwh", "flat_kwh", "valley_kwh", "amount"):
        df[col] = df[col].astype(float)
    return df


@pytest.fixture(scope="module")
def payments(demo) -> pd.DataFrame:
    return _read(demo[0], "payments.csv")


@pytest.fixture(scope="module")
def districts() -> list:
    data = json.loads((GEODATA / "tonghua_regions.geojson").read_text(encoding="utf-8"))
    return [shape(f["geometry"]) for f in data["features"]
            if f["properties"]["level"] == "district"]


def test_files_and_required_columns(demo) -> None:
    out, counts = demo
    for name, cols in REQUIRED.items():
        header = (out / name).read_text(encoding="utf-8").splitlines()[0].split(",")
        assert [c for c in cols if c not in header] == [], name
        assert counts[name] == len(_read(out, name)) > 0, name
    regions = json.loads((out / "regions.geojson").read_text(encoding="utf-8"))
    props = [f["properties"] for f in regions["features"]]
    assert {p["region_id"] for p in props if p["level"] == "district"} == {
        "220502", "220503", "220521", "220523", "220524", "220581", "220582"}
    for p in props:
        assert {"region_id", "name", "level", "parent_id"} <= set(p)
    assert counts["customers.csv"] == CUSTOMERS
    assert not (out / "consumption.parquet").exists()


def test_customers_located_inside_districts_or_deliberately_unlocated(customers,
                                                                      districts) -> None:
    lon = pd.to_numeric(customers["lon"], errors="coerce").to_numpy()
    lat = pd.to_numeric(customers["lat"], errors="coerce").to_numpy()
    missing = np.isnan(lon) | np.isnan(lat)
    out_of_range = ~missing & ((np.abs(lon) > 180) | (np.abs(lat) > 90))
    ok = ~missing & ~out_of_range
    inside = np.zeros(len(customers), bool)
    for poly in districts:
        inside[ok] |= shapely.contains_xy(poly, lon[ok], lat[ok])
    outside = ok & ~inside
    unlocated = missing | out_of_range | outside
    assert 0 < unlocated.mean() < 0.01
    assert missing.any() and out_of_range.any() and outside.any()
    # "outside" points are just over the border, not somewhere else in China
    assert np.all(np.abs(lon[outside] - 126) < 1.5) and np.all(np.abs(lat[outside] - 42) < 1.5)


def test_customer_ids_unique_and_planted_duplicates(customers) -> None:
    assert customers["customer_id"].is_unique
    dup = customers.duplicated(["name", "phone", "address"], keep=False)
    assert 0 < dup.sum() <= CUSTOMERS * 0.005


def test_class_mix_and_big_customers(customers) -> None:
    share = customers["customer_class"].value_counts(normalize=True)
    assert set(share.index) == {"residential", "commercial", "industrial", "agricultural",
                                "public"}
    assert 0.80 < share["residential"] < 0.90
    assert 0.05 < share["commercial"] < 0.11
    assert 0.015 < share["industrial"] < 0.05
    assert 0.015 < share["agricultural"] < 0.05
    assert 0.003 < share["public"] < 0.02
    big = customers["big_customer"] == "true"
    assert set(customers["big_customer"]) <= {"true", "false"}
    assert 0.002 < big.mean() < 0.02
    assert set(customers.loc[big, "customer_class"]) <= {"industrial", "commercial"}
    res = customers["customer_class"] == "residential"
    assert set(customers.loc[res, "tariff"]) <= {"居民阶梯", "居民分时"}


def test_id_number_checksums(customers) -> None:
    ids = customers["id_number"][customers["id_number"] != ""]
    assert len(ids) > CUSTOMERS * 0.5
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    for idn in ids:
        assert len(idn) == 18 and idn[:17].isdigit(), idn
        total = sum(int(ch) * w for ch, w in zip(idn[:17], weights, strict=True))
        assert "10X98765432"[total % 11] == idn[17], idn
        assert 1900 < int(idn[6:10]) < 2010
        pd.Timestamp(f"{idn[6:10]}-{idn[10:12]}-{idn[12:14]}")  # a real date
    phones = customers["phone"][customers["phone"].str.len() == 11]
    assert phones.str.match(r"^1[3-9]\d{9}$").all()


def test_tou_parts_add_up(consumption) -> None:
    parts = consumption["peak_kwh"] + consumption["flat_kwh"] + consumption["valley_kwh"]
    assert (parts - consumption["kwh"]).abs().max() <= 0.05
    assert (consumption[["kwh", "peak_kwh", "flat_kwh", "valley_kwh", "amount"]] >= 0).all().all()
    assert not consumption.duplicated(["customer_id", "month"]).any()
    assert consumption["month"].nunique() == MONTHS
    assert consumption["month"].max() == "2026-10"


def test_no_consumption_before_opened_on(consumption, customers) -> None:
    df = consumption.merge(customers[["customer_id", "opened_on"]], on="customer_id",
                           how="left", validate="many_to_one")
    assert df["opened_on"].notna().all()
    assert (df["month"] >= df["opened_on"].str[:7]).all()
    # some customers opened during the window and have fewer rows
    assert consumption.groupby("customer_id").size().min() < MONTHS


def test_seasonality(consumption, customers) -> None:
    df = consumption.merge(customers[["customer_id", "customer_class"]], on="customer_id")
    mon = df["month"].str[5:7]
    res = df[df["customer_class"] == "residential"]
    by = res.groupby(mon.loc[res.index])["kwh"].mean()
    assert by[["12", "01"]].mean() > 1.15 * by[["05", "09"]].mean()  # winter heating
    assert 120 < res["kwh"].mean() < 280


def test_payments(payments, consumption, customers) -> None:
    amount = payments["amount"].astype(float)
    assert (amount >= 0).all()
    assert payments["payment_id"].is_unique
    assert set(payments["customer_id"]) <= set(customers["customer_id"])
    assert set(payments["channel"]) <= {"counter", "bank", "online", "app", "autodebit",
                                        "prepaid"}
    paid_at = pd.to_datetime(payments["paid_at"], format="%Y-%m-%dT%H:%M:%S")
    assert paid_at.max() < pd.Timestamp("2026-11-01")
    month = paid_at.dt.strftime("%Y-%m")
    months = sorted(month.unique())
    digital = payments["channel"].isin(["online", "app"])
    first = digital[month.isin(months[:6])].mean()
    last = digital[month.isin(months[-6:])].mean()
    assert last > first + 0.05
    # service points only for counter and bank payments
    has_sp = payments["service_point_id"] != ""
    assert set(payments.loc[has_sp, "channel"]) <= {"counter", "bank"}
    assert has_sp[payments["channel"] == "counter"].all()
    # collections are below billing (arrears, late payers) but most bills are paid
    ratio = amount.sum() / consumption["amount"].sum()
    assert 0.8 < ratio < 1.0


def test_outages(demo) -> None:
    out = demo[0]
    o = _read(out, "outages.csv")
    start = pd.to_datetime(o["start"], format="%Y-%m-%dT%H:%M:%S")
    end = pd.to_datetime(o["end"], format="%Y-%m-%dT%H:%M:%S")
    minutes = (end - start).dt.total_seconds() / 60
    assert (end > start).all()
    assert o["outage_id"].is_unique
    assert (minutes <= 5).sum() > 0
    assert (minutes <= 24 * 60).all()
    assert set(o["planned"]) == {"true", "false"}
    assert (o.loc[o["planned"] == "true", "cause"] == "maintenance").all()
    assert (start.dt.date != end.dt.date).any()  # some span midnight
    assert set(o["cause"]) <= {"weather", "equipment", "external_damage", "maintenance",
                               "other"}
    assert not o.duplicated(["feeder_id", "start"]).any()
    # a storm day: many feeders out on the same day
    assert o.groupby(start.dt.date)["feeder_id"].nunique().max() >= 5


def test_feeders_referenced_exist(demo, customers) -> None:
    out = demo[0]
    feeders = _read(out, "feeders.csv")
    assert feeders["feeder_id"].is_unique
    known = set(feeders["feeder_id"])
    assert set(customers["feeder_id"]) <= known
    assert set(_read(out, "outages.csv")["feeder_id"]) <= known
    assert len(known) >= 30
    subs = feeders.groupby(feeders["feeder_id"].str[2:8])["substation_id"].nunique()
    assert subs.between(3, 6).all()


def test_service_points_and_records(demo, customers) -> None:
    out = demo[0]
    sp = _read(out, "service_points.csv")
    assert 40 <= len(sp) <= 80
    assert set(sp["kind"]) == {"business_hall", "bank_agent", "self_service"}
    halls = set(sp.loc[sp["kind"] == "business_hall", "service_point_id"])
    assert set(customers["service_point_id"]) <= halls
    sr = _read(out, "service_records.csv")
    assert set(sr["customer_id"]) <= set(customers["customer_id"])
    assert set(sr["kind"]) == {"visit", "complaint", "request"}
    closed = sr["closed_at"] != ""
    assert (sr.loc[closed, "closed_at"] >= sr.loc[closed, "opened_at"]).all()
    assert "停电报修" in set(sr["topic"])


def test_population_grid(demo, districts) -> None:
    pop = _read(demo[0], "population.csv")
    resident = pop["resident"].astype(int)
    floating = pop["floating"].astype(int)
    assert 2_000_000 < resident.sum() < 2_400_000
    assert (floating <= 0.16 * resident + 1).all()
    lon, lat = pop["lon"].astype(float).to_numpy(), pop["lat"].astype(float).to_numpy()
    inside = np.zeros(len(pop), bool)
    for poly in districts:
        inside |= shapely.contains_xy(poly, lon, lat)
    assert inside.all()
    assert pop["cell_id"].is_unique


def test_deterministic(demo, tmp_path: Path) -> None:
    out = demo[0]
    again = tmp_path / "again"
    generate(again, customers=CUSTOMERS, months=MONTHS, seed=SEED, progress=False)
    for name in ("customers.csv", "consumption.csv", "payments.csv", "outages.csv"):
        assert (again / name).read_bytes() == (out / name).read_bytes(), name
    other = tmp_path / "other"
    generate(other, customers=CUSTOMERS, months=MONTHS, seed=SEED + 1, progress=False)
    assert (other / "customers.csv").read_bytes() != (out / "customers.csv").read_bytes()


def test_parquet_above_threshold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import etl.demo

    monkeypatch.setattr(etl.demo, "PARQUET_ABOVE", 100)
    counts = generate(tmp_path, customers=300, months=3, seed=1, progress=False)
    cons = pd.read_parquet(tmp_path / "consumption.parquet")
    assert len(cons) == counts["consumption.parquet"] > 0
    assert list(cons.columns) == REQUIRED["consumption.csv"]
    assert (tmp_path / "payments.parquet").exists()
    assert not (tmp_path / "consumption.csv").exists()


def test_tiny_run(tmp_path: Path) -> None:
    counts = generate(tmp_path, customers=1, months=1, seed=3, progress=False)
    assert counts["customers.csv"] == 1
    assert counts["consumption.csv"] <= 1


@pytest.mark.parametrize("kwargs", [
    {"customers": 0}, {"customers": -5}, {"months": 0},
    {"end_month": "2026-13"}, {"end_month": "202610"}, {"end_month": "soon"},
])
def test_bad_arguments(tmp_path: Path, kwargs: dict) -> None:
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        generate(tmp_path / "x", progress=False, **kwargs)
    assert not (tmp_path / "x").exists()
