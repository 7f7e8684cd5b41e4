"""The Parquet store: written from a warehouse, attached as views, answers like the file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from gcrm import cube
from gcrm.cube.dialect import DialectError, to_spark
from gcrm.storage import lake, warehouse
from tests.storedata import mark_store_version

SHAPES = [
    dict(measures=["kwh", "customers"], by=["district", "month"]),
    dict(measures=["customers", "kwh_per_customer"], by=["customer_class"]),
    dict(measures=["paid", "online_share"], by=["channel"], months=("2025-02", "2025-03")),
    dict(measures=["kwh", "amount"], by=["feeder"], where={"customer_class": ["residential"]}),
    dict(measures=["customers"], by=[], where={"district": ["D1", ""]}),
    dict(measures=["kwh", "paid"], by=["city", "quarter"], scope=["C1"]),
]


@pytest.fixture(scope="module")
def pair(mini_db_shared: Path, tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("lake")
    with warehouse.connect(mini_db_shared, read_only=True) as con:
        lake.export(con, base / "store")
    lake.attach(base / "store", base / "lake.duckdb")
    a = warehouse.connect(mini_db_shared, read_only=True)
    b = warehouse.connect(base / "lake.duckdb", read_only=True)
    yield a, b, base
    a.close()
    b.close()


def test_store_layout_partitions_facts_by_month(pair) -> None:
    a, _, base = pair
    months = sorted(p.name for p in (base / "store" / "fact_consumption").iterdir())
    stored = a.execute("SELECT DISTINCT month FROM fact_consumption ORDER BY 1").fetchall()
    assert months == [f"month={m}" for (m,) in stored] == ["month=2025-01", "month=2025-02"]
    assert (base / "store" / "dim_customer" / "part-0.parquet").is_file()


def test_attached_store_is_a_warehouse_with_pinned_types(pair) -> None:
    a, b, _ = pair
    assert warehouse.schema_problems(b) == []
    for table in ("fact_consumption", "fact_payment", "dim_customer", "dim_region"):
        types = [r[:2] for r in b.execute(f"DESCRIBE {table}").fetchall()]
        assert types == [r[:2] for r in a.execute(f"DESCRIBE {table}").fetchall()]
        assert b.execute(f"SELECT count(*) FROM {table}").fetchone() == \
            a.execute(f"SELECT count(*) FROM {table}").fetchone()


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "-".join(s["measures"] + s["by"]))
def test_cube_answers_the_same_on_the_store(pair, shape) -> None:
    a, b, _ = pair
    pd.testing.assert_frame_equal(cube.query(a, **shape), cube.query(b, **shape))


def test_month_filter_prunes_partitions(pair) -> None:
    _, b, _ = pair
    plan = b.execute("EXPLAIN SELECT sum(kwh) FROM fact_consumption WHERE month = '2025-01'"
                     ).fetchall()[0][1]
    assert "Scanning Files: 1/2" in plan


def test_spark_dialect_refuses_what_it_cannot_carry() -> None:
    assert to_spark("SELECT strftime(paid_at, '%Y-%m') FROM t") == \
        "SELECT DATE_FORMAT(paid_at, 'yyyy-MM') FROM t"
    assert "RLIKE '^(?:[0-9]{4})$'" in to_spark("SELECT regexp_full_match(a, '[0-9]{4}') FROM t")
    bound = to_spark("SELECT x FROM t WHERE y IN (?, ?) AND z = ?", ["a'b", 2, None])
    assert bound == "SELECT x FROM t WHERE y IN ('a\\'b', 2) AND z = NULL"
    for bad in ("SELECT bitstring_agg(i, 0, 3) FROM t", "SELECT CAST('01' AS BIT)",
                "SELECT no_such_function(x) FROM t"):
        with pytest.raises(DialectError):
            to_spark(bad)
    with pytest.raises(DialectError, match="fewer"):
        to_spark("SELECT ? + ?", [1])


def test_spark_engine_without_java_is_a_clear_exit_2(tmp_path, monkeypatch) -> None:
    """In a process of its own (``gcrm`` as a user runs it): a Spark session another test
    left running in this worker must not stand in for the missing Java."""
    import subprocess
    import sys

    from gcrm.storage import sparkenv

    monkeypatch.setenv("PATH", str(tmp_path))  # no java on it
    monkeypatch.delenv("JAVA_HOME", raising=False)
    assert "Java 17" in (sparkenv.missing() or "")

    def gcrm(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "gcrm.cli", *args], capture_output=True,
                              text=True, timeout=120, cwd=tmp_path)

    result = gcrm("etl", "--engine", "spark", "--input",
                  str(Path(__file__).parent.parent / "examples" / "minimal"),
                  "--store", str(tmp_path / "store"), "--db", str(tmp_path / "w.duckdb"))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Java 17" in result.stdout + result.stderr and not (tmp_path / "store").exists()
    result = gcrm("query", "--engine", "spark", "--measure", "kwh")
    assert result.returncode == 2 and "--store" in result.stdout + result.stderr


def test_store_cli_round_trip(mini_db_shared: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from gcrm.cli import cli

    runner = CliRunner()
    out = runner.invoke(cli, ["store", "export", "--db", str(mini_db_shared), "--out",
                              str(tmp_path / "s")])
    assert out.exit_code == 0, out.output
    out = runner.invoke(cli, ["store", "attach", "--db", str(tmp_path / "v.duckdb"), "--store",
                              str(tmp_path / "s")])
    assert out.exit_code == 0, out.output
    a = runner.invoke(cli, ["query", "--db", str(mini_db_shared), "--measure", "kwh", "--by",
                            "district"])
    b = runner.invoke(cli, ["query", "--db", str(tmp_path / "v.duckdb"), "--measure", "kwh",
                            "--by", "district"])
    assert a.exit_code == b.exit_code == 0 and a.output == b.output


def test_attach_never_replaces_a_loaded_warehouse(mini_db_shared: Path, tmp_path: Path) -> None:
    with warehouse.connect(mini_db_shared, read_only=True) as con:
        lake.export(con, tmp_path / "s")
    with pytest.raises(ValueError, match="holds a loaded warehouse"):
        lake.attach(tmp_path / "s", mini_db_shared)
    lake.attach(tmp_path / "s", tmp_path / "v.duckdb")
    lake.attach(tmp_path / "s", tmp_path / "v.duckdb")  # views over views: replaced


def test_a_store_of_an_older_schema_is_refused_with_what_to_do(mini_db_shared: Path,
                                                               tmp_path: Path) -> None:
    """A store written before schema version 3 names the customer by its text id in the
    facts: attaching it says to write it again, in the command's words (exit 2)."""
    from click.testing import CliRunner

    from gcrm.cli import cli

    with warehouse.connect(mini_db_shared, read_only=True) as con:
        lake.export(con, tmp_path / "s")
    mark_store_version(tmp_path / "s", 2)
    run = CliRunner().invoke(cli, ["store", "attach", "--db", str(tmp_path / "v.duckdb"),
                                   "--store", str(tmp_path / "s")])
    assert run.exit_code == 2, run.output
    assert "schema version 2" in run.output and "gcrm store export" in run.output
    assert not (tmp_path / "v.duckdb").exists()


