"""A load killed half-way (SIGKILL, no chance to clean up) leaves the warehouse as it was."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from etl.pipeline import load
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
    # and the warehouse still takes the next load
    load(example_dir, db, quiet=True, report_dir=tmp_path / "r3")
    assert_same(before, snapshot(db))
