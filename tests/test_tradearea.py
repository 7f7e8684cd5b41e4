"""Trade areas: pure functions against hand-computed answers, then the warehouse and the CLI."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import duckdb
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner
from pyproj import Geod

from gcrm import cube
from gcrm.cli import cli
from gcrm.storage.warehouse import BY_ID
from gcrm.tradearea import geometry, huff
from gcrm.tradearea import queries as tradearea

GEOD = Geod(ellps="WGS84")
KM_PER_DEG_EQ = 2 * np.pi * geometry.EARTH_RADIUS_KM / 360  # 111.195 km per degree on the equator


# --------------------------------------------------------------------------- pure functions
def test_rings_are_geodesic_circles() -> None:
    r = geometry.rings(125.94, 41.73, [5, 1, 3])
    assert r["outer_km"].tolist() == [1.0, 3.0, 5.0]
    for km, geom, area in zip(r["outer_km"], r.geometry, r["area_km2"], strict=True):
        xs, ys = np.asarray(geom.exterior.coords).T
        _, _, d = GEOD.inv(np.full(xs.size, 125.94), np.full(xs.size, 41.73), xs, ys)
        assert np.allclose(d, km * 1000, rtol=1e-6)  # every vertex exactly r away
        assert area == pytest.approx(np.pi * km**2, rel=2e-4)
    bands = geometry.rings(125.94, 41.73, [1, 3], bands=True)
    assert bands["inner_km"].tolist() == [0.0, 1.0]
    assert bands["area_km2"].iloc[1] == pytest.approx(np.pi * 8, rel=2e-4)
    with pytest.raises(ValueError, match="positive"):
        geometry.rings(0, 0, [0])


def test_voronoi_splits_at_the_bisector() -> None:
    pts = pd.DataFrame({"service_point_id": ["a", "b"], "lon": [0.0, 2.0], "lat": [0.0, 0.0]})
    g = geometry.voronoi_areas(pts, shapely.box(-1, -1, 3, 1))
    assert g["service_point_id"].tolist() == ["a", "b"]
    assert g.geometry.iloc[0].bounds[2] == pytest.approx(1.0, abs=1e-6)
    assert g.geometry.iloc[1].bounds[0] == pytest.approx(1.0, abs=1e-6)
    assert g["area_km2"].iloc[0] == pytest.approx(g["area_km2"].iloc[1], rel=1e-9)
    assert sum(g["area_km2"]) == pytest.approx(
        geometry.geodesic_area_km2(shapely.segmentize(shapely.box(-1, -1, 3, 1), 0.01)), rel=1e-5)
    with pytest.raises(ValueError, match="service-point table is empty"):
        geometry.voronoi_areas(pts.iloc[:0], shapely.box(-1, -1, 3, 1))


def test_customer_trade_area_takes_the_nearest_share() -> None:
    inner = [(-0.01, -0.01), (0.01, -0.01), (0.01, 0.01), (-0.01, 0.01)]
    outer = [(-0.03, -0.03), (0.03, -0.03), (0.03, 0.03), (-0.03, 0.03)]
    lon, lat = np.array(inner + outer).T
    g = geometry.customer_trade_area(0.0, 0.0, lon, lat, shares=(0.5, 1.0))
    assert g["customers"].tolist() == [4, 8]
    # hull of the 4 nearest = the inner square; of all = the outer square
    assert g["area_km2"].iloc[0] == pytest.approx(
        geometry.geodesic_area_km2(shapely.box(-0.01, -0.01, 0.01, 0.01)), rel=1e-3)
    assert g["area_km2"].iloc[1] == pytest.approx(
        geometry.geodesic_area_km2(shapely.box(-0.03, -0.03, 0.03, 0.03)), rel=1e-3)
    assert g["radius_km"].iloc[0] == pytest.approx(
        geometry.haversine_km(0, 0, 0.01, 0.01).item(), rel=1e-9)


def test_huff_known_answer_two_cells_two_facilities() -> None:
    # d = [[1, 2], [2, 1]] km, A = [1, 2], alpha = 1, beta = 2, 90 households per cell:
    # cell 1: u = (1/1, 2/4) -> P = (2/3, 1/3); cell 2: u = (1/4, 2/1) -> P = (1/9, 8/9)
    # expected: facility 1 = 90*2/3 + 90*1/9 = 70; facility 2 = 30 + 80 = 110
    r = huff.huff_from_distances([[1, 2], [2, 1]], [90, 90], [1, 2], alpha=1, beta=2,
                                 min_distance_km=0)
    assert r.prob == pytest.approx(np.array([[2 / 3, 1 / 3], [1 / 9, 8 / 9]]))
    assert r.expected.tolist() == pytest.approx([70.0, 110.0])
    # the same case on the map: points on the equator one and two "units" apart
    u = 1 / KM_PER_DEG_EQ
    geo = huff.huff([0, 3 * u], [0, 0], [90, 90], [-u, 4 * u], [0, 0], [1, 2], alpha=1, beta=2,
                    min_distance_km=0)
    # cell 1: d = (1, 4); cell 2: d = (4, 1) -> u1 = (1, 1/8), u2 = (1/16, 2)
    assert geo.prob[0] == pytest.approx([8 / 9, 1 / 9], rel=1e-6)
    assert geo.prob[1] == pytest.approx([1 / 33, 32 / 33], rel=1e-6)
    # alpha = 0 ignores attractiveness; a distance cap leaves unreachable cells with nothing
    r0 = huff.huff_from_distances([[1, 2]], [1], [1, 100], alpha=0, beta=1, min_distance_km=0)
    assert r0.prob[0].tolist() == pytest.approx([2 / 3, 1 / 3])
    capped = huff.huff_from_distances([[5, 6]], [10], [1, 1], max_distance_km=2)
    assert capped.expected.tolist() == [0.0, 0.0]


def test_attractiveness_from_attrs() -> None:
    sp = pd.DataFrame({"kind": ["business_hall", "bank_agent", "self_service"],
                       "counters": [2, None, 1],
                       "opening_hours": ["08:30-16:30", None, "00:00-24:00"]})
    assert huff.attractiveness(sp).tolist() == [6.0, 1.0, 1.5]
    assert huff.opening_hours_per_day("22:00-06:00") == 8.0


def test_coverage_gaps_and_overlaps() -> None:
    # cells on the equator at 0, 0.05 and 0.5 degrees; facilities at 0 and 0.04 degrees
    cov = huff.coverage_counts([0, 0.05, 0.5], [0, 0, 0], [0, 0.04], [0, 0], radius_km=5)
    assert cov["facilities"].tolist() == [2, 1, 0]  # 4.45 km; 1.11 km; 51.2 km away
    assert cov["nearest_km"].iloc[2] == pytest.approx(0.46 * KM_PER_DEG_EQ)
    boxes = [shapely.box(-1, -1, 1, 1), shapely.box(0, -1, 2, 1)]
    assert geometry.areas_containing([-0.5, 0.5, 1.5, 5], [0, 0, 0, 0],
                                     boxes).tolist() == [1, 2, 1, 0]


def test_greedy_mclp_known_answers() -> None:
    # three demand points 111 km apart, weights 5, 1, 7, candidates at the same places
    r = huff.greedy_mclp([0, 1, 2], [0, 0, 0], [0, 1, 2], [0, 0, 0], [5, 1, 7], k=2, radius_km=1)
    assert (r.chosen, r.gains, r.covered_before, r.covered_after) == ([2, 0], [7, 5], 0, 12)
    # an existing facility already covers the heaviest point: greedy picks the others
    r = huff.greedy_mclp([0, 1, 2], [0, 0, 0], [0, 1, 2], [0, 0, 0], [5, 1, 7], k=5,
                         radius_km=1, existing_lon=[2], existing_lat=[0])
    assert (r.chosen, r.covered_before, r.covered_after, r.total) == ([0, 1], 7, 13, 13)
    # one central candidate reaching two points beats a heavier single point
    r = huff.greedy_mclp([0, 0.5, 1], [0, 0, 0], [0, 1], [0, 0], [4, 4], k=1, radius_km=60)
    assert r.chosen == [1] and r.covered_after == 8
    with pytest.raises(ValueError, match="at least 1"):
        huff.greedy_mclp([0], [0], [0], [0], [1], k=0, radius_km=1)


def test_nearest_is_the_brute_force_answer() -> None:
    """The k-d tree's nearest point (then great-circle distances among its candidates) is
    the brute-force argmin over every pair: same index (the lowest among equal distances,
    here on a grid with customers exactly on and between its points), same distance."""
    rng = np.random.default_rng(7)
    gx, gy = np.meshgrid(np.arange(125.0, 125.5, 0.01), np.arange(41.5, 42.0, 0.01))
    cases = [(rng.uniform(125, 127, 5000), rng.uniform(41, 43, 5000),
              rng.uniform(125, 127, 300), rng.uniform(41, 43, 300)),
             (np.r_[np.round(rng.uniform(125, 125.5, 3000), 3), gx.ravel()[:50], 125.005],
              np.r_[np.round(rng.uniform(41.5, 42, 3000), 3), gy.ravel()[:50], 41.5],
              gx.ravel(), gy.ravel()),
             (np.array([126.0]), np.array([42.0]), np.array([125.0]), np.array([41.0]))]
    for lon1, lat1, lon2, lat2 in cases:
        d = geometry.distance_matrix(lon1, lat1, lon2, lat2)
        idx, dist = geometry.nearest(lon1, lat1, lon2, lat2)
        assert (idx == d.argmin(axis=1)).all()
        assert (dist == d.min(axis=1)).all()
    _, _, metres = GEOD.inv(126.0, 42.0, 125.0, 41.0)  # on the ellipsoid: within 0.5%
    assert idx[0] == 0 and dist[0] == pytest.approx(metres / 1000, rel=5e-3)
    assert geometry.nearest([], [], [1.0], [1.0])[0].size == 0
    with pytest.raises(ValueError, match="no target points"):
        geometry.nearest([1.0], [1.0], [], [])


def test_potential_and_penetration() -> None:
    assert huff.potential_customers([260, 26, 0], [40, 50, 3]).tolist() == [60.0, 0.0, 0.0]
    assert huff.potential_customers([250], [0], household_size=2.5).tolist() == [100.0]
    assert huff.penetration(5, 2000) == 2.5
    assert np.isnan(huff.penetration(5, 0))


# --------------------------------------------------------------------------- warehouse
@pytest.fixture(scope="module")
def con(demo_db: Path):
    c = duckdb.connect(str(demo_db), read_only=True)
    yield c
    c.close()


HALL = "SP-220502-H01"


def test_area_summary_reconciles_with_the_cube(con) -> None:
    area, label = tradearea.area_from(con, service_point=HALL, km=3)
    s = tradearea.area_summary(con, area, label)
    m = s.metrics.set_index("metric")
    ids = s.customer_ids
    assert len(ids) == m.loc["customers", "area"] > 0
    months = cube.month_range(con, 12)
    direct = con.execute(
        f"SELECT sum(f.kwh) FROM {BY_ID['fact_consumption']} f WHERE f.month BETWEEN ? AND ? "
        "AND f.customer_id IN (SELECT unnest(?::VARCHAR[]))", [*months, ids]).fetchone()[0]
    assert m.loc["kwh", "area"] == pytest.approx(direct)
    assert s.by_class["customers"].sum() == len(ids)
    assert s.by_class["kwh"].sum() == pytest.approx(direct)
    assert s.by_channel["payments"].sum() == m.loc["payments", "area"]
    counter = s.by_channel.set_index("channel")["payments"].get("counter", 0)
    assert m.loc["counter_share", "area"] == pytest.approx(counter / m.loc["payments", "area"])
    assert m.loc["penetration", "area"] == pytest.approx(
        len(ids) * 1000 / m.loc["resident", "area"])
    assert m.loc["potential_customers", "area"] == pytest.approx(s.cells["potential"].sum())
    assert s.cells["residential_customers"].sum() == (
        s.by_class.query("customer_class == 'residential'")["customers"].sum())
    assert s.district_id == "220502"
    d = con.execute("SELECT count(*) FROM dim_customer WHERE district_id = '220502'").fetchone()
    assert m.loc["customers", "district"] == d[0]


def test_area_facts_equal_the_cubes_own_queries(con) -> None:
    """The summary sums one read of each fact (AreaFacts); the five cube queries it replaced
    (totals, the channel and the class tables) give the same numbers."""
    area, label = tradearea.area_from(con, service_point=HALL, km=3)
    s = tradearea.area_summary(con, area, label)
    m, ids, where = s.metrics.set_index("metric"), s.customer_ids, {"customer": s.customer_ids}
    tot = cube.query(con, ["kwh", "amount", "paid", "payments", "online_payments", "arrears"],
                     where=where, months=s.months).iloc[0]
    for k in ("kwh", "paid", "arrears", "payments"):
        assert m.loc[k, "area"] == pytest.approx(tot[k], rel=1e-12)
    assert m.loc["arrears_per_customer", "area"] == pytest.approx(tot["arrears"] / len(ids))
    ch = cube.query(con, ["payments", "paid"], by=["channel"], where=where, months=s.months)
    got = s.by_channel.set_index("channel").sort_index()
    ch = ch.set_index("channel").sort_index()
    assert list(got.index) == list(ch.index) and len(ch) > 1
    assert (got["payments"] == ch["payments"]).all()
    assert got["paid"].to_numpy() == pytest.approx(ch["paid"].to_numpy(), rel=1e-12)
    keys = ["customer_class", "tariff"]
    bc = cube.query(con, ["kwh", "amount", "paid", "arrears"], by=keys, where=where,
                    months=s.months).set_index(keys)
    mine = s.by_class.set_index(keys).loc[bc.index]
    for k in ("kwh", "paid", "arrears"):
        assert mine[k].to_numpy() == pytest.approx(bc[k].to_numpy(), rel=1e-12)


def test_scope_limits_every_customer_result(con) -> None:
    big, _ = tradearea.area_from(con, service_point=HALL, km=300)
    everyone = tradearea.customers_in(con, big)
    scoped = tradearea.customers_in(con, big, scope=["220503"])
    assert set(scoped["district_id"]) == {"220503"} and 0 < len(scoped) < len(everyone)
    s = tradearea.area_summary(con, big, scope=["220503"])
    assert s.metrics.set_index("metric").loc["customers", "area"] == len(scoped)
    t = tradearea.targets(con, big, "counter_payers", scope=["220503"])
    assert set(t["district_id"]) <= {"220503"}
    assert tradearea.customers_in(con, big, scope=[]).empty


def test_huff_sites_gaps_on_the_demo(con) -> None:
    per_point, _ = tradearea.huff_shares(con, kinds=["business_hall"])
    households = con.execute("SELECT sum(resident) FROM population_grid").fetchone()[0] / 2.6
    assert per_point["expected"].sum() == pytest.approx(households)
    assert per_point["share"].sum() == pytest.approx(1.0)
    r = tradearea.sites(con, k=3, radius_km=5)
    cov = r.coverage.iloc[0]
    assert cov["after"] - cov["before"] == pytest.approx(r.sites["gain"].sum())
    assert r.sites["gain"].is_monotonic_decreasing
    g = tradearea.gaps(con, 5)
    assert (g["nearest_km"] > 5).all()
    o = tradearea.overlaps(con, 5)
    assert (o["areas"] >= 2).all()
    v = tradearea.proximity_areas(con, ["business_hall"])
    assert len(v) == 9
    assert v["customers"].sum() == con.execute(
        "SELECT count(*) FROM dim_customer WHERE district_id IS NOT NULL").fetchone()[0]
    c = tradearea.customer_areas(con, HALL)
    assert c["customers"].is_monotonic_increasing and c["area_km2"].is_monotonic_increasing


def test_targets_segments(con) -> None:
    area, _ = tradearea.area_from(con, service_point=HALL, km=5)
    t = tradearea.targets(con, area, "counter_payers", mask=False)
    assert len(t) and (t["counter_share"] > 0.5).all()
    masked = tradearea.targets(con, area, "counter_payers", mask=True)
    assert masked["customer_id"].tolist() == t["customer_id"].tolist()
    assert masked["phone"].str.contains(r"\*", na=True).all()  # a missing phone is fine
    big, _ = tradearea.area_from(con, service_point=HALL, km=400)
    b = tradearea.targets(con, big, "big_unvisited", visit_months=1)
    n_big = con.execute("SELECT count(*) FROM dim_customer WHERE big_customer AND lon IS NOT "
                        "NULL").fetchone()[0]
    assert 0 < len(b) <= n_big


def test_bad_inputs_are_value_errors(con, mini_db: Path) -> None:
    with pytest.raises(ValueError, match="unknown service point 'NOPE'"):
        tradearea.resolve_center(con, "NOPE")
    with pytest.raises(ValueError, match="outside every region"):
        tradearea.resolve_center(con, lon=100.0, lat=30.0)
    with pytest.raises(ValueError, match="unknown segment"):
        tradearea.targets(con, shapely.box(0, 0, 1, 1), "nobody")
    with pytest.raises(ValueError, match="exactly one"):
        tradearea.area_from(con, service_point=HALL, km=1, minutes=5)
    w = duckdb.connect(str(mini_db))
    w.execute("DELETE FROM dim_service_point")
    with pytest.raises(ValueError, match="service-point table is empty"):
        tradearea.service_points(w)
    with pytest.raises(ValueError, match="service-point table is empty"):
        tradearea.resolve_center(w, "SP1")
    w.close()


def test_export_geojson_and_gcj02(con, tmp_path: Path) -> None:
    r = tradearea.rings(con, 125.94, 41.73, [1, 3])
    p = tradearea.export_layer(r, tmp_path / "rings.geojson")
    back = gpd.read_file(p)
    assert len(back) == 2 and back.crs.to_epsg() == 4326
    assert back["customers"].tolist() == r["customers"].tolist()
    q = tradearea.export_layer(r, tmp_path / "rings.gpkg", datum="gcj02", layer="rings")
    shifted = gpd.read_file(q, layer="rings")
    shift = geometry.haversine_km(*r.geometry.iloc[0].exterior.coords[0],
                                  *shifted.geometry.iloc[0].exterior.coords[0])
    assert 0.1 < float(shift) < 1.0  # GCJ-02 moves points a few hundred metres
    with pytest.raises(ValueError, match=r"\.geojson or \.gpkg"):
        tradearea.export_layer(r, tmp_path / "rings.shp")


# --------------------------------------------------------------------------- CLI
@pytest.fixture
def cli_db(demo_db: Path, tmp_path: Path) -> Path:
    db = tmp_path / "gcrm.duckdb"
    shutil.copy(demo_db, db)
    return db


def test_cli_rings_summary_and_errors(cli_db: Path) -> None:
    run = CliRunner().invoke
    r = run(cli, ["tradearea", "rings", "--db", str(cli_db), "--service-point", HALL,
                  "--km", "1,3", "--format", "csv"])
    assert r.exit_code == 0, r.output
    df = pd.read_csv(io.StringIO(r.stdout))
    assert df["outer_km"].tolist() == [1.0, 3.0]
    r = run(cli, ["tradearea", "rings", "--db", str(cli_db), "--service-point", "NOPE"])
    assert r.exit_code == 2 and "unknown service point 'NOPE'" in r.output
    r = run(cli, ["tradearea", "rings", "--db", str(cli_db), "--lon", "100", "--lat", "30"])
    assert r.exit_code == 2 and "outside every region" in r.output
    r = run(cli, ["tradearea", "drivetime", "--db", str(cli_db), "--service-point", HALL,
                  "--minutes", "10"])
    assert r.exit_code == 0 and "no road network loaded" in r.output
    r = run(cli, ["tradearea", "summary", "--db", str(cli_db), "--service-point", HALL,
                  "--km", "3", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert '"metric":"penetration"' in r.stdout.replace(" ", "")
    for cmd in (["huff", "--kind", "business_hall"], ["sites", "--k", "2", "--km", "5"],
                ["gaps", "--km", "5", "--limit", "3"], ["overlaps", "--km", "5"],
                ["voronoi", "--kind", "business_hall"],
                ["customers", "--service-point", HALL]):
        r = run(cli, ["tradearea", *cmd, "--db", str(cli_db), "--format", "csv"])
        assert r.exit_code == 0, (cmd, r.output)


def test_cli_targets_masked_per_role_and_export(cli_db: Path, tmp_path: Path,
                                                monkeypatch) -> None:
    from gcrm.security.accounts import add_user
    from gcrm.storage.store import connect_store

    pw = "Tradearea-Test-Pw-2026!"
    store = connect_store(cli_db)
    add_user(store, "pl", "planner", pw, regions=("220502",))
    add_user(store, "ana", "analyst", pw)
    monkeypatch.setenv("GCRM_PASSWORD", pw)
    run = CliRunner().invoke
    args = ["tradearea", "targets", "--db", str(cli_db), "--service-point", HALL, "--km", "5",
            "--segment", "counter_payers", "--format", "csv"]
    r = run(cli, [*args, "--user", "pl"])
    assert r.exit_code == 0, r.output
    df = pd.read_csv(io.StringIO(r.stdout), dtype=str)
    assert len(df) and df["phone"].str.contains(r"\*", na=True).all()
    assert df["phone"].str.contains(r"\*").any()
    assert set(df["district_id"]) == {"220502"}
    r = run(cli, [*args, "--user", "ana"])
    assert r.exit_code == 2 and "may not" in r.output
    out = tmp_path / "list.xlsx"
    r = run(cli, [*args, "--user", "pl", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert len(pd.read_excel(out)) == len(df)
    r = run(cli, ["tradearea", "export", "--db", str(cli_db), "--layer", "voronoi", "--out",
                  str(tmp_path / "v.geojson")])
    assert r.exit_code == 0, r.output
    assert len(gpd.read_file(tmp_path / "v.geojson")) == 79


def test_huff_areas_partition_the_grid(con) -> None:
    """Each population cell lies in the dominant area of its most likely service point only,
    so a summary of that area counts exactly its cells (the page's Huff areas)."""
    _, per_cell = tradearea.huff_shares(con, kinds=["business_hall"])
    areas = huff.huff_areas(per_cell)
    assert set(areas["service_point_id"]) == set(per_cell["service_point_id"])
    assert areas["cells"].sum() == len(per_cell)
    assert areas["demand"].sum() == pytest.approx(per_cell["demand"].sum())
    inside = np.array([shapely.contains_xy(g, per_cell["lon"], per_cell["lat"])
                       for g in areas.geometry])
    assert (inside.sum(axis=0) == 1).all()  # every cell centre in exactly one area
    owner = areas["service_point_id"].to_numpy()[inside.argmax(axis=0)]
    assert (owner == per_cell["service_point_id"].to_numpy()).all()
    hall = areas[areas["service_point_id"] == HALL].iloc[0]
    s = tradearea.area_summary(con, hall.geometry, "huff")
    assert len(s.cells) == hall["cells"]
    # a 2 x 2 grid of 0.02 degree cells: squares of the grid step, sharing their edges
    grid = pd.DataFrame({"lon": [0.0, 0.02, 0.0, 0.02], "lat": [0.0, 0.0, 0.02, 0.02],
                         "demand": [1.0, 2.0, 3.0, 4.0], "service_point_id": list("aabb"),
                         "probability": [0.5, 0.7, 0.9, 0.6]})
    g = huff.huff_areas(grid).set_index("service_point_id")
    assert g.loc["a"].geometry.equals(shapely.box(-0.01, -0.01, 0.03, 0.01))
    assert g.loc["b", "demand"] == 7.0 and g.loc["b", "cells"] == 2
    assert g.loc["a", "mean_probability"] == pytest.approx(0.6)
    with pytest.raises(ValueError, match="population grid is empty"):
        huff.huff_areas(grid.iloc[:0])


def test_population_cells_are_scoped(con) -> None:
    everything = tradearea.population_cells(con)
    scoped = tradearea.population_cells(con, scope=["220502"])
    assert 0 < len(scoped) < len(everything)
    assert set(scoped["district_id"]) == {"220502"}
    assert {"cell_id", "lon", "lat", "resident", "floating"} <= set(scoped.columns)


# --------------------------------------------------------------------------- per-customer facts
#: the campaign list's query before the per-customer facts (issue #22): the known answer
OLD_COUNTER_PAYERS = (
    "SELECT c.customer_id, c.name, c.customer_class, c.tariff, c.district_id, "
    "c.service_point_id, c.phone, c.address, c.lon, c.lat, count(*) AS payments, "
    "count(*) FILTER (WHERE f.channel = 'counter') AS counter_payments, counter_payments / "
    "payments AS counter_share, arg_max(f.service_point_id, f.paid_at) FILTER (WHERE "
    "f.channel = 'counter') AS last_counter FROM dim_customer c JOIN fact_payment f USING "
    "(customer_key) WHERE c.customer_id IN (SELECT unnest(?::VARCHAR[])) AND f.month BETWEEN ? "
    "AND ? GROUP BY ALL HAVING counter_share > ? ORDER BY counter_payments DESC, c.customer_id")


@pytest.fixture(scope="module")
def everyone(con) -> tradearea.CustomerFacts:
    """Every customer's facts of the last 12 months (what the page keeps per load)."""
    return tradearea.CustomerFacts.read(con, cube.month_range(con, 12))


def test_area_facts_from_everyones_facts_equal_the_cube(con, everyone) -> None:
    """An area's facts looked up in every customer's (the page) or read for its customers
    (the CLI) are the cube's queries by class, tariff (and channel): same rows, same order,
    counts exact, sums within 1e-12."""
    area, _ = tradearea.area_from(con, service_point=HALL, km=3)
    inside = tradearea.customers_in(con, area)
    where, keys = {"customer": inside["customer_id"].tolist()}, ["customer_class", "tariff"]
    cons = cube.query(con, ["kwh", "amount"], by=keys, where=where, months=everyone.months)
    pays = cube.query(con, ["paid", "payments", "online_payments"], by=[*keys, "channel"],
                      where=where, months=everyone.months)
    assert len(cons) > 1 and len(pays) > 5
    for facts in (tradearea.AreaFacts.of(everyone, inside),
                  tradearea.AreaFacts.read(con, where["customer"], everyone.months, None)):
        pd.testing.assert_frame_equal(facts.consumption, cons, rtol=1e-12)
        pd.testing.assert_frame_equal(facts.payments, pays, rtol=1e-12)
        assert (facts.payments["payments"] == pays["payments"]).all()
        assert (facts.payments["online_payments"] == pays["online_payments"]).all()


def test_summary_with_everyones_facts_is_the_same(con, everyone) -> None:
    """The page (every customer's facts kept) and the CLI (the area's read) show the same
    numbers to the last bit: both sum exactly."""
    area, label = tradearea.area_from(con, service_point=HALL, km=3)
    for scope in (None, ["220503"]):
        own = tradearea.area_summary(con, area, label, scope=scope)
        kept = tradearea.area_summary(con, area, label, scope=scope, customers=everyone)
        for part in ("metrics", "by_class", "by_channel", "cells"):  # to the last bit
            pd.testing.assert_frame_equal(getattr(kept, part), getattr(own, part),
                                          check_exact=True)
        assert kept.customer_ids == own.customer_ids
    other = tradearea.CustomerFacts.read(con, ("2025-01", "2025-03"))  # other months: ignored
    again = tradearea.area_summary(con, area, label, customers=other)
    own = tradearea.area_summary(con, area, label)
    pd.testing.assert_frame_equal(again.metrics, own.metrics, check_exact=True)


#: the outage indicators' query before (every customer joined to its feeder's events)
OLD_OUTAGES = (
    "SELECT count(*) FILTER (WHERE o.duration_min > 5), coalesce(sum(o.duration_min) FILTER "
    "(WHERE o.duration_min > 5), 0) FROM dim_customer c JOIN fact_outage o ON o.feeder_id = "
    "c.feeder_id WHERE {cond} AND strftime(o.start_at, '%Y-%m') BETWEEN ? AND ?")


def test_outage_and_count_indicators_equal_the_per_customer_join(con) -> None:
    area, label = tradearea.area_from(con, service_point=HALL, km=3)
    s = tradearea.area_summary(con, area, label)
    m = s.metrics.set_index("metric")
    for col, cond, params in (
            ("area", "c.customer_id IN (SELECT unnest(?::VARCHAR[]))", [s.customer_ids]),
            ("district", "c.district_id = ?", [s.district_id])):
        n, minutes = con.execute(OLD_OUTAGES.format(cond=cond), [*params, *s.months]).fetchone()
        customers, residential = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE c.customer_class = 'residential') FROM "
            f"dim_customer c WHERE {cond}", params).fetchone()
        assert n > 0 and m.loc["customer_interruptions", col] == n
        assert m.loc["outage_minutes_per_customer", col] == pytest.approx(
            minutes / customers, rel=1e-12)
        assert (m.loc["customers", col], m.loc["residential_customers", col]) == (
            customers, residential)