def test_city_partitions_prune_a_city_filter(mini_db_shared: Path, tmp_path: Path) -> None:
    """``--partition-by city,month``: facts in city_id=/month= folders (unlocated customers
    under __none__, NULL in the views), a city filter scanning that city's files only."""
    with warehouse.connect(mini_db_shared, read_only=True) as con:
        lake.export(con, tmp_path / "s", "city,month")
        per_city = dict(con.execute(
            "SELECT c.city_id, count(*) FROM fact_consumption f JOIN dim_customer c "
            "USING (customer_key) GROUP BY 1").fetchall())
    lake.attach(tmp_path / "s", tmp_path / "v.duckdb")
    folders = {p.name for p in (tmp_path / "s" / "fact_consumption").iterdir()}
    assert folders == {f"city_id={c or lake.NO_REGION}" for c in per_city}
    assert lake.partitioning(tmp_path / "s", "fact_payment") == ("city_id", "month")
    with warehouse.connect(tmp_path / "v.duckdb", read_only=True) as b:
        assert warehouse.schema_problems(b) == []
        got = dict(b.execute("SELECT city_id, count(*) FROM fact_consumption GROUP BY 1"
                             ).fetchall())
        assert got == per_city
        total = sum(1 for _ in (tmp_path / "s" / "fact_consumption").rglob("*.parquet"))
        city = sorted(c for c in per_city if c)[0]
        plan = b.execute("EXPLAIN SELECT sum(kwh) FROM fact_consumption WHERE city_id = ?",
                         [city]).fetchall()[0][1]
        assert f"Scanning Files: 2/{total}" in plan and total > 2  # its two months
        plan = b.execute("EXPLAIN SELECT sum(kwh) FROM fact_consumption WHERE city_id = ? "
                         "AND month = '2025-01'", [city]).fetchall()[0][1]
        assert f"Scanning Files: 1/{total}" in plan
        pd.testing.assert_frame_equal(cube.query(b, ["kwh", "customers"], by=["city"]),
                                      cube.query(b, ["kwh", "customers"], by=["city"],
                                                 use_rollups=False))
    with pytest.raises(ValueError, match="county is not a level"):
        lake.partition_columns("county,month")


