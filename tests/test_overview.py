"""The regional overview's numbers (gcrm.overview), class breaks and URL state, on real DuckDB.

Known answers: class breaks on hand-made lists, Fisher-Jenks against brute force, and every map
value against an independent query (the cube for cube measures, SQL written here for
complaints, the reliability function's own system index for SAIDI).
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboards.overview.state import View
from gcrm import cube
from gcrm.outages import queries as rel
from gcrm.overview import queries as overview
from gcrm.overview.bins import bin_points
from gcrm.overview.figures import months_between, per_1000, rank_regions
from gcrm.overview.queries import Place
from gcrm.spatial.classify import breaks, class_of
from gcrm.storage import warehouse


# --------------------------------------------------------------------------- class breaks
@pytest.mark.parametrize(("values", "method", "k", "expected"), [
    ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "equal_interval", 3, (1.0, 4.0, 7.0, 10.0)),
    ([0, 10], "equal_interval", 4, (0.0, 2.5, 5.0, 7.5, 10.0)),
    ([1, 2, 3, 4, 5, 6, 7, 8], "quantile", 4, (1.0, 2.0, 4.0, 6.0, 8.0)),
    ([1, 1, 1, 1, 2], "quantile", 5, (1.0, 1.0, 2.0)),  # repeated values: fewer classes
    ([1, 2, 3, 10, 11, 12, 30, 31, 32], "natural", 3, (1.0, 3.0, 12.0, 32.0)),
    ([5, 5, 5], "natural", 5, (5.0, 5.0)),
    ([], "quantile", 5, (0.0, 0.0)),
    ([None, float("nan"), 4.0, 2.0], "equal_interval", 2, (2.0, 3.0, 4.0)),
])
def test_breaks_known_answers(values, method, k, expected) -> None:
    assert breaks(values, method, k) == pytest.approx(expected)


def test_breaks_bad_arguments() -> None:
    with pytest.raises(ValueError, match="unknown classification 'jenks'"):
        breaks([1, 2], "jenks")
    with pytest.raises(ValueError, match="at least 1"):
        breaks([1, 2], "quantile", 0)


def _ssd(groups) -> float:
    return sum(float(((np.array(g) - np.mean(g)) ** 2).sum()) for g in groups)


def _groups(values, edges):
    out = [[] for _ in range(len(edges) - 1)]
    for v in values:
        out[class_of(v, edges)].append(v)
    return [g for g in out if g]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 60), min_size=3, max_size=9), st.integers(2, 4))
def test_natural_breaks_are_the_optimum(values, k) -> None:
    """Fisher-Jenks: no partition of the sorted values into k contiguous groups has a smaller
    within-class sum of squares (checked by brute force)."""
    x = sorted(values)
    k = min(k, len(set(x)))
    edges = breaks(x, "natural", k)
    got = _ssd(_groups(x, edges))
    best = math.inf
    for cuts in itertools.combinations(range(1, len(x)), k - 1):
        parts = np.split(np.array(x), cuts)
        if any(len(p) and len(q) and p[-1] == q[0] for p, q in itertools.pairwise(parts)):
            continue  # equal values must share a class (breaks are values)
        best = min(best, _ssd(parts))
    assert got == pytest.approx(best, abs=1e-9)


def test_every_value_falls_in_a_class() -> None:
    rng = np.random.default_rng(3)
    values = rng.lognormal(size=500).tolist()
    for method in ("quantile", "natural", "equal_interval"):
        edges = breaks(values, method, 6)
        assert list(edges) == sorted(edges)
        assert edges[0] == min(values) and edges[-1] == max(values)
        assert {class_of(v, edges) for v in values} <= set(range(len(edges) - 1))
    assert class_of(None, (0.0, 1.0)) is None


# --------------------------------------------------------------------------- map values
@pytest.fixture(scope="module")
def con(demo_db: Path):
    c = warehouse.connect(demo_db, read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def months(con) -> tuple[str, str]:
    return cube.month_range(con, 12)


def _district(con) -> str:
    return con.execute("SELECT district_id FROM dim_customer WHERE district_id IS NOT NULL "
                       "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchone()[0]


def test_district_values_equal_the_cube(con, months) -> None:
    got = overview.child_values(con, "kwh", Place(), months).set_index("key")["value"]
    want = cube.query(con, ["kwh"], by=["district"], months=months).set_index("district")["kwh"]
    assert got.to_dict() == pytest.approx(want.to_dict())


def test_cell_values_are_the_districts_cells(con, months) -> None:
    d = _district(con)
    got = overview.child_values(con, "customers", Place(d), months,
                                where={"customer_class": ["residential"]})
    want = cube.query(con, ["customers"], by=["grid"], months=months,
                      where={"district": [d], "customer_class": ["residential"]})
    assert dict(zip(got["key"], got["value"], strict=True)) == \
        dict(zip(want["grid"], want["customers"].astype(float), strict=True))
    cells_of_d = {r[0] for r in con.execute(
        "SELECT DISTINCT grid_id FROM dim_customer WHERE district_id = ?", [d]).fetchall()}
    assert set(got["key"]) <= cells_of_d


def test_complaints_per_1000_by_independent_sql(con, months) -> None:
    got = overview.child_values(con, "complaints_per_1000", Place(), months).set_index("key")
    first, last = months
    rows = con.execute(
        "WITH n AS (SELECT c.district_id, count(DISTINCT f.customer_key) AS customers "
        "FROM fact_consumption f JOIN dim_customer c USING (customer_key) "
        "WHERE f.month BETWEEN ? AND ? GROUP BY 1), "
        "k AS (SELECT c.district_id, count(*) AS complaints FROM fact_service s "
        "JOIN dim_customer c USING (customer_id) WHERE s.kind = 'complaint' "
        "AND strftime(s.opened_at, '%Y-%m') BETWEEN ? AND ? GROUP BY 1) "
        "SELECT n.district_id, coalesce(k.complaints, 0) * 1000.0 / n.customers "
        "FROM n LEFT JOIN k USING (district_id) WHERE n.district_id IS NOT NULL",
        [first, last, first, last]).fetchall()
    assert rows and any(v > 0 for _, v in rows)
    for district, value in rows:
        assert got.at[district, "value"] == pytest.approx(value), district
    # the whole area: all complaints over all customers
    total = overview.place_value(con, "complaints_per_1000", Place(), months)
    n = cube.query(con, ["customers"], months=months)["customers"].iloc[0]
    k = con.execute("SELECT count(*) FROM fact_service WHERE kind = 'complaint' AND "
                    "strftime(opened_at, '%Y-%m') BETWEEN ? AND ?", [first, last]).fetchone()[0]
    assert total == pytest.approx(k * 1000 / n)


def test_saidi_by_district_and_the_customer_weighted_whole(con, months) -> None:
    year = int(months[1][:4])
    got = overview.child_values(con, "saidi", Place(), months).set_index("key")["value"]
    want = rel.indices(con, year, by="district", months=months).set_index("district")["saidi"]
    # the unlocated customers' key is NaN on both sides: one key ("") so the dicts can match
    got.index, want.index = got.index.fillna(""), want.index.fillna("")
    assert "" in want.index
    assert got.to_dict() == pytest.approx(want.to_dict(), nan_ok=True)
    city = rel.indices(con, year, by="city", months=months)
    system = float((city["saidi"] * city["customers_served"]).sum()
                   / city["customers_served"].sum())
    assert overview.place_value(con, "saidi", Place(), months) == pytest.approx(system)


def test_reliability_over_a_span_known_answer() -> None:
    """Two outages on one feeder of 4 customers, one in December, one in January: a
    Dec..Jan span counts both; each single month one; ASAI uses the span's minutes."""
    import pandas as pd

    from gcrm.outages.indices import Options, reliability

    customers = pd.DataFrame({"customer_id": list("abcd"), "feeder_id": "F1", "group": "G",
                              "opened_on": None})
    outages = pd.DataFrame({
        "outage_id": ["o1", "o2"], "feeder_id": ["F1", "F1"],
        "start_at": pd.to_datetime(["2025-12-31 23:00", "2026-01-15 08:00"]),
        "end_at": pd.to_datetime(["2026-01-01 01:00", "2026-01-15 09:00"]),
        "duration_min": [120.0, 60.0], "cause": ["weather", "equipment"],
        "planned": [False, False]})
    span = reliability(outages, customers, Options(2026, span=("2025-12", "2026-01"))).iloc[0]
    assert span["saifi"] == 2 and span["saidi"] == 180
    minutes = (31 + 31) * 24 * 60
    assert span["asai"] == pytest.approx(1 - 180 / minutes)
    jan = reliability(outages, customers, Options(2026, month=1)).iloc[0]
    assert jan["saifi"] == 1 and jan["saidi"] == 60  # the midnight event started in December
    same = reliability(outages, customers, Options(2026, span=("2026-01", "2026-01"))).iloc[0]
    assert same["saidi"] == jan["saidi"] and same["asai"] == pytest.approx(jan["asai"])
    with pytest.raises(ValueError, match="empty reporting period"):
        Options(2026, span=("2026-02", "2026-01")).period()