@pytest.mark.parametrize(("km", "scope"), [(5, None), (300, ["220503"])])
def test_counter_payers_equal_the_direct_query(con, everyone, km, scope) -> None:
    """The campaign list from the per-customer facts (kept or read for the area) is the one
    query over the payments it replaced: same rows, order and values."""
    area, _ = tradearea.area_from(con, service_point=HALL, km=km)
    ids = tradearea.customers_in(con, area, scope)["customer_id"].tolist()
    want = con.execute(OLD_COUNTER_PAYERS, [ids, *everyone.months, 0.5]).df()
    assert len(want) > 10
    for kept in (None, everyone):
        got = tradearea.targets(con, area, "counter_payers", everyone.months, scope, mask=False,
                                customers=kept)
        pd.testing.assert_frame_equal(got, want)


@pytest.fixture(scope="module")
def unstored_db(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo warehouse as a GCRM before the stored per-customer facts left it (a copy
    without their tables and ``meta`` entry)."""
    from gcrm.cube import percustomer

    db = tmp_path_factory.mktemp("unstored") / "gcrm.duckdb"
    shutil.copy(demo_db, db)
    c = duckdb.connect(str(db))
    for table in percustomer.TABLES.values():
        c.execute(f"DROP TABLE {table}")
    c.execute("DELETE FROM meta WHERE key = ?", [percustomer.MONTHS_KEY])
    c.close()
    return db


def test_the_pages_facts_are_read_once_per_load(unstored_db: Path, monkeypatch) -> None:
    """Without stored per-customer facts (a warehouse loaded before them) the page keeps every
    customer's facts per warehouse, load and months: read once in the background (started by
    the sign-in's warm-up; sessions asking meanwhile wait for it), then shared."""
    import threading

    from dashboards.components.data import warehouse_info
    from dashboards.tradearea import data as td

    demo_db = unstored_db
    monkeypatch.setenv("GCRM_DB", str(demo_db))
    monkeypatch.setattr(td, "_FACTS", type(td._FACTS)())
    td.warm()
    info = warehouse_info()
    (key,) = td._FACTS
    assert key[:2] == (info.path, info.version) and key[2] == everyone_months(demo_db)
    got: list = []
    threads = [threading.Thread(target=lambda: got.append(td.customer_facts(*key)))
               for _ in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len({id(g) for g in got}) == 1 and got[0] is td._FACTS[key].result()
    assert td.customer_facts(*key, wait=False) is got[0]  # read: the page uses it
    other = td.customer_facts(info.path, "another load", key[2])
    assert other is not got[0] and len(td._FACTS) == 2


def everyone_months(db: Path) -> tuple[str, str]:
    c = duckdb.connect(str(db), read_only=True)
    try:
        return tuple(cube.month_range(c, 12))
    finally:
        c.close()


# --------------------------------------------------------------------------- stored by the load
def test_the_loads_per_customer_tables_equal_the_read(con, everyone) -> None:
    """The load stores every customer's facts of the last 12 months: the same rows, to the
    last bit, as reading them from the facts (CustomerFacts.read) for those months."""
    from gcrm.cube import percustomer

    months = cube.month_range(con, 12)
    assert percustomer.stored_months(con) == months == everyone.months
    stored = tradearea.CustomerFacts.stored(con, months)
    assert stored is not None
    for name in ("consumption", "payments"):
        sql = "SELECT * FROM {" + name + "} ORDER BY ALL"
        want, got = everyone.query(sql), stored.query(sql)
        assert len(want) > 2000
        pd.testing.assert_frame_equal(got, want, check_exact=True)
    a001 = stored.query("SELECT kwh FROM {consumption} WHERE customer_id = "
                        "(SELECT min(customer_id) FROM {consumption})").iloc[0, 0]
    first = con.execute(f"SELECT min(customer_id) FROM {BY_ID['fact_consumption']} WHERE month "
                        "BETWEEN ? AND ?", list(months)).fetchone()[0]
    assert float(a001) == pytest.approx(con.execute(
        f"SELECT sum(kwh) FROM {BY_ID['fact_consumption']} WHERE customer_id = ? AND month "
        "BETWEEN ? AND ?",
        [first, *months]).fetchone()[0], rel=1e-12)


def test_stored_facts_serve_the_default_months_only(con, everyone) -> None:
    """The summary and campaign list use the stored tables for their months (the same numbers
    as the kept read, to the last bit); other months fall back to reading the facts, exactly
    as a read of those months gives."""
    area, label = tradearea.area_from(con, service_point=HALL, km=3)
    months = everyone.months
    assert tradearea._kept(con, None, months) is not None  # stored: nothing to read
    stored = tradearea.area_summary(con, area, label, months)
    kept = tradearea.area_summary(con, area, label, months, customers=everyone)
    for part in ("metrics", "by_class", "by_channel", "cells"):
        pd.testing.assert_frame_equal(getattr(stored, part), getattr(kept, part),
                                      check_exact=True)
    other = ("2025-01", "2025-03")
    assert tradearea.CustomerFacts.stored(con, other) is None
    assert tradearea._kept(con, None, other) is None
    read = tradearea.CustomerFacts.read(con, other)
    own = tradearea.area_summary(con, area, label, other)  # the facts, for the area's list
    via = tradearea.area_summary(con, area, label, other, customers=read)
    pd.testing.assert_frame_equal(own.metrics, via.metrics, check_exact=True)
    assert own.metrics.set_index("metric").loc["kwh", "area"] != \
        stored.metrics.set_index("metric").loc["kwh", "area"]
    ids = tradearea.customers_in(con, area)["customer_id"].tolist()
    for m in (months, other):
        want = con.execute(OLD_COUNTER_PAYERS, [ids, *m, 0.5]).df()
        got = tradearea.targets(con, area, "counter_payers", m, mask=False)
        pd.testing.assert_frame_equal(got, want)


def test_the_page_reads_nothing_when_the_warehouse_stores_the_facts(demo_db: Path,
                                                                     monkeypatch) -> None:
    """A warehouse loaded by this version: the sign-in's warm-up and the page start no read of
    every customer's facts for the default months (the queries join the stored tables); for
    other months they are read in the background as before."""
    from dashboards.components.data import warehouse_info
    from dashboards.tradearea import data as td

    monkeypatch.setenv("GCRM_DB", str(demo_db))
    monkeypatch.setattr(td, "_FACTS", type(td._FACTS)())
    td.warm()
    info = warehouse_info()
    months = everyone_months(demo_db)
    assert td.stored_months(info.path, info.version) == months
    assert td.customer_facts(info.path, info.version, months) is None
    assert not td._FACTS
    other = td.customer_facts(info.path, info.version, ("2025-01", "2025-03"))
    assert other is not None and other.months == ("2025-01", "2025-03") and len(td._FACTS) == 1


# --------------------------------------------------------------------------- a new area, faster
@pytest.mark.parametrize(("km", "scope"), [(3, None), (300, None), (300, ["220503"]),
                                           (300, [])])
def test_customers_in_is_every_located_customer_inside(con, km, scope) -> None:
    """An area's customers (fetched as Arrow, only those inside made Python objects) are the
    located customers in scope whose point lies inside, as the frame DuckDB gives: same rows,
    order, columns and types."""
    from gcrm.security.scope import scope_sql

    area, _ = tradearea.area_from(con, service_point=HALL, km=km)
    cond, params = scope_sql(scope)
    every = con.execute(
        "SELECT c.customer_id, c.customer_class, c.tariff, c.big_customer, c.lon, c.lat, "
        "c.district_id, c.feeder_id, c.service_point_id FROM dim_customer c WHERE c.lon IS "
        f"NOT NULL AND c.lat IS NOT NULL AND {cond}", params).df()
    want = every[shapely.contains_xy(area, every["lon"].to_numpy(), every["lat"].to_numpy())]
    got = tradearea.customers_in(con, area, scope)
    pd.testing.assert_frame_equal(got, want.reset_index(drop=True), check_exact=True)
    assert (len(got) > 0) == (scope != [])


def test_an_area_without_customers(con) -> None:
    """An area nobody lives in: zero customers and facts, an empty campaign list (the empty
    id list registered as a table, not an error)."""
    area = shapely.box(0.0, 0.0, 0.01, 0.01)  # the Gulf of Guinea
    assert tradearea.customers_in(con, area).empty
    s = tradearea.area_summary(con, area, "nowhere")
    m = s.metrics.set_index("metric")
    assert m.loc["customers", "area"] == 0 and m.loc["kwh", "area"] == 0
    assert m.loc["customer_interruptions", "area"] == 0 and s.customer_ids == []
    for seg in tradearea.SEGMENTS:
        assert tradearea.targets(con, area, seg, mask=False).empty


def _brute_force_district(con, district: str, months, household_size: float) -> dict:
    """The district's counts, outages and potential customers the slow way: every customer
    of the district against every event of its feeder, every residential customer against
    every population cell of the district."""
    n, res = con.execute("SELECT count(*), count(*) FILTER (WHERE customer_class = "
                         "'residential') FROM dim_customer WHERE district_id = ?",
                         [district]).fetchone()
    events, minutes = con.execute(OLD_OUTAGES.format(cond="c.district_id = ?"),
                                  [district, *months]).fetchone()
    cells = con.execute("SELECT lon, lat, resident FROM population_grid WHERE district_id = ? "
                        "ORDER BY cell_id", [district]).df()
    pts = con.execute("SELECT lon, lat FROM dim_customer WHERE district_id = ? AND "
                      "customer_class = 'residential' AND lon IS NOT NULL AND lat IS NOT NULL",
                      [district]).df()
    d = geometry.distance_matrix(pts["lon"], pts["lat"], cells["lon"], cells["lat"])
    counts = np.bincount(d.argmin(axis=1), minlength=len(cells))  # first of equal distances
    potential = huff.potential_customers(cells["resident"], counts, household_size).sum()
    return {"customers": n, "residential_customers": res, "customer_interruptions": events,
            "outage_minutes_per_customer": minutes / n, "potential_customers": potential,
            "resident": cells["resident"].sum()}


@pytest.mark.parametrize("household_size", [2.6, 3.1])
def test_the_districts_side_known_answer(con, household_size) -> None:
    """The district's column (computed in a thread of its own, on a cursor, while the area's
    side runs) is the brute-force answer, and the same as computing it alone; the area's
    column is the same whichever way the district's was computed."""
    area, label = tradearea.area_from(con, service_point=HALL, km=3)
    s = tradearea.area_summary(con, area, label, household_size=household_size)
    d = s.metrics.set_index("metric")["district"]
    want = _brute_force_district(con, s.district_id, s.months, household_size)
    for k, v in want.items():
        assert d[k] == pytest.approx(float(v), rel=1e-12), k
    alone = tradearea.district_side(tradearea.thread_cursor(con), s.district_id,
                                    tradearea.population_cells(con), s.months, None,
                                    household_size)
    assert alone == d.to_dict()


def test_the_stored_copy_gives_the_same_numbers(con) -> None:
    """A copy of the stored per-customer tables in memory (the page's, made after its run)
    holds their rows to the last bit; an area's summary and campaign list from it are the
    stored tables' ones; it is refused for months the warehouse does not store."""
    months = cube.month_range(con, 12)
    copy = tradearea.CustomerFacts.read(con, months, stored=True)
    stored = tradearea.CustomerFacts.stored(con, months)
    for name in ("consumption", "payments"):
        sql = "SELECT * FROM {" + name + "} ORDER BY ALL"
        pd.testing.assert_frame_equal(copy.query(sql), stored.query(sql), check_exact=True)
    area, label = tradearea.area_from(con, service_point=HALL, km=5)
    a = tradearea.area_summary(con, area, label, months)
    b = tradearea.area_summary(con, area, label, months, customers=copy)
    for part in ("metrics", "by_class", "by_channel", "cells"):
        pd.testing.assert_frame_equal(getattr(a, part), getattr(b, part), check_exact=True)
    pd.testing.assert_frame_equal(
        tradearea.targets(con, area, "counter_payers", months, mask=False),
        tradearea.targets(con, area, "counter_payers", months, mask=False, customers=copy))
    with pytest.raises(ValueError, match="does not store"):
        tradearea.CustomerFacts.read(con, ("2025-01", "2025-03"), stored=True)


def test_the_page_copies_the_stored_tables_after_its_run(demo_db: Path, monkeypatch) -> None:
    """The page asks for the copy without starting it while it computes (the stored tables
    are joined in place meanwhile) and starts it at the end of its run: once, in the
    background; no read of the facts; other months get no copy."""
    from dashboards.components.data import warehouse_info
    from dashboards.tradearea import data as td

    monkeypatch.setenv("GCRM_DB", str(demo_db))
    monkeypatch.setattr(td, "_FACTS", type(td._FACTS)())
    monkeypatch.setattr(td, "_COPIES", type(td._COPIES)())
    info = warehouse_info()
    months = everyone_months(demo_db)
    assert td._facts(info.path, info.version, months) is None and not td._COPIES
    td.stored_copy(info.path, info.version, months, start=True)
    td.stored_copy(info.path, info.version, months, start=True)  # a second run meanwhile
    (key,) = td._COPIES
    copy = td._COPIES[key].result(timeout=60)
    assert key == (info.path, info.version, months) and copy.months == months
    assert td._facts(info.path, info.version, months) is copy and not td._FACTS
    assert td.stored_copy(info.path, info.version, ("2025-01", "2025-03"), start=True) is None
    assert len(td._COPIES) == 1


@pytest.mark.parametrize("start", [
    "td.stored_copy(i.path, i.version, td.stored_months(i.path, i.version), start=True)",
    # every customer's facts of months the warehouse does not store: read in the background
    "td.customer_facts(i.path, i.version, ('2020-01', '2020-12'), wait=False)",
    # the districts' columns worked out after the page's run
    "queries.population_cells = lambda con, scope=None: slow(con, None)\n"
    "td.warm_district_sides(i.path, i.version, ('2020-01', '2020-12'), None, 3.1, ['220502'])",
], ids=["copy", "read", "districts"])
def test_a_copy_under_way_is_stopped_at_exit(demo_db: Path, start: str) -> None:
    """A server that exits while the copy (or a read of every customer's facts) runs inside
    DuckDB (a query of its own here that would take minutes) interrupts it and exits
    cleanly: a daemon thread left inside DuckDB aborted the process ("terminate called
    without an active exception")."""
    import os
    import subprocess
    import sys

    code = (
        "import time\n"
        "from dashboards.components.data import warehouse_info\n"
        "from dashboards.tradearea import data as td\n"
        "from gcrm.tradearea import queries\n"
        "def slow(con, months, threads=None, stored=False):\n"
        "    con.execute('SELECT count(*) FROM range(10000000000) a, range(1000) b').fetchall()\n"
        "queries.CustomerFacts.read = staticmethod(slow)\n"
        "i = warehouse_info()\n"
        f"{start}\n"
        "time.sleep(1)\n"
        "assert td._READING, 'the read is under way'\n")
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "GCRM_DB": str(demo_db), "PYTHONPATH": str(root)}
    r = subprocess.run([sys.executable, "-P", "-c", code], env=env, capture_output=True,
                       text=True, timeout=120, check=False)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "terminate called" not in r.stderr


def test_the_pages_summary_thread(demo_db: Path, monkeypatch) -> None:
    """The page works out the summary in a thread of its own, within its script run: a
    cached function works there (computed once, then served from the cache) and an error is
    raised where the result is asked for, not lost in the thread."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("GCRM_DB", str(demo_db))

    def script() -> None:
        import os

        import streamlit as st

        from dashboards.tradearea import data as td
        from dashboards.tradearea import page

        @st.cache_data
        def months(db: str) -> tuple[str, str] | None:
            st.session_state["computed"] = st.session_state.get("computed", 0) + 1
            return td.stored_months(db, "v")

        db = os.environ["GCRM_DB"]
        st.write(repr(page._in_thread(db, months, db).result(timeout=60)))
        st.write(repr(page._in_thread(db, months, db).result(timeout=60)))
        try:
            page._in_thread(db, td.area_of, db, "v", (("km", 1.0),), None).result(timeout=60)
        except ValueError as exc:
            st.write(f"error: {exc}")

    at = AppTest.from_function(script).run(timeout=120)
    assert not at.exception
    texts = [m.value for m in at.markdown]
    want = repr(everyone_months(demo_db))
    assert texts[:2] == [want, want] and at.session_state["computed"] == 1
    assert texts[2].startswith("error: ")


def test_the_page_keeps_each_districts_side(con, demo_db: Path, monkeypatch) -> None:
    """The district's column does not depend on the area: the page keeps it per district
    (and load, months, scope and household size) for the next area in that district, served
    from there; each entry is the column computed afresh."""
    from dashboards.tradearea import data as td

    monkeypatch.setattr(td, "_SIDES", type(td._SIDES)())
    side = td.district_sides(str(demo_db), "load 1")
    wide, wide_label = tradearea.area_from(con, service_point=HALL, km=3)
    near, near_label = tradearea.area_from(con, service_point=HALL, km=1)

    def column(s: tradearea.AreaSummary) -> dict[str, float]:
        return s.metrics.set_index("metric")["district"].to_dict()

    fresh = tradearea.area_summary(con, wide, wide_label)
    first = tradearea.area_summary(con, wide, wide_label, side=side)
    assert column(first) == column(fresh)
    pd.testing.assert_frame_equal(first.metrics, fresh.metrics)
    (key,) = td._SIDES
    assert key[2] == first.district_id and td._SIDES[key] == column(fresh)
    # the next area in the district is served the kept column (marked here to tell)
    td._SIDES[key]["customers"] += 1000
    second = tradearea.area_summary(con, near, near_label, side=side)
    assert second.district_id == first.district_id and len(td._SIDES) == 1
    assert column(second) == {**column(fresh), "customers": column(fresh)["customers"] + 1000}
    assert not second.metrics.set_index("metric")["area"].equals(
        first.metrics.set_index("metric")["area"])  # another area: its own column
    # another scope, household size or load: computed afresh, kept apart
    scoped = tradearea.area_summary(con, near, near_label, scope=[first.district_id], side=side)
    assert column(scoped) == column(tradearea.area_summary(con, near, near_label,
                                                           scope=[first.district_id]))
    tradearea.area_summary(con, near, near_label, household_size=3.1, side=side)
    tradearea.area_summary(con, near, near_label, side=td.district_sides(str(demo_db), "load 2"))
    assert len(td._SIDES) == 4


def test_the_page_works_out_the_districts_sides_after_its_run(con, demo_db: Path,
                                                             monkeypatch) -> None:
    """After its run the page works out, in the background, the district column of every
    district holding a service point in scope (:func:`warm_district_sides`): each equal to
    the column computed afresh, none twice; a summary in such a district is served it."""
    from dashboards.tradearea import data as td

    monkeypatch.setattr(td, "_SIDES", type(td._SIDES)())
    months = cube.month_range(con, 12)
    districts = [r[0] for r in con.execute(
        "SELECT DISTINCT district_id FROM dim_service_point WHERE district_id IS NOT NULL "
        "ORDER BY 1").fetchall()]
    assert len(districts) >= 2
    for scope in (None, (districts[1],)):
        td.warm_district_sides(str(demo_db), "load 1", months, scope, 3.1, [None, *districts])
        td.warm_district_sides(str(demo_db), "load 1", months, scope, 3.1, districts)  # again
        for thread in list(td._READ_THREADS):
            thread.join(timeout=60)
        assert not td._WARMING
        kept = {k[2]: v for k, v in td._SIDES.items() if k[4] == (None if scope is None
                                                                  else tuple(scope))}
        assert sorted(kept) == districts  # every district, once
        cells = tradearea.population_cells(con, scope)
        for district, side in kept.items():
            fresh = tradearea.district_side(tradearea.thread_cursor(con), district, cells,
                                            months, scope, 3.1)
            assert pd.Series(side).equals(pd.Series(fresh)), district  # NaN where fresh's
    assert len(td._SIDES) == 2 * len(districts)
    area, label = tradearea.area_from(con, service_point=HALL, km=3)
    s = tradearea.area_summary(con, area, label, months, household_size=3.1,
                               side=td.district_sides(str(demo_db), "load 1"))
    key = (str(demo_db), "load 1", s.district_id, months, None, 3.1)
    td._SIDES[key]["resident"] += 7  # marked here to tell it was served
    again = tradearea.area_summary(con, area, label, months, household_size=3.1,
                                   side=td.district_sides(str(demo_db), "load 1"))
    assert (again.metrics.set_index("metric").loc["resident", "district"]
            == s.metrics.set_index("metric").loc["resident", "district"] + 7)
