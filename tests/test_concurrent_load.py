"""Issue #17 item 11: readers and a load never block each other.

A load builds the new warehouse in a copy beside the old one and swaps it in by rename: readers
keep the snapshot they opened and every later open sees the new load; a second load exits 2;
a reader that meets another program's write lock exits 2 with a clear message.
"""

from __future__ import annotations

import fcntl
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from dashboards.components import data
from etl.pipeline import load
from gcrm.cli import cli
from gcrm.storage import warehouse
from tests.conftest import ROOT


def total_kwh(db: Path) -> float:
    with warehouse.connect(db, read_only=True) as con:
        return con.execute("SELECT sum(kwh) FROM fact_consumption").fetchone()[0]


def version(con) -> str | None:
    return warehouse.get_meta(con, "data_version")


def doubled_input(src: Path, dst: Path) -> Path:
    """``src`` with every consumption doubled: a reload that changes the totals."""
    shutil.copytree(src, dst)
    df = pd.read_csv(dst / "consumption.csv", dtype=str)
    kwh = pd.to_numeric(df["kwh"], errors="coerce")
    df["kwh"] = (kwh * 2).astype(str).where(kwh.notna(), df["kwh"])  # bad values stay bad
    df.to_csv(dst / "consumption.csv", index=False)
    return dst


def leftovers(db: Path) -> list[str]:
    return sorted(p.name for p in db.parent.iterdir()
                  if p.name.startswith(db.name) and p.name != db.name)


# --------------------------------------------------------------------------- real processes
def _reader_loop(db: Path, stop: threading.Event, runs: list) -> None:
    cmd = [sys.executable, "-m", "gcrm.cli", "query", "--db", str(db), "--measure", "kwh"]
    for _ in range(60):  # bounded: the load ends long before
        if stop.is_set():
            return
        t0 = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=120)
        runs.append((t0, time.monotonic(), proc.returncode, proc.stdout, proc.stderr))


@pytest.mark.slow
def test_readers_run_during_a_load_and_see_old_or_new_data(demo_db: Path,
                                                           tmp_path: Path) -> None:
    db = tmp_path / "gcrm.duckdb"
    shutil.copy(demo_db, db)
    folder = doubled_input(demo_db.parent / "input", tmp_path / "input")
    old = total_kwh(db)
    stop, runs = threading.Event(), []
    readers = [threading.Thread(target=_reader_loop, args=(db, stop, runs)) for _ in range(2)]
    for r in readers:
        r.start()
    t0 = time.monotonic()
    try:
        loader = subprocess.run(
            [sys.executable, "-m", "gcrm.cli", "etl", "--db", str(db), "--input", str(folder),
             "--quiet", "--report-dir", str(tmp_path / "report")],
            capture_output=True, text=True, cwd=ROOT, timeout=300)
    finally:
        t1 = time.monotonic()
        stop.set()
        for r in readers:
            r.join(timeout=300)
    assert loader.returncode == 0, loader.stderr
    new = total_kwh(db)
    assert new == pytest.approx(2 * old)
    during = [r for r in runs if r[0] < t1 and r[1] > t0]
    assert during, "no reader ran while the load ran"
    for _, _, code, out, err in runs:
        assert code == 0, err
        assert "lock" not in err.lower()
        value = float(out.splitlines()[1])
        assert value == pytest.approx(old) or value == pytest.approx(new), out
    assert not [n for n in leftovers(db) if ".loading-" in n or n.endswith((".lock", ".wal"))]


# --------------------------------------------------------------------------- in-process
def test_open_dashboard_run_keeps_its_snapshot_and_next_run_sees_the_load(
        mini_db: Path, example_dir: Path, tmp_path: Path) -> None:
    db = str(mini_db)
    with data.run_connection(db):
        with data.connection(db) as con:
            before = version(con)
            kwh = con.execute("SELECT sum(kwh) FROM fact_consumption").fetchone()[0]
        load(doubled_input(example_dir, tmp_path / "doubled"), mini_db, quiet=True,
             report_dir=tmp_path / "r2")
        with data.connection(db) as con:  # the run's connection: still the old snapshot
            assert version(con) == before
            assert con.execute("SELECT sum(kwh) FROM fact_consumption").fetchone()[0] == kwh
        with warehouse.connect(mini_db, read_only=True) as fresh:  # a new open: the new load
            assert version(fresh) != before
            assert fresh.execute("SELECT sum(kwh) FROM fact_consumption").fetchone()[0] \
                == 2 * kwh
    with data.run_connection(db), data.connection(db) as con:  # the next page run
        assert version(con) != before


def test_second_load_exits_2_while_one_runs(mini_db: Path, example_dir: Path,
                                            tmp_path: Path) -> None:
    lock = Path(f"{mini_db}.load.lock")
    with lock.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # what a running load holds
        result = CliRunner().invoke(cli, ["etl", "--db", str(mini_db), "--input",
                                          str(example_dir), "--quiet", "--report-dir",
                                          str(tmp_path / "r2")])
        assert result.exit_code == 2, result.output
        assert "another load is running" in result.output
        assert "Internal error" not in result.output
    load(example_dir, mini_db, quiet=True, report_dir=tmp_path / "r3")  # free again
    assert not [n for n in leftovers(mini_db) if ".loading-" in n or n.endswith(".lock")]


HOLD_WRITER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
print("open", flush=True)
sys.stdin.read()
"""


@contextmanager
def foreign_writer(db: Path, hold: float | None = None) -> Iterator[None]:
    """Another program holding the warehouse's write lock (for ``hold`` seconds, or the block)."""
    writer = subprocess.Popen([sys.executable, "-c", HOLD_WRITER, str(db)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "open"
        if hold is not None:
            threading.Timer(hold, writer.stdin.close).start()
        yield
    finally:
        if hold is None:
            writer.stdin.close()
        writer.wait(timeout=30)
        writer.stdout.close()


def test_reader_meeting_a_foreign_writer_exits_2(mini_db: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warehouse, "LOCK_WAIT_SECONDS", 0.2)
    with foreign_writer(mini_db):
        result = CliRunner().invoke(cli, ["query", "--db", str(mini_db), "--measure", "kwh"])
    assert result.exit_code == 2, result.output
    assert "in use by another program" in result.output
    assert "Could not set lock" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_reader_waits_out_a_short_foreign_write(mini_db: Path) -> None:
    with foreign_writer(mini_db, hold=0.3):  # a writer that finishes soon
        result = CliRunner().invoke(cli, ["query", "--db", str(mini_db), "--measure", "kwh"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == "83210.0"
