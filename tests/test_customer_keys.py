"""The customer's integer key (schema version 3): given once by the load that first brings the
customer, never changed by a later one; the monthly facts hold it in place of the text id, and
``gcrm upgrade`` converts a warehouse of version 2 (facts by text id) without changing an
answer."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from etl.errors import InputError
from etl.pipeline import load
from gcrm.cli import cli
from gcrm.cube import percustomer
from gcrm.storage import warehouse
from tests.storedata import mark_store_version

QUERIES = (
    ["query", "--measure", "customers", "--measure", "kwh", "--measure", "amount", "--by",
     "district", "--by", "month", "--format", "csv"],
    ["query", "--measure", "paid", "--measure", "payments", "--measure", "payers", "--by",
     "channel", "--by", "customer_class", "--format", "csv"],
)


def _keys(db: Path) -> dict[str, int]:
    with warehouse.connect(db, read_only=True) as con:
        return dict(con.execute("SELECT customer_id, customer_key FROM dim_customer").fetchall())


def _facts_by_id(db: Path) -> tuple[list, list]:
    with warehouse.connect(db, read_only=True) as con:
        cons = con.execute(f"SELECT customer_id, month, kwh, amount FROM "
                           f"{warehouse.BY_ID['fact_consumption']} ORDER BY ALL").fetchall()
        pays = con.execute(f"SELECT payment_id, customer_id, amount, channel FROM "
                           f"{warehouse.BY_ID['fact_payment']} ORDER BY ALL").fetchall()
    return cons, pays


def test_the_facts_hold_the_integer_key_not_the_text_id(mini_db: Path) -> None:
    with warehouse.connect(mini_db, read_only=True) as con:
        for table in ("fact_consumption", "fact_payment"):
            types = dict(con.execute(
                "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ?",
                [table]).fetchall())
            assert types["customer_key"] == "INTEGER" and "customer_id" not in types, table
            # every row names a customer, and one only
            assert con.execute(
                f"SELECT count(*) FROM {table} f LEFT JOIN dim_customer c "
                "ON c.customer_key = f.customer_key WHERE c.customer_id IS NULL").fetchone()[0] == 0
        n, distinct, lo = con.execute("SELECT count(*), count(DISTINCT customer_key), "
                                      "min(customer_key) FROM dim_customer").fetchone()
        assert n == distinct and lo >= 1


def test_keys_follow_the_file_and_never_change(example_dir: Path, tmp_path: Path) -> None:
    """A first load numbers the customers by their row in the file; a later one keeps every
    key and numbers only its new customers, after the largest key, in their file order."""
    db = tmp_path / "w.duckdb"
    load(example_dir, db, quiet=True, report_dir=tmp_path / "r1")
    first = _keys(db)
    ids = [line.split(",", 1)[0] for line in
           (example_dir / "customers.csv").read_text("utf-8").splitlines()[1:]]
    rows: dict[str, int] = {}
    for row, cid in enumerate(ids, 1):
        rows.setdefault(cid, row)  # a repeated id is rejected: the first row is the customer
    assert first == {cid: row for cid, row in rows.items() if cid in first}
    assert len(first) > 5
    inc = tmp_path / "inc"
    inc.mkdir()
    (inc / "customers.csv").write_text(
        "customer_id,name,customer_class,tariff,lon,lat,feeder_id\n"
        "Z900,新户乙,residential,居民阶梯,126.5,42.1,F2\n"
        "A002,李娜,residential,居民阶梯,126.5,42.1,F2\n"       # changed: keeps its key
        "Z100,新户甲,commercial,一般工商业,126.5,42.1,F2\n", "utf-8")
    (inc / "consumption.csv").write_text(
        "customer_id,month,kwh,amount\nZ900,2025-03,50,25.5\nA002,2025-03,70,35.5\n"
        "Z100,2025-03,900,600\n", "utf-8")
    load(inc, db, quiet=True, report_dir=tmp_path / "r2")
    after = _keys(db)
    top = max(first.values())
    assert {k: after[k] for k in first} == first
    assert (after["Z900"], after["Z100"]) == (top + 1, top + 2)
    with warehouse.connect(db, read_only=True) as con:
        got = con.execute(f"SELECT customer_id, kwh FROM {warehouse.BY_ID['fact_consumption']} "
                          "WHERE month = '2025-03' ORDER BY 1").fetchall()
    assert got == [("A002", 70.0), ("Z100", 900.0), ("Z900", 50.0)]


def _as_version_2(src: Path, db: Path) -> None:
    """The warehouse ``src`` as GCRM schema version 2 stored it: the facts by text id, the
    customers without a key, the activity bitmaps by text id."""
    shutil.copy(src, db)
    con = duckdb.connect(str(db))
    for table in ("fact_consumption", "fact_payment"):
        cols = [r[0] for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY "
            "column_index", [table]).fetchall()]
        picked = ", ".join("c.customer_id" if c == "customer_key" else f"f.{c}" for c in cols)
        con.execute(f"CREATE TABLE {table}__old AS SELECT {picked} FROM {table} f "
                    "JOIN dim_customer c USING (customer_key)")
        con.execute(f"DROP TABLE {table}")
        con.execute(f"ALTER TABLE {table}__old RENAME TO {table}")
    con.execute("CREATE TABLE bits__old AS SELECT c.customer_id, b.* EXCLUDE (customer_key) "
                "FROM rollup_activity_bits b JOIN dim_customer c USING (customer_key)")
    con.execute("DROP TABLE rollup_activity_bits")
    con.execute("ALTER TABLE bits__old RENAME TO rollup_activity_bits")
    con.execute("CREATE TABLE cust__old AS SELECT * EXCLUDE (customer_key) FROM dim_customer")
    con.execute("DROP TABLE dim_customer")
    con.execute("ALTER TABLE cust__old RENAME TO dim_customer")
    con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    con.close()


@pytest.fixture
def v2_db(mini_db_shared: Path, tmp_path: Path) -> Path:
    db = tmp_path / "v2.duckdb"
    _as_version_2(mini_db_shared, db)
    return db


def test_upgrade_keys_a_version_2_warehouse_and_every_answer_stays(
        v2_db: Path, mini_db_shared: Path, example_dir: Path, tmp_path: Path) -> None:
    run = CliRunner().invoke(cli, [*QUERIES[0], "--db", str(v2_db)])
    assert run.exit_code == 2 and "gcrm upgrade" in run.output, run.output
    # a load refuses it too, before writing anything
    with pytest.raises(InputError, match="gcrm upgrade"):
        load(example_dir, v2_db, quiet=True, report_dir=tmp_path / "r")
    up = CliRunner().invoke(cli, ["upgrade", "--db", str(v2_db)])
    assert up.exit_code == 0 and "schema 2 -> 3" in up.output, up.output
    for q in QUERIES:
        want = CliRunner().invoke(cli, [*q, "--db", str(mini_db_shared)])
        got = CliRunner().invoke(cli, [*q, "--db", str(v2_db)])
        assert want.exit_code == 0 and got.exit_code == 0, got.output
        assert got.output == want.output and len(got.output.splitlines()) > 3
    assert _facts_by_id(v2_db) == _facts_by_id(mini_db_shared)
    with warehouse.connect(v2_db, read_only=True) as con:
        assert "customer_key" in {r[0] for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'fact_payment'"
        ).fetchall()}
        assert warehouse.schema_problems(con) == []
        stored = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                  for t in percustomer.TABLES.values()}
    with warehouse.connect(mini_db_shared, read_only=True) as con:
        assert stored == {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                          for t in percustomer.TABLES.values()}
    # and loads go on: the same folder again changes no fact
    load(example_dir, v2_db, quiet=True, report_dir=tmp_path / "r2")
    assert _facts_by_id(v2_db) == _facts_by_id(mini_db_shared)


def test_an_older_warehouse_is_restored_exported_only_once_upgraded(v2_db: Path,
                                                                    tmp_path: Path) -> None:
    """A backup taken by an older GCRM is restored (then upgraded, as the command says); its
    Parquet export waits for the upgrade instead of failing half-way."""
    run = CliRunner().invoke
    archive = tmp_path / "old.tar.gz"
    assert run(cli, ["backup", "--db", str(v2_db), "--out", str(archive)]).exit_code == 0
    target = tmp_path / "restored" / "gcrm.duckdb"
    r = run(cli, ["restore", str(archive), "--db", str(target)])
    assert r.exit_code == 0 and "gcrm upgrade" in r.output, r.output
    r = run(cli, ["store", "export", "--db", str(target), "--out", str(tmp_path / "s")])
    assert r.exit_code == 2 and "gcrm upgrade" in r.output, r.output
    assert not list(tmp_path.glob(".s.writing-*")) and not (tmp_path / "s").exists()
    assert run(cli, ["upgrade", "--db", str(target)]).exit_code == 0
    r = run(cli, ["store", "export", "--db", str(target), "--out", str(tmp_path / "s")])
    assert r.exit_code == 0, r.output


def test_views_over_an_older_store_say_to_write_it_again(mini_db_shared: Path,
                                                         tmp_path: Path) -> None:
    """A warehouse of views attached to a store before this version cannot be upgraded in
    place (its facts are the store's files): queries and `gcrm upgrade` say to write the
    store again."""
    from gcrm.storage import lake

    with warehouse.connect(mini_db_shared, read_only=True) as con:
        lake.export(con, tmp_path / "s")
    views = lake.attach(tmp_path / "s", tmp_path / "v.duckdb")
    mark_store_version(tmp_path / "s", 2)  # the store as v2 wrote it
    for args in (QUERIES[0], ["upgrade"]):
        r = CliRunner().invoke(cli, [*args, "--db", str(views)])
        assert r.exit_code == 2, r.output
        assert "write the store again" in r.output and "schema version 2" in r.output