def test_rollup_and_partition_options_on_the_command_line(mini_db_shared: Path,
                                                          tmp_path: Path) -> None:
    """``gcrm rollup`` rebuilds a warehouse's rollups (same answers, audited); a bad
    ``--partition-by`` and options of the other engine are exit 2, naming the problem."""
    import shutil

    from click.testing import CliRunner

    from gcrm.cli import cli

    db = tmp_path / "w.duckdb"
    shutil.copy(mini_db_shared, db)
    runner = CliRunner()
    ask = ["query", "--db", str(db), "--measure", "kwh", "--measure", "customers", "--by",
           "district"]
    before = runner.invoke(cli, ask).output
    with warehouse.connect(db) as con:
        con.execute("DELETE FROM rollup_consumption_month")  # stale: rebuilt from the facts
    out = runner.invoke(cli, ["rollup", "--db", str(db)])
    assert out.exit_code == 0 and "rollup tables rebuilt" in out.output, out.output
    assert runner.invoke(cli, ask).output == before
    with warehouse.connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM rollup_consumption_month").fetchone()[0] > 0
    from tests.browser import audit_entries

    assert audit_entries(db, "rollup")
    for args, says in (
            (["store", "export", "--db", str(db), "--out", str(tmp_path / "s"),
              "--partition-by", "city,county"], "county is not a level"),
            (["etl", "--db", str(db), "--input", str(tmp_path), "--partition-by", "city"],
             "--engine spark"),
            (["rollup", "--db", str(db), "--store", str(tmp_path)], "--engine spark"),
            (["rollup", "--engine", "spark", "--db", str(db)], "--store")):
        out = runner.invoke(cli, args)
        assert out.exit_code == 2 and says in out.output, (args, out.output)
    assert not (tmp_path / "s").exists()


def test_province_partitions_where_the_regions_have_provinces(mini_db_shared: Path,
                                                              tmp_path: Path) -> None:
    """``province,city,month``: the province is the parent of level province of the
    customer's city; a province filter prunes like a city filter."""
    import shutil

    db = tmp_path / "w.duckdb"
    shutil.copy(mini_db_shared, db)
    with warehouse.connect(db) as con:
        con.execute("INSERT INTO dim_region (region_id, name, level) VALUES ('P1', '吉林省', "
                    "'province')")
        con.execute("UPDATE dim_region SET parent_id = 'P1' WHERE region_id = 'C1'")
        lake.export(con, tmp_path / "s", "month,city,province")  # nested outermost first
        n = con.execute("SELECT count(*) FROM fact_consumption").fetchone()[0]
        unlocated = con.execute("SELECT count(*) FROM fact_consumption JOIN dim_customer "
                                "USING (customer_key) WHERE city_id IS NULL").fetchone()[0]
    assert lake.partitioning(tmp_path / "s", "fact_consumption") == (
        "province_id", "city_id", "month")
    lake.attach(tmp_path / "s", tmp_path / "v.duckdb")
    with warehouse.connect(tmp_path / "v.duckdb", read_only=True) as b:
        got = dict(b.execute("SELECT province_id, count(*) FROM fact_consumption GROUP BY 1"
                             ).fetchall())
        assert got == {"P1": n - unlocated, **({None: unlocated} if unlocated else {})}
        plan = b.execute("EXPLAIN SELECT sum(kwh) FROM fact_consumption "
                         "WHERE province_id = 'P1'").fetchall()[0][1]
        total = sum(1 for _ in (tmp_path / "s" / "fact_consumption").rglob("*.parquet"))
        assert f"Scanning Files: 2/{total}" in plan and total > 2


