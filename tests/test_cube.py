"""Known-answer tests of the cube on the hand-made example warehouse (examples/minimal)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from gcrm import cube
from gcrm.cube import CubeError


@pytest.fixture(scope="module")
def con(mini_db_shared: Path):
    c = duckdb.connect(str(mini_db_shared), read_only=True)
    yield c
    c.close()


def test_by_district_known_answers(con) -> None:
    df = cube.query(con, ["kwh", "customers", "amount", "paid", "arrears", "online_share"],
                    by=["district"])
    rows = {r.district if isinstance(r.district, str) else None: r for r in df.itertuples()}
    assert list(df.columns) == ["district", "kwh", "customers", "amount", "paid", "arrears",
                                "online_share"]
    assert rows["D1"].kwh == 690 and rows["D1"].customers == 2
    assert rows["D2"].kwh == 82000 and rows["D2"].customers == 2
    assert rows[None].kwh == 520 and rows[None].customers == 3  # unlocated customers
    assert rows["D1"].paid == pytest.approx(279.5)
    assert rows["D1"].arrears == pytest.approx(363.5 - 279.5)
    assert rows["D1"].online_share == pytest.approx(2 / 3)
    assert rows["D2"].online_share == 0


def test_totals_reconcile_with_raw_input(con, example_dir: Path) -> None:
    raw = pd.read_csv(example_dir / "consumption.csv")
    # valid rows are those the ETL loaded (known from the contract test): rows 1-10
    expected = pd.to_numeric(raw["kwh"].iloc[:10]).sum()
    total = cube.query(con, ["kwh"])["kwh"].iloc[0]
    by_district = cube.query(con, ["kwh"], by=["district"])["kwh"].sum()
    assert total == by_district == expected == 83210


def test_where_or_within_and_across(con) -> None:
    df = cube.query(con, ["kwh"], where={"district": ["D1", "D2"],
                                         "customer_class": ["residential"]})
    assert df["kwh"].iloc[0] == 690
    df = cube.query(con, ["kwh"], where={"district": [""]})  # the empty region = unlocated
    assert df["kwh"].iloc[0] == 520


def test_month_range_and_time_hierarchy(con) -> None:
    assert cube.month_range(con, 2) == ("2025-01", "2025-02")
    by_month = cube.query(con, ["kwh"], by=["month"], months=("2025-02", "2025-02"))
    assert by_month.to_dict("records") == [{"month": "2025-02", "kwh": 30340.0}]
    by_q = cube.query(con, ["kwh"], by=["year", "quarter"])
    assert by_q.to_dict("records") == [{"year": 2025, "quarter": "2025-Q1", "kwh": 83210.0}]


def test_top_n(con) -> None:
    df = cube.query(con, ["kwh"], by=["feeder"], order_by="-kwh", limit=1)
    assert df.to_dict("records") == [{"feeder": "F2", "kwh": 80400.0}]


def test_payment_channel_dimension(con) -> None:
    df = cube.query(con, ["paid", "payments"], by=["channel"])
    assert dict(zip(df["channel"], df["paid"], strict=True)) == {
        "app": 94.5, "autodebit": 1000.0, "bank": 32500.0, "counter": 105.0, "online": 80.0}


@pytest.mark.parametrize("by", [["district"], ["district", "month"], ["customer_class", "month"],
                                ["tariff"], ["year"], []])
def test_rollups_equal_facts(con, by) -> None:
    measures = ["kwh", "amount", "paid", "online_share", "customers"]
    a = cube.query(con, measures, by=by)
    b = cube.query(con, measures, by=by, use_rollups=False)
    pd.testing.assert_frame_equal(a, b)


def test_planner_picks_the_smallest_exact_rollup(con) -> None:
    from gcrm.cube.engine import rollup_sizes

    sizes = rollup_sizes(con)
    assert set(sizes) == {r.name for r in (*cube.rollups.ROLLUPS, *cube.rollups.ACTIVITY)}

    def source(**kw) -> str:
        sql, _ = cube.compile_query(cube.Query.make(**kw), sizes)
        return sql.split(" FROM ")[1].split()[0]

    fitting = [r for r in cube.rollups.ROLLUPS if r.fact == "consumption"]
    smallest = min(fitting, key=lambda r: (sizes[r.name], len(r.dims))).name
    assert source(measures=["kwh"], by=["district"]) == smallest
    assert source(measures=["kwh"], by=["tariff", "segment"]) == "rollup_consumption_month"
    assert source(measures=["kwh"], by=["feeder"]) == "rollup_consumption_feeder_month"
    assert source(measures=["kwh"], by=["grid"]) == "rollup_consumption_grid_month"
    payment = [r for r in cube.rollups.ROLLUPS if r.fact == "payment"]
    assert source(measures=["paid"], by=["channel"]) == \
        min(payment, key=lambda r: (sizes[r.name], len(r.dims))).name
    assert source(measures=["paid"], by=["segment"]) == "rollup_payment_month"
    assert source(measures=["paid"], by=["grid", "channel"]) == "rollup_payment_grid_month"
    assert source(measures=["paid", "online_share"], by=["district", "channel"],
                  months=("2025-01", "2025-03")) == "rollup_payment_channel_month"
    # distinct customers over several months need the facts (or the activity bitmaps);
    # within a month a rollup will do
    assert source(measures=["customers"], by=["district"]) == "fact_consumption"
    assert source(measures=["customers"], by=["district", "month"]).startswith("rollup_")
    assert source(measures=["kwh"], by=["service_point"]) == "fact_consumption"


def test_distinct_customers_from_activity_bitmaps(con) -> None:
    from gcrm.cube.engine import activity_months, rollup_sizes

    sql, params = cube.compile_query(cube.Query.make(["customers", "kwh"], by=["district"]),
                                     rollup_sizes(con), activity_months(con))
    assert "_activity r" in sql and "fact_consumption" not in sql
    assert 0b111 in params  # every month of the example's three


@pytest.mark.parametrize("kw", [
    dict(by=["district"]),
    dict(by=["district"], months=("2025-02", "2025-03")),
    dict(by=["customer_class"], where={"month": ["2025-01"]}),
    dict(by=["tariff"], where={"quarter": ["2025-Q1"], "year": ["2025"]}),
    dict(by=["feeder"], months=("2025-02", "2025-02")),
    dict(by=["grid", "district"]),
    dict(by=[], where={"district": ["D1", ""]}),
    dict(by=["district"], where={"year": ["2024"]}),
])
def test_activity_path_equals_facts(con, kw) -> None:
    measures = ["customers", "kwh", "kwh_per_customer", "paid"]
    a = cube.query(con, measures, **kw)
    b = cube.query(con, measures, **kw, use_rollups=False)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("by", [["feeder"], ["substation", "month"], ["grid"],
                                ["segment", "big_customer"], ["channel", "customer_class"],
                                ["district", "channel", "month"]])
def test_every_rollup_equals_facts(con, by) -> None:
    measures = ["kwh", "amount", "peak_share"] if "channel" not in by else ["paid", "payments"]
    a = cube.query(con, measures, by=by)
    b = cube.query(con, measures, by=by, use_rollups=False)
    pd.testing.assert_frame_equal(a, b)


def test_values_are_bound_parameters_never_sql(con) -> None:
    evil = "D1' OR 1=1 --"
    sql, params = cube.compile_query(cube.Query.make(["kwh"], where={"district": [evil]}))
    assert evil not in sql and params == [evil]
    assert pd.isna(cube.query(con, ["kwh"], where={"district": [evil]})["kwh"].iloc[0])


def test_a_long_member_list_is_one_parameter_with_the_same_answer(con) -> None:
    """More than LONG_LIST members (a trade area's customers) bind as one list, not one
    placeholder each: same rows, same sums; a fact query without feeder columns skips the
    feeder join, one with them keeps it."""
    ids = sorted(r[0] for r in con.execute("SELECT customer_id FROM dim_customer").fetchall())
    padding = [f"NO-SUCH-{i}" for i in range(cube.engine.LONG_LIST)]  # members with no rows
    for where in ({"customer": ids[:3]}, {"customer": ids[1:]}):
        short = cube.query(con, ["kwh", "paid"], by=["district"], where=where, use_rollups=False)
        long_ = cube.query(con, ["kwh", "paid"], by=["district"], use_rollups=False,
                           where={"customer": [*where["customer"], *padding]})
        pd.testing.assert_frame_equal(short, long_)
    sql, params = cube.compile_query(cube.Query.make(
        ["kwh"], where={"customer": [*ids, *padding]}, use_rollups=False))
    assert sql.count("?") == 1 and params == [[*ids, *padding]]
    assert "dim_feeder" not in sql
    sql, _ = cube.compile_query(cube.Query.make(["kwh"], by=["substation"], use_rollups=False))
    assert "LEFT JOIN dim_feeder" in sql
    total = cube.query(con, ["kwh"], where={"customer": [*ids, *padding]}, use_rollups=False)
    assert total["kwh"].iloc[0] == 83210  # every customer: the known total


@pytest.mark.parametrize("kwargs,message", [
    ({"measures": ["kwhh"]}, "unknown measure 'kwhh'; valid measures: kwh"),
    ({"measures": ["kwh"], "by": ["planet"]}, "unknown dimension 'planet'; valid dimensions"),
    ({"measures": ["kwh"], "by": ["channel"]}, "applies only to payment"),
    ({"measures": ["kwh"], "where": {"year": ["twenty"]}}, "expected int"),
    ({"measures": ["kwh"], "months": ("2025-1", "2025-02")}, "bad month"),
    ({"measures": []}, "no measure given"),
    ({"measures": ["kwh"], "order_by": "paid"}, "cannot order by"),
])
def test_bad_requests_are_clear_errors(con, kwargs, message) -> None:
    with pytest.raises(CubeError) as err:
        cube.query(con, **kwargs)
    assert message in str(err.value)


def test_cache_is_invalidated_by_a_load(example_dir: Path, tmp_path: Path) -> None:
    from etl.pipeline import load

    db = tmp_path / "w.duckdb"
    load(example_dir, db, quiet=True, report_dir=tmp_path / "r1")
    con = duckdb.connect(str(db), read_only=True)
    assert cube.query(con, ["kwh"])["kwh"].iloc[0] == 83210
    hits = cube.CACHE.hits
    assert cube.query(con, ["kwh"])["kwh"].iloc[0] == 83210
    assert cube.CACHE.hits == hits + 1
    con.close()
    inc = tmp_path / "inc"
    inc.mkdir()
    (inc / "consumption.csv").write_text("customer_id,month,kwh\nA001,2025-03,10\n", "utf-8")
    load(inc, db, quiet=True, report_dir=tmp_path / "r2")
    con = duckdb.connect(str(db), read_only=True)
    assert cube.query(con, ["kwh"])["kwh"].iloc[0] == 83220


def test_totals_and_subtotals(con) -> None:
    df = cube.with_totals(con, ["kwh", "customers"], ["district", "customer_class"])
    grand = df[df["level"] == 0].iloc[0]
    assert grand["kwh"] == 83210 and grand["customers"] == 7
    d2 = df[(df["district"] == "D2") & (df["level"] == 1)].iloc[0]
    assert d2["kwh"] == 82000 and d2["customer_class"] == cube.TOTAL
    detail = df[df["level"] == 2]
    assert detail["kwh"].sum() == grand["kwh"]


def test_pivot(con) -> None:
    df = cube.query(con, ["kwh"], by=["district", "month"])
    p = cube.pivot(df, ["district"], "month", "kwh")
    assert p.loc["D2", "2025-01"] == 52000 and p.loc["D2", "2025-02"] == 30000
    assert p.loc["", "2025-01"] == 520  # unlocated row
    with pytest.raises(CubeError, match="cannot pivot"):
        cube.pivot(df, ["tariff"], "month", "kwh")


def test_month_over_month(con) -> None:
    df = cube.compare(con, ["kwh"], by=["district", "month"], months=("2025-02", "2025-02"),
                      kind="mom")
    row = df[df["district"] == "D2"].iloc[0]
    assert row["kwh_prev"] == 52000 and row["kwh_growth"] == pytest.approx(30000 / 52000 - 1)
    yoy = cube.compare(con, ["kwh"], months=("2025-01", "2025-02"), kind="yoy")
    assert pd.isna(yoy["kwh_prev"].iloc[0])  # no data a year before: no growth, not zero
    with pytest.raises(CubeError, match="unknown comparison"):
        cube.compare(con, ["kwh"], months=("2025-01", "2025-02"), kind="wow")


def test_hierarchies() -> None:
    assert cube.drill_down("city") == "district"
    assert cube.drill_down("district") == "grid"
    assert cube.roll_up("month") == "quarter" and cube.roll_up("quarter") == "year"
    assert cube.drill_down("grid") is None and cube.roll_up("city") is None


def test_members_and_months(con) -> None:
    assert cube.months(con) == ["2025-01", "2025-02", "2025-03"]
    assert cube.members(con, "district") == ["D1", "D2", None]
    assert cube.members(con, "district", scope=["D1"]) == ["D1"]
    assert cube.members(con, "channel") == ["app", "autodebit", "bank", "counter", "online"]
    with pytest.raises(CubeError, match="unknown dimension"):
        cube.members(con, "weather")


def test_query_cache_is_shared_safely_by_threads() -> None:
    """Every dashboard session runs in a thread of its own and shares the cache: lookups and
    evictions racing each other neither fail nor lose count. The race is made likely: the
    cache's entries pause for a moment in every reordering (another thread runs then)."""
    import random
    import threading
    import time
    from collections import OrderedDict

    from gcrm.cube.engine import _Cache

    class Slow(OrderedDict):
        def move_to_end(self, key, last=True):
            time.sleep(0.0005)
            super().move_to_end(key, last)

    cache = _Cache(size=3, entries=Slow())
    frame = pd.DataFrame({"x": [1]})
    errors: list[BaseException] = []

    def work(seed: int) -> None:
        rng = random.Random(seed)  # four keys for three places: hits and evictions
        try:
            for _ in range(300):
                key = str(rng.randrange(4))
                if cache.get(key) is None:
                    cache.put(key, frame)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s,)) for s in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert cache.hits + cache.misses == 6 * 300 and len(cache.entries) <= 3
    assert cache.hits > 0  # the reordering (where the race was) did run
