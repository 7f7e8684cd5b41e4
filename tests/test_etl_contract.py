"""Contract tests of `gcrm etl` on small hand-made folders (docs/input-contract.md)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd
import pytest

from etl.errors import InputError
from etl.pipeline import load
from gcrm.spatial.crs import wgs84_to_bd09, wgs84_to_gcj02
from gcrm.storage.warehouse import BY_ID

ROOT = Path(__file__).resolve().parent.parent
DATA_TABLES = ("dim_region", "dim_customer", "dim_feeder", "dim_service_point", "dim_time",
               "fact_consumption", "fact_payment", "fact_outage", "rollup_consumption_month",
               "rollup_payment_month")


def snapshot(db: Path, with_load_times: bool = True) -> dict[str, pd.DataFrame]:
    """Every data table, sorted, as text: two equal snapshots = identical warehouse.

    ``with_load_times=False`` leaves out ``updated_at`` to compare two different warehouses.
    """
    con = duckdb.connect(str(db), read_only=True)
    out = {}
    for t in DATA_TABLES:
        cols = [r[0] for r in con.execute(f"DESCRIBE {t}").fetchall()
                if with_load_times or r[0] != "updated_at"]
        sel = ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in cols)
        out[t] = con.execute(f"SELECT {sel} FROM {t} ORDER BY ALL").df()
    con.close()
    return out


def assert_same(a: dict, b: dict) -> None:
    for t in DATA_TABLES:
        pd.testing.assert_frame_equal(a[t], b[t], obj=t)


def rejects(db: Path) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    df = con.execute("SELECT file, row_number, field, value, reason FROM etl_rejects "
                     "WHERE load_id = (SELECT max(load_id) FROM etl_loads) ORDER BY ALL").df()
    con.close()
    return df


def test_every_row_accounted_for(example_dir: Path, tmp_path: Path) -> None:
    report = load(example_dir, tmp_path / "w.duckdb", quiet=True, report_dir=tmp_path / "r")
    counts = {c.file: (c.read, c.loaded, c.rejected) for c in report.counts}
    assert counts["customers.csv"] == (10, 7, 3)
    assert counts["consumption.csv"] == (15, 10, 5)
    assert counts["payments.csv"] == (9, 5, 4)
    assert counts["outages.csv"] == (8, 4, 4)
    for c in report.counts:
        assert c.loaded + c.rejected == c.read, c.file
    # the rejects file beside the summary holds the same rows as etl_rejects
    on_disk = pd.read_csv(tmp_path / "r" / "rejects.csv")
    assert len(on_disk) == report.rejected == 16
    summary = json.loads((tmp_path / "r" / "summary.json").read_text("utf-8"))
    assert sum(f["rejected"] for f in summary["files"]) == 16


EXPECTED_REJECTS = [
    ("consumption.csv", 11, "kwh", "-5", "negative_value"),
    ("consumption.csv", 12, "month", "2025-13", "bad_date"),
    ("consumption.csv", 13, "customer_id,month", "A002,2025-01", "duplicate_key"),
    ("consumption.csv", 14, "customer_id", "A999", "unknown_customer"),
    ("consumption.csv", 15, "kwh", "abc", "bad_number"),
    ("customers.csv", 8, "customer_class", "martian", "unknown_class"),
    ("customers.csv", 9, "customer_id", "A001", "duplicate_key"),
    ("customers.csv", 10, "customer_id", "", "missing_key"),
    ("outages.csv", 5, "start", "2025-01-10T09:00:00", "overlapping_duplicate"),
    ("outages.csv", 6, "feeder_id", "F9", "unknown_feeder"),
    ("outages.csv", 7, "end", "2025-03-01T09:00:00", "end_before_start"),
    ("outages.csv", 8, "planned", "maybe", "bad_boolean"),
    ("payments.csv", 5, "channel", "pigeon", "unknown_channel"),
    ("payments.csv", 7, "payment_id", "P1", "duplicate_key"),
    ("payments.csv", 8, "customer_id", "A404", "unknown_customer"),
    ("payments.csv", 9, "paid_at", "not-a-date", "bad_date"),
]


def test_every_reject_reason_names_file_row_field_value(mini_db: Path) -> None:
    got = [tuple(None if pd.isna(v) else v for v in r)
           for r in rejects(mini_db).itertuples(index=False)]
    assert got == EXPECTED_REJECTS


def test_unlocated_customers_are_kept(mini_db: Path) -> None:
    con = duckdb.connect(str(mini_db), read_only=True)
    rows = dict(con.execute("SELECT customer_id, locate_status FROM dim_customer").fetchall())
    assert rows == {"A001": "ok", "A002": "ok", "A003": "ok", "A007": "ok",
                    "A004": "missing", "A005": "outside", "A006": "out_of_range"}
    located = con.execute("SELECT customer_id, city_id, district_id FROM dim_customer "
                          "ORDER BY 1").fetchall()
    assert located[0] == ("A001", "C1", "D1")
    assert located[2] == ("A003", "C1", "D2")
    assert all(r[1] is None for r in located if r[0] in ("A004", "A005", "A006"))


@pytest.mark.parametrize("victim,column", [("consumption.csv", "kwh"),
                                           ("customers.csv", "feeder_id"),
                                           ("customers.csv", "lat")])
def test_missing_column_stops_before_writing(example_dir: Path, tmp_path: Path, victim: str,
                                             column: str) -> None:
    df = pd.read_csv(example_dir / victim, dtype=str)
    df.drop(columns=column).to_csv(example_dir / victim, index=False)
    db = tmp_path / "w.duckdb"
    with pytest.raises(InputError) as err:
        load(example_dir, db, quiet=True)
    assert victim in str(err.value) and repr(column) in str(err.value)
    assert not db.exists()


def test_missing_required_file_stops_before_writing(example_dir: Path, tmp_path: Path) -> None:
    (example_dir / "payments.csv").unlink()
    with pytest.raises(InputError, match=r"payments\.csv"):
        load(example_dir, tmp_path / "w.duckdb", quiet=True)
    assert not (tmp_path / "w.duckdb").exists()


def test_reload_is_idempotent(example_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    load(example_dir, db, quiet=True, report_dir=tmp_path / "r1")
    first = snapshot(db)
    load(example_dir, db, quiet=True, report_dir=tmp_path / "r2")
    assert_same(first, snapshot(db))


def test_incremental_load_appends_and_updates(example_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    load(example_dir, db, quiet=True, report_dir=tmp_path / "r1")
    con = duckdb.connect(str(db), read_only=True)
    before = dict(con.execute("SELECT customer_id, updated_at FROM dim_customer").fetchall())
    con.close()
    inc = tmp_path / "inc"
    inc.mkdir()
    (inc / "consumption.csv").write_text(
        "customer_id,month,kwh,amount\nA001,2025-03,210,110.25\nA001,2025-01,201,105.5\n", "utf-8")
    (inc / "customers.csv").write_text(
        "customer_id,name,customer_class,tariff,lon,lat,feeder_id\n"
        "A002,李娜,residential,居民阶梯,126.5,42.1,F2\n", "utf-8")
    report = load(inc, db, quiet=True, report_dir=tmp_path / "r2")
    assert {c.file: c.loaded for c in report.counts} == {"customers.csv": 1,
                                                         "consumption.csv": 2}
    con = duckdb.connect(str(db), read_only=True)
    kwh = dict(con.execute(f"SELECT month, kwh FROM {BY_ID['fact_consumption']} "
                           "WHERE customer_id = 'A001'").fetchall())
    assert kwh == {"2025-01": 201.0, "2025-02": 180.0, "2025-03": 210.0}
    after = dict(con.execute("SELECT customer_id, updated_at FROM dim_customer").fetchall())
    moved = con.execute("SELECT tariff, district_id, feeder_id FROM dim_customer "
                        "WHERE customer_id = 'A002'").fetchone()
    assert moved == ("居民阶梯", "D2", "F2")
    assert after["A002"] > before["A002"]
    assert all(after[k] == before[k] for k in before if k != "A002")
    # rollups follow the facts
    r = con.execute("SELECT sum(kwh) FROM rollup_consumption_month WHERE month = '2025-03'"
                    ).fetchone()[0]
    assert r == 210.0
    assert con.execute("SELECT count(*) FROM dim_time WHERE month = '2025-03'").fetchone()[0] == 1


def test_failed_load_leaves_warehouse_unchanged(example_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    load(example_dir, db, quiet=True, report_dir=tmp_path / "r1")
    before = snapshot(db)
    bad = tmp_path / "bad"
    shutil.copytree(example_dir, bad)
    # a changed customer (written early in the load) and a corrupt file late in the run
    text = (bad / "customers.csv").read_text("utf-8").replace("王伟,", "王伟伟,")
    (bad / "customers.csv").write_text(text, "utf-8")
    (bad / "outages.csv").write_text(
        'outage_id,feeder_id,start,end,cause,planned\nO1,F1,"2025-01-10,x,y\n', "utf-8")
    with pytest.raises(InputError, match=r"outages\.csv"):
        load(bad, db, quiet=True, report_dir=tmp_path / "r2")
    assert_same(before, snapshot(db))


@pytest.mark.parametrize("datum,fwd", [("gcj02", wgs84_to_gcj02), ("bd09", wgs84_to_bd09)])
def test_chinese_datum_input_is_stored_as_wgs84(example_dir: Path, tmp_path: Path, datum: str,
                                                fwd) -> None:
    src = pd.read_csv(example_dir / "customers.csv", dtype=str, keep_default_na=False)
    lon = pd.to_numeric(src["lon"], errors="coerce")
    lat = pd.to_numeric(src["lat"], errors="coerce")
    ok = lon.notna() & lat.notna() & (lat.abs() <= 90)
    x, y = fwd(lon[ok].to_numpy(), lat[ok].to_numpy())
    src.loc[ok, "lon"] = [repr(float(v)) for v in x]
    src.loc[ok, "lat"] = [repr(float(v)) for v in y]
    src.to_csv(example_dir / "customers.csv", index=False)
    gdf = gpd.read_file(example_dir / "regions.geojson")
    gdf.geometry = gdf.geometry.transform(lambda xy: pd.DataFrame(xy).pipe(
        lambda d: __import__("numpy").column_stack(fwd(d[0].to_numpy(), d[1].to_numpy()))))
    gdf.to_file(example_dir / "regions.geojson", driver="GeoJSON")
    db = tmp_path / "w.duckdb"
    load(example_dir, db, crs=datum, quiet=True, report_dir=tmp_path / "r")
    con = duckdb.connect(str(db), read_only=True)
    got = dict(con.execute("SELECT customer_id, lon FROM dim_customer WHERE locate_status='ok'"
                           ).fetchall())
    assert got["A001"] == pytest.approx(125.5, abs=1e-7)
    assert got["A003"] == pytest.approx(126.5, abs=1e-7)
    status = dict(con.execute("SELECT customer_id, locate_status FROM dim_customer").fetchall())
    assert status["A001"] == "ok" and status["A006"] == "out_of_range"


def test_parquet_input_loads_like_csv(example_dir: Path, tmp_path: Path) -> None:
    a = tmp_path / "a.duckdb"
    load(example_dir, a, quiet=True, report_dir=tmp_path / "ra")
    for name in ("consumption", "payments"):
        pd.read_csv(example_dir / f"{name}.csv", dtype=str, keep_default_na=False).to_parquet(
            example_dir / f"{name}.parquet")
        (example_dir / f"{name}.csv").unlink()
    b = tmp_path / "b.duckdb"
    load(example_dir, b, quiet=True, report_dir=tmp_path / "rb")
    assert_same(snapshot(a, False), snapshot(b, False))
    assert rejects(a).equals(rejects(b).replace({"consumption.parquet": "consumption.csv",
                                                  "payments.parquet": "payments.csv"}))


def customers_at_district_points(folder: Path, regions_file: Path, prefix: str) -> list:
    """A folder with the boundary file and one customer inside each district (no facts)."""
    folder.mkdir()
    shutil.copy(regions_file, folder / "regions.geojson")
    regions = gpd.read_file(folder / "regions.geojson")
    districts = regions[regions["level"] == "district"].reset_index(drop=True)
    pts = districts.geometry.representative_point()
    rows = ["customer_id,name,customer_class,tariff,lon,lat,feeder_id"]
    rows += [f"{prefix}{i},客户{i},residential,居民阶梯,{p.x},{p.y},F{i}"
             for i, p in enumerate(pts)]
    (folder / "customers.csv").write_text("\n".join(rows) + "\n", "utf-8")
    (folder / "consumption.csv").write_text("customer_id,month,kwh\n", "utf-8")
    (folder / "payments.csv").write_text("payment_id,customer_id,paid_at,amount,channel\n",
                                         "utf-8")
    (folder / "outages.csv").write_text("outage_id,feeder_id,start,end,cause,planned\n",
                                        "utf-8")
    return districts


def test_regions_of_another_city(tmp_path: Path) -> None:
    """Shantou (汕头市 440500) boundaries shipped in geodata/; customers at district seats."""
    folder = tmp_path / "shantou"
    districts = customers_at_district_points(folder, ROOT / "geodata" / "shantou_regions.geojson",
                                             "S")
    db = tmp_path / "st.duckdb"
    load(folder, db, quiet=True, report_dir=tmp_path / "r")
    con = duckdb.connect(str(db), read_only=True)
    got = con.execute("SELECT customer_id, district_id, city_id FROM dim_customer "
                      "ORDER BY CAST(substr(customer_id, 2) AS INT)").fetchall()
    assert [g[1] for g in got] == list(districts["region_id"])
    assert {g[2] for g in got} == {"440500"}
    n = con.execute("SELECT count(*) FROM dim_region WHERE level = 'district'").fetchone()[0]
    assert n == len(districts) == 7


def test_invalid_ring_is_repaired_and_reported(example_dir: Path, tmp_path: Path) -> None:
    fc = json.loads((example_dir / "regions.geojson").read_text("utf-8"))
    # a self-intersecting "bow-tie" ring for district D2
    fc["features"][2]["geometry"]["coordinates"] = [
        [[126.0, 41.0], [127.0, 43.0], [127.0, 41.0], [126.0, 43.0], [126.0, 41.0]]]
    (example_dir / "regions.geojson").write_text(json.dumps(fc), "utf-8")
    report = load(example_dir, tmp_path / "w.duckdb", quiet=True, report_dir=tmp_path / "r")
    assert report.repaired_regions == ["D2"]
    assert any("make_valid" in n for c in report.counts for n in c.notes)


def test_whole_province_boundary_set(tmp_path: Path) -> None:
    """All of 吉林省 (province, 9 cities, 60 districts): district and city via parent_id."""
    folder = tmp_path / "jilin"
    districts = customers_at_district_points(folder, ROOT / "geodata" / "jilin_regions.geojson",
                                             "J")
    assert len(districts) == 60
    db = tmp_path / "jl.duckdb"
    load(folder, db, quiet=True, report_dir=tmp_path / "r")
    con = duckdb.connect(str(db), read_only=True)
    got = con.execute("SELECT district_id, city_id FROM dim_customer "
                      "ORDER BY CAST(substr(customer_id, 2) AS INT)").fetchall()
    assert [g[0] for g in got] == list(districts["region_id"])
    assert [g[1] for g in got] == list(districts["parent_id"])
    assert con.execute("SELECT count(*) FROM dim_region").fetchone()[0] == 70


def test_outage_rules_count_each_row_once(example_dir: Path, tmp_path: Path) -> None:
    """A row that ends before it starts *and* overlaps another is one reject, not two."""
    (example_dir / "outages.csv").write_text(
        "outage_id,feeder_id,start,end,cause,planned\n"
        "O1,F1,2025-01-10T08:00:00,2025-01-10T10:00:00,weather,false\n"
        "O2,F1,2025-01-10T09:30:00,2025-01-10T09:00:00,weather,false\n"
        "O3,F1,2025-01-10T09:00:00,2025-01-10T11:00:00,weather,false\n", "utf-8")
    report = load(example_dir, tmp_path / "w.duckdb", quiet=True, report_dir=tmp_path / "r")
    counts = {c.file: (c.read, c.loaded, c.rejected) for c in report.counts}
    assert counts["outages.csv"] == (3, 1, 2)
    got = rejects(tmp_path / "w.duckdb")
    got = got[got["file"] == "outages.csv"][["row_number", "reason"]].values.tolist()
    assert got == [[2, "end_before_start"], [3, "overlapping_duplicate"]]