def test_ranking_ranks_shares_and_sparklines(con, months) -> None:
    rk = overview.ranking(con, "kwh", Place(), months)
    located = rk[rk["key"].notna()]
    assert list(located["rank"]) == sorted(located["rank"])
    assert located["value"].is_monotonic_decreasing
    assert rk["share"].sum() == pytest.approx(1.0)
    # the average region: the mean of the located regions' values
    assert located["vs_avg"].to_numpy() == pytest.approx(
        (located["value"] / located["value"].mean() - 1).to_numpy())
    # customers (a distinct count) split over districts too: every customer lies in one
    by_customers = overview.ranking(con, "customers", Place(), months)
    assert by_customers["share"].sum() == pytest.approx(1.0)
    # a rate compares with the whole area's rate, and has no share
    rate = overview.ranking(con, "online_share", Place(), months)
    whole = overview.place_value(con, "online_share", Place(), months)
    assert rate["vs_avg"].to_numpy() == pytest.approx((rate["value"] / whole - 1).to_numpy())
    assert rate["share"].isna().all()
    n_months = len(months_between(months))
    assert all(len(s) == n_months for s in rk["trend"])
    top = located.iloc[0]
    monthly = cube.query(con, ["kwh"], by=["month"], months=months,
                         where={"district": [top["key"]]})
    assert [v for v in top["trend"] if not math.isnan(v)] == pytest.approx(
        monthly["kwh"].tolist())


