"""``gcrm upgrade``: a warehouse built by an older GCRM is refused with what to do, then
upgraded in place (rollups rebuilt from the facts, the data unchanged)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner

from gcrm.cli import cli
from gcrm.storage import warehouse

QUERY = ["query", "--measure", "customers", "--measure", "kwh", "--by", "district",
         "--format", "csv"]


@pytest.fixture
def old_db(mini_db_shared: Path, tmp_path: Path) -> Path:
    """The example warehouse as an older GCRM left it: schema version 1, no activity words."""
    db = tmp_path / "old.duckdb"
    shutil.copy(mini_db_shared, db)
    con = duckdb.connect(str(db))
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    for (name,) in con.execute("SELECT table_name FROM duckdb_tables() "
                               "WHERE table_name LIKE '%activity%'").fetchall():
        con.execute(f'ALTER TABLE "{name}" RENAME COLUMN bits_0 TO bits')
    con.close()
    return db


def test_an_older_warehouse_is_refused_with_what_to_do(old_db: Path) -> None:
    run = CliRunner().invoke(cli, [*QUERY, "--db", str(old_db)])
    assert run.exit_code == 2, run.output
    assert "gcrm upgrade" in run.output and "schema version 1" in run.output
    con = warehouse.connect(old_db, read_only=True)
    try:
        assert "gcrm upgrade" in warehouse.schema_problems(con)[0]
    finally:
        con.close()


def test_upgrade_rebuilds_the_rollups_and_keeps_the_data(old_db: Path,
                                                         mini_db_shared: Path) -> None:
    want = CliRunner().invoke(cli, [*QUERY, "--db", str(mini_db_shared)])
    assert want.exit_code == 0, want.output
    up = CliRunner().invoke(cli, ["upgrade", "--db", str(old_db)])
    assert up.exit_code == 0 and "schema 1 -> 3" in up.output, up.output
    got = CliRunner().invoke(cli, [*QUERY, "--db", str(old_db)])
    assert got.exit_code == 0, got.output
    assert got.output == want.output
    again = CliRunner().invoke(cli, ["upgrade", "--db", str(old_db)])
    assert again.exit_code == 0 and again.output == ""  # current: nothing to do


def test_a_newer_warehouse_is_not_touched(mini_db_shared: Path, tmp_path: Path) -> None:
    db = tmp_path / "new.duckdb"
    shutil.copy(mini_db_shared, db)
    con = duckdb.connect(str(db))
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    before = db.read_bytes()
    run = CliRunner().invoke(cli, ["upgrade", "--db", str(db)])
    assert run.exit_code == 2 and "newer" in run.output, run.output
    assert db.read_bytes() == before


def test_the_group_dimension_on_a_warehouse_without_groups(mini_db_shared: Path,
                                                           tmp_path: Path) -> None:
    """A warehouse built before customer groups (current schema version, no
    dim_customer_group): a clear message naming `gcrm upgrade`, then the upgrade creates the
    table and the query answers."""
    from gcrm import cube
    from gcrm.cube.engine import CubeError

    db = tmp_path / "nogroups.duckdb"
    shutil.copy(mini_db_shared, db)
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE dim_customer_group")
    con.close()
    by_group = ["query", "--db", str(db), "--measure", "kwh", "--by", "group", "--format", "csv"]
    run = CliRunner().invoke(cli, by_group)
    assert run.exit_code == 2, run.output
    assert "dimension 'group' needs table(s) dim_customer_group" in run.output
    assert "run `gcrm upgrade`" in run.output and "Catalog" not in run.output
    con = warehouse.connect(db, read_only=True)
    try:
        with pytest.raises(CubeError, match="gcrm upgrade"):
            cube.query(con, ["kwh"], where={"group": ["A001"]})
        with pytest.raises(CubeError, match="gcrm upgrade"):
            cube.members(con, "group")
        assert len(cube.query(con, ["kwh"], by=["district"]))  # other dimensions still answer
    finally:
        con.close()
    up = CliRunner().invoke(cli, ["upgrade", "--db", str(db)])
    assert up.exit_code == 0, up.output
    assert "tables created: dim_customer_group" in up.output
    after = CliRunner().invoke(cli, by_group)
    assert after.exit_code == 0, after.output
    assert after.output.splitlines()[0] == "group,kwh"
    assert CliRunner().invoke(cli, ["upgrade", "--db", str(db)]).output == ""


def test_upgrade_stores_the_per_customer_facts_a_warehouse_lacks(mini_db_shared: Path,
                                                                 tmp_path: Path) -> None:
    """A warehouse loaded before the per-customer facts were stored (the Trading-area page
    then reads them from the facts) gets them from ``gcrm upgrade``: the same rows a load
    stores, for the same months; a second upgrade does nothing."""
    from gcrm.cube import percustomer

    db = tmp_path / "w.duckdb"
    shutil.copy(mini_db_shared, db)
    con = duckdb.connect(str(db))
    want = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").df()
            for t in percustomer.TABLES.values()}
    months = percustomer.stored_months(con)
    for table in percustomer.TABLES.values():
        con.execute(f"DROP TABLE {table}")
    con.execute("DELETE FROM meta WHERE key = ?", [percustomer.MONTHS_KEY])
    assert percustomer.stored_months(con) is None
    con.close()
    up = CliRunner().invoke(cli, ["upgrade", "--db", str(db)])
    assert up.exit_code == 0, up.output
    assert "rollup_customer_consumption (from the facts)" in up.output
    con = warehouse.connect(db, read_only=True)
    try:
        assert percustomer.stored_months(con) == months == ("2025-01", "2025-02")
        for table, df in want.items():
            pd.testing.assert_frame_equal(con.execute(f"SELECT * FROM {table} ORDER BY ALL")
                                          .df(), df)
    finally:
        con.close()
    assert CliRunner().invoke(cli, ["upgrade", "--db", str(db)]).output == ""