@pytest.mark.parametrize("partition_by", ["month", "city,month"])
def test_an_empty_split_fact_is_an_empty_view(mini_db_shared: Path, tmp_path: Path,
                                              partition_by: str) -> None:
    """A fact split into Hive folders with no rows has no Parquet file (neither engine writes
    one): the attached warehouse still has its view, empty, with the pinned types, and the
    cube answers over it instead of failing on a missing table."""
    db = tmp_path / "w.duckdb"
    db.write_bytes(mini_db_shared.read_bytes())
    with warehouse.connect(db) as con:
        con.execute("DELETE FROM fact_payment")
        lake.export(con, tmp_path / "s", partition_by)
    assert not list((tmp_path / "s" / "fact_payment").rglob("*.parquet"))
    lake.attach(tmp_path / "s", tmp_path / "v.duckdb")
    with warehouse.connect(tmp_path / "v.duckdb", read_only=True) as con:
        assert con.execute("SELECT count(*) FROM fact_payment").fetchone()[0] == 0
        types = con.execute("SELECT column_name, data_type FROM information_schema.columns "
                            "WHERE table_name = 'fact_payment' ORDER BY ordinal_position"
                            ).fetchall()
        assert types == lake.pinned()["fact_payment"]
        got = cube.query(con, measures=["kwh", "paid"], by=["district"])
        with warehouse.connect(db, read_only=True) as file:
            want = cube.query(file, measures=["kwh", "paid"], by=["district"])
    pd.testing.assert_frame_equal(got, want)
    assert got["kwh"].sum() > 0


def test_daily_reads_are_split_by_their_month(demo_db: Path, tmp_path: Path) -> None:
    """Daily reads (30x the monthly rows) are split by the month of their date like the other
    facts: the view gains ``month`` (a filter on it prunes folders), same rows otherwise."""
    with warehouse.connect(demo_db, read_only=True) as con:
        lake.export(con, tmp_path / "s", "city,month")
        want = con.execute("SELECT * FROM fact_daily_read ORDER BY ALL").df()
        months = con.execute("SELECT DISTINCT strftime(date, '%Y-%m') FROM fact_daily_read"
                             ).fetchall()
    assert len(want) > 1000 and len(months) >= 2
    lake.attach(tmp_path / "s", tmp_path / "v.duckdb")
    with warehouse.connect(tmp_path / "v.duckdb", read_only=True) as con:
        got = con.execute("SELECT * EXCLUDE (city_id, month) FROM fact_daily_read "
                          "ORDER BY ALL").df()
        assert con.execute("SELECT count(*) FROM fact_daily_read "
                           "WHERE month <> strftime(date, '%Y-%m')").fetchone()[0] == 0
        first = min(m for (m,) in months)
        plan = con.execute("EXPLAIN SELECT sum(kwh) FROM fact_daily_read WHERE month = ?",
                           [first]).fetchall()[0][1]
    pd.testing.assert_frame_equal(got, want)
    folders = {p.name for p in (tmp_path / "s" / "fact_daily_read").glob("city_id=*/month=*")}
    assert {f"month={m}" for (m,) in months} == folders
    files = len(list((tmp_path / "s" / "fact_daily_read").rglob("*.parquet")))
    scanned = int(plan.split("Scanning Files: ")[1].split("/")[0])
    assert 0 < scanned < files