def test_kpis_are_the_cube_with_the_place_as_a_filter(con, months) -> None:
    d = _district(con)
    k = overview.kpis(con, ["customers", "kwh", "online_share"], Place(d), months,
                      where={"big_customer": ["false"]}).set_index("measure")
    want = cube.query(con, ["customers", "kwh", "online_share"], months=months,
                      where={"district": [d], "big_customer": ["false"]}).iloc[0]
    for m in ("customers", "kwh", "online_share"):
        assert k.at[m, "value"] == pytest.approx(float(want[m]))


def test_customer_points_of_a_cell(con) -> None:
    d = _district(con)
    cell, n = con.execute("SELECT grid_id, count(*) FROM dim_customer WHERE district_id = ? "
                          "AND lon IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 1",
                          [d]).fetchone()
    pts, total = overview.customer_points(con, Place(d, cell))
    assert total == n == len(pts)
    assert set(pts.columns) == {"customer_id", "customer_class", "tariff", "big_customer",
                                "lon", "lat"}  # no names or contacts
    capped, total = overview.customer_points(con, Place(d, cell), limit=3)
    assert len(capped) == 3 and total == n
    other = con.execute("SELECT district_id FROM dim_customer WHERE district_id <> ? "
                        "LIMIT 1", [d]).fetchone()[0]
    _, none = overview.customer_points(con, Place(d, cell), scope=[other])
    assert none == 0  # outside the user's scope: nothing


