"""A load killed half-way (SIGKILL, no chance to clean up) leaves the warehouse as it was;
so does a load that fails, and a load swaps its finished copy in keeping the file's mode."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from etl.pipeline import load
from gcrm.storage import warehouse
from tests.conftest import EXAMPLE
from tests.test_etl_contract import assert_same, snapshot


def write_big(folder: Path, customers: int, months: int) -> None:
    folder.mkdir()
    shutil.copy(EXAMPLE / "regions.geojson", folder / "regions.geojson")
    rng = np.random.default_rng(3)
    ids = np.char.add("K", np.arange(customers).astype(str))
    pd.DataFrame({
        "customer_id": ids, "name": "客户", "customer_class": "residential",
        "tariff": "居民阶梯", "lon": rng.uniform(125, 127, customers).round(5),
        "lat": rng.uniform(41, 43, customers).round(5),
        "feeder_id": np.char.add("F", (np.arange(customers) % 50).astype(str)),
    }).to_csv(folder / "customers.csv", index=False)
    ms = [f"2024-{m:02d}" for m in range(1, months + 1)]
    pd.DataFrame({"customer_id": np.repeat(ids, months), "month": np.tile(ms, customers),
                  "kwh": rng.uniform(50, 400, customers * months).round(1)}
                 ).to_csv(folder / "consumption.csv", index=False)
    (folder / "payments.csv").write_text("payment_id,customer_id,paid_at,amount,channel\n")
    (folder / "outages.csv").write_text("outage_id,feeder_id,start,end,cause,planned\n")


@pytest.mark.slow
def test_killed_load_leaves_previous_state(example_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    load(example_dir, db, quiet=True, report_dir=tmp_path / "r1")
    before = snapshot(db)
    big = tmp_path / "big"
    write_big(big, customers=60_000, months=12)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gcrm.cli", "etl", "--db", str(db), "--input", str(big),
         "--report-dir", str(tmp_path / "r2")],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env)
    seen = b""
    deadline = time.monotonic() + 120
    try:
        # wait until the customers are written (inside the transaction) and the facts start
        while b"consumption" not in seen and time.monotonic() < deadline:
            chunk = os.read(proc.stderr.fileno(), 4096)
            if not chunk:
                break
            seen += chunk
        assert b"consumption" in seen, seen.decode(errors="replace")
        time.sleep(0.3)
        assert proc.poll() is None, "the load finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=30)
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert_same(before, snapshot(db))
    assert staging(db)  # the killed load's copy is left behind...
    # and the warehouse still takes the next load
    load(example_dir, db, quiet=True, report_dir=tmp_path / "r3")
    assert_same(before, snapshot(db))
    assert staging(db) == []  # ...and removed by the next load


def staging(db: Path) -> list[str]:
    """Files of loads beside the warehouse: working copies (and their .wal), the lock."""
    return sorted(p.name for p in db.parent.iterdir()
                  if p.name.startswith(f"{db.name}.loading-") or p.name.endswith(".load.lock"))


def test_failed_load_removes_its_copy_and_leaves_the_warehouse(
        mini_db: Path, example_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from etl import pipeline

    before, inode = snapshot(mini_db), mini_db.stat().st_ino

    def fail(con) -> None:
        assert staging(mini_db), "the load writes a copy"
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(pipeline, "_build_time", fail)
    with pytest.raises(RuntimeError, match="disk on fire"):
        load(example_dir, mini_db, quiet=True, report_dir=tmp_path / "r2")
    assert_same(before, snapshot(mini_db))
    assert mini_db.stat().st_ino == inode
    assert staging(mini_db) == []


def test_stale_copies_are_removed_by_the_next_load(mini_db: Path, example_dir: Path,
                                                   tmp_path: Path) -> None:
    for name in ("loading-999999-1", "loading-999999-1.wal"):
        Path(f"{mini_db}.{name}").write_bytes(b"left by a killed load")
    Path(f"{mini_db}.loading-999999-1.tmp").mkdir()  # DuckDB's spill folder
    Path(f"{mini_db}.load.lock").write_text("999999\n")  # its lock died with it
    load(example_dir, mini_db, quiet=True, report_dir=tmp_path / "r2")
    assert staging(mini_db) == []


CRASH_AFTER_COMMIT = """
import os, sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("INSERT INTO meta VALUES ('crash_marker', 'kept')")
os.kill(os.getpid(), 9)  # committed to the .wal, never checkpointed
"""


def test_wal_of_a_crashed_writer_is_folded_into_the_load(mini_db: Path, example_dir: Path,
                                                         tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-c", CRASH_AFTER_COMMIT, str(mini_db)], check=False)
    wal = Path(f"{mini_db}.wal")
    assert wal.exists()
    load(example_dir, mini_db, quiet=True, report_dir=tmp_path / "r2")
    assert not wal.exists()  # never replayed onto the new file
    with warehouse.connect(mini_db, read_only=True) as con:
        assert warehouse.get_meta(con, "crash_marker") == "kept"
        assert warehouse.get_meta(con, "data_version") == "2"


def test_reload_swaps_a_new_file_in_with_the_old_mode(mini_db: Path, example_dir: Path,
                                                      tmp_path: Path) -> None:
    assert stat.S_IMODE(mini_db.stat().st_mode) == 0o600  # created private
    os.chmod(mini_db, 0o640)  # shared with a group by an administrator
    inode = mini_db.stat().st_ino
    load(example_dir, mini_db, quiet=True, report_dir=tmp_path / "r2")
    assert mini_db.stat().st_ino != inode  # a new file, renamed over the old one
    assert stat.S_IMODE(mini_db.stat().st_mode) == 0o640


def test_reload_through_a_symlink_replaces_the_file_it_names(mini_db: Path, example_dir: Path,
                                                             tmp_path: Path) -> None:
    link = tmp_path / "link" / "gcrm.duckdb"
    link.parent.mkdir()
    link.symlink_to(mini_db)
    load(example_dir, link, quiet=True, report_dir=tmp_path / "r2")
    assert link.is_symlink()
    with warehouse.connect(mini_db, read_only=True) as con:
        assert warehouse.get_meta(con, "data_version") == "2"


def test_encrypted_warehouse_reloads_through_its_copy(example_dir: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "enc.duckdb"
    monkeypatch.setenv("GCRM_DB_KEY", "correct horse")
    load(example_dir, db, quiet=True, report_dir=tmp_path / "r1")
    load(example_dir, db, quiet=True, report_dir=tmp_path / "r2")
    assert "示例".encode() not in db.read_bytes()
    with warehouse.connect(db, read_only=True) as con:
        assert warehouse.get_meta(con, "data_version") == "2"
        assert con.execute("SELECT sum(kwh) FROM fact_consumption").fetchone()[0] == 83210
        # its storage version has no FSST to name for the unique payment ids, nor a plain
        # dictionary for the repeated text: DICT_FSST for both
        assert _compression(con, "fact_payment", "payment_id") == {"DICT_FSST"}
        for table, column in REPEATED_TEXT:
            assert _compression(con, table, column) == {"DICT_FSST"}, (table, column)
    assert staging(db) == []


def _compression(con, table: str, column: str) -> set[str]:
    """The compression methods of ``column``'s data segments (checkpointed)."""
    return {r[0] for r in con.execute(
        "SELECT DISTINCT compression FROM pragma_storage_info(?) WHERE column_name = ? "
        "AND segment_type <> 'VALIDITY'", [table, column]).fetchall()}


#: the facts' text columns with few distinct values per row group (named dictionaries)
REPEATED_TEXT = (("fact_consumption", "month"), ("fact_payment", "month"),
                 ("fact_payment", "channel"), ("fact_payment", "service_point_id"))


def test_unique_payment_ids_are_stored_with_fsst(mini_db: Path) -> None:
    """Named in the schema (DuckDB does not try a dictionary on them in every row group);
    the repeated text of the facts as dictionaries (nor FSST on it)."""
    with warehouse.connect(mini_db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM fact_payment").fetchone()[0] > 0
        assert _compression(con, "fact_payment", "payment_id") == {"FSST"}
        for table, column in REPEATED_TEXT:
            assert _compression(con, table, column) == {"Dictionary"}, (table, column)
