"""Engine equivalence: one input loaded by DuckDB and by Spark (local mode) gives the same
rejects, region assignments, rollups and answers (cube, reliability), and Spark's own cube
answers over the store match DuckDB's. One Spark session and one load of each engine
(the `engines` fixture, :mod:`tests.sparkstore`)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from gcrm import cube
from gcrm.storage import sparkenv, warehouse
from tests.sparkstore import PARTITION_BY

pytestmark = [pytest.mark.spark, pytest.mark.slow]


def _same(a, b, sql: str) -> None:
    x, y = a.execute(sql).df(), b.execute(sql).df()
    pd.testing.assert_frame_equal(x, y, check_dtype=False)


def test_same_rejects_and_accounting(engines) -> None:
    a, b, _ = engines
    _same(a, b, "SELECT file, row_number, field, value, reason, raw FROM etl_rejects "
                "ORDER BY file, row_number")
    reasons = set(b.execute("SELECT DISTINCT reason FROM etl_rejects").df()["reason"])
    assert {"unknown_class", "missing_key", "negative_value", "bad_date", "unknown_customer",
            "bad_number", "duplicate_key", "unknown_channel", "unknown_feeder",
            "unknown_point", "unknown_level", "self_relation", "unknown_kind"} <= reasons
    assert {"transformers.csv", "supply.csv", "daily_reads.csv", "relations.csv"} <= set(
        b.execute("SELECT DISTINCT file FROM etl_rejects").df()["file"])
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
    _same(a, b, "SELECT customer_id, customer_key, lon, lat, city_id, district_id, grid_id, "
                "locate_status, transformer_id FROM dim_customer ORDER BY customer_id")
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
    "rollup_consumption_grid_activity", "rollup_payment_channel_month",
    "dim_transformer", "fact_supply", "fact_daily_read", "dim_relation", "dim_customer_group",
    "rollup_customer_consumption", "rollup_customer_payment",
])
def test_same_tables(engines, table) -> None:
    a, b, _ = engines
    if table in ("fact_supply", "fact_daily_read", "dim_transformer", "dim_relation"):
        assert b.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0
    stamped = table in ("dim_feeder", "dim_transformer", "dim_relation")
    drop = " EXCLUDE (updated_at)" if stamped else ""
    if table in ("fact_consumption", "fact_payment", "fact_daily_read"):  # split facts
        key = "customer_id" if table == "fact_daily_read" else "customer_key"
        assert b.execute(f"SELECT count(*) FROM {table} f JOIN dim_customer c USING "
                         f"({key}) WHERE f.city_id IS DISTINCT FROM c.city_id"
                         ).fetchone()[0] == 0
        derived = table == "fact_daily_read"  # its month partition is the month of its date
        if derived:
            assert b.execute("SELECT count(*) FROM fact_daily_read "
                             "WHERE month IS DISTINCT FROM strftime(date, '%Y-%m')"
                             ).fetchone()[0] == 0
        pd.testing.assert_frame_equal(
            a.execute(f"SELECT * FROM {table} ORDER BY ALL").df(),
            b.execute(f"SELECT * EXCLUDE (city_id{', month' if derived else ''}) FROM {table} "
                      "ORDER BY ALL").df(),
            check_dtype=False)
        return
    _same(a, b, f"SELECT *{drop} FROM {table} ORDER BY ALL")


def test_same_stored_customer_facts(engines) -> None:
    """Both engines store every customer's facts for the same last 12 months, and the
    Trading-area queries use them on either (an area's summary the same to the last bit)."""
    from gcrm.cube import percustomer
    from gcrm.tradearea import queries as tradearea

    a, b, _ = engines
    months = percustomer.stored_months(a)
    assert months is not None and percustomer.stored_months(b) == months
    hall = a.execute("SELECT min(service_point_id) FROM dim_service_point WHERE kind = "
                     "'business_hall'").fetchone()[0]
    x, y = (tradearea.area_summary(c, tradearea.area_from(c, service_point=hall, km=3)[0],
                                   months=months) for c in (a, b))
    assert tradearea.CustomerFacts.stored(b, months) is not None
    # the area's facts are summed exactly; the outage minutes come from each engine's own
    # durations and the district's column from the rollups' float sums (within 1e-8)
    outage = x.metrics["metric"].str.contains("outage")
    pd.testing.assert_series_equal(x.metrics["area"][~outage], y.metrics["area"][~outage],
                                   check_exact=True)
    pd.testing.assert_frame_equal(x.metrics, y.metrics, rtol=1e-8)
    for part in ("by_class", "by_channel"):
        pd.testing.assert_frame_equal(getattr(x, part), getattr(y, part), check_exact=True)


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


def test_same_losses_suspects_and_groups(engines) -> None:
    """The Revenue and Key-accounts pages' answers (and ``gcrm losses``) on both stores."""
    from gcrm.accounts.queries import relations
    from gcrm.revenue.queries import available, losses, suspects

    a, b, _ = engines
    assert available(a) and available(b)
    for by in ("transformer", "feeder", "district"):
        expected = losses(a, by)
        assert len(expected) > 0
        pd.testing.assert_frame_equal(expected, losses(b, by))
    pd.testing.assert_frame_equal(suspects(a, limit=20), suspects(b, limit=20))
    pd.testing.assert_frame_equal(relations(a, None), relations(b, None))
    groups = list(b.execute("SELECT DISTINCT group_id FROM dim_customer_group").df()["group_id"])
    assert groups
    shape = dict(measures=["kwh", "customers"], by=["group"], where={"group": groups})
    pd.testing.assert_frame_equal(cube.query(a, **shape), cube.query(b, **shape))


def test_both_engines_write_the_same_city_partitions(engines, tmp_path: Path) -> None:
    """lake.export and the Spark load split the facts into the same folders; a city filter
    on the attached store scans that city's files only."""
    from gcrm.storage import lake

    a, b, store = engines
    lake.export(a, tmp_path / "s", PARTITION_BY)
    def folders(root: Path, table: str) -> set[str]:
        return {str(p.relative_to(root / table)) for p in (root / table).glob("*/*")
                if p.is_dir()}

    for table in ("fact_consumption", "fact_payment", "fact_daily_read"):
        assert folders(store, table) == folders(tmp_path / "s", table)
        assert all(f.startswith("city_id=") for f in folders(store, table))
        assert lake.partitioning(store, table) == ("city_id", "month")
    cities = b.execute("SELECT DISTINCT city_id FROM fact_consumption").fetchall()
    assert len(cities) >= 2
    plan = b.execute("EXPLAIN SELECT sum(kwh) FROM fact_consumption WHERE city_id = ?",
                     [sorted(c for (c,) in cities if c)[0]]).fetchall()[0][1]
    files = sum(1 for _ in (store / "fact_consumption").rglob("*.parquet"))
    scanned = int(plan.split("Scanning Files: ")[1].split("/")[0])
    assert 0 < scanned < files and f"/{files}" in plan


PASSWORD = "Tonghua-Spark-21!"


def _csv(text: str) -> pd.DataFrame:
    import io

    return pd.read_csv(io.StringIO(text), dtype={"district": str, "customer_class": str})


def test_spark_query_as_a_user_is_scoped_masked_and_audited(engines, monkeypatch) -> None:
    """``gcrm query --engine spark --user`` answers as the DuckDB path does for that user."""
    from click.testing import CliRunner

    from gcrm.cli import cli
    from tests.browser import add_account, audit_entries, busiest_district

    _, _, store = engines
    db = store.parent / "duck.duckdb"
    district = busiest_district(db)
    add_account(db, "rm21", "regional_manager", PASSWORD, (district,))
    add_account(db, "an21", "analyst", PASSWORD)
    monkeypatch.setenv("GCRM_PASSWORD", PASSWORD)
    ask = ["--measure", "kwh", "--measure", "customers", "--by", "district", "--by",
           "customer_class", "--by", "tariff"]
    runner = CliRunner()
    for user in ("rm21", "an21"):
        duck = runner.invoke(cli, ["query", "--db", str(db), "--user", user, *ask])
        spark = runner.invoke(cli, ["query", "--engine", "spark", "--store", str(store),
                                    "--db", str(db), "--user", user, *ask])
        assert duck.exit_code == spark.exit_code == 0, (duck.output, spark.output)
        x, y = _csv(duck.stdout), _csv(spark.stdout)
        pd.testing.assert_frame_equal(x, y)
        if user == "rm21":  # region-scoped: the district only
            assert set(y["district"]) == {district}
        else:  # aggregates only (an analyst sees every region): small cells hidden
            assert len(set(y["district"])) > 1
            assert y["kwh"].isna().any() and y["kwh"].notna().any()
    refused = runner.invoke(cli, ["query", "--engine", "spark", "--store", str(store), "--db",
                                  str(db), "--user", "an21", "--measure", "kwh", "--by",
                                  "customer"])
    assert refused.exit_code == 2 and "read_pii" in refused.output
    logged = [e for e in audit_entries(db, "query") if '"engine": "spark"' in e["detail"]]
    assert {e["user"] for e in logged} == {"rm21", "an21"}


def test_spark_rollup_rebuilds_the_store_rollups(engines) -> None:
    """``gcrm rollup --engine spark``: the store's rollups rebuilt (same rows), a new data
    version, the attached warehouse still answering. Runs last: it swaps the store."""
    from click.testing import CliRunner

    from gcrm.cli import cli
    from gcrm.storage import lake

    a, b, store = engines
    before = warehouse.get_meta(b, "data_version")
    shutil.rmtree(store / "rollup_payment_channel_month")  # lost: rebuilt from the facts
    shutil.rmtree(store / "rollup_customer_payment")
    out = CliRunner().invoke(cli, ["rollup", "--engine", "spark", "--store", str(store),
                                   "--db", str(store.parent / "spark.duckdb")])
    assert out.exit_code == 0, out.output
    assert "rollup tables rebuilt" in out.output
    assert int(warehouse.get_meta(b, "data_version")) == int(before) + 1
    assert lake.partitioning(store, "fact_consumption") == ("city_id", "month")
    for table in ("rollup_consumption_month", "rollup_payment_channel_month",
                  "rollup_consumption_grid_activity", "rollup_customer_payment"):
        _same(a, b, f"SELECT * FROM {table} ORDER BY ALL")
    from gcrm.cube import percustomer

    assert percustomer.stored_months(b) == percustomer.stored_months(a) is not None
    test_same_cube_answers(engines, SHAPES[0])


def _shuffle_files(spark) -> list[Path]:
    """The shuffle data files in the session's scratch folders."""
    dirs = spark._jvm.org.apache.spark.SparkEnv.get().blockManager().diskBlockManager() \
        .localDirs()
    return [f for d in dirs for f in Path(d.getPath()).rglob("shuffle_*.data")]


def test_spark_loads_a_folder_without_the_split_revenue_facts_and_frees_its_scratch(
        engines, tmp_path: Path) -> None:
    """A folder without daily reads (the demo's plain folder): the split fact with no rows
    is an empty view of the store, as on DuckDB (Spark writes no file for it); and the
    load leaves no shuffle file behind (each file's are released once it is written: they
    used to stay for the session and filled the disk at 10M customers)."""
    from etl.scaleout.sparketl import load as spark_load

    a, _, store = engines
    (tmp_path / "input").mkdir()
    for name in ("regions.geojson", "service_points.csv", "customers.csv", "outages.csv",
                 "consumption.csv", "payments.csv"):  # the fixture's: its warehouse answers
        shutil.copy(store.parent / "input" / name, tmp_path / "input" / name)
    spark_load(tmp_path / "input", tmp_path / "store", tmp_path / "spark.duckdb", quiet=True,
               report_dir=tmp_path / "r2")
    b = warehouse.connect(tmp_path / "spark.duckdb", read_only=True)
    try:
        assert b.execute("SELECT count(*) FROM fact_daily_read").fetchone()[0] == 0
        for table in ("fact_consumption", "fact_payment"):
            _same(a, b, f"SELECT month, count(*), sum(amount) FROM {table} GROUP BY 1 "
                        "ORDER BY 1")
    finally:
        b.close()
    spark = sparkenv.session()
    for _ in range(20):  # nothing holds them: a garbage collection frees them (the
        if not _shuffle_files(spark):  # context cleaner deletes them in its own thread)
            break
        spark.sparkContext._jvm.System.gc()
        time.sleep(0.5)
    assert _shuffle_files(spark) == []