def test_layers_stay_in_the_period_and_the_scope(con, months) -> None:
    ev = overview.recent_outages(con, months, limit=50)
    assert 0 < len(ev) <= 50
    first = f"{months[0]}-01"
    assert (ev["start_at"].astype(str) >= first).all()
    assert ev["start_at"].is_monotonic_decreasing
    d = _district(con)
    pop = overview.population(con, scope=[d])
    assert len(pop) and len(pop) < len(overview.population(con))
    lines = overview.feeder_lines(con, scope=[d])
    assert lines["customers"].sum() == con.execute(
        "SELECT count(*) FROM dim_customer WHERE district_id = ? AND lon IS NOT NULL",
        [d]).fetchone()[0]


def test_bad_requests(con, months) -> None:
    with pytest.raises(ValueError, match="unknown map measure"):
        overview.child_values(con, "nope", Place(), months)
    with pytest.raises(ValueError, match="filters by"):
        overview.child_values(con, "kwh", Place(), months, where={"district": ["x"]})
    with pytest.raises(ValueError, match="from its district"):
        Place(None, "871f1")
    with pytest.raises(ValueError, match="customers, not a measure"):
        overview.child_values(con, "kwh", Place("220502", "871f1"), months)


# --------------------------------------------------------------------------- URL state
def test_view_round_trips_through_the_url() -> None:
    months = ["2025-01", "2025-02", "2025-03"]
    v = View("saidi", "natural", 7, ("2025-01", "2025-02"), "220502", "8730e1cdbffffff",
             (("customer_class", ("residential", "commercial")),), ("outages", "population"))
    assert View.from_params(v.to_params(), months) == v
    assert View().to_params() == {}  # defaults stay out of the URL


@pytest.mark.parametrize("params", [
    {"m": "DROP TABLE", "cls": "x", "k": "abc", "from": "2031-01", "to": "2025-01"},
    {"g": "8730e1cdbffffff"},  # a cell without its district
    {"layers": "evil,outages", "k": "99"},
])
def test_malformed_urls_fall_back_to_defaults(params) -> None:
    v = View.from_params(params, ["2025-01"])
    assert v.measure == "customers" and v.method == "quantile" and v.months is None
    assert v.grid is None and 3 <= v.k <= 9
    assert set(v.layers) <= {"outages"}


def test_bin_points_counts_customers_per_hexagon() -> None:
    import h3
    import pandas as pd

    lat, lon = 41.72, 125.93
    here = h3.latlng_to_cell(lat, lon, 10)
    far = h3.latlng_to_cell(lat + 0.01, lon, 10)
    pts = pd.DataFrame({
        "customer_id": ["a", "b", "c", "d"],
        "customer_class": ["residential", "residential", "commercial", "industrial"],
        "big_customer": [False, True, False, True],
        "lon": [lon, lon + 1e-5, lon, lon], "lat": [lat, lat, lat + 1e-5, lat + 0.01]})
    bins = bin_points(pts)
    assert bins.to_dict("records") == [
        {"cell": here, "customers": 3, "big_customers": 1, "top_class": "residential"},
        {"cell": far, "customers": 1, "big_customers": 1, "top_class": "industrial"}]
    assert bin_points(pts.iloc[:0]).empty
    tie = bin_points(pts.iloc[1:3])  # one residential, one commercial: alphabetical
    assert tie.to_dict("records") == [
        {"cell": here, "customers": 2, "big_customers": 1, "top_class": "commercial"}]


