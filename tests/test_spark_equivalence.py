"""Engine equivalence: one input loaded by DuckDB and by Spark (local mode) gives the same
rejects, region assignments, rollups and answers (cube, reliability), and Spark's own cube
answers over the store match DuckDB's. One Spark session and one load of each engine."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pandas as pd
import pytest

from gcrm import cube
from gcrm.storage import sparkenv, warehouse

pytestmark = [pytest.mark.spark, pytest.mark.slow]

#: rows every rule should catch, appended to the demo files (as in examples/minimal)
DIRTY = {
    "customers.csv": [
        dict(customer_id="X001", name="火星", customer_class="martian", tariff="居民阶梯",
             lon="125.9", lat="41.7", feeder_id="F_X"),
        dict(customer_id="", name="无编号", customer_class="residential", tariff="居民阶梯",
             lon="125.9", lat="41.7", feeder_id="F_X"),
        dict(customer_id="X002", name="无坐标", customer_class="commercial", tariff="一般工商业",
             lon="", lat="", feeder_id="F_X"),
        dict(customer_id="X003", name="界外", customer_class="industrial", tariff="大工业",
             lon="100.0", lat="30.0", feeder_id="F_X"),
    ],
    "consumption.csv": [
        dict(customer_id="X002", month="2026-09", kwh="-5"),
        dict(customer_id="X002", month="2026-13", kwh="10"),
        dict(customer_id="NOBODY", month="2026-09", kwh="10"),
        dict(customer_id="X003", month="2026-09", kwh="abc"),
        dict(customer_id="X003", month="2026-10", kwh="12.5"),
        dict(customer_id="X003", month="2026-10", kwh="99"),
    ],
    "payments.csv": [
        dict(payment_id="XP1", customer_id="X002", paid_at="2026-09-03T10:00:00", amount="5",
             channel="pigeon"),
        dict(payment_id="XP2", customer_id="X002", paid_at="not-a-date", amount="5",
             channel="app"),
        dict(payment_id="XP3", customer_id="NOBODY", paid_at="2026-09-03T10:00:00",
             amount="5", channel="app"),
    ],
}


def _dirty(folder: Path) -> None:
    for name, rows in DIRTY.items():
        path = folder / name
        with path.open(encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        with path.open("a", encoding="utf-8", newline="") as fh:
            out = csv.DictWriter(fh, fieldnames=header, restval="", lineterminator="\n")
            out.writerows(rows)


#: the demo's files the Spark engine does not load yet (it refuses a folder holding them)
NOT_ON_SPARK = ("transformers.csv", "supply.csv", "daily_reads.csv", "daily_reads.parquet",
                "relations.csv")


def core_only(folder: Path) -> None:
    """Leave in ``folder`` only the files both engines load (the same input for both)."""
    for name in NOT_ON_SPARK:
        (folder / name).unlink(missing_ok=True)


def test_spark_refuses_a_file_it_does_not_load(tmp_path: Path) -> None:
    from etl.demo import generate
    from etl.errors import InputError
    from etl.scaleout.sparketl import load as spark_load

    generate(tmp_path / "input", customers=50, months=2, seed=3, progress=False)
    assert (tmp_path / "input" / "supply.csv").exists()
    with pytest.raises(InputError, match="Spark engine does not load"):
        spark_load(tmp_path / "input", tmp_path / "store", tmp_path / "s.duckdb", quiet=True,
                   report_dir=tmp_path / "r")
    assert not (tmp_path / "store").exists() and not (tmp_path / "s.duckdb").exists()


@pytest.fixture(scope="session")
def engines(tmp_path_factory: pytest.TempPathFactory):
    """(DuckDB warehouse, Spark-built store attached as a warehouse, the store folder)."""
    if reason := sparkenv.missing():
        pytest.skip(reason)
    os.environ.setdefault("GCRM_SPARK_SHUFFLE_PARTITIONS", "2")  # small data, two cores
    from etl.demo import generate
    from etl.pipeline import load
    from etl.scaleout.sparketl import load as spark_load

    base = tmp_path_factory.mktemp("engines")
    generate(base / "input", customers=1500, months=4, seed=11, progress=False)
    core_only(base / "input")
    _dirty(base / "input")
    load(base / "input", base / "duck.duckdb", quiet=True, report_dir=base / "r1")
    spark_load(base / "input", base / "store", base / "spark.duckdb", quiet=True,
               report_dir=base / "r2")
    a = warehouse.connect(base / "duck.duckdb", read_only=True)
    b = warehouse.connect(base / "spark.duckdb", read_only=True)
    yield a, b, base / "store"
    a.close()
    b.close()
    sparkenv.stop()


def _same(a, b, sql: str) -> None:
    x, y = a.execute(sql).df(), b.execute(sql).df()
    pd.testing.assert_frame_equal(x, y, check_dtype=False)


def test_same_rejects_and_accounting(engines) -> None:
    a, b, _ = engines
    _same(a, b, "SELECT file, row_number, field, value, reason, raw FROM etl_rejects "
                "ORDER BY file, row_number")
    reasons = set(b.execute("SELECT DISTINCT reason FROM etl_rejects").df()["reason"])
    assert {"unknown_class", "missing_key", "negative_value", "bad_date", "unknown_customer",
            "bad_number", "duplicate_key", "unknown_channel"} <= reasons
    import json

    files = {f["file"]: f for f in json.loads(b.execute("SELECT summary FROM etl_loads"
                                                        ).fetchone()[0])["files"]}
    rejected = dict(b.execute("SELECT file, count(*) FROM etl_rejects GROUP BY 1").fetchall())
    for name, f in files.items():
        assert f["loaded"] + f["rejected"] == f["read"] and f["rejected"] == rejected.get(name, 0)
    assert files["consumption.csv"]["loaded"] == \
        b.execute("SELECT count(*) FROM fact_consumption").fetchone()[0]


def test_same_region_assignment_and_cells(engines) -> None:
    a, b, _ = engines
    _same(a, b, "SELECT customer_id, lon, lat, city_id, district_id, grid_id, locate_status "
                "FROM dim_customer ORDER BY customer_id")
    _same(a, b, "SELECT service_point_id, city_id, district_id FROM dim_service_point "
                "ORDER BY 1")
    _same(a, b, "SELECT region_id, population FROM dim_region ORDER BY 1")
    statuses = set(b.execute("SELECT DISTINCT locate_status FROM dim_customer").df().iloc[:, 0])
    assert {"ok", "missing", "outside"} <= statuses


@pytest.mark.parametrize("table", [
    "dim_feeder", "dim_time", "fact_consumption", "fact_payment", "fact_outage",
    "rollup_consumption_month", "rollup_consumption_feeder_month",
    "rollup_consumption_grid_month", "rollup_payment_month", "rollup_payment_grid_month",
    "rollup_consumption_activity", "rollup_consumption_feeder_activity",
    "rollup_consumption_grid_activity",
])
def test_same_tables(engines, table) -> None:
    a, b, _ = engines
    drop = " EXCLUDE (updated_at)" if table.startswith("dim_feeder") else ""
    _same(a, b, f"SELECT *{drop} FROM {table} ORDER BY ALL")


SHAPES = [
    dict(measures=["kwh", "customers", "amount"], by=["district", "month"]),
    dict(measures=["customers", "kwh_per_customer"], by=["customer_class"]),
    dict(measures=["paid", "online_share"], by=["channel"]),
    dict(measures=["kwh", "peak_share"], by=["feeder"], where={"customer_class": ["industrial"]}),
    dict(measures=["customers", "kwh"], by=["grid"], where={"district": [""]}),
    dict(measures=["kwh", "paid"], by=["city", "quarter"], order_by="-kwh", limit=3),
]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "-".join(s["measures"] + s["by"]))
def test_same_cube_answers(engines, shape) -> None:
    a, b, store = engines
    expected = cube.query(a, **shape)
    pd.testing.assert_frame_equal(expected, cube.query(b, **shape))
    from gcrm.cube import sparkrun

    got = sparkrun.query(store, **shape)
    pd.testing.assert_frame_equal(expected, got, check_dtype=False)


def test_same_reliability(engines) -> None:
    from gcrm.outages.queries import indices, years

    a, b, _ = engines
    assert years(a) == years(b)
    for by in ("district", "feeder"):
        pd.testing.assert_frame_equal(indices(a, years(a)[-1], by=by),
                                      indices(b, years(b)[-1], by=by))
