"""The engines fixture: one demo input with a row for every rule, loaded by DuckDB and by
Spark (local mode) once per test session, shared by the engine-equivalence suite and the
browser test on a Spark-built store (both in the ``spark`` xdist group: one worker, one Spark
session)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from gcrm.storage import sparkenv, warehouse

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
    "transformers.csv": [
        dict(transformer_id="T_X1", feeder_id="F_NONE", name="无馈线", capacity_kva="100"),
        dict(transformer_id="T_X2", feeder_id="F_X", name="负容量", capacity_kva="-1"),
    ],
    "supply.csv": [
        dict(point_id="NOWHERE", level="feeder", month="2026-09", kwh="10"),
        dict(point_id="F_X", level="substation", month="2026-09", kwh="10"),
        dict(point_id="F_X", level="transformer", month="2026-09", kwh="10"),
        dict(point_id="F_X", level="feeder", month="2026-09", kwh="-3"),
    ],
    "daily_reads.csv": [
        dict(customer_id="NOBODY", date="2026-09-01", kwh="1"),
        dict(customer_id="X003", date="2026-09-31", kwh="1"),
        dict(customer_id="X003", date="2026-09-01", kwh="-1"),
    ],
}


def _relations(folder: Path) -> list[dict]:
    """Relations among the first customers, and rows each relations rule rejects."""
    with (folder / "customers.csv").open(encoding="utf-8", newline="") as fh:
        a, b, c, d = [row["customer_id"] for _, row in zip(range(4), csv.DictReader(fh),
                                                           strict=False)]
    return [dict(customer_id=a, related_id=b, kind="parent_of"),
            dict(customer_id=a, related_id=c, kind="pays_for"),
            dict(customer_id=d, related_id=c, kind="same_owner"),
            dict(customer_id=a, related_id=b, kind="parent_of"),  # duplicate_key
            dict(customer_id=d, related_id=d, kind="same_owner"),  # self_relation
            dict(customer_id=a, related_id=d, kind="cousin_of"),  # unknown_kind
            dict(customer_id=a, related_id="NOBODY", kind="pays_for")]  # unknown customer


def _dirty(folder: Path) -> None:
    for name, rows in {**DIRTY, "relations.csv": _relations(folder)}.items():
        path = folder / name
        with path.open(encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        with path.open("a", encoding="utf-8", newline="") as fh:
            out = csv.DictWriter(fh, fieldnames=header, restval="", lineterminator="\n")
            out.writerows(rows)


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
    _dirty(base / "input")
    load(base / "input", base / "duck.duckdb", quiet=True, report_dir=base / "r1")
    spark_load(base / "input", base / "store", base / "spark.duckdb", quiet=True,
               report_dir=base / "r2", partition_by=PARTITION_BY)
    a = warehouse.connect(base / "duck.duckdb", read_only=True)
    b = warehouse.connect(base / "spark.duckdb", read_only=True)
    yield a, b, base / "store"
    a.close()
    b.close()
    sparkenv.stop()


#: the fixture's store splits the facts by city too (the views then have a city_id column)
PARTITION_BY = "month,city"
