"""Known answers for IEEE 1366 / DL/T 836 indices on a hand-made network."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gcrm.outages.indices import (
    Options,
    major_event_days,
    med_threshold,
    minutes_in_year,
    reliability,
)


def customers() -> pd.DataFrame:
    # feeder A crosses two districts: 4 customers in X, 2 in Y; feeder B: 4 customers in Y
    rows = [("A", "X")] * 4 + [("A", "Y")] * 2 + [("B", "Y")] * 4
    return pd.DataFrame({"customer_id": [f"c{i}" for i in range(10)],
                         "feeder_id": [f for f, _ in rows], "group": [g for _, g in rows]})


def outage(oid, feeder, start, end, planned=False) -> dict:
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    return {"outage_id": oid, "feeder_id": feeder, "start_at": s, "end_at": e,
            "duration_min": (e - s).total_seconds() / 60, "planned": planned}


OUTAGES = pd.DataFrame([
    outage("O1", "A", "2025-03-01 10:00", "2025-03-01 12:00"),            # 120 min
    outage("O2", "B", "2025-06-10 23:00", "2025-06-11 01:30"),            # spans midnight
    outage("O3", "A", "2025-07-01 08:00", "2025-07-01 08:03"),            # momentary
    outage("O4", "B", "2025-08-01 09:00", "2025-08-01 13:00", True),      # planned 240 min
    outage("O5", "B", "2024-12-31 23:00", "2025-01-01 02:00"),            # counts in 2024
])


def by_group(df: pd.DataFrame) -> dict:
    return {r["group"]: r for r in df.to_dict("records")}


def test_known_answers_with_planned() -> None:
    r = by_group(reliability(OUTAGES, customers(), Options(year=2025, cemi_n=1)))
    x, y = r["X"], r["Y"]
    assert x["customers_served"] == 4 and y["customers_served"] == 6
    assert x["saifi"] == 1 and x["saidi"] == 120 and x["caidi"] == 120
    assert x["maifi"] == 1
    assert y["saifi"] == pytest.approx(10 / 6) and y["saidi"] == pytest.approx(300)
    assert y["caidi"] == pytest.approx(180) and y["maifi"] == pytest.approx(2 / 6)
    assert y["caifi"] == pytest.approx(10 / 6)  # all six were interrupted at least once
    assert y["cemi_1"] == pytest.approx(4 / 6)  # feeder B's customers had two
    assert x["asai"] == pytest.approx(1 - 480 / (4 * minutes_in_year(2025)))
    assert x["aihc_hours"] == 2
    assert x["rs_pct"] == pytest.approx((1 - 2 / 8760) * 100)


def test_known_answers_without_planned() -> None:
    r = by_group(reliability(OUTAGES, customers(), Options(year=2025, exclude_planned=True)))
    assert r["Y"]["saifi"] == pytest.approx(1) and r["Y"]["saidi"] == pytest.approx(140)
    assert r["X"]["saidi"] == 120


def test_system_level_and_weighting() -> None:
    c = customers().assign(group="city")
    city = reliability(OUTAGES, c, Options(year=2025)).iloc[0]
    assert city["saifi"] == pytest.approx(1.4) and city["saidi"] == pytest.approx(228)
    districts = reliability(OUTAGES, customers(), Options(year=2025))
    w = districts["customers_served"]
    assert (districts["saidi"] * w).sum() / w.sum() == pytest.approx(city["saidi"])


def test_event_spanning_new_year_counts_in_its_start_year() -> None:
    r = by_group(reliability(OUTAGES, customers(), Options(year=2024)))
    assert r["Y"]["saidi"] == pytest.approx(4 * 180 / 6)
    assert r["X"]["saidi"] == 0


def history_outages() -> pd.DataFrame:
    rows = []
    durations = [30, 60, 120]
    for year in range(2020, 2025):
        for i in range(21):
            day = pd.Timestamp(year, 1, 1) + pd.Timedelta(days=10 * i)
            d = durations[i % 3]
            rows.append(outage(f"H{year}-{i}", "A", day, day + pd.Timedelta(minutes=d)))
    # 2025: one ordinary day and a storm day with both feeders out for ten hours
    rows.append(outage("N1", "A", "2025-05-05 10:00", "2025-05-05 12:00"))
    rows.append(outage("S1", "A", "2025-07-15 02:00", "2025-07-15 12:00"))
    rows.append(outage("S2", "B", "2025-07-15 03:00", "2025-07-15 13:00"))
    return pd.DataFrame(rows)


def test_major_event_day_by_the_25_beta_method() -> None:
    out = history_outages()
    med = major_event_days(out, customers(), Options(year=2025))
    # daily SAIDI of history days: 30/60/120 min x 6 customers / 10 = 18, 36, 72 (7 of each
    # per year), so alpha = ln 36 and beta = ln 2 x sqrt(2 x 35 / 104)
    alpha = math.log(36)
    beta = math.log(2) * math.sqrt(2 * 35 / 104)
    assert med.threshold_min == pytest.approx(math.exp(alpha + 2.5 * beta))
    assert med.days == [pd.Timestamp("2025-07-15")]
    assert med.basis == "2020-2024"
    with_med = by_group(reliability(out, customers(), Options(year=2025)))
    without = by_group(reliability(out, customers(), Options(year=2025, exclude_med=True)))
    assert with_med["X"]["saidi"] == 120 + 600 and without["X"]["saidi"] == 120
    assert without["Y"]["saidi"] == pytest.approx(2 * 120 / 6)


def test_med_threshold_ignores_zero_days() -> None:
    s = pd.Series([0.0, 0.0, 10.0, 10.0, 40.0])
    logs = np.log([10.0, 10.0, 40.0])
    assert med_threshold(s) == pytest.approx(math.exp(logs.mean() + 2.5 * logs.std(ddof=1)))
    assert med_threshold(pd.Series([0.0, 5.0])) is None


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 4), st.integers(0, 3)), min_size=1, max_size=60),
    st.lists(st.tuples(st.integers(0, 4), st.integers(0, 364), st.integers(1, 900),
                       st.booleans()), max_size=30),
)
def test_weighted_districts_reproduce_the_city(cust, events) -> None:
    c = pd.DataFrame({"customer_id": range(len(cust)), "feeder_id": [f"F{f}" for f, _ in cust],
                      "group": [f"D{g}" for _, g in cust]})
    o = pd.DataFrame([outage(f"O{i}", f"F{f}", pd.Timestamp(2025, 1, 1) + pd.Timedelta(days=d),
                             pd.Timestamp(2025, 1, 1) + pd.Timedelta(days=d, minutes=m), p)
                      for i, (f, d, m, p) in enumerate(events)],
                     columns=["outage_id", "feeder_id", "start_at", "end_at", "duration_min",
                              "planned"])
    d = reliability(o, c, Options(year=2025))
    city = reliability(o, c.assign(group="all"), Options(year=2025)).iloc[0]
    w = d["customers_served"]
    for col in ("saifi", "saidi", "maifi"):
        assert (d[col] * w).sum() / w.sum() == pytest.approx(city[col])


def test_one_month() -> None:
    r = by_group(reliability(OUTAGES, customers(), Options(year=2025, month=3)))
    assert r["X"]["saidi"] == 120 and r["Y"]["saidi"] == pytest.approx(2 * 120 / 6)
    assert r["X"]["asai"] == pytest.approx(1 - 480 / (4 * 31 * 1440))  # minutes of March
    june = by_group(reliability(OUTAGES, customers(), Options(year=2025, month=6)))
    assert june["Y"]["saidi"] == pytest.approx(4 * 150 / 6) and june["X"]["saidi"] == 0
    months = [reliability(OUTAGES, customers(), Options(year=2025, month=m)) for m in range(1, 13)]
    year = reliability(OUTAGES, customers(), Options(year=2025))
    assert sum(m["customer_minutes"].sum() for m in months) == year["customer_minutes"].sum()
    with pytest.raises(ValueError, match="month must be"):
        Options(year=2025, month=13).period()


def _weighted(df: pd.DataFrame, col: str) -> float:
    w = df["customers_served"]
    return float((df[col] * w).sum() / w.sum())


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 4), st.integers(0, 3), st.integers(0, 5), st.booleans()),
             min_size=1, max_size=60),
    st.lists(st.tuples(st.integers(0, 4), st.integers(0, 364), st.integers(1, 900),
                       st.booleans()), max_size=30),
    st.booleans(), st.booleans(),
)
def test_weighted_cells_reproduce_the_district_and_districts_the_city(
        cust, events, exclude_planned, exclude_med) -> None:
    # customers: (feeder, district, H3 cell, opened after the year); a cell may straddle
    # districts (its customers in each district count there), as real H3 cells do
    c = pd.DataFrame({"customer_id": range(len(cust)),
                      "feeder_id": [f"F{f}" for f, _, _, _ in cust],
                      "district": [f"D{d}" for _, d, _, _ in cust],
                      "cell": [f"H{h}" for _, _, h, _ in cust],
                      "opened_on": [pd.Timestamp("2026-03-01") if late else pd.NaT
                                    for _, _, _, late in cust]})
    o = pd.DataFrame([outage(f"O{i}", f"F{f}", pd.Timestamp(2025, 1, 1) + pd.Timedelta(days=d),
                             pd.Timestamp(2025, 1, 1) + pd.Timedelta(days=d, minutes=m), p)
                      for i, (f, d, m, p) in enumerate(events)],
                     columns=["outage_id", "feeder_id", "start_at", "end_at", "duration_min",
                              "planned"])
    opts = Options(year=2025, exclude_planned=exclude_planned, exclude_med=exclude_med)
    districts = reliability(o, c.assign(group=c["district"]), opts)
    city = reliability(o, c.assign(group="all"), opts)
    for col in ("saifi", "saidi", "maifi"):
        if len(city) and city.iloc[0]["customers_served"]:
            assert _weighted(districts, col) == pytest.approx(city.iloc[0][col])
    for row in districts.to_dict("records"):
        part = c[c["district"] == row["group"]]
        cells = reliability(o, part.assign(group=part["cell"]), opts,
                            system=c.assign(group=c["cell"]))
        assert cells["customers_served"].sum() == row["customers_served"]
        for col in ("saifi", "saidi", "maifi", "customer_minutes"):
            if col == "customer_minutes":
                assert cells[col].sum() == pytest.approx(row[col])
            elif row["customers_served"]:
                assert _weighted(cells, col) == pytest.approx(row[col])


def test_med_days_of_a_part_come_from_the_system() -> None:
    # the storm day of history_outages() is a MED for the system; a district whose own daily
    # SAIDI would give another threshold still leaves out exactly the system's days
    out = history_outages()
    y = customers()[customers()["group"] == "Y"]
    opts = Options(year=2025, exclude_med=True)
    own = by_group(reliability(out, y, opts))
    sys_days = by_group(reliability(out, y, opts, system=customers()))
    assert sys_days["Y"]["saidi"] == pytest.approx(2 * 120 / 6)  # the storm is left out
    whole = by_group(reliability(out, customers(), opts))
    assert sys_days["Y"]["saidi"] == pytest.approx(whole["Y"]["saidi"])
    assert own["Y"]["customers_served"] == 6


def test_h3_cells_of_a_district_in_the_warehouse(mini_db_shared) -> None:
    from gcrm.outages import queries as rel
    from gcrm.storage import warehouse

    con = warehouse.connect(mini_db_shared, read_only=True)
    try:
        d = rel.indices(con, 2025, "district").set_index("district")
        for excl in (False, True):
            cells = rel.indices(con, 2025, "h3", within="D1", exclude_planned=excl)
            assert cells["h3"].tolist() == ["873150d1effffff", "8731546d6ffffff"]
            dist = rel.indices(con, 2025, "district", exclude_planned=excl).set_index(
                "district")
            assert cells["customers_served"].sum() == dist.loc["D1", "customers_served"]
            for col in ("saifi", "saidi", "maifi"):
                assert _weighted(cells, col) == pytest.approx(dist.loc["D1", col])
        # with major event days left out the drill reads the whole system (its days), without
        # only the district's customers: both reproduce the district's row
        for med in (False, True):
            cells = rel.indices(con, 2025, "h3", within="D1", exclude_med=med)
            dist = rel.indices(con, 2025, "district", exclude_med=med).set_index("district")
            for col in ("saifi", "saidi", "cemi_3"):
                assert _weighted(cells, col) == pytest.approx(dist.loc["D1", col])
        # "h3" is the grid grouping under its own name; within + scope intersect
        grid = rel.indices(con, 2025, "grid").rename(columns={"grid": "h3"})
        pd.testing.assert_frame_equal(rel.indices(con, 2025, "h3"), grid)
        assert rel.indices(con, 2025, "h3", scope=["D2"], within="D1").empty
        city = rel.indices(con, 2025, "district", within="C1")
        pd.testing.assert_frame_equal(city, rel.indices(con, 2025, "district",
                                                        scope=["C1"]))
        assert d.loc["D1", "saidi"] > 0
    finally:
        con.close()