def test_per_1000_and_rank_regions_known_answers() -> None:
    import pandas as pd

    counts = pd.DataFrame({"key": ["a", "b"], "n": [2, 1]})
    customers = pd.DataFrame({"key": ["a", "b", "c", "d"], "customers": [1000, 500, 100, 0]})
    rates = per_1000(counts, customers, ["key"]).set_index("key")["value"]
    assert rates[["a", "b", "c"]].tolist() == [2.0, 2.0, 0.0] and math.isnan(rates["d"])
    vals = pd.DataFrame({"key": ["a", "b", "c", None], "value": [10.0, 30.0, 10.0, 5.0]})
    out = rank_regions(vals, additive=True)
    assert out["key"].tolist()[:3] == ["b", "a", "c"] and pd.isna(out["key"].iloc[3])
    assert out["rank"].tolist()[:3] == [1, 2, 2] and out["rank"].isna().iloc[3]
    assert out["share"].tolist() == pytest.approx([30 / 55, 10 / 55, 10 / 55, 5 / 55])
    assert out["vs_avg"].iloc[0] == pytest.approx(30 / (50 / 3) - 1)
    rate = rank_regions(vals, additive=False, whole=20.0)
    assert rate["share"].isna().all()
    assert rate["vs_avg"].tolist() == pytest.approx([0.5, -0.5, -0.5, -0.75])
    assert months_between(("2025-11", "2026-02")) == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_cli_overview_prints_the_pages_ranking(con, months, demo_db: Path) -> None:
    import json

    from click.testing import CliRunner

    from gcrm.cli import cli

    d = _district(con)
    result = CliRunner().invoke(cli, ["overview", "--db", str(demo_db), "--measure", "kwh",
                                      "--district", d, "--top", "5", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    want = overview.ranking(con, "kwh", Place(d), months, top=5)
    assert [r["grid"] for r in rows] == want["key"].tolist()
    assert [r["value"] for r in rows] == pytest.approx(want["value"].tolist())
    bad = CliRunner().invoke(cli, ["overview", "--db", str(demo_db), "--measure", "nope"])
    assert bad.exit_code == 2 and "unknown measure 'nope'" in bad.output


# --------------------------------------------------------------------------- disclosure control
def _small_cell(con, months, d: str) -> str:
    cells = overview.child_values(con, "customers", Place(d), months)
    return cells.loc[cells["value"].between(1, 4), "key"].iloc[0]


@pytest.mark.parametrize("measure", ["kwh", "customers", "online_share", "complaints_per_1000"])
def test_map_cells_of_few_customers_are_hidden_with_min_cell(con, months, measure) -> None:
    """A role without read_pii: a grid cell describing fewer than 5 customers has no value
    on the map (and is marked), every value shown is the open one, and no cell is hidden
    alone (its complement goes too)."""
    d = _district(con)
    open_ = overview.child_values(con, measure, Place(d), months).set_index("key")
    safe = overview.child_values(con, measure, Place(d), months, min_cell=5).set_index("key")
    n = cube.query(con, ["customers"], by=["grid"], months=months,
                   where={"district": [d]}).set_index("grid")["customers"]
    assert "suppressed" not in open_.columns  # the open frame is unchanged
    small = n[(n > 0) & (n < 5)].index
    assert len(small) and safe.loc[small, "suppressed"].all()
    assert safe.loc[safe["suppressed"], "value"].isna().all()
    shown = safe[~safe["suppressed"]]
    assert shown["value"].to_dict() == pytest.approx(open_.loc[shown.index, "value"].to_dict(),
                                                     nan_ok=True)
    assert safe["suppressed"].sum() != 1


def test_reliability_cells_hide_by_customers_served(con, months) -> None:
    d = _district(con)
    year = int(months[1][:4])
    served = rel.indices(con, year, by="grid", scope=[d], months=months).set_index("grid")
    safe = overview.child_values(con, "saidi", Place(d), months, min_cell=5).set_index("key")
    small = served.index[served["customers_served"].between(1, 4)].dropna()
    assert len(small) and safe.loc[small, "suppressed"].all()
    assert safe.loc[safe["suppressed"], "value"].isna().all()
    monthly = overview.monthly_child_values(con, "saidi", Place(d), months, min_cell=5)
    assert list(monthly.columns) == ["month", "key", "value", "suppressed"]
    assert monthly.loc[monthly["suppressed"], "value"].isna().all()


def test_kpis_trend_and_place_of_a_small_cell_are_hidden(con, months) -> None:
    d = _district(con)
    cell = _small_cell(con, months, d)
    k = overview.kpis(con, ["customers", "kwh"], Place(d, cell), months, min_cell=5)
    assert "value" in k.attrs["hidden"] and k["value"].isna().all()
    assert k["prev_change"].isna().all() and k["yoy_change"].isna().all()
    assert math.isnan(overview.place_value(con, "kwh", Place(d, cell), months, min_cell=5))
    assert overview.place_value(con, "kwh", Place(d, cell), months) > 0
    tr = overview.trend(con, ["kwh"], Place(d, cell), months, min_cell=5)
    assert tr["kwh"].isna().all() and tr.attrs["suppressed"] > 0
    # a district is big enough: its tiles are the open ones
    big = overview.kpis(con, ["customers", "kwh"], Place(d), months, min_cell=5)
    want = overview.kpis(con, ["customers", "kwh"], Place(d), months)
    assert big.attrs["hidden"] == [] or "value" not in big.attrs["hidden"]
    assert big["value"].tolist() == want["value"].tolist()


def test_ranking_with_min_cell_ranks_shown_cells_and_shares_the_true_total(con, months) -> None:
    d = _district(con)
    rk = overview.ranking(con, "kwh", Place(d), months, min_cell=5)
    hidden = rk[rk["suppressed"]]
    assert len(hidden) and hidden["rank"].isna().all() and hidden["value"].isna().all()
    # hidden cells come last, in the order of their keys (not of their hidden values)
    assert rk["suppressed"].tolist() == sorted(rk["suppressed"].tolist())
    assert hidden["key"].tolist() == sorted(hidden["key"].tolist())
    total = cube.query(con, ["kwh"], months=months, where={"district": [d]})["kwh"].iloc[0]
    shown = rk[~rk["suppressed"]]
    assert shown["share"].to_numpy() == pytest.approx((shown["value"] / total).to_numpy())
    assert rk["share"].sum() < 1.0
    assert all(math.isnan(x) for s in hidden["trend"] for x in s)


def test_last_months_never_start_before_the_data(mini_db_shared: Path) -> None:
    """The example holds 3 months: "the last 12 months" is those 3 (a range starting before
    the data made the overview's month slider fail: '2024-03 is not in iterable')."""
    c = warehouse.connect(mini_db_shared, read_only=True)
    try:
        first, last = c.execute("SELECT min(month), max(month) FROM fact_consumption").fetchone()
        assert first < last
        assert cube.month_range(c, 12) == (first, last)
        assert cube.month_range(c, 1) == (last, last)
    finally:
        c.close()


def test_overview_page_runs_on_a_warehouse_shorter_than_a_year(mini_db_shared: Path,
                                                               tmp_path: Path) -> None:
    import shutil

    from streamlit.testing.v1 import AppTest

    from gcrm.security.accounts import authenticate, open_session
    from gcrm.storage.store import connect_store
    from tests.browser import add_account

    db = tmp_path / "mini.duckdb"
    shutil.copy(mini_db_shared, db)
    add_account(db, "adm", "admin", "Short-Year-2026!")
    store = connect_store(db)
    try:
        token = open_session(store, authenticate(store, "adm", "Short-Year-2026!"))
    finally:
        store.close()

    def app(db: str, token: str) -> None:
        import os

        import streamlit as st

        from dashboards.components import auth, data, shell
        from dashboards.overview import page

        os.environ["GCRM_DB"] = db
        ss = st.session_state
        ss[auth._TOKEN], ss[auth._COOKIE_TRIED] = token, True
        auth.current()
        ss[shell._INFO_KEY] = data.warehouse_info()
        with data.run_connection(shell.warehouse().path):
            page.render()

    at = AppTest.from_function(app, args=(str(db), token), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title and at.metric  # the page drew its title and KPI tiles
